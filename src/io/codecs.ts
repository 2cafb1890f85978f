/**
 * Parquet page codecs (the system libzstd, liblz4 and zlib), the writer's string dictionary and
 * PLAIN byte arrays, the reader's page decoder and box filters, and the row gathers of
 * io/take-multi.ts, through geopart's small codec addon (native/build/Release/geopart_codecs.node).
 * It links no GDAL, so loading it costs about a millisecond: the table reader uses it without
 * paying GDAL's start-up.
 *
 * This is the only module that loads the codec addon. It is context-aware, so any worker
 * thread can use it.
 */
import { createRequire } from 'node:module';
import { addonLoader } from './addon-file.js';

/**
 * The addon's functions. Those exported as they are (by {@link passThrough}) or with a box
 * argument given as 4 numbers (by {@link boxLast}) carry their documentation here; the others
 * are wrapped below, where theirs is.
 */
interface CodecAddon {
  /** Compresses `data` into one zstd frame at `level` (a Parquet page body). */
  zstdCompress(data: Uint8Array, level: number): Uint8Array;
  /** Compresses `data` into one raw LZ4 block (Parquet's LZ4_RAW). */
  lz4RawCompress(data: Uint8Array): Uint8Array;
  /**
   * Decodes one leaf's Parquet column chunk from the start of each of `chunks` (its pages, until
   * `rows[k]` values are read) into one run of Arrow buffers, the chunks' rows one after another:
   * `codec` and `physical` are Parquet's enum numbers, `width` the bytes of a fixed-width value,
   * `maxDef` the leaf's definition level when present. With `keep` (a byte per row of all the
   * chunks), only the rows whose byte is not 0 are output; with `skip`, none are (the pages are
   * walked past, to find where they end). Null when a chunk uses an encoding, page type or codec
   * the addon does not decode (repetition levels, DELTA encodings, LZO or Brotli); throws an
   * Error on bytes that do not decode.
   */
  decodeColumnChunks(
    chunks: readonly Uint8Array[],
    rows: readonly number[],
    codec: number,
    physical: number,
    width: number,
    maxDef: number,
    keep: Uint8Array | null,
    skip: boolean,
  ): DecodedColumnChunks | null;
  /** A validity bitmap of `levels`: bit i is set where `levels[i] >= level`; `nulls` counts the others. */
  presentBits(levels: Uint8Array, level: number): { bits: Uint8Array; nulls: number };
  /**
   * The bbox filter over row groups' byte spans: from `starts[k]` in each of `spans` (of
   * `rows[k]` rows), decodes the consecutive DOUBLE leaves of a bbox covering column (definition
   * levels `maxDefs`, one per leaf) and sets `mask[row]` where every leaf is present and the box
   * made of the leaves `which` (xmin, ymin, xmax, ymax) intersects `box`, touching included.
   * The boxes stay in the addon's reused buffers. Null when a page uses an encoding or codec
   * the addon does not decode; throws an Error on bytes that do not decode.
   */
  coveringMask(
    spans: readonly Uint8Array[],
    starts: readonly number[],
    rows: readonly number[],
    codec: number,
    maxDefs: readonly number[],
    which: readonly number[],
    box: Float64Array,
  ): Uint8Array | null;
  /**
   * 1 for each row whose box `[xmin, ymin, xmax, ymax]` intersects `box` (touching counts) and
   * whose bit in `validity` (from `bitOffset`; all when null) is set; a NaN never matches.
   */
  boxMask(
    xmin: Float64Array,
    ymin: Float64Array,
    xmax: Float64Array,
    ymax: Float64Array,
    validity: Uint8Array | null,
    bitOffset: number,
    box: Float64Array,
  ): Uint8Array;
  /** Fixed-width rows of `rowBytes` bytes gathered from each part's `values` (from its row 0). */
  takeFixed(values: Uint8Array[], rowBytes: number, ...rows: TakeRows): ArrayBuffer;
  plainBytes(
    dest: Uint8Array,
    at: number,
    offsets: Int32Array,
    data: Uint8Array,
    def: Uint8Array | null,
    idx: Int32Array | null,
    a: number,
    b: number,
    maxDef: number,
    maxStat: number,
  ): Float64Array;
  dictionaryIds(
    offsets: Int32Array[],
    data: Uint8Array[],
    defs: (Uint8Array | null)[],
    idxs: (Int32Array | null)[],
    slots: Int32Array,
    maxDef: number,
    limit: number,
    maxBytes: number,
  ): { ids: ArrayBuffer[]; page: ArrayBuffer; size: number } | null;
  /**
   * Bits gathered from each part's bitmap (its row r at bit `bitOffsets[i] + r`; a null bitmap
   * is all ones); `zeros` counts the clear bits gathered.
   */
  takeBits(
    bits: (Uint8Array | null)[],
    bitOffsets: Int32Array,
    ...rows: TakeRows
  ): { bits: ArrayBuffer; zeros: number };
  /** Byte arrays gathered from each part's `offsets` (from its row 0) into `values`; new offsets from 0. */
  takeBinary(
    offsets: Int32Array[],
    values: Uint8Array[],
    ...rows: TakeRows
  ): { offsets: ArrayBuffer; values: ArrayBuffer };
}

