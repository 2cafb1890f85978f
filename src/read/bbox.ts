/**
 * Checking a query box given by a caller.
 */
import { GeopartError } from '../errors.js';
import type { BBox } from './types.js';

/**
 * Returns `bbox` when it is 4 finite numbers with minx <= maxx and miny <= maxy (degrees);
 * throws `INVALID_ARGUMENT` naming `what` and the expected form otherwise.
 */
export function checkBBox(bbox: unknown, what = 'bbox'): BBox {
  const form = `expected [minx, miny, maxx, maxy]: 4 finite numbers (degrees) with minx <= maxx and miny <= maxy`;
  if (
    !Array.isArray(bbox) ||
    bbox.length !== 4 ||
    !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))
  ) {
    throw new GeopartError('INVALID_ARGUMENT', `${what} ${JSON.stringify(bbox)}: ${form}`, { option: what });
  }
  const [minx, miny, maxx, maxy] = bbox as [number, number, number, number];
  if (minx > maxx || miny > maxy) {
    throw new GeopartError('INVALID_ARGUMENT', `${what} ${JSON.stringify(bbox)}: ${form}`, { option: what });
  }
  return [minx, miny, maxx, maxy];
}

/**
 * True when box `i` of `boxes` (`[minx, miny, maxx, maxy]` per box, one after another)
 * intersects `q`, touching included. A NaN fails every comparison, so it never matches; an
 * unknown box written as `[-Inf, -Inf, Inf, Inf]` matches every query. The reader's box test
 * over lists of boxes (the codec addon's is `boxIntersects` in native/src/codecs.h; `rowMask`
 * keeps an inline one over four columns, for Float32 coverings and null bounds).
 */
export function boxIntersects(boxes: ArrayLike<number>, i: number, q: BBox): boolean {
  const o = 4 * i;
  return boxes[o]! <= q[2] && boxes[o + 2]! >= q[0] && boxes[o + 1]! <= q[3] && boxes[o + 3]! >= q[1];
}
