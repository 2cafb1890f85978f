/**
 * A direct decoder from Parquet row groups to Arrow record batches, for the files geopart
 * writes and others of the same shape: flat columns and structs (no lists or maps), PLAIN or
 * dictionary encoded, in data pages v1 or v2, uncompressed or in zstd, LZ4_RAW, snappy or gzip.
 * Pages are decompressed by the native codec addon and decoded straight into Arrow buffers, with
 * no WebAssembly and no IPC round trip; a bbox read of a few row groups spends its time reading.
 *
 * It gives the Arrow types parquet-wasm (arrow-rs) gives for the same file, and the reader
 * falls back to parquet-wasm for anything else: {@link arrowLayout} is null for a schema it
 * does not map (lists, maps, timestamps, decimals, an `ARROW:schema` entry...), and
 * {@link decodeRowGroup} is null for an encoding or codec it does not decode. The tests hold
 * both decoders to the same batches on every table they write (test/read/row-group-decoder.test.ts).
 */
import { gunzipSync } from 'node:zlib';
import {
  Binary,
  Bool,
  type Data,
  type DataType,
  DateDay,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
} from 'apache-arrow';
import { type FileMetaData, type SchemaElement, snappyUncompress } from 'hyparquet';
import { CODEC_CODES } from '../format/compression.js';
import { PHYSICAL_CODE, type PhysicalType } from '../format/parquet-physical.js';
import {
  coveringMask,
  type DecodedColumnChunks,
  decodeColumnChunks,
  lz4RawDecompressInto,
  presentBits,
  zstdDecompressInto,
} from '../io/codecs.js';
import { readStruct, type ThriftStruct } from './thrift-compact.js';

/** Parquet physical types the decoder reads. */
type Physical = PhysicalType;

/** One field of the Arrow schema and where its values come from. */
type Node =
  | {
      readonly kind: 'leaf';
      readonly field: Field;
      /** Index of its column chunk in a row group. */
      readonly column: number;
      readonly path: readonly string[];
      readonly physical: Physical;
      /** Definition level of a present value: the optional nodes on its path, itself included. */
      readonly maxDef: number;
    }
  | {
      readonly kind: 'struct';
      readonly field: Field;
      readonly children: readonly Node[];
      /** Definition level from which the struct is present (0 when it is required). */
      readonly def: number;
    };

/** How a file's columns become Arrow fields. */
export interface ArrowLayout {
  readonly schema: Schema;
  readonly nodes: readonly Node[];
}

/** Thrown inside the decoder for what it does not decode; the caller falls back. */
class Unsupported extends Error {}

/**
 * The Arrow schema of `metadata` as parquet-wasm reads it, with the plan to decode it; null when
 * the file has a column the decoder does not map, or an `ARROW:schema` entry (whose types
 * parquet-wasm would follow).
 */
export function arrowLayout(metadata: FileMetaData): ArrowLayout | null {
  const kv = metadata.key_value_metadata ?? [];
  if (kv.some((e) => e.key === 'ARROW:schema')) return null;
  const elements = metadata.schema;
  let next = 1;
  let column = 0;
  const walk = (path: readonly string[], def: number): Node | null => {
    const e = elements[next++];
    if (e === undefined || e.repetition_type === 'REPEATED' || e.field_id !== undefined) return null;
    const nullable = e.repetition_type !== 'REQUIRED';
    const level = def + (nullable ? 1 : 0);
    const here = [...path, e.name];
    if (e.num_children !== undefined && e.num_children > 0) {
      if (e.converted_type !== undefined || e.logical_type !== undefined) return null;
      const children: Node[] = [];
      for (let i = 0; i < e.num_children; i++) {
        const child = walk(here, level);
        if (child === null) return null;
        children.push(child);
      }
      const type = new Struct(children.map((c) => c.field));
      return {
        kind: 'struct',
        field: new Field(e.name, type, nullable),
        children,
        def: nullable ? level : 0,
      };
    }
    const mapped = leafType(e);
    if (mapped === null) return null;
    return {
      kind: 'leaf',
      field: new Field(e.name, mapped.type, nullable),
      column: column++,
      path: here,
      physical: mapped.physical,
      maxDef: level,
    };
  };
  const nodes: Node[] = [];
  const roots = elements[0]?.num_children ?? 0;
  for (let i = 0; i < roots; i++) {
    const node = walk([], 0);
    if (node === null) return null;
    nodes.push(node);
  }
  if (next !== elements.length) return null;
  // Sorted by key, the order parquet-wasm gives.
  const meta = new Map<string, string>();
  for (const e of [...kv].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    if (e.value !== undefined && e.value !== null) meta.set(e.key, e.value);
  }
  return {
    schema: new Schema(
      nodes.map((n) => n.field),
      meta,
    ),
    nodes,
  };
}