/**
 * The rows a take gathers: each part's row count, then for output row j its part `batchOf[j]`
 * and its row `rowOf[j]` in that part (every index is checked).
 */
export type TakeRows = [partRows: Int32Array, batchOf: Int32Array, rowOf: Int32Array];

/** Column chunks of one leaf decoded by {@link decodeColumnChunks}, as one run of rows. */
export interface DecodedColumnChunks {
  /** Where each chunk's last page ends, from the start of its bytes. */
  readonly ends: readonly number[];
  /** Rows output: all of the chunks', or those `keep` kept. */
  readonly length: number;
  /** Fixed-width values (0 where null), booleans as a bitmap, or byte arrays' bytes. */
  readonly values: ArrayBuffer;
  /** Byte arrays' offsets into `values` (length + 1 entries), else null. */
  readonly offsets: Int32Array | null;
  /** Each output row's definition level, or null for a leaf with no optional node on its path. */
  readonly defs: Uint8Array | null;
}

/** Every function of {@link CodecAddon}: an addon built from older sources lacks some. */
const CODEC_FUNCTIONS = [
  'zstdCompress',
  'lz4RawCompress',
  'decodeColumnChunks',
  'presentBits',
  'coveringMask',
  'boxMask',
  'takeFixed',
  'takeBits',
  'takeBinary',
  'plainBytes',
  'dictionaryIds',
] as const satisfies readonly (keyof CodecAddon)[];
// Every function is listed: a key of CodecAddon missing from the list fails to compile here.
type Unlisted = Exclude<keyof CodecAddon, (typeof CODEC_FUNCTIONS)[number]>;
const allListed: Unlisted extends never ? true : never = true;
void allListed;

const require = createRequire(import.meta.url);
/** The addon, loaded on first use. */
const codecs = addonLoader<CodecAddon>(
  new URL('../../native/build/Release/geopart_codecs.node', import.meta.url),
  'codec addon',
  'Build it with `npm run build:native addon` (needs libzstd-dev, liblz4-dev, zlib1g-dev and a C++17 compiler).',
  // The path is spelled out (it is the URL's) so that `npm run depcheck` sees the import.
  () => require('../../native/build/Release/geopart_codecs.node'),
  CODEC_FUNCTIONS,
);

/** An addon function exported as it is, the addon loaded on its first call. */
function passThrough<K extends keyof CodecAddon>(name: K): CodecAddon[K] {
  return ((...args: unknown[]) => (codecs()[name] as (...a: unknown[]) => unknown)(...args)) as CodecAddon[K];
}

