/**
 * The mapping from degrees to pixels of an `inspect` picture: equirectangular (longitude and
 * latitude scaled alike), north up, the table's box fitted to the requested width with a margin.
 */

/** A box in degrees: [minx, miny, maxx, maxy]. */
export type DegreeBox = readonly [number, number, number, number];

/** A fitted picture frame. Pixel x grows east, pixel y grows south; pixel (0, 0) is the top-left corner. */
export interface Viewport {
  /** Picture size, in pixels. */
  readonly width: number;
  readonly height: number;
  /** Pixels per degree, the same on both axes. */
  readonly scale: number;
  /** Degrees at the picture's left and top edges. */
  readonly west: number;
  readonly north: number;
}

/** Free pixels around the data on each side, so boxes on the table's edge stay visible. */
export const MARGIN = 8;

/** Height limit as a multiple of the width, so a tall thin table does not make a huge picture. */
const MAX_ASPECT = 4;

/** Extent used on an axis where the table has none (all rows on one meridian or parallel), in degrees. */
const MIN_EXTENT = 1e-6;

/**
 * Fits `box` into a picture `width` pixels wide; the height follows the box's aspect.
 * @param box degrees
 * @param width pixels, >= 2 * MARGIN + 1
 */
export function fitViewport(box: DegreeBox, width: number): Viewport {
  if (!Number.isInteger(width) || width < 2 * MARGIN + 1) {
    throw new RangeError(`the image width must be an integer >= ${2 * MARGIN + 1} pixels, got ${width}`);
  }
  const [minx, miny, maxx, maxy] = box;
  let dx = maxx - minx;
  let dy = maxy - miny;
  // A single point or a line of points has no area: give it a tiny one, centred, so it lands
  // in the middle of the picture rather than dividing by zero.
  if (!(dx > 0) && !(dy > 0)) dx = dy = MIN_EXTENT;
  else if (!(dx > 0)) dx = dy;
  else if (!(dy > 0)) dy = dx / 4;
  const inner = width - 2 * MARGIN;
  const maxInnerHeight = MAX_ASPECT * width - 2 * MARGIN;
  const scale = Math.min(inner / dx, maxInnerHeight / dy);
  const height = Math.max(2 * MARGIN + 1, Math.round(dy * scale) + 2 * MARGIN);
  const cx = (minx + maxx) / 2;
  const cy = (miny + maxy) / 2;
  return { width, height, scale, west: cx - width / 2 / scale, north: cy + height / 2 / scale };
}

/** Pixel x (fractional) of a longitude, in degrees. */
export function pixelX(v: Viewport, lon: number): number {
  return (lon - v.west) * v.scale;
}

/** Pixel y (fractional) of a latitude, in degrees. */
export function pixelY(v: Viewport, lat: number): number {
  return (v.north - lat) * v.scale;
}
