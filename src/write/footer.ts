/**
 * The Parquet footer: FileMetaData in Thrift compact encoding, followed by its length and the
 * closing magic.
 */
import { ByteBuffer } from './byte-buffer.js';
import type { ColumnChunkMeta, GeospatialStats } from './column-chunk.js';
import { type LogicalType, type ParquetSchema, PHYSICAL_CODE, type SchemaElement } from './parquet-schema.js';
import { CompactWriter, LIST_BINARY, LIST_BOOL, LIST_I32, LIST_I64, LIST_STRUCT } from './thrift.js';

/** Magic bytes at both ends of a Parquet file. */
export const PARQUET_MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // "PAR1"

const ENCODING_PLAIN = 0;
const ENCODING_RLE = 3;
const ENCODING_RLE_DICTIONARY = 8;
/** BoundaryOrder UNORDERED: pages are not sorted by their min/max. */
const BOUNDARY_UNORDERED = 0;

/** One written row group. */
export interface RowGroupMeta {
  readonly numRows: number;
  readonly columns: readonly ColumnChunkMeta[];
}

/** The footer bytes: metadata, its 4-byte length, and `PAR1`. */
export function encodeFooter(
  schema: ParquetSchema,
  rowGroups: readonly RowGroupMeta[],
  keyValues: readonly (readonly [string, string])[],
  createdBy: string,
  codec: number,
): Uint8Array {
  const out = new ByteBuffer(4096);
  const w = new CompactWriter(out);
  w.i32(1, 2);
  w.list(2, LIST_STRUCT, schema.elements.length);
  for (const e of schema.elements) schemaElement(w, e);
  w.i64(
    3,
    rowGroups.reduce((s, g) => s + g.numRows, 0),
  );
  w.list(4, LIST_STRUCT, rowGroups.length);
  rowGroups.forEach((g, ordinal) => {
    rowGroup(w, g, ordinal, codec);
  });
  w.list(5, LIST_STRUCT, keyValues.length);
  for (const [key, value] of keyValues) {
    w.element();
    w.string(1, key);
    w.string(2, value);
    w.end();
  }
  w.string(6, createdBy);
  // TYPE_ORDER for every leaf, so readers trust min_value / max_value.
  w.list(7, LIST_STRUCT, schema.leaves.length);
  for (let i = 0; i < schema.leaves.length; i++) {
    w.element();
    w.struct(1);
    w.end();
    w.end();
  }
  w.end();
  const metaLength = out.length;
  out.u32(metaLength);
  out.append(PARQUET_MAGIC);
  return out.view8().slice();
}

function schemaElement(w: CompactWriter, e: SchemaElement): void {
  w.element();
  if (e.type !== undefined) w.i32(1, PHYSICAL_CODE[e.type]);
  if (e.repetition !== undefined) w.i32(3, e.repetition);
  w.string(4, e.name);
  if (e.numChildren !== undefined) w.i32(5, e.numChildren);
  if (e.convertedType !== undefined) w.i32(6, e.convertedType);
  if (e.logical !== undefined) logicalType(w, e.logical);
  w.end();
}

function logicalType(w: CompactWriter, t: LogicalType): void {
  w.struct(10);
  switch (t.kind) {
    case 'STRING':
    case 'LIST':
    case 'DATE':
    case 'NULL':
      w.struct({ STRING: 1, LIST: 3, DATE: 6, NULL: 11 }[t.kind]);
      w.end();
      break;
    case 'TIME':
    case 'TIMESTAMP':
      w.struct(t.kind === 'TIME' ? 7 : 8);
      w.bool(1, t.utc);
      w.struct(2);
      w.struct({ MILLIS: 1, MICROS: 2, NANOS: 3 }[t.unit]);
      w.end();
      w.end();
      w.end();
      break;
    case 'INTEGER':
      w.struct(10);
      w.byte(1, t.bitWidth);
      w.bool(2, t.signed);
      w.end();
      break;
    case 'GEOMETRY':
      // GeometryType { 1: optional string crs }: left out, it means OGC:CRS84.
      w.struct(17);
      w.end();
      break;
  }
  w.end();
}

function rowGroup(w: CompactWriter, g: RowGroupMeta, ordinal: number, codec: number): void {
  w.element();
  w.list(1, LIST_STRUCT, g.columns.length);
  for (const c of g.columns) columnChunk(w, c, codec);
  w.i64(
    2,
    g.columns.reduce((s, c) => s + c.uncompressedSize, 0),
  );
  w.i64(3, g.numRows);
  w.i64(5, g.columns[0]?.offset ?? 0);
  w.i64(
    6,
    g.columns.reduce((s, c) => s + c.compressedSize, 0),
  );
  if (ordinal <= 0x7fff) w.i16(7, ordinal); // an i16 in the format
  w.end();
}

