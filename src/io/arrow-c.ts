/**
 * Turns the native addon's copy of Arrow C Data Interface structures into apache-arrow
 * objects: one `makeData` per column and batch, never a step per row.
 *
 * The addon copies every buffer into its own ArrayBuffer, so the Data built here owns its
 * memory and can be handed to another thread (`Piscina.move`, `postMessage` transfer lists).
 */
import {
  Binary,
  Bool,
  type Data,
  DataType,
  DateDay,
  DateMillisecond,
  DateUnit,
  Dictionary,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float16,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  LargeBinary,
  LargeList,
  LargeUtf8,
  List,
  makeData,
  makeVector,
  Null,
  Precision,
  RecordBatch,
  Schema,
  Struct,
  TimeMicrosecond,
  TimeMillisecond,
  TimeNanosecond,
  TimeSecond,
  Timestamp,
  TimeUnit,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
} from 'apache-arrow';
import { markExclusive } from '../arrow/batch-parts.js';

/** An ArrowSchema node as the addon describes it. */
export interface CSchema {
  /** Arrow C format string, e.g. `u`, `tsm:UTC`, `+l`. */
  readonly format: string;
  readonly name: string;
  /** Decoded key/value metadata (e.g. `ARROW:extension:name`), or null. */
  readonly metadata: Readonly<Record<string, string>> | null;
  /** ARROW_FLAG_* bits; 2 = nullable. */
  readonly flags: number;
  readonly children: readonly CSchema[];
  /** Value type of a dictionary-encoded column (then `format` is the index type). */
  readonly dictionary: CSchema | null;
}

/** An ArrowArray node as the addon describes it: buffers copied into fresh ArrayBuffers. */
export interface CArray {
  /** Rows (elements). */
  readonly length: number;
  /** Logical start, in elements, into the buffers (and, for structs, into the children). */
  readonly offset: number;
  /** -1 when unknown. */
  readonly nullCount: number;
  /** As the C interface orders them: validity first (null when absent). */
  readonly buffers: readonly (ArrayBuffer | null)[];
  readonly children: readonly CArray[];
  readonly dictionary: CArray | null;
}

const ARROW_FLAG_NULLABLE = 2;

const FIXED_TYPES: Readonly<Record<string, () => DataType>> = {
  n: () => new Null(),
  b: () => new Bool(),
  c: () => new Int8(),
  C: () => new Uint8(),
  s: () => new Int16(),
  S: () => new Uint16(),
  i: () => new Int32(),
  I: () => new Uint32(),
  l: () => new Int64(),
  L: () => new Uint64(),
  e: () => new Float16(),
  f: () => new Float32(),
  g: () => new Float64(),
  z: () => new Binary(),
  Z: () => new LargeBinary(),
  u: () => new Utf8(),
  U: () => new LargeUtf8(),
  tdD: () => new DateDay(),
  tdm: () => new DateMillisecond(),
  tts: () => new TimeSecond(),
  ttm: () => new TimeMillisecond(),
  ttu: () => new TimeMicrosecond(),
  ttn: () => new TimeNanosecond(),
};

const TIMESTAMP_UNITS: Readonly<Record<string, TimeUnit>> = {
  s: TimeUnit.SECOND,
  m: TimeUnit.MILLISECOND,
  u: TimeUnit.MICROSECOND,
  n: TimeUnit.NANOSECOND,
};

function unsupported(column: string, format: string): Error {
  return new Error(
    `column '${column}' has Arrow format '${format}', which geopart cannot read; ` +
      'leave the column out with the columns option',
  );
}

