/**
 * Dictionary encoding of a string column chunk (Parquet's RLE_DICTIONARY): the distinct values
 * once, in a dictionary page, and each value as its index in the pages. Chosen per column chunk,
 * as Parquet writers do, when it pays: at most half as many distinct values as values, and a
 * dictionary within {@link DICTIONARY_MAX_VALUES} values and {@link DICTIONARY_MAX_BYTES} bytes.
 */
import type { ByteBuffer } from './byte-buffer.js';
import type { SlotRange } from './plain.js';
import { bitWidth, writeHybrid } from './rle.js';
import type { Piece } from './shred.js';
import type { StatsBuilder } from './stats.js';

/** Most distinct values of a dictionary. */
export const DICTIONARY_MAX_VALUES = 1 << 16;
/** Most bytes of a dictionary page's values (parquet-cpp's default dictionary page limit). */
export const DICTIONARY_MAX_BYTES = 1 << 20;

/** The dictionary of a column chunk and the index of every value slot. */
export interface Dictionary {
  /** The distinct values, in first-seen order, as PLAIN BYTE_ARRAY (length-prefixed). */
  readonly page: Uint8Array;
  readonly size: number;
  /** Bits per index in the data pages. */
  readonly width: number;
  /** Per piece, the dictionary index of each slot (-1 for a null slot). */
  readonly ids: ReadonlyMap<Piece, Int32Array>;
}

/**
 * The dictionary of `pieces` (BYTE_ARRAY values of one leaf, `maxDef` its definition level),
 * or null when dictionary encoding would not pay or does not fit (see the module comment).
 * Values are found in an open-addressing table hashed over their bytes, so no per-value string
 * or object is made; a column of unique values is given up on once half its slots are distinct.
 */
export function buildDictionary(pieces: readonly Piece[], maxDef: number): Dictionary | null {
  // No more values than slots: once half the slots are distinct values, it cannot pay.
  const slots = pieces.reduce((s, p) => s + p.slots, 0);
  const limit = Math.min(DICTIONARY_MAX_VALUES, Math.floor(slots / 2));
  if (limit === 0) return null;
  const mask = (1 << Math.max(4, bitWidth(2 * limit - 1))) - 1;
  const table = new Int32Array(mask + 1).fill(-1);
  // Entry e: its bytes are data[e] from start[e] to end[e]; hash[e] its full hash.
  const entryData: Uint8Array[] = [];
  const start = new Int32Array(limit);
  const end = new Int32Array(limit);
  const hashOf = new Int32Array(limit);
  const ids = new Map<Piece, Int32Array>();
  let size = 0;
  let bytes = 0;
  let present = 0;
  for (const piece of pieces) {
    const { values, def, idx } = piece;
    if (values.kind !== 'bytes') return null;
    const { offsets, data } = values;
    const out = new Int32Array(piece.slots).fill(-1);
    for (let i = 0; i < piece.slots; i++) {
      if (def !== null && def[i] !== maxDef) continue;
      const j = idx === null ? i : idx[i]!;
      const s = offsets[j]!;
      const e = offsets[j + 1]!;
      let h = 0x811c9dc5; // FNV-1a
      for (let k = s; k < e; k++) h = Math.imul(h ^ data[k]!, 0x01000193);
      let at = h & mask;
      let id = table[at]!;
      while (id >= 0 && !(hashOf[id] === h && sameBytes(data, s, e, entryData[id]!, start[id]!, end[id]!))) {
        at = (at + 1) & mask;
        id = table[at]!;
      }
      if (id < 0) {
        if (size >= limit) return null;
        bytes += 4 + e - s;
        if (bytes > DICTIONARY_MAX_BYTES) return null;
        id = size++;
        table[at] = id;
        entryData.push(data);
        start[id] = s;
        end[id] = e;
        hashOf[id] = h;
      }
      out[i] = id;
      present++;
    }
    ids.set(piece, out);
  }
  if (size === 0 || size * 2 > present) return null;
  const page = new Uint8Array(bytes);
  const view = new DataView(page.buffer);
  let pos = 0;
  for (let id = 0; id < size; id++) {
    const n = end[id]! - start[id]!;
    view.setUint32(pos, n, true);
    page.set(entryData[id]!.subarray(start[id]!, end[id]!), pos + 4);
    pos += 4 + n;
  }
  return { page, size, width: Math.max(1, bitWidth(size - 1)), ids };
}

function sameBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): boolean {
  if (ae - as !== be - bs) return false;
  for (let k = 0; k < ae - as; k++) if (a[as + k] !== b[bs + k]) return false;
  return true;
}

/**
 * Appends the values of one page's ranges as dictionary indices (one byte of bit width, then
 * the RLE / bit-packed hybrid) and folds each present value into `stats`; returns the number
 * of null slots.
 */
export function writeIndices(
  out: ByteBuffer,
  ranges: readonly SlotRange[],
  dict: Dictionary,
  stats: StatsBuilder,
): number {
  let count = 0;
  for (const r of ranges) {
    const ids = dict.ids.get(r.piece)!;
    for (let i = r.a; i < r.b; i++) if (ids[i]! >= 0) count++;
  }
  const page = new Uint32Array(count);
  let k = 0;
  let nulls = 0;
  const track = stats.tracksBytes();
  for (const r of ranges) {
    const ids = dict.ids.get(r.piece)!;
    const values = r.piece.values;
    for (let i = r.a; i < r.b; i++) {
      const id = ids[i]!;
      if (id < 0) {
        nulls++;
        continue;
      }
      page[k++] = id;
      if (track && values.kind === 'bytes') {
        const j = r.piece.idx === null ? i : r.piece.idx[i]!;
        stats.bytes(values.data, values.offsets[j]!, values.offsets[j + 1]!);
      }
    }
  }
  out.u8(dict.width);
  writeHybrid(out, page, dict.width);
  return nulls;
}