/** The Arrow type arrow-rs gives a leaf, for the leaves the decoder maps. */
function leafType(e: SchemaElement): { type: DataType; physical: Physical } | null {
  const logical = e.logical_type;
  const converted = e.converted_type;
  switch (e.type) {
    case 'BOOLEAN':
      return logical === undefined && converted === undefined ? { type: new Bool(), physical: e.type } : null;
    case 'FLOAT':
      return logical === undefined && converted === undefined
        ? { type: new Float32(), physical: e.type }
        : null;
    case 'DOUBLE':
      return logical === undefined && converted === undefined
        ? { type: new Float64(), physical: e.type }
        : null;
    case 'INT32': {
      if (logical?.type === 'DATE' || (logical === undefined && converted === 'DATE')) {
        return { type: new DateDay(), physical: e.type };
      }
      const int = integer(logical, converted, 32);
      if (int === null) return null;
      const types: Record<string, DataType> = {
        '8s': new Int8(),
        '16s': new Int16(),
        '32s': new Int32(),
        '8u': new Uint8(),
        '16u': new Uint16(),
        '32u': new Uint32(),
      };
      const type = types[`${int.bits}${int.signed ? 's' : 'u'}`];
      return type === undefined ? null : { type, physical: e.type };
    }
    case 'INT64': {
      const int = integer(logical, converted, 64);
      if (int === null || int.bits !== 64) return null;
      return { type: int.signed ? new Int64() : new Uint64(), physical: e.type };
    }
    case 'BYTE_ARRAY':
      if (converted === 'UTF8' || logical?.type === 'STRING') return { type: new Utf8(), physical: e.type };
      if (converted !== undefined) return null;
      if (logical === undefined || logical.type === 'GEOMETRY' || logical.type === 'GEOGRAPHY') {
        return { type: new Binary(), physical: e.type };
      }
      return null;
    default:
      return null;
  }
}

/** The integer width and sign of an INT32 or INT64 leaf, null when it is another kind. */
function integer(
  logical: SchemaElement['logical_type'],
  converted: SchemaElement['converted_type'],
  bits: 32 | 64,
): { bits: number; signed: boolean } | null {
  if (logical !== undefined) {
    return logical.type === 'INTEGER' ? { bits: logical.bitWidth, signed: logical.isSigned } : null;
  }
  if (converted === undefined) return { bits, signed: true };
  const m = /^(U?)INT_(8|16|32|64)$/.exec(converted);
  return m === null ? null : { bits: Number(m[2]), signed: m[1] === '' };
}

/**
 * Row group `rowGroup` of a file as one record batch of `layout`'s fields named in `columns`
 * (all when null, in file order), reading each column chunk's bytes with `bytesAt(offset,
 * length)`. Null when a chunk uses an encoding or codec the decoder does not read. Throws an
 * Error on bytes that do not decode (a corrupt file).
 */
