/**
 * Overall bounding box of a column, `[xmin, ymin, xmax, ymax]` in the column's units (degrees
 * for EPSG:4326), from the per-row boxes of `wkbBounds` (bounds.ts); four NaNs when no row has a
 * coordinate.
 */
export function totalBounds(rowBounds: Float64Array): Float64Array {
  let xmin = Number.POSITIVE_INFINITY;
  let ymin = Number.POSITIVE_INFINITY;
  let xmax = Number.NEGATIVE_INFINITY;
  let ymax = Number.NEGATIVE_INFINITY;
  for (let o = 0; o + 3 < rowBounds.length; o += 4) {
    // NaN compares false, so null rows drop out without a check.
    if (rowBounds[o]! < xmin) xmin = rowBounds[o]!;
    if (rowBounds[o + 1]! < ymin) ymin = rowBounds[o + 1]!;
    if (rowBounds[o + 2]! > xmax) xmax = rowBounds[o + 2]!;
    if (rowBounds[o + 3]! > ymax) ymax = rowBounds[o + 3]!;
  }
  if (xmin > xmax) return new Float64Array([Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
  return new Float64Array([xmin, ymin, xmax, ymax]);
}
