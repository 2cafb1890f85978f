import { allocKeyTable, type KeyTable } from '../../src/partition/key-table.js';
import type { Plan } from '../../src/partition/plan.js';

/** One row for a test table: centroid, measure (default 1), bbox (default: the centroid). */
export interface TestRow {
  x: number;
  y: number;
  m?: number;
  box?: readonly [number, number, number, number];
}

/** A key table from test rows. */
export function keysOf(rows: readonly TestRow[]): KeyTable {
  const k = allocKeyTable(rows.length);
  rows.forEach((r, i) => {
    k.cx[i] = r.x;
    k.cy[i] = r.y;
    k.measure[i] = r.m ?? 1;
    const [x0, y0, x1, y1] = r.box ?? [r.x, r.y, r.x, r.y];
    k.minx[i] = x0;
    k.miny[i] = y0;
    k.maxx[i] = x1;
    k.maxy[i] = y1;
  });
  return k;
}

/** Seeded uniform random numbers in [0, 1) (mulberry32): the same sequence on every run. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Row indices of chunk `c`, in plan order. */
export function chunkRows(p: Plan, c: number): number[] {
  return Array.from(p.order.subarray(p.chunks.start[c]!, p.chunks.end[c]!));
}

/** Row indices of file `f`, in plan order. */
export function fileRows(p: Plan, f: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < p.chunks.length; c++) if (p.chunks.fileId[c] === f) out.push(...chunkRows(p, c));
  return out;
}

/** Every typed array of a plan, for equality checks. */
export function planArrays(p: Plan) {
  const c = p.chunks;
  return {
    caps: [p.maxPerFile, p.maxPerChunk, p.numFiles],
    order: Array.from(p.order),
    chunks: [
      c.fileId,
      c.chunkId,
      c.start,
      c.end,
      c.numRows,
      c.minx,
      c.miny,
      c.maxx,
      c.maxy,
      c.sumMeasure,
    ].map((a) => Array.from(a)),
  };
}