/** The apache-arrow type of one C schema node (children and dictionary included). */
export function typeFromC(schema: CSchema, column: string = schema.name): DataType {
  const { format } = schema;
  const children = () => schema.children.map((c) => fieldFromC(c, `${column}.${c.name}`));
  if (schema.dictionary) {
    const indices = typeFromC({ ...schema, dictionary: null }, column);
    if (!DataType.isInt(indices)) throw unsupported(column, `dictionary with ${format} indices`);
    return new Dictionary(typeFromC(schema.dictionary, column), indices as Int32);
  }
  const fixed = FIXED_TYPES[format];
  if (fixed) return fixed();
  const child = () => {
    const [first] = children();
    if (!first || schema.children.length !== 1) throw unsupported(column, `${format} without one child`);
    return first;
  };
  if (format === '+l') return new List(child());
  if (format === '+L') return new LargeList(child());
  if (format === '+s') return new Struct(children());
  if (format.startsWith('+w:')) return new FixedSizeList(Number(format.slice(3)), child());
  if (format.startsWith('w:')) return new FixedSizeBinary(Number(format.slice(2)));
  const ts = /^ts([smun]):(.*)$/.exec(format);
  if (ts) return new Timestamp(TIMESTAMP_UNITS[ts[1]!]!, ts[2] ? ts[2] : null);
  throw unsupported(column, format);
}

/** One field: name, type, nullability and metadata (e.g. `ARROW:extension:name = ogc.wkb`). */
export function fieldFromC(schema: CSchema, column: string = schema.name): Field {
  const metadata = new Map(Object.entries(schema.metadata ?? {}));
  return new Field(
    schema.name,
    typeFromC(schema, column),
    (schema.flags & ARROW_FLAG_NULLABLE) !== 0,
    metadata,
  );
}

/** The record-batch schema of a top-level struct (`+s`) schema node. */
export function schemaFromC(schema: CSchema): Schema {
  if (schema.format !== '+s')
    throw new Error(`expected a struct (+s) schema for a record batch, got '${schema.format}'`);
  const metadata = new Map(Object.entries(schema.metadata ?? {}));
  return new Schema(
    schema.children.map((c) => fieldFromC(c)),
    metadata,
  );
}

/** A record batch from a top-level struct array whose children match `schema`'s fields. */
export function recordBatchFromC(schema: Schema, array: CArray): RecordBatch {
  if (array.children.length !== schema.fields.length) {
    throw new Error(`Arrow batch has ${array.children.length} columns, schema has ${schema.fields.length}`);
  }
  const children = schema.fields.map((f, i) =>
    sliceFor(dataFromC(f.type, array.children[i]!, f.name), array.offset, array.length),
  );
  const data = makeData({ type: new Struct(schema.fields), length: array.length, nullCount: 0, children });
  // The addon's buffers are this batch's alone: another thread may take them as they are.
  const mark = (a: CArray): void => {
    for (const b of a.buffers) if (b) markExclusive(b);
    for (const c of a.children) mark(c);
    if (a.dictionary) mark(a.dictionary);
  };
  mark(array);
  return new RecordBatch(schema, data);
}

/** Bytes per value of a fixed-width type. */
function byteWidth(type: DataType, column: string): number {
  if (DataType.isInt(type) || DataType.isTime(type)) return type.bitWidth / 8;
  if (DataType.isFloat(type))
    return type.precision === Precision.HALF ? 2 : type.precision === Precision.SINGLE ? 4 : 8;
  if (DataType.isDate(type)) return type.unit === DateUnit.DAY ? 4 : 8;
  if (DataType.isTimestamp(type)) return 8;
  if (DataType.isFixedSizeBinary(type)) return type.byteWidth;
  throw new Error(`column '${column}': ${String(type)} is not fixed-width`);
}