export const zstdCompress = passThrough('zstdCompress');
export const lz4RawCompress = passThrough('lz4RawCompress');
export const decodeColumnChunks = passThrough('decodeColumnChunks');
export const presentBits = passThrough('presentBits');
export const takeFixed = passThrough('takeFixed');
export const takeBits = passThrough('takeBits');
export const takeBinary = passThrough('takeBinary');

/** A box as callers give it: `[minx, miny, maxx, maxy]`. */
type Box = readonly [number, number, number, number];
/** An addon function whose last argument, a box, it takes as a Float64Array. */
type BoxLast<F> = F extends (...args: [...infer P, Float64Array]) => infer R
  ? (...args: [...P, Box]) => R
  : never;

/** An addon function exported with its last argument, a box, given as 4 numbers. */
function boxLast<K extends 'coveringMask' | 'boxMask'>(name: K): BoxLast<CodecAddon[K]> {
  return ((...args: unknown[]) => {
    const box = Float64Array.from(args.pop() as Box);
    return (codecs()[name] as (...a: unknown[]) => unknown)(...args, box);
  }) as BoxLast<CodecAddon[K]>;
}

export const coveringMask = boxLast('coveringMask');
export const boxMask = boxLast('boxMask');

/** One piece of a string column chunk, as {@link dictionaryIds} takes it (`write/shred.ts` `Piece`). */
export interface DictionaryPiece {
  readonly offsets: Int32Array;
  readonly data: Uint8Array;
  /** Definition level of each slot (a value where it is `maxDef`); null: every slot. */
  readonly def: Uint8Array | null;
  /** Value index of each slot; null: slot i is value i. */
  readonly idx: Int32Array | null;
  readonly slots: number;
}

/**
 * The dictionary of `pieces`: each slot's index (-1 where null) and the distinct values in
 * first-seen order as a PLAIN BYTE_ARRAY page. Null when more than `limit` values are distinct,
 * the page would pass `maxBytes`, no value is present or more than half the values are distinct.
 */
export function dictionaryIds(
  pieces: readonly DictionaryPiece[],
  maxDef: number,
  limit: number,
  maxBytes: number,
): { ids: Int32Array[]; page: Uint8Array; size: number } | null {
  const r = codecs().dictionaryIds(
    pieces.map((p) => p.offsets),
    pieces.map((p) => p.data),
    pieces.map((p) => p.def),
    pieces.map((p) => p.idx),
    Int32Array.from(pieces, (p) => p.slots),
    maxDef,
    limit,
    maxBytes,
  );
  return r && { ids: r.ids.map((b) => new Int32Array(b)), page: new Uint8Array(r.page), size: r.size };
}

/** Where {@link plainBytes} ended, and the value indices its page's statistics need (-1: none). */
export interface PlainBytesWritten {
  readonly end: number;
  /** The least and the greatest value (unsigned bytes, a prefix first). */
  readonly min: number;
  readonly max: number;
  /** The first value longer than `maxStat` bytes. */
  readonly long: number;
}

/**
 * Writes the PLAIN BYTE_ARRAY values of slots `[a, b)` of a piece (as {@link DictionaryPiece})
 * into `dest` from `at`, each as a 4-byte little-endian length and its bytes; `dest` must have
 * room (a RangeError otherwise).
 */
export function plainBytes(
  dest: Uint8Array,
  at: number,
  piece: Omit<DictionaryPiece, 'slots'>,
  a: number,
  b: number,
  maxDef: number,
  maxStat: number,
): PlainBytesWritten {
  const r = codecs().plainBytes(
    dest,
    at,
    piece.offsets,
    piece.data,
    piece.def,
    piece.idx,
    a,
    b,
    maxDef,
    maxStat,
  );
  return { end: r[0]!, min: r[1]!, max: r[2]!, long: r[3]! };
}
