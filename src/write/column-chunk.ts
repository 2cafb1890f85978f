/**
 * One Parquet column chunk: the shredded pieces of one leaf in one row group, cut into data
 * pages (format v1: levels and PLAIN values compressed together) of about {@link PAGE_BYTES}
 * (or the page size asked for). Pages only end at row boundaries, so a reader can skip pages
 * by row; each page's place, first row and statistics are kept for the page index (footer.ts).
 */
import { ByteBuffer } from './byte-buffer.js';
import { buildDictionary, writeIndices } from './dictionary.js';
import type { Leaf } from './parquet-schema.js';
import { type SlotRange, writePlain } from './plain.js';
import { bitWidth, writeHybrid, writeRun } from './rle.js';
import type { Piece } from './shred.js';
import { type ChunkStats, StatsBuilder } from './stats.js';
import { CompactWriter } from './thrift.js';

/** Default target uncompressed size of one data page (bytes). */
export const PAGE_BYTES = 1 << 20;

/** One written data page, for the page index. */
export interface PageMeta {
  /** File offset of its header. */
  readonly offset: number;
  /** Header and compressed body, bytes. */
  readonly compressedSize: number;
  /** Row of the row group its first value belongs to. */
  readonly firstRow: number;
  readonly stats: ChunkStats;
  /** Every value of the page is null. */
  readonly allNull: boolean;
}

/** Compresses one page body. */
export type Compressor = (bytes: Uint8Array) => Uint8Array;

/** Where encoded bytes go; `offset` is the file position of the next byte. */
export interface ByteSink {
  readonly offset: number;
  push(bytes: Uint8Array): void;
}

/** What the footer needs to know about a written column chunk. */
export interface ColumnChunkMeta {
  readonly leaf: Leaf;
  /** File offset of the chunk's first page (its dictionary page when it has one). */
  readonly offset: number;
  /** File offset of the first data page. */
  readonly dataOffset: number;
  /** File offset of the dictionary page, or null when the values are PLAIN. */
  readonly dictionaryOffset: number | null;
  /** Level entries, nulls included. */
  readonly numValues: number;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
  readonly stats: ChunkStats;
  /** Its data pages, in order. */
  readonly pages: readonly PageMeta[];
  /** Where the page index structs of the chunk went (set by the writer when it wrote them). */
  columnIndex?: { readonly offset: number; readonly length: number };
  offsetIndex?: { readonly offset: number; readonly length: number };
  /** The GEOMETRY column's geospatial statistics, when it is written with the logical type. */
  geo?: GeospatialStats;
}

/** A column chunk's `geospatial_statistics` (Parquet format 2.11). */
export interface GeospatialStats {
  /** `[xmin, ymin, xmax, ymax]`, null when no row has a coordinate. */
  readonly bbox: readonly [number, number, number, number] | null;
  /** `[zmin, zmax]`, null when no row has a Z value. */
  readonly z: readonly [number, number] | null;
  /** The ISO WKB type codes that occur (1000 added for Z), ascending. */
  readonly types: readonly number[];
}

const PAGE_TYPE_DATA = 0;
const PAGE_TYPE_DICTIONARY = 2;
const ENCODING_PLAIN = 0;
const ENCODING_RLE = 3;
const ENCODING_RLE_DICTIONARY = 8;

/** Scratch buffers reused across chunks (one set per writer). */
export class ChunkScratch {
  readonly body = new ByteBuffer(PAGE_BYTES + (PAGE_BYTES >> 2));
  readonly header = new ByteBuffer(256);
}