/** `length` bits starting at bit `offset`, realigned to bit 0 when `offset` is not a whole byte. */
function bits(
  buffer: ArrayBuffer | null | undefined,
  offset: number,
  length: number,
): Uint8Array | undefined {
  if (!buffer) return undefined;
  const bytes = (length + 7) >> 3;
  if (offset % 8 === 0) return new Uint8Array(buffer, offset >> 3, bytes);
  const src = new Uint8Array(buffer);
  const out = new Uint8Array(bytes);
  for (let i = 0; i < length; i++) {
    const j = offset + i;
    if ((src[j >> 3]! >> (j & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}

function need(buffer: ArrayBuffer | null | undefined, column: string, what: string): ArrayBuffer {
  if (!buffer) throw new Error(`column '${column}': Arrow ${what} buffer is missing`);
  return buffer;
}

/** `data` limited to rows [offset, offset + length), without copying. */
function sliceFor(data: Data, offset: number, length: number): Data {
  return offset === 0 && data.length === length ? data : data.slice(offset, length);
}

/**
 * The apache-arrow Data of one column. The result always has offset 0: value buffers are
 * viewed from the C offset on and bitmaps realigned, so nothing downstream sees C offsets.
 */
export function dataFromC(type: DataType, array: CArray, column: string): Data {
  const { offset, length, buffers } = array;
  const nullBitmap = bits(buffers[0], offset, length);
  const nullCount = nullBitmap ? (array.nullCount >= 0 ? array.nullCount : -1) : 0;
  const common = { length, nullCount, nullBitmap };
  const values = () => need(buffers[1], column, 'values');
  const fixed = () => {
    const width = byteWidth(type, column);
    return new Uint8Array(values(), offset * width, length * width);
  };
  const offsets32 = () => new Int32Array(values(), offset * 4, length + 1);
  const offsets64 = () => new BigInt64Array(values(), offset * 8, length + 1);
  const bytes = () => new Uint8Array(buffers[2] ?? new ArrayBuffer(0));
  const child = () => {
    const field = type.children[0];
    const data = array.children[0];
    if (!field || !data) throw new Error(`column '${column}': Arrow list has no child array`);
    return dataFromC(field.type, data, `${column}.${field.name}`);
  };

  if (DataType.isNull(type)) return makeData({ type, length });
  if (DataType.isBool(type)) return makeData({ type, ...common, data: bits(values(), offset, length) });
  if (DataType.isInt(type)) return makeData({ type, ...common, data: fixed() });
  if (DataType.isFloat(type)) return makeData({ type, ...common, data: fixed() });
  if (DataType.isDate(type)) return makeData({ type, ...common, data: fixed() });
  if (DataType.isTime(type)) return makeData({ type, ...common, data: fixed() });
  if (DataType.isTimestamp(type)) return makeData({ type, ...common, data: fixed() });
  if (DataType.isFixedSizeBinary(type)) return makeData({ type, ...common, data: fixed() });
  if (DataType.isUtf8(type)) return makeData({ type, ...common, valueOffsets: offsets32(), data: bytes() });
  if (DataType.isBinary(type)) return makeData({ type, ...common, valueOffsets: offsets32(), data: bytes() });
  if (DataType.isLargeUtf8(type))
    return makeData({ type, ...common, valueOffsets: offsets64(), data: bytes() });
  if (DataType.isLargeBinary(type))
    return makeData({ type, ...common, valueOffsets: offsets64(), data: bytes() });
  if (DataType.isList(type)) return makeData({ type, ...common, valueOffsets: offsets32(), child: child() });
  if (DataType.isLargeList(type))
    return makeData({ type, ...common, valueOffsets: offsets64(), child: child() });
  if (DataType.isFixedSizeList(type)) {
    const { listSize } = type;
    return makeData({ type, ...common, child: sliceFor(child(), offset * listSize, length * listSize) });
  }
  if (DataType.isStruct(type)) {
    const children = type.children.map((f, i) => {
      const data = array.children[i];
      if (!data) throw new Error(`column '${column}': Arrow struct has no child '${f.name}'`);
      return sliceFor(dataFromC(f.type, data, `${column}.${f.name}`), offset, length);
    });
    return makeData({ type, ...common, children });
  }
  if (DataType.isDictionary(type)) {
    if (!array.dictionary) throw new Error(`column '${column}': Arrow dictionary array is missing`);
    const dictionary = makeVector(dataFromC(type.dictionary, array.dictionary, `${column} (dictionary)`));
    const width = byteWidth(type.indices, column);
    return makeData({
      type,
      ...common,
      data: new Uint8Array(values(), offset * width, length * width),
      dictionary,
    });
  }
  throw unsupported(column, String(type));
}
