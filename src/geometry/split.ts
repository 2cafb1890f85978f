/**
 * Splits a polygon (holes included) by an axis-parallel line into valid polygons on each side.
 *
 * Per side, every ring is cut into chains that run through the kept open half-plane, each
 * entering and leaving at the line; rings wholly inside are kept, rings with no vertex inside
 * are dropped. With exteriors counter-clockwise and holes clockwise the kept region is always on
 * the left of the boundary, so the line's new boundary runs one way along it: every chain end
 * (exit) is joined to the next chain start (entry) in that direction. Ends at the same point are
 * ordered by the angle of their edge, which is the order in which the boundary goes around the
 * point. The joined rings may pass twice through a point on the line (or where a hole touched
 * the exterior); they are split there into simple loops. Counter-clockwise loops become the
 * exteriors of the pieces, clockwise ones holes, and each hole goes to the exterior that
 * contains it. A vertex exactly on the line is treated as outside on both sides, so a piece
 * of zero width along the line vanishes instead of becoming a degenerate ring.
 */
import type { FlatPolygon } from './flat.js';
import { ringArea } from './measure.js';
import { CoordBuffer, cleanPolygon, pointInRing, type Ring, splitSelfTouches } from './ring.js';
import type { ZField } from './z-field.js';

/** 0 cuts across x (a vertical line x = value), 1 across y (a horizontal line y = value). */
export type Axis = 0 | 1;

/** The pieces on each side of the line. */
export interface SplitResult {
  /** Pieces where the axis coordinate is below the line's value (west for axis 0, south for axis 1). */
  readonly left: FlatPolygon[];
  /** Pieces where the axis coordinate is above the line's value (east for axis 0, north for axis 1). */
  readonly right: FlatPolygon[];
}

/**
 * Cuts `polygon` by the line `x = value` (axis 0) or `y = value` (axis 1), in degrees. Each side
 * may get several pieces (a concave polygon falls apart); the pieces' areas sum to the polygon's.
 * Every piece is valid when the input is: rings closed, at least 4 points, no repeated
 * consecutive points, exterior counter-clockwise, holes clockwise and inside it, no zero-area
 * ring. A side that the polygon does not reach gets no piece; when the polygon lies wholly on
 * one side (touching the line at most), that side gets it whole: the input object itself when it
 * was already clean and oriented, else its cleaned copy. Throws `RangeError` for a bad axis or
 * value.
 */
export function splitByAxisLine(polygon: FlatPolygon, axis: Axis, value: number): SplitResult {
  if (axis !== 0 && axis !== 1) throw new RangeError(`axis must be 0 (x) or 1 (y), got ${axis}`);
  if (!Number.isFinite(value)) throw new RangeError(`split value must be a finite number, got ${value}`);
  const p = cleanPolygon(polygon);
  if (p === null) return { left: [], right: [] };
  return splitCleanPolygon(p, axis, value);
}

/**
 * {@link splitByAxisLine} for a polygon already in the form `cleanPolygon` gives (oriented, no
 * repeated points, closed); the pieces have that form too, so recursive cutting skips the check.
 * With `z`, every crossing of the line gets its Z there (see z-field.ts).
 */
export function splitCleanPolygon(p: FlatPolygon, axis: Axis, value: number, z?: ZField): SplitResult {
  const { coords, ringOffsets } = p;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = ringOffsets[0]!; i < ringOffsets[1]!; i++) {
    const c = coords[i * 2 + axis]!;
    if (c < min) min = c;
    if (c > max) max = c;
  }
  return {
    left: max <= value ? [p] : min >= value ? [] : clipSide(p, axis, value, 1, z),
    right: min >= value ? [p] : max <= value ? [] : clipSide(p, axis, value, -1, z),
  };
}

// Scratch space reused by every call (clipSide does not re-enter): chain points and the ring
// being assembled. Fresh arrays per call made garbage collection the main cost on big polygons.
const chains = new CoordBuffer(1024);
const ring = new CoordBuffer(1024);

// The crossing of the last edge passed to `cut`.
let cutX = 0;
let cutY = 0;

/**
 * Where edge i-j meets the line. The point is computed from the endpoint with the smaller axis
 * coordinate whatever the edge's direction, so both sides of a cut get the same point; an
 * endpoint on the line is returned exactly.
 */
