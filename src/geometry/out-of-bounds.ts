/**
 * Which rows fall outside valid longitude/latitude, for `drop_out_of_bounds`.
 */

/** Smallest valid longitude, degrees. */
export const LON_MIN = -180;
/** Largest valid longitude, degrees. */
export const LON_MAX = 180;
/** Smallest valid latitude, degrees. */
export const LAT_MIN = -90;
/** Largest valid latitude, degrees. */
export const LAT_MAX = 90;

/**
 * Marks (1) every row with any coordinate outside lon [-180, 180] / lat [-90, 90] degrees, from
 * the per-row boxes of `wkbBounds` (`4 x rows`, `[xmin, ymin, xmax, ymax]`). A row only partly
 * outside counts as out of bounds: such coordinates are not valid EPSG:4326 data. The bounds are
 * inclusive (x = 180 is inside). Null and empty geometries (NaN boxes) are marked 0 and kept:
 * they have no coordinate to be out of bounds, and GeoPandas keeps them too. Infinite
 * ordinates are out of bounds.
 */
export function outOfBoundsMask(rowBounds: Float64Array): Uint8Array {
  const n = rowBounds.length >> 2;
  const mask = new Uint8Array(n);
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    // NaN compares false, so null/empty boxes stay 0.
    if (
      rowBounds[o]! < LON_MIN ||
      rowBounds[o + 1]! < LAT_MIN ||
      rowBounds[o + 2]! > LON_MAX ||
      rowBounds[o + 3]! > LAT_MAX
    ) {
      mask[i] = 1;
    }
  }
  return mask;
}
