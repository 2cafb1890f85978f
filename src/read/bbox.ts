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

/** True when boxes `a` and `b` (as `[minx, miny, maxx, maxy]`) intersect, touching included. */
export function boxesIntersect(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return a[0]! <= b[2]! && b[0]! <= a[2]! && a[1]! <= b[3]! && b[1]! <= a[3]!;
}