function cut(coords: Float64Array, i: number, j: number, axis: Axis, value: number): void {
  let ci = coords[i * 2 + axis]!;
  let cj = coords[j * 2 + axis]!;
  let other: number;
  if (ci === value) other = coords[i * 2 + 1 - axis]!;
  else if (cj === value) other = coords[j * 2 + 1 - axis]!;
  else {
    let oi = coords[i * 2 + 1 - axis]!;
    let oj = coords[j * 2 + 1 - axis]!;
    if (ci > cj) {
      [ci, cj] = [cj, ci];
      [oi, oj] = [oj, oi];
    }
    other = oi + ((value - ci) / (cj - ci)) * (oj - oi);
    if (other < Math.min(oi, oj)) other = Math.min(oi, oj);
    if (other > Math.max(oi, oj)) other = Math.max(oi, oj);
  }
  if (axis === 0) {
    cutX = value;
    cutY = other;
  } else {
    cutX = other;
    cutY = value;
  }
}

/**
 * The pieces of clean polygon `p` in the open half-plane `s * (c - value) < 0` (s = 1: below
 * the line, s = -1: above it), where c is the axis coordinate.
 */
function clipSide(p: FlatPolygon, axis: Axis, value: number, s: 1 | -1, z?: ZField): FlatPolygon[] {
  const { coords, ringOffsets } = p;
  // Walking along the line with the kept side on the left: +w. (Axis 0 below: north; axis 0 above:
  // south; axis 1 below: west; axis 1 above: east.)
  const sw = (axis === 0) === (s === 1) ? 1 : -1;
  chains.size = 0;
  const chainStart: number[] = [];
  const chainRing: number[] = [];
  // Endpoint 2k is chain k's entry, 2k + 1 its exit: position along the line and angle key.
  const endW: number[] = [];
  const endKey: number[] = [];
  const holes: Ring[] = [];

  for (let r = 0; r + 1 < ringOffsets.length; r++) {
    const start = ringOffsets[r]!;
    const m = ringOffsets[r + 1]! - start - 1; // distinct points
    let nIn = 0;
    let firstOut = -1;
    for (let i = 0; i < m; i++) {
      if (s * (coords[(start + i) * 2 + axis]! - value) < 0) nIn++;
      else if (firstOut < 0) firstOut = i;
    }
    if (nIn === 0) {
      if (r === 0) return [];
      continue;
    }
    if (nIn === m) {
      if (r === 0) return [p];
      holes.push(coords.slice(start * 2, (start + m + 1) * 2));
      continue;
    }
    // Walk the edges from an outside vertex, so that no chain wraps around the ring's start.
    let i = start + firstOut;
    let inI = false;
    for (let k = 0; k < m; k++) {
      const j = start + ((firstOut + k + 1) % m);
      const inJ = s * (coords[j * 2 + axis]! - value) < 0;
      if (inI && inJ) {
        chains.push(coords[j * 2]!, coords[j * 2 + 1]!);
      } else if (inI) {
        cut(coords, i, j, axis, value);
        z?.crossing(coords, i, j, axis, value, cutX, cutY);
        chains.push(cutX, cutY);
        endW.push(sw * (axis === 0 ? cutY : cutX));
        endKey.push(angleKey(coords, i, axis, value, s, sw));
      } else if (inJ) {
        cut(coords, i, j, axis, value);
        z?.crossing(coords, i, j, axis, value, cutX, cutY);
        chainStart.push(chains.size);
        chainRing.push(r);
        chains.push(cutX, cutY);
        chains.push(coords[j * 2]!, coords[j * 2 + 1]!);
        endW.push(sw * (axis === 0 ? cutY : cutX));
        endKey.push(angleKey(coords, j, axis, value, s, sw));
      }
      i = j;
      inI = inJ;
    }
  }

  const next = linkChains(endW, endKey);
  const coincident = hasCoincidentEnds(endW);
  const shells: Ring[] = [];
  const nChains = chainStart.length;
  const visited = new Uint8Array(nChains);
  const d = chains.data;
  for (let k0 = 0; k0 < nChains; k0++) {
    if (visited[k0]) continue;
    ring.size = 0;
    let merged = false;
    let k = k0;
    do {
      visited[k] = 1;
      if (chainRing[k] !== chainRing[k0]) merged = true;
      const end = k + 1 < nChains ? chainStart[k + 1]! : chains.size;
      for (let q = chainStart[k]!; q < end; q++) ring.pushDistinct(d[q * 2]!, d[q * 2 + 1]!);
      k = next[k]!;
    } while (!visited[k]);
    ring.pushDistinct(ring.data[0]!, ring.data[1]!);
    // A joined ring can pass twice through a point only where chain ends meet on the line or
    // where it joins chains of different input rings (a hole that touched the exterior); only
    // those are searched for repeated points.
    const loops = coincident || merged ? splitSelfTouches(ring.slice()) : [ring.slice()];
    for (const loop of loops) {
      const n = loop.length >> 1;
      const a = n >= 4 ? ringArea(loop, 0, n) : 0;
      if (a > 0) shells.push(loop);
      else if (a < 0) holes.push(loop);
    }
  }
  return assemble(shells, holes);
}

