/**
 * PLAIN encoding of the present values of a page (slot ranges of shredded {@link Piece}s), with
 * the statistics folded in: each value on the way, or for byte arrays (written by the codec
 * addon) the page's least and greatest values, which give the same statistics.
 */
import { plainBytes } from '../io/codecs.js';
import type { ByteBuffer } from './byte-buffer.js';
import type { FixedArray, Piece } from './shred.js';
import { MAX_STRING_STAT, type StatsBuilder } from './stats.js';

type FixedCtor = new (n: number) => FixedArray;

/** A slot range `[a, b)` of a shredded piece. */
export interface SlotRange {
  readonly piece: Piece;
  readonly a: number;
  readonly b: number;
}

/**
 * Appends the PLAIN values of the ranges of one page to `out` and returns how many of their
 * slots were null (below `maxDef`). Booleans are bit-packed across range boundaries.
 */
export function writePlain(
  out: ByteBuffer,
  ranges: readonly SlotRange[],
  maxDef: number,
  stats: StatsBuilder,
): number {
  if (ranges[0]?.piece.values.kind === 'bool') return writeBools(out, ranges, maxDef, stats);
  let nulls = 0;
  for (const r of ranges) nulls += writeRange(out, r.piece, r.a, r.b, maxDef, stats);
  return nulls;
}

function presentCount(def: Uint8Array | null, a: number, b: number, maxDef: number): number {
  if (def === null) return b - a;
  let present = 0;
  for (let i = a; i < b; i++) if (def[i] === maxDef) present++;
  return present;
}

function writeBools(
  out: ByteBuffer,
  ranges: readonly SlotRange[],
  maxDef: number,
  stats: StatsBuilder,
): number {
  let slots = 0;
  let present = 0;
  for (const r of ranges) {
    slots += r.b - r.a;
    present += presentCount(r.piece.def, r.a, r.b, maxDef);
  }
  const flags = new Uint8Array(present);
  let k = 0;
  for (const { piece, a, b } of ranges) {
    const { def, idx, values } = piece;
    if (values.kind !== 'bool') continue;
    for (let i = a; i < b; i++) {
      if (def !== null && def[i] !== maxDef) continue;
      const bit = values.bitOffset + (idx === null ? i : idx[i]!);
      flags[k++] = (values.bits[bit >> 3]! >> (bit & 7)) & 1;
    }
  }
  stats.bool(flags);
  const size = (present + 7) >> 3;
  out.ensure(size);
  const bytes = out.bytes;
  const base = out.length;
  bytes.fill(0, base, base + size);
  for (let j = 0; j < present; j++) bytes[base + (j >> 3)]! |= flags[j]! << (j & 7);
  out.length = base + size;
  return slots - present;
}

function writeRange(
  out: ByteBuffer,
  piece: Piece,
  a: number,
  b: number,
  maxDef: number,
  stats: StatsBuilder,
): number {
  const { def, idx, values } = piece;
  const present = presentCount(def, a, b, maxDef);
  const at = (i: number): number => (idx === null ? i : idx[i]!);

  switch (values.kind) {
    case 'none':
    case 'bool':
      break;
    case 'fixed': {
      const src = values.array;
      let vals: FixedArray;
      if (def === null && idx === null) vals = src.subarray(a, b);
      else {
        vals = new (src.constructor as FixedCtor)(present);
        const dst = vals as unknown as { [i: number]: number | bigint };
        for (let i = a, k = 0; i < b; i++) if (def === null || def[i] === maxDef) dst[k++] = src[at(i)]!;
      }
      stats.fixed(vals);
      out.append(new Uint8Array(vals.buffer, vals.byteOffset, vals.byteLength));
      break;
    }
    case 'bytes':
      writeBytes(out, piece, a, b, maxDef, present, stats);
      break;
  }
  return b - a - present;
}

/** BYTE_ARRAY values: a 4-byte little-endian length before each value's bytes. */
function writeBytes(
  out: ByteBuffer,
  piece: Piece,
  a: number,
  b: number,
  maxDef: number,
  present: number,
  stats: StatsBuilder,
): void {
  const { def, idx, values } = piece;
  if (values.kind !== 'bytes') return;
  const { offsets, data } = values;
  const dense = def === null && idx === null;
  let total = 4 * present;
  if (dense) total += offsets[b]! - offsets[a]!;
  else {
    for (let i = a; i < b; i++) {
      if (def !== null && def[i] !== maxDef) continue;
      const j = idx === null ? i : idx[i]!;
      total += offsets[j + 1]! - offsets[j]!;
    }
  }
  out.ensure(total);
  const w = plainBytes(out.bytes, out.length, { offsets, data, def, idx }, a, b, maxDef, MAX_STRING_STAT);
  out.length = w.end;
  // The page's statistics need only its least and greatest values, or its first over-long one.
  if (!stats.tracksBytes()) return;
  const fold = (j: number) => stats.bytes(data, offsets[j]!, offsets[j + 1]!);
  if (w.long >= 0) fold(w.long);
  else if (w.min >= 0) {
    fold(w.min);
    fold(w.max);
  }
}
