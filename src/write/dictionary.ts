/**
 * Dictionary encoding of a string column chunk (Parquet's RLE_DICTIONARY): the distinct values
 * once, in a dictionary page, and each value as its index in the pages. Chosen per column chunk,
 * as Parquet writers do, when it pays: at most half as many distinct values as values, and a
 * dictionary within {@link DICTIONARY_MAX_VALUES} values and {@link DICTIONARY_MAX_BYTES} bytes.
 */
import { type DictionaryPiece, dictionaryIds } from '../io/codecs.js';
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
 * Values are hashed by the codec addon (`io/codecs.ts` `dictionaryIds`), so no per-value string
 * or object is made; a column of unique values is given up on once half its slots are distinct.
 */
export function buildDictionary(pieces: readonly Piece[], maxDef: number): Dictionary | null {
  // No more values than slots: once half the slots are distinct values, it cannot pay.
  const slots = pieces.reduce((s, p) => s + p.slots, 0);
  const limit = Math.min(DICTIONARY_MAX_VALUES, Math.floor(slots / 2));
  if (limit === 0) return null;
  const byteValues: DictionaryPiece[] = [];
  for (const { values, def, idx, slots } of pieces) {
    if (values.kind !== 'bytes') return null;
    byteValues.push({ offsets: values.offsets, data: values.data, def, idx, slots });
  }
  const built = dictionaryIds(byteValues, maxDef, limit, DICTIONARY_MAX_BYTES);
  if (built === null) return null;
  const ids = new Map<Piece, Int32Array>(pieces.map((p, k) => [p, built.ids[k]!]));
  return { page: built.page, size: built.size, width: Math.max(1, bitWidth(built.size - 1)), ids };
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