/**
 * Sort key of a chain end by the direction of its edge into the kept side: from along the line
 * backwards (-w), through straight into the side, to along the line forwards (+w).
 */
function angleKey(coords: Float64Array, q: number, axis: Axis, value: number, s: number, sw: number): number {
  const du = s * (coords[q * 2 + axis]! - value); // < 0: q is inside
  const dw = sw * (axis === 0 ? coords[q * 2 + 1]! - cutY : coords[q * 2]! - cutX);
  return dw / -du;
}

/**
 * Pairs every exit with the next entry along the line: `next[k]` is the chain that follows chain
 * k. Valid input alternates exit, entry, exit, ... in this order; anything else still gets a
 * one-to-one pairing, so ring assembly always terminates.
 */
function linkChains(endW: number[], endKey: number[]): Int32Array {
  const order = Array.from(endW.keys());
  order.sort((a, b) => endW[a]! - endW[b]! || endKey[a]! - endKey[b]! || (b & 1) - (a & 1));
  const next = new Int32Array(endW.length >> 1).fill(-1);
  const exits: number[] = [];
  const orphans: number[] = [];
  for (const e of order) {
    if (e & 1) exits.push(e >> 1);
    else if (exits.length > 0) next[exits.pop()!] = e >> 1;
    else orphans.push(e >> 1);
  }
  for (let i = 0; i < exits.length; i++) next[exits[i]!] = orphans[i]!;
  return next;
}

function hasCoincidentEnds(endW: number[]): boolean {
  const sorted = Float64Array.from(endW).sort();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return true;
  return false;
}

/** Builds one polygon per shell, each hole going to the shell that contains it. */
function assemble(shells: Ring[], holes: Ring[]): FlatPolygon[] {
  if (shells.length === 0) return [];
  const owned: Ring[][] = shells.map(() => []);
  if (shells.length === 1) owned[0]!.push(...holes);
  else if (holes.length > 0) {
    const boxes = shells.map(ringBox);
    for (const hole of holes) {
      const hb = ringBox(hole);
      const candidates: number[] = [];
      for (let k = 0; k < shells.length; k++) {
        const b = boxes[k]!;
        if (b[0]! <= hb[0]! && b[1]! <= hb[1]! && b[2]! >= hb[2]! && b[3]! >= hb[3]!) candidates.push(k);
      }
      owned[ownerOf(hole, shells, candidates)]?.push(hole);
    }
  }
  return shells.map((shell, k) => {
    const rings = [shell, ...owned[k]!];
    if (rings.length === 1) return { coords: shell, ringOffsets: Int32Array.of(0, shell.length >> 1) };
    let total = 0;
    for (const r of rings) total += r.length;
    const coords = new Float64Array(total);
    const ringOffsets = new Int32Array(rings.length + 1);
    let at = 0;
    rings.forEach((r, i) => {
      coords.set(r, at);
      at += r.length;
      ringOffsets[i + 1] = at >> 1;
    });
    return { coords, ringOffsets };
  });
}

/** The candidate shell holding the hole: the first with a hole vertex strictly inside it. */
function ownerOf(hole: Ring, shells: Ring[], candidates: number[]): number {
  if (candidates.length <= 1) return candidates[0] ?? -1;
  const n = hole.length >> 1;
  for (let i = 0; i < n - 1; i++) {
    for (const k of candidates) {
      const shell = shells[k]!;
      if (pointInRing(hole[i * 2]!, hole[i * 2 + 1]!, shell, 0, shell.length >> 1) === 1) return k;
    }
  }
  return candidates[0]!;
}

function ringBox(r: Ring): number[] {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < r.length; i += 2) {
    const x = r[i]!;
    const y = r[i + 1]!;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return [x0, y0, x1, y1];
}
