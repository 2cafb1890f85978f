/**
 * Taking rows from several batches of one schema in one copy: row `j` of the result is row
 * `rowOf[j]` of batch `batchOf[j]`. Used by the shuffle and write tasks to gather rows from the
 * spilled batches and shuffle pieces, and by table reads to gather the rows a box keeps. Flat
 * columns (fixed width, booleans, strings and binaries) and structs of them are copied by the
 * codec addon's gathers, which check every index; lists and other nested columns go through
 * concatenation and a take.
 */
import { Data, DataType, type RecordBatch } from 'apache-arrow';
import { makeBatch } from '../arrow/batch.js';
import { concatData } from '../arrow/concat.js';
import { isFixedWidth, takeData } from '../arrow/take.js';
import { type TakeRows, takeBinary, takeBits, takeFixed } from './codecs.js';

/** The gather's rows as the codec addon takes them (`io/codecs.ts` `TakeRows`). */
function rowsOf(parts: readonly Data[], batchOf: Int32Array, rowOf: Int32Array): TakeRows {
  return [Int32Array.from(parts, (p) => p.length), batchOf, rowOf];
}

/** A buffer's bytes; none for a buffer an empty part may leave out. */
function bytesOf(v: ArrayBufferView | undefined): Uint8Array {
  return v === undefined ? new Uint8Array(0) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** A byte-array part's offsets; `[0]` for an empty part whose writer left them out. */
function offsetsOf(p: Data): Int32Array {
  const o = p.valueOffsets as Int32Array | undefined;
  return o !== undefined && o.length > p.length ? o : Int32Array.of(0);
}

/** The gathered validity bitmap and null count; no bitmap when every row taken is valid. */
function takeValidity(parts: readonly Data[], rows: TakeRows): [Uint8Array | null, number] {
  if (parts.every((p) => p.nullCount === 0)) return [null, 0];
  const { bits, zeros } = takeBits(
    parts.map((p) => (p.nullCount === 0 ? null : bytesOf(p.nullBitmap as Uint8Array))),
    Int32Array.from(parts, (p) => p.offset),
    ...rows,
  );
  return zeros === 0 ? [null, 0] : [new Uint8Array(bits), zeros];
}

function takeColumn(parts: readonly Data[], batchOf: Int32Array, rowOf: Int32Array): Data {
  const first = parts[0]!;
  const t = first.type;
  const n = batchOf.length;
  const rows = rowsOf(parts, batchOf, rowOf);
  if (isFixedWidth(t)) {
    const [validity, nulls] = takeValidity(parts, rows);
    const stride = first.stride;
    type Ctor = (new (
      b: ArrayBuffer,
      o: number,
      n: number,
    ) => ArrayBufferView) & { BYTES_PER_ELEMENT: number };
    // The type's array (an empty part may have no values to ask).
    const C = (t as unknown as { ArrayType: Ctor }).ArrayType;
    // apache-arrow slices data buffers with the Data: values from row 0.
    const buffer = takeFixed(
      parts.map((p) => bytesOf(p.values as ArrayBufferView | undefined)),
      stride * C.BYTES_PER_ELEMENT,
      ...rows,
    );
    return new Data(t, 0, n, nulls, { 1: new C(buffer, 0, n * stride), 2: validity } as never);
  }
  if (DataType.isBool(t)) {
    const [validity, nulls] = takeValidity(parts, rows);
    const values = takeBits(
      parts.map((p) => bytesOf(p.values as Uint8Array | undefined)),
      Int32Array.from(parts, (p) => p.offset),
      ...rows,
    );
    return new Data(t, 0, n, nulls, { 1: new Uint8Array(values.bits), 2: validity } as never);
  }
  if (DataType.isBinary(t) || DataType.isUtf8(t)) {
    const [validity, nulls] = takeValidity(parts, rows);
    const taken = takeBinary(
      parts.map(offsetsOf),
      parts.map((p) => bytesOf(p.values as Uint8Array | undefined)),
      ...rows,
    );
    const offsets = new Int32Array(taken.offsets);
    return new Data(t, 0, n, nulls, { 0: offsets, 1: new Uint8Array(taken.values), 2: validity } as never);
  }
  if (DataType.isStruct(t)) {
    // Children are sliced with their struct (apache-arrow): taken by the same row numbers.
    const [validity, nulls] = takeValidity(parts, rows);
    const children = t.children.map((_, k) =>
      takeColumn(
        parts.map((p) => p.children[k]!),
        batchOf,
        rowOf,
      ),
    );
    return new Data(t, 0, n, nulls, { 2: validity } as never, children);
  }
  // Lists and rare types: one concatenation, then a take with global row numbers.
  const starts = new Int32Array(parts.length);
  for (let b = 1; b < parts.length; b++) starts[b] = starts[b - 1]! + parts[b - 1]!.length;
  const global = new Int32Array(n);
  for (let j = 0; j < n; j++) global[j] = starts[batchOf[j]!]! + rowOf[j]!;
  return takeData(concatData(parts), global);
}

/** Row `j` of the result is row `rowOf[j]` of `batches[batchOf[j]]`; all batches share one schema. */
export function takeRowsMulti(
  batches: readonly RecordBatch[],
  batchOf: Int32Array,
  rowOf: Int32Array,
): RecordBatch {
  const first = batches[0]!;
  const columns = first.data.children.map((_, k) =>
    takeColumn(
      batches.map((b) => b.data.children[k]!),
      batchOf,
      rowOf,
    ),
  );
  return makeBatch(first.schema.fields, columns, first.schema.metadata, batchOf.length);
}
