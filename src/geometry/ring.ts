/**
 * Ring helpers for the polygon splitter: point-in-ring, a growable coordinate buffer, the
 * cleaning that gives every ring the orientation the splitter relies on, and the splitting of a
 * ring that touches itself into simple loops.
 */
import type { FlatPolygon } from './flat.js';
import { ringArea } from './measure.js';

/** A closed ring as its own x,y array (first point repeated at the end). */
export type Ring = Float64Array;

/**
 * Where the point (x, y) lies relative to the closed ring at points `start .. end` of `coords`:
 * 1 inside, 0 on its boundary, -1 outside (even-odd rule).
 */
export function pointInRing(
  x: number,
  y: number,
  coords: Float64Array,
  start: number,
  end: number,
): 1 | 0 | -1 {
  let inside = false;
  for (let i = start + 1; i < end; i++) {
    const x0 = coords[i * 2 - 2]!;
    const y0 = coords[i * 2 - 1]!;
    const x1 = coords[i * 2]!;
    const y1 = coords[i * 2 + 1]!;
    if (
      (x1 - x0) * (y - y0) === (x - x0) * (y1 - y0) &&
      x >= Math.min(x0, x1) &&
      x <= Math.max(x0, x1) &&
      y >= Math.min(y0, y1) &&
      y <= Math.max(y0, y1)
    ) {
      return 0;
    }
    if (y0 > y !== y1 > y && x < x0 + ((y - y0) * (x1 - x0)) / (y1 - y0)) inside = !inside;
  }
  return inside ? 1 : -1;
}

/** A growable array of x,y pairs. */
export class CoordBuffer {
  data: Float64Array;
  /** Number of points held. */
  size = 0;

  constructor(points = 64) {
    this.data = new Float64Array(Math.max(points, 4) * 2);
  }

  push(x: number, y: number): void {
    if (this.size * 2 + 2 > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.size * 2] = x;
    this.data[this.size * 2 + 1] = y;
    this.size++;
  }

  /** Appends (x, y) unless it repeats the last point. */
  pushDistinct(x: number, y: number): void {
    const n = this.size;
    if (n > 0 && this.data[n * 2 - 2] === x && this.data[n * 2 - 1] === y) return;
    this.push(x, y);
  }

  /** A copy of points `start .. end`. */
  slice(start = 0, end = this.size): Float64Array {
    return this.data.slice(start * 2, end * 2);
  }
}

/**
 * The polygon in the form the splitter needs: consecutive duplicate points removed, rings
 * closed, rings with fewer than 4 points or zero area dropped, exterior counter-clockwise and
 * holes clockwise. Returns the input itself when it already has that form, and null when its
 * exterior is degenerate.
 */
export function cleanPolygon(p: FlatPolygon): FlatPolygon | null {
  const { coords, ringOffsets } = p;
  const rings = ringOffsets.length - 1;
  if (rings < 1) return null;
  let clean = true;
  for (let r = 0; r < rings && clean; r++) {
    const start = ringOffsets[r]!;
    const end = ringOffsets[r + 1]!;
    const a = ringArea(coords, start, end);
    clean =
      end - start >= 4 &&
      (r === 0 ? a > 0 : a < 0) &&
      coords[start * 2] === coords[end * 2 - 2] &&
      coords[start * 2 + 1] === coords[end * 2 - 1];
    for (let i = start + 1; i < end && clean; i++) {
      clean = coords[i * 2] !== coords[i * 2 - 2] || coords[i * 2 + 1] !== coords[i * 2 - 1];
    }
  }
  if (clean) return p;

  const out = new CoordBuffer(ringOffsets[rings]! - ringOffsets[0]! + rings);
  const offsets: number[] = [0];
  for (let r = 0; r < rings; r++) {
    const first = out.size;
    const start = ringOffsets[r]!;
    const end = ringOffsets[r + 1]!;
    for (let i = start; i < end; i++) out.pushDistinct(coords[i * 2]!, coords[i * 2 + 1]!);
    if (out.size > first) {
      const d = out.data;
      if (d[first * 2] !== d[out.size * 2 - 2] || d[first * 2 + 1] !== d[out.size * 2 - 1]) {
        out.push(d[first * 2]!, d[first * 2 + 1]!);
      }
    }
    const a = out.size - first >= 4 ? ringArea(out.data, first, out.size) : 0;
    if (a === 0) {
      if (r === 0) return null;
      out.size = first;
      continue;
    }
    if (r === 0 ? a < 0 : a > 0) reversePoints(out.data, first, out.size);
    offsets.push(out.size);
  }
  return { coords: out.slice(), ringOffsets: Int32Array.from(offsets) };
}

/** Reverses points `start .. end` of `coords` in place. */
export function reversePoints(coords: Float64Array, start: number, end: number): void {
  for (let i = start, j = end - 1; i < j; i++, j--) {
    const x = coords[i * 2]!;
    const y = coords[i * 2 + 1]!;
    coords[i * 2] = coords[j * 2]!;
    coords[i * 2 + 1] = coords[j * 2 + 1]!;
    coords[j * 2] = x;
    coords[j * 2 + 1] = y;
  }
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function hashXY(x: number, y: number): number {
  f64[0] = x === 0 ? 0 : x; // -0 and 0 are the same point
  let h = Math.imul(u32[0]! ^ Math.imul(u32[1]!, 0x9e3779b1), 0x85ebca6b);
  f64[0] = y === 0 ? 0 : y;
  h = Math.imul(h ^ u32[0]!, 0xc2b2ae35) ^ Math.imul(u32[1]!, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}

/**
 * Splits a closed ring that passes through a point more than once into simple closed loops
 * (one per pass), so that a boundary pinched at a point becomes two rings that touch there, as
 * OGC validity wants. Loops with fewer than 3 distinct points are dropped. A ring without a
 * repeated point is returned as the only loop, uncopied.
 */
export function splitSelfTouches(ring: Ring): Ring[] {
  const m = (ring.length >> 1) - 1; // distinct points; the last repeats the first
  if (m < 3) return [];
  let bits = 4;
  while (1 << bits < m * 2) bits++;
  const mask = (1 << bits) - 1;
  const table = new Int32Array(1 << bits).fill(-1); // slot -> stack position
  const stack = new Float64Array(m * 2);
  let len = 0;
  let loops: Ring[] | null = null;
  for (let i = 0; i < m; i++) {
    const x = ring[i * 2]!;
    const y = ring[i * 2 + 1]!;
    let slot = hashXY(x, y) & mask;
    let found = -1;
    // Slots may hold stale positions of popped points: a hit counts only if the stack still has
    // this point there.
    for (let s = table[slot]!; s !== -1; s = table[slot]!) {
      if (s < len && stack[s * 2] === x && stack[s * 2 + 1] === y) {
        found = s;
        break;
      }
      slot = (slot + 1) & mask;
    }
    if (found < 0) {
      table[slot] = len;
      stack[len * 2] = x;
      stack[len * 2 + 1] = y;
      len++;
      continue;
    }
    loops ??= [];
    if (len - found >= 3) loops.push(closeLoop(stack, found, len));
    len = found + 1;
  }
  if (loops === null) return [ring];
  if (len >= 3) loops.push(closeLoop(stack, 0, len));
  return loops;
}

function closeLoop(stack: Float64Array, start: number, end: number): Ring {
  const loop = new Float64Array((end - start + 1) * 2);
  loop.set(stack.subarray(start * 2, end * 2));
  loop[(end - start) * 2] = stack[start * 2]!;
  loop[(end - start) * 2 + 1] = stack[start * 2 + 1]!;
  return loop;
}
