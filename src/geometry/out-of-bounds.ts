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
 * How far past the bounds a coordinate may lie and still count as inside, degrees. 1e-9 degrees
 * is about 0.1 mm on the ground: no survey puts a real position that close to the antimeridian
 * or a pole on the wrong side, yet it is thousands of times the rounding error that data and
 * reprojection leave behind (Natural Earth's Russia ends at 180.00000000000006, two ULPs past
 * 180). Such coordinates are kept as they are, not clamped.
 */
export const BOUNDS_TOLERANCE = 1e-9;

/**
 * Marks (1) every row with any coordinate outside lon [-180, 180] / lat [-90, 90] degrees, from
 * the per-row boxes of `wkbBounds` (`4 x rows`, `[xmin, ymin, xmax, ymax]`). A row only partly
 * outside counts as out of bounds: such coordinates are not valid EPSG:4326 data. The bounds are
 * inclusive (x = 180 is inside). Null and empty geometries (NaN boxes) are marked 0 and kept:
 * they have no coordinate to be out of bounds, and GeoPandas keeps them too. Infinite
 * ordinates are out of bounds. A coordinate at most `tolerance` degrees past a bound is inside
 * (see {@link BOUNDS_TOLERANCE}); the default 0 keeps the bounds exact.
 */
export function outOfBoundsMask(rowBounds: Float64Array, tolerance = 0): Uint8Array {
  const lonMin = LON_MIN - tolerance;
  const latMin = LAT_MIN - tolerance;
  const lonMax = LON_MAX + tolerance;
  const latMax = LAT_MAX + tolerance;
  const n = rowBounds.length >> 2;
  const mask = new Uint8Array(n);
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    // NaN compares false, so null/empty boxes stay 0.
    if (
      rowBounds[o]! < lonMin ||
      rowBounds[o + 1]! < latMin ||
      rowBounds[o + 2]! > lonMax ||
      rowBounds[o + 3]! > latMax
    ) {
      mask[i] = 1;
    }
  }
  return mask;
}
