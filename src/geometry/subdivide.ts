/**
 * Subdivision of large polygons (`subdivide_start` / `subdivide_stop`): a polygon whose area
 * exceeds `start` is cut by axis-parallel lines into pieces of area at most `stop`, all in
 * deg^2 (planar WGS84 degrees).
 *
 * A piece over `stop` is cut across the longer side of its bounding box and each resulting
 * piece recurses. With k = ceil(area / stop), the cut leaves floor(k / 2) / k of the box on the
 * low side rather than half: for a box-like piece that gives each side a whole number of
 * `stop`-sized shares, so a 10 x 10 square with stop 1 becomes 100 pieces instead of 128, while
 * the box still shrinks by at least a third per level (depth stays logarithmic, each level only
 * cuts the piece it is given). Pieces come out in depth-first order, low side first, so the
 * result is deterministic.
 */
import type { FlatMultiPolygon, FlatPolygon } from './flat.js';
import { polygonAt } from './flat.js';
import { multiPolygonArea, polygonArea } from './measure.js';
import { cleanPolygon } from './ring.js';
import { type Axis, splitCleanPolygon } from './split.js';
import type { ZField } from './z-field.js';

/**
 * Relative slack on `stop`: a piece whose computed area exceeds `stop` by less than this
 * fraction is only over by rounding (e.g. a 0.8 x 1.25 box) and is not cut again.
 */
export const SUBDIVIDE_TOLERANCE = 1e-12;

/**
 * Checks subdivision thresholds (deg^2): `stop` must be finite and > 0, `start` >= `stop`.
 * Throws a `RangeError` naming the option otherwise.
 */
export function checkSubdivideThresholds(start: number, stop: number): void {
  if (!(stop > 0) || !Number.isFinite(stop)) {
    throw new RangeError(`subdivide_stop must be a finite area > 0 (deg^2), got ${stop}`);
  }
  if (!(start >= stop)) {
    throw new RangeError(
      `subdivide_start (${start}) must be >= subdivide_stop (${stop}); leave stop unset to use start for both`,
    );
  }
}

/**
 * Cuts `polygon` into pieces of area at most `stop` (deg^2) when its area exceeds `start`
 * (deg^2); `stop` defaults to `start`. A polygon of area <= `start` is returned as is, in a
 * one-element array. Otherwise every piece is a new, valid polygon (rings closed, >= 4 points,
 * no repeated consecutive points, exterior counter-clockwise, holes clockwise, no zero-area
 * ring); a hole that a cut crosses becomes part of its pieces' exteriors. The pieces' areas sum
 * to the polygon's up to rounding. Throws `RangeError` for bad thresholds.
 */
export function subdividePolygon(polygon: FlatPolygon, start: number, stop = start): FlatPolygon[] {
  checkSubdivideThresholds(start, stop);
  if (!(polygonArea(polygon) > start)) return [polygon];
  const out: FlatPolygon[] = [];
  const p = cleanPolygon(polygon);
  if (p !== null) cutDown(p, stop, out);
  return out;
}

/**
 * Subdivides a multipolygon as one geometry: when its total area exceeds `start` (deg^2),
 * each polygon part larger than `stop` is cut as {@link subdividePolygon} cuts, and parts at
 * most `stop` are kept whole (cleaned and oriented like the pieces; a part that already was is
 * returned as a view sharing `mp.coords`). The result is a list of
 * single polygons. When the total is at most `start` the parts are returned as they are (views
 * sharing `mp.coords`); a caller that keeps such a row as one multipolygon should compare
 * `multiPolygonArea(mp)` with `start` itself before calling. `stop` defaults to `start`. With
 * `z` (the Z of `mp`'s vertices), the crossings of the cut lines get their Z there too.
 */
export function subdivideMultiPolygon(
  mp: FlatMultiPolygon,
  start: number,
  stop = start,
  z?: ZField,
): FlatPolygon[] {
  checkSubdivideThresholds(start, stop);
  const parts = mp.polygonOffsets.length - 1;
  const out: FlatPolygon[] = [];
  if (!(multiPolygonArea(mp) > start)) {
    for (let i = 0; i < parts; i++) out.push(polygonAt(mp, i));
    return out;
  }
  for (let i = 0; i < parts; i++) {
    const p = cleanPolygon(polygonAt(mp, i));
    if (p !== null) cutDown(p, stop, out, z);
  }
  return out;
}

/** Cuts clean polygon `p` until every piece is at most `stop`, appending the pieces to `out`. */
function cutDown(p: FlatPolygon, stop: number, out: FlatPolygon[], z?: ZField): void {
  const limit = stop * (1 + SUBDIVIDE_TOLERANCE);
  const stack: FlatPolygon[] = [p];
  while (stack.length > 0) {
    const piece = stack.pop()!;
    const area = polygonArea(piece);
    if (area <= limit) {
      out.push(piece);
      continue;
    }
    const { coords, ringOffsets } = piece;
    let x0 = Number.POSITIVE_INFINITY;
    let y0 = Number.POSITIVE_INFINITY;
    let x1 = Number.NEGATIVE_INFINITY;
    let y1 = Number.NEGATIVE_INFINITY;
    for (let i = ringOffsets[0]!; i < ringOffsets[1]!; i++) {
      const x = coords[i * 2]!;
      const y = coords[i * 2 + 1]!;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    const axis: Axis = x1 - x0 >= y1 - y0 ? 0 : 1;
    const lo = axis === 0 ? x0 : y0;
    const hi = axis === 0 ? x1 : y1;
    const k = Math.max(2, Math.ceil(area / limit));
    const value = lo + (hi - lo) * (Math.floor(k / 2) / k);
    if (!(value > lo && value < hi)) {
      out.push(piece); // too thin to cut in floating point
      continue;
    }
    const { left, right } = splitCleanPolygon(piece, axis, value, z);
    // Pushed in reverse, so the low side comes out first.
    for (let i = right.length - 1; i >= 0; i--) stack.push(right[i]!);
    for (let i = left.length - 1; i >= 0; i--) stack.push(left[i]!);
  }
}
