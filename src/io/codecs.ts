/**
 * Parquet page codecs (the system libzstd, liblz4 and zlib) and the reader's page decoder and
 * box filters, through geopart's small codec addon (native/build/Release/geopart_codecs.node).
 * It links no GDAL, so loading it costs about a millisecond: the table reader uses it without
 * paying GDAL's start-up.
 *
 * This is the only module that loads the codec addon. It is context-aware, so any worker
 * thread can use it.
 */
import { createRequire } from 'node:module';
import { addonLoader } from './addon-file.js';

interface CodecAddon {
  zstdCompress(data: Uint8Array, level: number): Uint8Array;
  lz4RawCompress(data: Uint8Array): Uint8Array;
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
  presentBits(levels: Uint8Array, level: number): { bits: Uint8Array; nulls: number };
  coveringMask(
    spans: readonly Uint8Array[],
    starts: readonly number[],
    rows: readonly number[],
    codec: number,
    maxDefs: readonly number[],
    which: readonly number[],
    box: Float64Array,
  ): Uint8Array | null;
  boxMask(
    xmin: Float64Array,
    ymin: Float64Array,
    xmax: Float64Array,
    ymax: Float64Array,
    validity: Uint8Array | null,
    bitOffset: number,
    box: Float64Array,
  ): Uint8Array;
}

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

const require = createRequire(import.meta.url);
/** The addon, loaded on first use. */
const codecs = addonLoader<CodecAddon>(
  new URL('../../native/build/Release/geopart_codecs.node', import.meta.url),
  'codec addon',
  'Build it with `npm run build:native addon` (needs libzstd-dev, liblz4-dev, zlib1g-dev and a C++17 compiler).',
  // The path is spelled out (it is the URL's) so that `npm run depcheck` sees the import.
  () => require('../../native/build/Release/geopart_codecs.node'),
);

/** Compresses `data` into one zstd frame at `level` (a Parquet page body). */
export function zstdCompress(data: Uint8Array, level: number): Uint8Array {
  return codecs().zstdCompress(data, level);
}

/** Compresses `data` into one raw LZ4 block (Parquet's LZ4_RAW). */
export function lz4RawCompress(data: Uint8Array): Uint8Array {
  return codecs().lz4RawCompress(data);
}

/**
 * Decodes one leaf's Parquet column chunk from the start of each of `chunks` (its pages, until
 * `rows[k]` values are read) into one run of Arrow buffers, the chunks' rows one after another:
 * `codec` and `physical` are Parquet's enum numbers, `width` the bytes of a fixed-width value,
 * `maxDef` the leaf's definition level when present. With `keep` (a byte per row of all the
 * chunks), only the rows whose byte is not 0 are output; with `skip`, none are (the pages are
 * walked past, to find where they end). Null when a chunk uses an encoding, page type or codec
 * the addon does not decode (repetition levels, DELTA encodings, LZO or Brotli); throws an Error on
 * bytes that do not decode.
 */
export function decodeColumnChunks(
  chunks: readonly Uint8Array[],
  rows: readonly number[],
  codec: number,
  physical: number,
  width: number,
  maxDef: number,
  keep: Uint8Array | null,
  skip: boolean,
): DecodedColumnChunks | null {
  return codecs().decodeColumnChunks(chunks, rows, codec, physical, width, maxDef, keep, skip);
}

/**
 * The bbox filter over row groups' byte spans: from `starts[k]` in each of `spans` (of `rows[k]`
 * rows), decodes the consecutive DOUBLE leaves of a bbox covering column (definition levels
 * `maxDefs`, one per leaf) and sets `mask[row]` where every leaf is present and the box made of
 * the leaves `which` (xmin, ymin, xmax, ymax) intersects `box`, touching included. The boxes
 * stay in the addon's reused buffers. Null when a page uses
 * an encoding or codec the addon does not decode; throws an Error on bytes that do not decode.
 */
export function coveringMask(
  spans: readonly Uint8Array[],
  starts: readonly number[],
  rows: readonly number[],
  codec: number,
  maxDefs: readonly number[],
  which: readonly number[],
  box: readonly [number, number, number, number],
): Uint8Array | null {
  return codecs().coveringMask(spans, starts, rows, codec, maxDefs, which, Float64Array.from(box));
}

/** A validity bitmap of `levels`: bit i is set where `levels[i] >= level`; `nulls` counts the others. */
export function presentBits(levels: Uint8Array, level: number): { bits: Uint8Array; nulls: number } {
  return codecs().presentBits(levels, level);
}

/**
 * 1 for each row whose box `[xmin, ymin, xmax, ymax]` intersects `box` (touching counts) and
 * whose bit in `validity` (from `bitOffset`; all when null) is set; a NaN never matches.
 */
export function boxMask(
  xmin: Float64Array,
  ymin: Float64Array,
  xmax: Float64Array,
  ymax: Float64Array,
  validity: Uint8Array | null,
  bitOffset: number,
  box: readonly [number, number, number, number],
): Uint8Array {
  return codecs().boxMask(xmin, ymin, xmax, ymax, validity, bitOffset, Float64Array.from(box));
}