export function decodeRowGroup(
  metadata: FileMetaData,
  layout: ArrowLayout,
  rowGroup: number,
  columns: readonly string[] | null,
  bytesAt: (offset: number, length: number) => Uint8Array,
): RecordBatch | null {
  const group = metadata.row_groups[rowGroup];
  if (group === undefined) throw new RangeError(`no row group ${rowGroup}`);
  const rows = Number(group.num_rows);
  try {
    return assemble(layout, columns, rows, (leaf) => {
      const meta = group.columns[leaf.column]?.meta_data;
      if (meta === undefined || meta.path_in_schema.join('\u0000') !== leaf.path.join('\u0000')) {
        throw new Unsupported('column chunk without metadata, or out of schema order');
      }
      const chunk = bytesAt(columnChunkStart(meta), Number(meta.total_compressed_size));
      return decodePages(leaf, chunk, meta.codec, rows, Number(meta.total_uncompressed_size)).decoded;
    });
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
}

/**
 * A row group given as its bytes alone (`span`: its column chunks, one after another in schema
 * order, as geopart writes them and as the chunk table's `byte_offset` and `byte_length` locate
 * them), of `rows` rows, every page in `codec`: the file's footer is not needed. Null when the
 * span does not decode as exactly `layout`'s columns (the caller then reads the footer, which
 * also reports a corrupt file as such).
 */
export function decodeRowGroupSpan(
  layout: ArrowLayout,
  codec: string,
  rows: number,
  span: Uint8Array,
  columns: readonly string[] | null,
): RecordBatch | null {
  if (CODEC_IDS[codec] !== undefined)
    return decodeRowGroupSpans(layout, codec, [span], [rows], columns, null);
  // Snappy: the TypeScript decoder.
  try {
    const leaves = leavesOf(layout.nodes).sort((a, b) => a.column - b.column);
    const wanted = new Set(
      leavesOf(layout.nodes.filter((n) => columns === null || columns.includes(n.field.name))),
    );
    const decoded = new Map<number, Decoded>();
    let pos = 0;
    for (const leaf of leaves) {
      const chunk = span.subarray(pos);
      if (wanted.has(leaf)) {
        const { decoded: d, end } = decodePages(leaf, chunk, codec, rows, 0);
        decoded.set(leaf.column, d);
        pos += end;
      } else pos += skipPages(chunk, rows);
    }
    if (pos !== span.length) return null;
    return assemble(layout, columns, rows, (leaf) => decoded.get(leaf.column)!);
  } catch {
    return null;
  }
}

/**
 * Several row groups given as their byte spans (as {@link decodeRowGroupSpan} takes one, of
 * `rows[k]` rows each), decoded by the native decoder into one record batch, their rows one
 * after another. With `keep` (a byte per row of all the spans), the batch holds only the rows
 * whose byte is not 0, and dropped rows are never copied. Null when a span does not decode as
 * exactly `layout`'s columns, or when a column needs the TypeScript decoder (snappy); the
 * caller then decodes the spans one by one.
 */
export function decodeRowGroupSpans(
  layout: ArrowLayout,
  codec: string,
  spans: readonly Uint8Array[],
  rows: readonly number[],
  columns: readonly string[] | null,
  keep: Uint8Array | null,
): RecordBatch | null {
  const id = CODEC_IDS[codec];
  if (id === undefined) return null;
  try {
    const leaves = leavesOf(layout.nodes).sort((a, b) => a.column - b.column);
    const wanted = new Set(
      leavesOf(layout.nodes.filter((n) => columns === null || columns.includes(n.field.name))),
    );
    const decoded = new Map<number, Decoded>();
    const pos = spans.map(() => 0);
    let out = -1;
    for (const leaf of leaves) {
      const skip = !wanted.has(leaf);
      const d = nextLeaf(leaf, spans, pos, rows, id, skip ? null : keep, skip);
      if (d === null) return null;
      if (skip) continue;
      decoded.set(leaf.column, nativeDecoded(leaf, d));
      out = d.length;
    }
    if (spans.some((s, k) => pos[k] !== s.length)) return null;
    if (out < 0) {
      // No column wanted: the batch has the rows and no columns.
      const total = rows.reduce((a, r) => a + r, 0);
      out = keep === null ? total : keptCount(keep, total);
    }
    return assemble(layout, columns, out, (leaf) => decoded.get(leaf.column)!);
  } catch {
    return null;
  }
}

/**
 * Which rows of the row groups `spans` (as {@link decodeRowGroupSpans} takes them) have a box in
 * the covering column `column` (a struct of DOUBLE leaves, among them `fields`: xmin, ymin, xmax,
 * ymax) that intersects `box`, touching included; a null box never matches. The boxes are tested
 * in the codec addon and never become Arrow data. Null when `column` is not such a struct or a
 * span does not decode.
 */
export function spansBoxMask(
  layout: ArrowLayout,
  codec: string,
  spans: readonly Uint8Array[],
  rows: readonly number[],
  column: string,
  fields: readonly string[],
  box: readonly [number, number, number, number],
): Uint8Array | null {
  const id = CODEC_IDS[codec];
  const covering = coveringLeaves(layout, column, fields);
  if (id === undefined || covering === null) return null;
  const { leaves, which } = covering;
  const first = leaves[0]!.column;
  try {
    const before = leavesOf(layout.nodes)
      .filter((l) => l.column < first)
      .sort((a, b) => a.column - b.column);
    const pos = spans.map(() => 0);
    for (const leaf of before) if (nextLeaf(leaf, spans, pos, rows, id, null, true) === null) return null;
    return coveringMask(
      spans,
      pos,
      rows,
      id,
      leaves.map((l) => l.maxDef),
      which,
      box,
    );
  } catch {
    return null;
  }
}

/**
 * True when {@link decodeRowGroupSpans} decodes pages in `codec`, and with a covering column,
 * {@link spansBoxMask} tests its boxes: a reader then fetches spans knowing they will decode.
 */
export function decodesSpans(
  layout: ArrowLayout,
  codec: string,
  covering: { readonly column: string; readonly fields: readonly string[] } | null,
): boolean {
  return (
    CODEC_IDS[codec] !== undefined &&
    (covering === null || coveringLeaves(layout, covering.column, covering.fields) !== null)
  );
}

/**
 * The leaves of a covering column `column` that {@link spansBoxMask} tests: a struct of DOUBLE
 * leaves in consecutive columns, among them `fields` (xmin, ymin, xmax, ymax), whose indexes
 * among the leaves are `which`; null for any other column.
 */
function coveringLeaves(
  layout: ArrowLayout,
  column: string,
  fields: readonly string[],
): { leaves: Leaf[]; which: number[] } | null {
  const node = layout.nodes.find((n) => n.field.name === column);
  if (node === undefined || node.kind !== 'struct' || fields.length !== 4) return null;
  if (!node.children.every((k) => k.kind === 'leaf' && k.physical === 'DOUBLE')) return null;
  const leaves = node.children as Leaf[];
  const which = fields.map((f) => leaves.findIndex((l) => l.field.name === f));
  const first = leaves[0]?.column ?? 0;
  if (leaves.length === 0 || which.includes(-1) || leaves.some((l, j) => l.column !== first + j)) return null;
  return { leaves, which };
}

function keptCount(keep: Uint8Array, rows: number): number {
  let n = 0;
  for (let i = 0; i < rows; i++) if (keep[i] !== 0) n++;
  return n;
}

/**
 * The column chunks of `leaf` at `pos[k]` in each of `spans`, decoded (or with `skip`, walked
 * past) by the codec addon; moves each `pos[k]` to where the chunk ends.
 */
function nextLeaf(
  leaf: Leaf,
  spans: readonly Uint8Array[],
  pos: number[],
  rows: readonly number[],
  codec: number,
  keep: Uint8Array | null,
  skip: boolean,
): DecodedColumnChunks | null {
  const d = nativeLeaf(
    leaf,
    spans.map((s, k) => s.subarray(pos[k])),
    rows,
    codec,
    keep,
    skip,
  );
  if (d !== null) for (let k = 0; k < spans.length; k++) pos[k]! += d.ends[k]!;
  return d;
}

/** One leaf's column chunks decoded by the codec addon; an Error names the leaf. */
function nativeLeaf(
  node: Leaf,
  chunks: readonly Uint8Array[],
  rows: readonly number[],
  codec: number,
  keep: Uint8Array | null,
  skip: boolean,
): DecodedColumnChunks | null {
  const width = node.physical in FIXED ? FIXED[node.physical as keyof typeof FIXED][1] : 0;
  try {
    return decodeColumnChunks(
      chunks,
      rows,
      codec,
      PHYSICAL_CODE[node.physical],
      width,
      node.maxDef,
      keep,
      skip,
    );
  } catch (err) {
    throw new Error(`${node.path.join('.')}: ${(err as Error).message}`);
  }
}

type Leaf = Extract<Node, { kind: 'leaf' }>;

type ColumnMeta = NonNullable<FileMetaData['row_groups'][number]['columns'][number]['meta_data']>;

/**
 * Where a column chunk's first page is: its dictionary page, if any, else its first data page.
 * A dictionary offset of 0, which some writers store for "none", is not taken.
 */
export function columnChunkStart(meta: ColumnMeta): number {
  const dictionary = meta.dictionary_page_offset;
  const data = Number(meta.data_page_offset);
  return dictionary !== undefined && dictionary > 0n ? Math.min(Number(dictionary), data) : data;
}

function leavesOf(nodes: readonly Node[]): Leaf[] {
  return nodes.flatMap((n) => (n.kind === 'leaf' ? [n] : leavesOf(n.children)));
}

/** The record batch of `layout`'s fields named in `columns` (all when null), leaves from `leafOf`. */
function assemble(
  layout: ArrowLayout,
  columns: readonly string[] | null,
  rows: number,
  leafOf: (leaf: Leaf) => Decoded,
): RecordBatch {
  const nodes = layout.nodes.filter((n) => columns === null || columns.includes(n.field.name));
  const children = nodes.map((n) => decodeNode(n, rows, leafOf).data);
  const schema = new Schema(
    nodes.map((n) => n.field),
    layout.schema.metadata,
  );
  const data = makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

/** A decoded node: its Arrow data and the definition levels of its first leaf (null if none). */
interface Decoded {
  readonly data: Data;
  readonly defs: Uint8Array | null;
}

function decodeNode(node: Node, rows: number, leafOf: (leaf: Leaf) => Decoded): Decoded {
  if (node.kind === 'leaf') return leafOf(node);
  const kids = node.children.map((c) => decodeNode(c, rows, leafOf));
  const defs = kids[0]?.defs ?? null;
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (node.def > 0 && defs !== null) {
    const present = presentBits(defs, node.def);
    nullBitmap = present.bits;
    nullCount = present.nulls;
  }
  const data = makeData({
    type: node.field.type as Struct,
    length: rows,
    nullCount,
    nullBitmap,
    children: kids.map((k) => k.data),
  });
  return { data, defs };
}

/** Values of one leaf, row by row, as they are filled in page by page. */
interface Sink {
  /** Fixed-width values (null rows left 0), or null for byte arrays and booleans. */
  readonly fixed: Int32Array | BigInt64Array | Float32Array | Float64Array | null;
  /** Booleans as a bitmap. */
  readonly bits: Uint8Array | null;
  /** Byte arrays: offsets, and the bytes (grown as needed). */
  readonly offsets: Int32Array | null;
  bytes: Uint8Array;
  used: number;
}

/** A dictionary page's values. */
type Dictionary =
  | { readonly kind: 'fixed'; readonly values: Int32Array | BigInt64Array | Float32Array | Float64Array }
  | { readonly kind: 'bits'; readonly values: Uint8Array; readonly length: number }
  | { readonly kind: 'bytes'; readonly offsets: Int32Array; readonly bytes: Uint8Array };

const PAGE_DATA = 0;
const PAGE_INDEX = 1;
const PAGE_DICTIONARY = 2;
const PAGE_DATA_V2 = 3;
const ENC_PLAIN = 0;
const ENC_PLAIN_DICTIONARY = 2;
const ENC_RLE = 3;
const ENC_RLE_DICTIONARY = 8;

/** Parquet's numbers of the codecs the native decoder takes, by the footer's names (not snappy). */
const CODEC_IDS: Readonly<Record<string, number>> = {
  UNCOMPRESSED: CODEC_CODES.none,
  GZIP: CODEC_CODES.gzip,
  ZSTD: CODEC_CODES.zstd,
  LZ4_RAW: CODEC_CODES.lz4_raw,
};

/**
 * Decodes the pages of one leaf's column chunk from the start of `chunk` until `rows` values
 * are read; `end` is where its last page ends. `sizeHint` sizes the first byte buffer.
 *
 * The codec addon decodes the chunk in native code (`decodeColumnChunks`), which costs no JIT
 * warm-up on a process's first read; the TypeScript below decodes what it refuses (snappy).
 */
function decodePages(
  node: Leaf,
  chunk: Uint8Array,
  codec: string,
  rows: number,
  sizeHint: number,
): { decoded: Decoded; end: number } {
  if (!['UNCOMPRESSED', 'ZSTD', 'SNAPPY', 'GZIP', 'LZ4_RAW'].includes(codec)) throw new Unsupported(codec);
  const id = CODEC_IDS[codec];
  const native = id === undefined ? null : nativeLeaf(node, [chunk], [rows], id, null, false);
  if (native !== null) return { decoded: nativeDecoded(node, native), end: native.ends[0]! };
  const defs = node.maxDef > 0 ? new Uint8Array(rows) : null;
  const sink = newSink(node.physical, rows, sizeHint);
  let dictionary: Dictionary | null = null;
  let row = 0;
  const cursor = { bytes: chunk, pos: 0 };
  while (row < rows) {
    if (cursor.pos >= chunk.length)
      throw new Error(`${node.path.join('.')}: column chunk ends after ${row} of ${rows} rows`);
    const header = readStruct(cursor);
    const type = num(header, 1);
    const size = num(header, 2);
    const stored = num(header, 3);
    const body = chunk.subarray(cursor.pos, cursor.pos + stored);
    if (body.length !== stored) throw new Error(`${node.path.join('.')}: page runs past its column chunk`);
    cursor.pos += stored;
    if (type === PAGE_DICTIONARY) {
      const h = struct(header, 7);
      const enc = num(h, 2);
      if (enc !== ENC_PLAIN && enc !== ENC_PLAIN_DICTIONARY)
        throw new Unsupported(`dictionary encoding ${enc}`);
      dictionary = plainDictionary(node.physical, decompress(codec, body, size), num(h, 1));
    } else if (type === PAGE_DATA) {
      const h = struct(header, 5);
      const n = num(h, 1);
      const page = decompress(codec, body, size);
      let p = 0;
      if (defs !== null) {
        if (num(h, 3) !== ENC_RLE) throw new Unsupported('definition levels not RLE');
        const len = u32(page, p);
        p += 4;
        hybrid(page, p, p + len, bitWidth(node.maxDef), defs, row, n);
        checkLevels(defs, row, n, node.maxDef);
        p += len;
      }
      // PLAIN byte arrays take at most the page's bytes: one allocation for the common case.
      if (sink.offsets !== null) reserve(sink, page.length);
      values(node, sink, page.subarray(p), num(h, 2), row, n, defs, dictionary);
      row += n;
    } else if (type === PAGE_DATA_V2) {
      const h = struct(header, 8);
      const n = num(h, 1);
      const defLength = num(h, 5);
      const repLength = num(h, 6);
      if (repLength !== 0) throw new Unsupported('repetition levels');
      if (defs !== null) {
        hybrid(body, 0, defLength, bitWidth(node.maxDef), defs, row, n);
        checkLevels(defs, row, n, node.maxDef);
      }
      const rest = body.subarray(defLength);
      const compressed = h.get(7) !== false;
      const page = compressed ? decompress(codec, rest, size - defLength) : rest;
      if (sink.offsets !== null) reserve(sink, page.length);
      values(node, sink, page, num(h, 4), row, n, defs, dictionary);
      row += n;
    } else if (type !== PAGE_INDEX) {
      throw new Unsupported(`page type ${type}`);
    }
  }
  if (row !== rows) throw new Error(`${node.path.join('.')}: ${row} values in a row group of ${rows} rows`);
  return { decoded: { data: leafData(node, sink, rows, defs), defs }, end: cursor.pos };
}

/** Definition levels above the leaf's own are not of this column (as the native decoder refuses them). */
function checkLevels(defs: Uint8Array, row: number, n: number, maxDef: number): void {
  for (let i = row; i < row + n; i++) {
    if (defs[i]! > maxDef) throw new Error(`definition level ${defs[i]} above the column's ${maxDef}`);
  }
}

/** Walks past the pages of one column chunk of `rows` values at the start of `chunk`; returns its end. */
function skipPages(chunk: Uint8Array, rows: number): number {
  const cursor = { bytes: chunk, pos: 0 };
  let row = 0;
  while (row < rows) {
    const header = readStruct(cursor);
    const type = num(header, 1);
    cursor.pos += num(header, 3);
    if (cursor.pos > chunk.length) throw new Error('page runs past the row group');
    if (type === PAGE_DATA) row += num(struct(header, 5), 1);
    else if (type === PAGE_DATA_V2) row += num(struct(header, 8), 1);
  }
  return cursor.pos;
}

function num(s: ThriftStruct, id: number): number {
  const v = s.get(id);
  if (typeof v !== 'number') throw new Error(`page header field ${id} missing`);
  return v;
}

function struct(s: ThriftStruct, id: number): ThriftStruct {
  const v = s.get(id);
  if (!(v instanceof Map)) throw new Error(`page header struct ${id} missing`);
  return v as ThriftStruct;
}

function u32(b: Uint8Array, p: number): number {
  if (p + 4 > b.length) throw new Error('length prefix runs past the page');
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
}

function bitWidth(max: number): number {
  return max === 0 ? 0 : 32 - Math.clz32(max);
}

/**
 * One buffer the zstd and LZ4 pages are decompressed into, page after page: every page's values
 * are copied out before the next page is read, so no page costs a fresh allocation.
 */
let scratch = new Uint8Array(0);

/** Pages larger than this get a buffer of their own, so the shared one stays small. */
const SCRATCH_MAX = 8 << 20;

function scratchOf(size: number): Uint8Array {
  if (size > SCRATCH_MAX) return new Uint8Array(size);
  if (scratch.length < size)
    scratch = new Uint8Array(Math.min(SCRATCH_MAX, Math.max(size, 2 * scratch.length, 64 * 1024)));
  return scratch.subarray(0, size);
}

/** A page body decompressed: valid until the next call (it may be {@link scratch}). */
function decompress(codec: string, body: Uint8Array, size: number): Uint8Array {
  switch (codec) {
    case 'UNCOMPRESSED':
      if (body.length !== size)
        throw new Error(`uncompressed page of ${body.length} bytes, header says ${size}`);
      return body;
    case 'ZSTD':
    case 'LZ4_RAW': {
      const out = scratchOf(size);
      const n = codec === 'ZSTD' ? zstdDecompressInto(body, out) : lz4RawDecompressInto(body, out);
      if (n !== size) throw new Error(`${codec} page of ${n} bytes, header says ${size}`);
      return out;
    }
    case 'GZIP': {
      const out = gunzipSync(body);
      if (out.length !== size) throw new Error(`gzip page of ${out.length} bytes, header says ${size}`);
      return out;
    }
    case 'SNAPPY': {
      const out = new Uint8Array(size);
      snappyUncompress(body, out);
      return out;
    }
    default:
      throw new Unsupported(codec);
  }
}

/**
 * Decodes `count` values of the RLE/bit-packed hybrid encoding in `b[from, to)` with `width`
 * bits each into `out[at, at + count)`.
 */
function hybrid(
  b: Uint8Array,
  from: number,
  to: number,
  width: number,
  out: Uint8Array | Int32Array,
  at: number,
  count: number,
): void {
  if (width > 32) throw new Error(`RLE/bit-packed width ${width} is over 32 bits`);
  if (to > b.length) throw new Error('RLE/bit-packed data runs past its page');
  let p = from;
  let seen = 0;
  const bytesPerValue = (width + 7) >> 3;
  while (seen < count) {
    let header = 0;
    let shift = 1;
    for (;;) {
      if (p >= to || shift > 2 ** 35) throw new Error('RLE/bit-packed run past the end of its data');
      const x = b[p++]!;
      header += (x & 0x7f) * shift;
      if (x < 0x80) break;
      shift *= 128;
    }
    if (header % 2 === 1) {
      const n = Math.floor(header / 2) * 8;
      const take = Math.min(n, count - seen);
      if (p + Math.ceil((take * width) / 8) > to) throw new Error('bit-packed run past the end of its data');
      unpack(b, p, width, out, at + seen, take);
      p += (n * width) / 8;
      seen += take;
    } else {
      const n = Math.min(Math.floor(header / 2), count - seen);
      if (p + bytesPerValue > to) throw new Error('RLE run past the end of its data');
      let v = 0;
      for (let i = 0; i < bytesPerValue; i++) v += b[p + i]! * 2 ** (8 * i);
      p += bytesPerValue;
      out.fill(v, at + seen, at + seen + n);
      seen += n;
    }
  }
}

function unpack(
  b: Uint8Array,
  p: number,
  width: number,
  out: Uint8Array | Int32Array,
  at: number,
  n: number,
): void {
  if (width === 0) {
    out.fill(0, at, at + n);
    return;
  }
  if (width <= 24) {
    const mask = (1 << width) - 1;
    let buf = 0;
    let bits = 0;
    for (let i = 0; i < n; i++) {
      while (bits < width) {
        buf |= (b[p++] ?? 0) << bits;
        bits += 8;
      }
      out[at + i] = buf & mask;
      buf >>>= width;
      bits -= width;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let k = 0; k < width; k++) {
      const bit = i * width + k;
      if ((b[p + (bit >> 3)]! >> (bit & 7)) & 1) v += 2 ** k;
    }
    out[at + i] = v | 0;
  }
}

const FIXED = {
  INT32: [Int32Array, 4],
  INT64: [BigInt64Array, 8],
  FLOAT: [Float32Array, 4],
  DOUBLE: [Float64Array, 8],
} as const;

function newSink(physical: Physical, rows: number, sizeHint: number): Sink {
  if (physical === 'BYTE_ARRAY') {
    return {
      fixed: null,
      bits: null,
      offsets: new Int32Array(rows + 1),
      bytes: new Uint8Array(Math.max(64, sizeHint)),
      used: 0,
    };
  }
  if (physical === 'BOOLEAN') {
    return {
      fixed: null,
      bits: new Uint8Array((rows + 7) >> 3),
      offsets: null,
      bytes: new Uint8Array(0),
      used: 0,
    };
  }
  const [Ctor] = FIXED[physical];
  return { fixed: new Ctor(rows), bits: null, offsets: null, bytes: new Uint8Array(0), used: 0 };
}

/** `count` PLAIN values of a fixed-width type at the start of `b`, as an aligned typed array. */
function fixedView(physical: keyof typeof FIXED, b: Uint8Array, count: number) {
  const [Ctor, width] = FIXED[physical];
  if (b.length < count * width) throw new Error(`page holds ${b.length} bytes for ${count} values`);
  // A copy when unaligned (new Uint8Array(view) copies; a Buffer's slice() would not).
  const bytes = b.byteOffset % width === 0 ? b : new Uint8Array(b.subarray(0, count * width));
  return new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, count);
}

function plainDictionary(physical: Physical, b: Uint8Array, count: number): Dictionary {
  if (physical === 'BYTE_ARRAY') {
    const offsets = new Int32Array(count + 1);
    const bytes = new Uint8Array(b.length);
    let p = 0;
    let used = 0;
    for (let i = 0; i < count; i++) {
      const len = u32(b, p);
      p += 4;
      if (p + len > b.length) throw new Error('dictionary value runs past its page');
      bytes.set(b.subarray(p, p + len), used);
      p += len;
      used += len;
      offsets[i + 1] = used;
    }
    return { kind: 'bytes', offsets, bytes };
  }
  // A copy: `b` may be the scratch buffer the next page overwrites.
  if (physical === 'BOOLEAN') return { kind: 'bits', values: new Uint8Array(b), length: count };
  return { kind: 'fixed', values: fixedView(physical, b, count).slice() };
}

/** Decodes one data page's values (`n` levels from row `row`) into `sink`. */
function values(
  node: Leaf,
  sink: Sink,
  b: Uint8Array,
  encoding: number,
  row: number,
  n: number,
  defs: Uint8Array | null,
  dictionary: Dictionary | null,
): void {
  const max = node.maxDef;
  let present = n;
  if (defs !== null) {
    present = 0;
    for (let i = row; i < row + n; i++) if (defs[i] === max) present++;
  }
  const isPresent = (i: number) => defs === null || defs[i] === max;
  if (encoding === ENC_PLAIN) {
    if (sink.fixed !== null) {
      if (present === n) {
        // Every value present: one byte copy into place, aligned or not.
        const out = sink.fixed;
        const width = out.BYTES_PER_ELEMENT;
        exactly(b.length, n * width);
        new Uint8Array(out.buffer, out.byteOffset + row * width, n * width).set(b.subarray(0, n * width));
        return;
      }
      exactly(b.length, present * sink.fixed.BYTES_PER_ELEMENT);
      const v = fixedView(node.physical as keyof typeof FIXED, b, present);
      {
        const out = sink.fixed as Float64Array;
        const src = v as Float64Array;
        for (let i = row, k = 0; i < row + n; i++) if (isPresent(i)) out[i] = src[k++]!;
      }
    } else if (sink.bits !== null) {
      exactly(b.length, (present + 7) >> 3);
      for (let i = row, k = 0; i < row + n; i++) {
        if (!isPresent(i)) continue;
        if ((b[k >> 3]! >> (k & 7)) & 1) sink.bits[i >> 3]! |= 1 << (i & 7);
        k++;
      }
    } else {
      const offsets = sink.offsets!;
      let p = 0;
      for (let i = row; i < row + n; i++) {
        if (isPresent(i)) {
          const len = u32(b, p);
          p += 4;
          if (p + len > b.length) throw new Error('value runs past its page');
          append(sink, b, p, len);
          p += len;
        }
        offsets[i + 1] = sink.used;
      }
      exactly(b.length, p);
    }
    return;
  }
  if (encoding !== ENC_RLE_DICTIONARY && encoding !== ENC_PLAIN_DICTIONARY)
    throw new Unsupported(`encoding ${encoding}`);
  if (dictionary === null) throw new Error('dictionary-encoded page without a dictionary page');
  const index = new Int32Array(present);
  if (present > 0) {
    if (b.length === 0) throw new Error('dictionary-encoded page without indices');
    hybrid(b, 1, b.length, b[0]!, index, 0, present);
  }
  const size =
    dictionary.kind === 'bytes'
      ? dictionary.offsets.length - 1
      : dictionary.kind === 'bits'
        ? dictionary.length
        : dictionary.values.length;
  for (let k = 0; k < present; k++) {
    if (index[k]! < 0 || index[k]! >= size)
      throw new Error(`dictionary index ${index[k]} out of ${size} entries`);
  }
  let k = 0;
  for (let i = row; i < row + n; i++) {
    if (isPresent(i)) {
      const j = index[k++]!;
      if (dictionary.kind === 'fixed')
        (sink.fixed as Float64Array)[i] = (dictionary.values as Float64Array)[j]!;
      else if (dictionary.kind === 'bits') {
        if ((dictionary.values[j >> 3]! >> (j & 7)) & 1) sink.bits![i >> 3]! |= 1 << (i & 7);
      } else
        append(
          sink,
          dictionary.bytes,
          dictionary.offsets[j]!,
          dictionary.offsets[j + 1]! - dictionary.offsets[j]!,
        );
    }
    if (sink.offsets !== null) sink.offsets[i + 1] = sink.used;
  }
}

/** Makes room for `more` bytes in `sink`, doubling at least. */
function reserve(sink: Sink, more: number): void {
  if (sink.used + more <= sink.bytes.length) return;
  const grown = new Uint8Array(Math.max(sink.bytes.length * 2, sink.used + more));
  grown.set(sink.bytes.subarray(0, sink.used));
  sink.bytes = grown;
}

/**
 * A PLAIN page's values fill it exactly: bytes over or under are not a page of this column (a
 * span read with another file's schema), refused so that the caller reads the footer.
 */
function exactly(pageBytes: number, valueBytes: number): void {
  if (pageBytes !== valueBytes) {
    throw new Unsupported(`a page of ${pageBytes} bytes for ${valueBytes} bytes of values`);
  }
}

function append(sink: Sink, src: Uint8Array, from: number, len: number): void {
  reserve(sink, len);
  if (len < 32) for (let i = 0; i < len; i++) sink.bytes[sink.used + i] = src[from + i]!;
  else sink.bytes.set(src.subarray(from, from + len), sink.used);
  sink.used += len;
  if (sink.used > 0x7fffffff) throw new Unsupported('more than 2 GiB of values in one column chunk');
}

/** A leaf decoded by the codec addon, as Arrow data. */
function nativeDecoded(node: Leaf, d: DecodedColumnChunks): Decoded {
  const values = d.values;
  const physical = node.physical;
  const sink: Sink = {
    fixed: physical === 'BYTE_ARRAY' || physical === 'BOOLEAN' ? null : new FIXED[physical][0](values),
    bits: physical === 'BOOLEAN' ? new Uint8Array(values) : null,
    offsets: d.offsets,
    bytes: physical === 'BYTE_ARRAY' ? new Uint8Array(values) : new Uint8Array(0),
    used: physical === 'BYTE_ARRAY' ? values.byteLength : 0,
  };
  return { data: leafData(node, sink, d.length, d.defs), defs: d.defs };
}

function leafData(node: Leaf, sink: Sink, rows: number, defs: Uint8Array | null): Data {
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (node.field.nullable && defs !== null) {
    // maxDef is the highest level a leaf's values have, so ">= maxDef" is "present".
    const present = presentBits(defs, node.maxDef);
    nullBitmap = present.bits;
    nullCount = present.nulls;
  }
  const type = node.field.type as DataType;
  const common = { length: rows, nullCount, nullBitmap };
  if (sink.offsets !== null) {
    const values = { valueOffsets: sink.offsets, data: sink.bytes.subarray(0, sink.used), ...common };
    return type instanceof Utf8
      ? makeData({ type, ...values })
      : makeData({ type: type as Binary, ...values });
  }
  if (sink.bits !== null) return makeData({ type: type as Bool, data: sink.bits, ...common });
  const fixed = sink.fixed!;
  let data: ArrayBufferView = fixed;
  if (type instanceof Int8) data = Int8Array.from(fixed as Int32Array);
  else if (type instanceof Int16) data = Int16Array.from(fixed as Int32Array);
  else if (type instanceof Uint8) data = Uint8Array.from(fixed as Int32Array);
  else if (type instanceof Uint16) data = Uint16Array.from(fixed as Int32Array);
  else if (type instanceof Uint32) data = new Uint32Array(fixed.buffer, fixed.byteOffset, rows);
  else if (type instanceof Uint64) data = new BigUint64Array(fixed.buffer, fixed.byteOffset, rows);
  // biome-ignore lint/suspicious/noExplicitAny: makeData's overloads are per type; the data matches `type`.
  return makeData({ type: type as any, data: data as any, ...common });
}
