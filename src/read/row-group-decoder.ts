/**
 * A direct decoder from Parquet row groups to Arrow record batches, for the files geopart
 * writes and others of the same shape: flat columns and structs (no lists or maps), PLAIN or
 * dictionary encoded, in data pages v1 or v2, uncompressed or in zstd, LZ4_RAW, snappy or gzip.
 * Pages are decompressed and decoded by the codec addon (native/src/pages.cc) straight into
 * Arrow buffers, with no WebAssembly, no IPC round trip and no JIT warm-up: a bbox read of a few
 * row groups spends its time reading.
 *
 * It gives the Arrow types parquet-wasm (arrow-rs) gives for the same file, and the reader
 * falls back to parquet-wasm for anything else: {@link arrowLayout} is null for a schema it
 * does not map (lists, maps, timestamps, decimals, an `ARROW:schema` entry...), and
 * {@link decodeRowGroup} is null for an encoding or codec it does not decode. The tests hold
 * both decoders to the same batches on every table they write (test/read/row-group-decoder.test.ts).
 */
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
import type { FileMetaData, SchemaElement } from 'hyparquet';
import { CODEC_CODES } from '../format/compression.js';
import { PHYSICAL_CODE, type PhysicalType } from '../format/parquet-physical.js';
import { coveringMask, type DecodedColumnChunks, decodeColumnChunks, presentBits } from '../io/codecs.js';

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
      return decodePages(leaf, chunk, meta.codec, rows);
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
  return decodeRowGroupSpans(layout, codec, [span], [rows], columns, null);
}

/**
 * Several row groups given as their byte spans (as {@link decodeRowGroupSpan} takes one, of
 * `rows[k]` rows each), decoded into one record batch, their rows one after another. With
 * `keep` (a byte per row of all the spans), the batch holds only the rows whose byte is not 0,
 * and dropped rows are never copied. Null when a span does not decode as exactly `layout`'s
 * columns (the caller then reads the footers, which also report a corrupt file as such).
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

/** Parquet's numbers of the codecs the decoder takes, by the footer's names. */
const CODEC_IDS: Readonly<Record<string, number>> = {
  UNCOMPRESSED: CODEC_CODES.none,
  SNAPPY: CODEC_CODES.snappy,
  GZIP: CODEC_CODES.gzip,
  ZSTD: CODEC_CODES.zstd,
  LZ4_RAW: CODEC_CODES.lz4_raw,
};

/**
 * Decodes the pages of one leaf's column chunk from the start of `chunk` until `rows` values
 * are read, in the codec addon (`decodeColumnChunks`), which costs a process's first read no JIT
 * warm-up. Throws {@link Unsupported} for a codec, encoding or page type it does not decode.
 */
function decodePages(node: Leaf, chunk: Uint8Array, codec: string, rows: number): Decoded {
  const id = CODEC_IDS[codec];
  if (id === undefined) throw new Unsupported(codec);
  const d = nativeLeaf(node, [chunk], [rows], id, null, false);
  if (d === null) throw new Unsupported('an encoding or page type the decoder does not read');
  return nativeDecoded(node, d);
}

/** Bytes of a fixed-width physical type's value, and the typed array that holds it. */
const FIXED = {
  INT32: [Int32Array, 4],
  INT64: [BigInt64Array, 8],
  FLOAT: [Float32Array, 4],
  DOUBLE: [Float64Array, 8],
} as const;

/** A leaf decoded by the codec addon, as Arrow data. */
function nativeDecoded(node: Leaf, d: DecodedColumnChunks): Decoded {
  const rows = d.length;
  const defs = d.defs;
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (node.field.nullable && defs !== null) {
    // maxDef is the highest level a leaf's values have (the decoder refuses higher ones).
    const present = presentBits(defs, node.maxDef);
    nullBitmap = present.bits;
    nullCount = present.nulls;
  }
  const type = node.field.type as DataType;
  const common = { length: rows, nullCount, nullBitmap };
  const physical = node.physical;
  if (physical === 'BYTE_ARRAY') {
    const values = { valueOffsets: d.offsets!, data: new Uint8Array(d.values), ...common };
    const data =
      type instanceof Utf8 ? makeData({ type, ...values }) : makeData({ type: type as Binary, ...values });
    return { data, defs };
  }
  if (physical === 'BOOLEAN') {
    return { data: makeData({ type: type as Bool, data: new Uint8Array(d.values), ...common }), defs };
  }
  const fixed = new FIXED[physical][0](d.values);
  let data: ArrayBufferView = fixed;
  if (type instanceof Int8) data = Int8Array.from(fixed as Int32Array);
  else if (type instanceof Int16) data = Int16Array.from(fixed as Int32Array);
  else if (type instanceof Uint8) data = Uint8Array.from(fixed as Int32Array);
  else if (type instanceof Uint16) data = Uint16Array.from(fixed as Int32Array);
  else if (type instanceof Uint32) data = new Uint32Array(fixed.buffer, fixed.byteOffset, rows);
  else if (type instanceof Uint64) data = new BigUint64Array(fixed.buffer, fixed.byteOffset, rows);
  // biome-ignore lint/suspicious/noExplicitAny: makeData's overloads are per type; the data matches `type`.
  return { data: makeData({ type: type as any, data: data as any, ...common }), defs };
}
