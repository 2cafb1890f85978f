/**
 * PLAIN encoding of the present values of a page (slot ranges of shredded {@link Piece}s), with
 * the statistics folded in on the way.
 */
import type { ByteBuffer } from './byte-buffer.js';
import type { FixedArray, Piece } from './shred.js';
import type { StatsBuilder } from './stats.js';

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
  const bytes = out.bytes;
  const track = stats.tracksBytes();
  let pos = out.length;
  if (dense) {
    // All values in one copy behind the length slots, then each slid down into place
    // (copyWithin never overwrites bytes still to be moved: every value moves left).
    const first = offsets[a]!;
    const tail = pos + 4 * (b - a) - first;
    bytes.set(data.subarray(first, offsets[b]!), tail + first);
    for (let j = a; j < b; j++) {
      const s = offsets[j]!;
      const len = offsets[j + 1]! - s;
      writeLength(bytes, pos, len);
      pos += 4;
      bytes.copyWithin(pos, tail + s, tail + s + len);
      pos += len;
      if (track) stats.bytes(data, s, s + len);
    }
    out.length = pos;
    return;
  }
  for (let i = a; i < b; i++) {
    if (def !== null && def[i] !== maxDef) continue;
    const j = idx === null ? i : idx[i]!;
    const s = offsets[j]!;
    const len = offsets[j + 1]! - s;
    writeLength(bytes, pos, len);
    pos += 4;
    // Short values copy faster by hand than through subarray() + set().
    if (len > 48) bytes.set(data.subarray(s, s + len), pos);
    else for (let k = 0; k < len; k++) bytes[pos + k] = data[s + k]!;
    pos += len;
    if (track) stats.bytes(data, s, s + len);
  }
  out.length = pos;
}

function writeLength(bytes: Uint8Array, pos: number, len: number): void {
  bytes[pos] = len & 0xff;
  bytes[pos + 1] = (len >>> 8) & 0xff;
  bytes[pos + 2] = (len >>> 16) & 0xff;
  bytes[pos + 3] = len >>> 24;
}