function columnChunk(w: CompactWriter, c: ColumnChunkMeta, codec: number): void {
  const { leaf, stats } = c;
  w.element();
  w.i64(2, c.offset);
  w.struct(3);
  w.i32(1, PHYSICAL_CODE[leaf.physical]);
  const levels = leaf.maxDef > 0 || leaf.maxRep > 0;
  const dictionary = c.dictionaryOffset !== null;
  const rle = levels || dictionary;
  w.list(2, LIST_I32, 1 + (rle ? 1 : 0) + (dictionary ? 1 : 0));
  w.elementI32(ENCODING_PLAIN);
  if (rle) w.elementI32(ENCODING_RLE);
  if (dictionary) w.elementI32(ENCODING_RLE_DICTIONARY);
  w.list(3, LIST_BINARY, leaf.path.length);
  for (const p of leaf.path) w.elementString(p);
  w.i32(4, codec);
  w.i64(5, c.numValues);
  w.i64(6, c.uncompressedSize);
  w.i64(7, c.compressedSize);
  w.i64(9, c.dataOffset);
  if (c.dictionaryOffset !== null) w.i64(11, c.dictionaryOffset);
  w.struct(12);
  if (stats.legacy && stats.max !== null && stats.min !== null) {
    w.binary(1, stats.max);
    w.binary(2, stats.min);
  }
  w.i64(3, stats.nullCount);
  if (stats.max !== null) w.binary(5, stats.max);
  if (stats.min !== null) w.binary(6, stats.min);
  w.end();
  if (c.geo) geospatialStatistics(w, c.geo);
  w.end();
  if (c.offsetIndex) {
    w.i64(4, c.offsetIndex.offset);
    w.i32(5, c.offsetIndex.length);
  }
  if (c.columnIndex) {
    w.i64(6, c.columnIndex.offset);
    w.i32(7, c.columnIndex.length);
  }
  w.end();
}

/**
 * The chunk's `OffsetIndex { 1: list<PageLocation { 1: i64 offset, 2: i32
 * compressed_page_size, 3: i64 first_row_index }> }`.
 */
export function encodeOffsetIndex(c: ColumnChunkMeta): Uint8Array {
  const out = new ByteBuffer(16 + 12 * c.pages.length);
  const w = new CompactWriter(out);
  w.list(1, LIST_STRUCT, c.pages.length);
  for (const p of c.pages) {
    w.element();
    w.i64(1, p.offset);
    w.i32(2, p.compressedSize);
    w.i64(3, p.firstRow);
    w.end();
  }
  w.end();
  return out.view8().slice();
}

/**
 * The chunk's `ColumnIndex { 1: list<bool> null_pages, 2: list<binary> min_values, 3:
 * list<binary> max_values, 4: BoundaryOrder boundary_order, 5: list<i64> null_counts }`, or
 * null when a page lacks min/max statistics (a column without an order, or strings too long
 * to bound) or the column is nested: readers then have the offset index only.
 */
export function encodeColumnIndex(c: ColumnChunkMeta): Uint8Array | null {
  if (c.leaf.maxRep > 0) return null;
  if (c.pages.some((p) => !p.allNull && (p.stats.min === null || p.stats.max === null))) return null;
  const out = new ByteBuffer(64 + 40 * c.pages.length);
  const w = new CompactWriter(out);
  const empty = new Uint8Array(0);
  w.list(1, LIST_BOOL, c.pages.length);
  for (const p of c.pages) w.elementBool(p.allNull);
  w.list(2, LIST_BINARY, c.pages.length);
  for (const p of c.pages) w.elementBinary(p.allNull ? empty : p.stats.min!);
  w.list(3, LIST_BINARY, c.pages.length);
  for (const p of c.pages) w.elementBinary(p.allNull ? empty : p.stats.max!);
  w.i32(4, BOUNDARY_UNORDERED);
  w.list(5, LIST_I64, c.pages.length);
  for (const p of c.pages) w.elementI64(p.stats.nullCount);
  w.end();
  return out.view8().slice();
}

/**
 * ColumnMetaData field 17, `GeospatialStatistics { 1: optional BoundingBox bbox; 2: optional
 * list<i32> geospatial_types }`, with `BoundingBox { 1: xmin, 2: xmax, 3: ymin, 4: ymax,
 * 5: zmin, 6: zmax }` (doubles; z only when some row has Z).
 */
function geospatialStatistics(w: CompactWriter, g: GeospatialStats): void {
  w.struct(17);
  if (g.bbox !== null) {
    const [xmin, ymin, xmax, ymax] = g.bbox;
    w.struct(1);
    w.double(1, xmin);
    w.double(2, xmax);
    w.double(3, ymin);
    w.double(4, ymax);
    if (g.z !== null) {
      w.double(5, g.z[0]);
      w.double(6, g.z[1]);
    }
    w.end();
  }
  w.list(2, LIST_I32, g.types.length);
  for (const t of g.types) w.elementI32(t);
  w.end();
}