/** Writes the pages of one column chunk to `sink`. */
export function writeColumnChunk(
  leaf: Leaf,
  pieces: readonly Piece[],
  sink: ByteSink,
  compress: Compressor,
  scratch: ChunkScratch,
  pageLimit = PAGE_BYTES,
  dictionary = false,
): ColumnChunkMeta {
  const offset = sink.offset;
  const stats = new StatsBuilder(leaf.order);
  const pages: PageMeta[] = [];
  let numValues = 0;
  let uncompressedSize = 0;
  let compressedSize = 0;
  // Strings may go through a dictionary (dictionary.ts); its page comes first.
  const dict = dictionary && leaf.order === 'utf8' ? buildDictionary(pieces, leaf.maxDef) : null;
  if (dict !== null) {
    const compressed = compress(dict.page);
    const header = dictionaryPageHeader(scratch.header, dict.size, dict.page.length, compressed.length);
    sink.push(header);
    sink.push(compressed);
    uncompressedSize += header.length + dict.page.length;
    compressedSize += header.length + compressed.length;
  }
  const dataOffset = sink.offset;
  let page: SlotRange[] = [];
  let pageBytes = 0;
  // Rows of the row group before the current piece, and the first row of the page being built.
  let rowsBefore = 0;
  let pageFirstRow = 0;

  const flush = (): void => {
    if (page.length === 0) return;
    const slots = page.reduce((s, r) => s + r.b - r.a, 0);
    const body = scratch.body;
    body.reset();
    if (leaf.maxRep > 0) writeLevels(body, page, slots, (p) => p.rep, 0, bitWidth(leaf.maxRep));
    if (leaf.maxDef > 0) writeLevels(body, page, slots, (p) => p.def, leaf.maxDef, bitWidth(leaf.maxDef));
    const pageStats = new StatsBuilder(leaf.order);
    pageStats.nullCount +=
      dict === null
        ? writePlain(body, page, leaf.maxDef, pageStats)
        : writeIndices(body, page, dict, pageStats);
    stats.merge(pageStats);
    const compressed = compress(body.view8());
    const header = pageHeader(
      scratch.header,
      slots,
      body.length,
      compressed.length,
      dict === null ? ENCODING_PLAIN : ENCODING_RLE_DICTIONARY,
    );
    pages.push({
      offset: sink.offset,
      compressedSize: header.length + compressed.length,
      firstRow: pageFirstRow,
      stats: pageStats.finish(),
      allNull: pageStats.nullCount === slots,
    });
    sink.push(header);
    sink.push(compressed);
    numValues += slots;
    uncompressedSize += header.length + body.length;
    compressedSize += header.length + compressed.length;
    page = [];
    pageBytes = 0;
  };

  for (const piece of pieces) {
    const perRow = bytesPerRow(piece);
    let row = 0;
    while (row < piece.rows) {
      if (page.length === 0) pageFirstRow = rowsBefore + row;
      const want = Math.max(1, Math.ceil((pageLimit - pageBytes) / perRow));
      const end = Math.min(piece.rows, row + want);
      const starts = piece.rowStarts;
      page.push({ piece, a: starts === null ? row : starts[row]!, b: starts === null ? end : starts[end]! });
      pageBytes += (end - row) * perRow;
      row = end;
      if (pageBytes >= pageLimit) flush();
    }
    rowsBefore += piece.rows;
  }
  flush();
  return {
    leaf,
    offset,
    dataOffset,
    dictionaryOffset: dict === null ? null : offset,
    numValues,
    uncompressedSize,
    compressedSize,
    stats: stats.finish(),
    pages,
  };
}

/** Level bytes of a page: a 4-byte length, then the hybrid encoding of every range's levels. */
function writeLevels(
  body: ByteBuffer,
  page: readonly SlotRange[],
  slots: number,
  levelsOf: (p: Piece) => Uint8Array | null,
  whenNull: number,
  width: number,
): void {
  const lengthAt = body.length;
  body.u32(0);
  if (page.every((r) => levelsOf(r.piece) === null)) {
    writeRun(body, whenNull, slots, width);
  } else {
    let levels: Uint8Array;
    const only = page.length === 1 ? levelsOf(page[0]!.piece) : null;
    if (only !== null) levels = only.subarray(page[0]!.a, page[0]!.b);
    else {
      levels = new Uint8Array(slots);
      let k = 0;
      for (const r of page) {
        const src = levelsOf(r.piece);
        if (src === null) levels.fill(whenNull, k, k + r.b - r.a);
        else levels.set(src.subarray(r.a, r.b), k);
        k += r.b - r.a;
      }
    }
    writeHybrid(body, levels, width);
  }
  body.view.setUint32(lengthAt, body.length - lengthAt - 4, true);
}

function pageHeader(
  buf: ByteBuffer,
  slots: number,
  uncompressed: number,
  compressed: number,
  encoding: number,
): Uint8Array {
  buf.reset();
  const w = new CompactWriter(buf);
  w.i32(1, PAGE_TYPE_DATA);
  w.i32(2, uncompressed);
  w.i32(3, compressed);
  w.struct(5);
  w.i32(1, slots);
  w.i32(2, encoding);
  w.i32(3, ENCODING_RLE);
  w.i32(4, ENCODING_RLE);
  w.end();
  w.end();
  return buf.view8().slice();
}

/** A dictionary page's header: `DictionaryPageHeader { 1: num_values, 2: encoding PLAIN }`. */
function dictionaryPageHeader(
  buf: ByteBuffer,
  values: number,
  uncompressed: number,
  compressed: number,
): Uint8Array {
  buf.reset();
  const w = new CompactWriter(buf);
  w.i32(1, PAGE_TYPE_DICTIONARY);
  w.i32(2, uncompressed);
  w.i32(3, compressed);
  w.struct(7);
  w.i32(1, values);
  w.i32(2, ENCODING_PLAIN);
  w.end();
  w.end();
  return buf.view8().slice();
}

/** Estimated PLAIN and level bytes per row of a piece, for cutting pages. */
function bytesPerRow(piece: Piece): number {
  const { values, slots, rows } = piece;
  let bytes = slots / 4;
  if (values.kind === 'fixed') bytes += slots * values.array.BYTES_PER_ELEMENT;
  else if (values.kind === 'bool') bytes += slots / 8;
  else if (values.kind === 'bytes') {
    const o = values.offsets;
    const count = Math.max(1, o.length - 1);
    const span = piece.idx === null ? o[slots]! - o[0]! : ((o[count]! - o[0]!) * slots) / count;
    bytes += 4 * slots + span;
  }
  return Math.max(bytes / Math.max(1, rows), 1e-3);
}
