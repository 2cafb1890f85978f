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
 */
export function buildDictionary(pieces: readonly Piece[], maxDef: number): Dictionary | null {
  const index = new Map<string, number>();
  const ids = new Map<Piece, Int32Array>();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let present = 0;
  // No more values than slots: once half the slots are distinct values, it cannot pay.
  const slots = pieces.reduce((s, p) => s + p.slots, 0);
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
      // latin1 maps bytes to chars one to one: a cheap, exact key for any bytes.
      const key = latin1(data, s, e);
      let id = index.get(key);
      if (id === undefined) {
        id = index.size;
        if (id >= DICTIONARY_MAX_VALUES || (id + 1) * 2 > slots) return null;
        bytes += 4 + e - s;
        if (bytes > DICTIONARY_MAX_BYTES) return null;
        index.set(key, id);
        chunks.push(data.subarray(s, e));
      }
      out[i] = id;
      present++;
    }
    ids.set(piece, out);
  }
  if (index.size === 0 || index.size * 2 > present) return null;
  const page = new Uint8Array(bytes);
  const view = new DataView(page.buffer);
  let pos = 0;
  for (const c of chunks) {
    view.setUint32(pos, c.length, true);
    page.set(c, pos + 4);
    pos += 4 + c.length;
  }
  return { page, size: index.size, width: Math.max(1, bitWidth(index.size - 1)), ids };
}

function latin1(data: Uint8Array, s: number, e: number): string {
  return Buffer.from(data.buffer, data.byteOffset + s, e - s).toString('latin1');
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
