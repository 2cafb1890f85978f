/**
 * Taking rows from several batches of one schema in one copy: row `j` of the result is row
 * `rowOf[j]` of batch `batchOf[j]`. Used by write tasks to gather an output file's rows from
 * the spilled batches, and by table reads to gather the rows a box keeps. Flat columns (fixed
 * width, booleans, strings and binaries) and structs of them are copied directly; lists and
 * other nested columns go through concatenation and a take.
 */
import { Data, DataType, type RecordBatch } from 'apache-arrow';
import { makeBatch } from './batch.js';
import { concatData } from './concat.js';
import { isFixedWidth, takeData } from './take.js';

type Typed = { length: number; [i: number]: number | bigint };
type TypedCtor = new (n: number) => Typed;

function bit(bits: Uint8Array, i: number): number {
  return (bits[i >> 3]! >> (i & 7)) & 1;
}

function takeValidity(
  parts: readonly Data[],
  batchOf: Int32Array,
  rowOf: Int32Array,
): [Uint8Array | null, number] {
  if (parts.every((p) => p.nullCount === 0)) return [null, 0];
  const n = batchOf.length;
  const out = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let j = 0; j < n; j++) {
    const p = parts[batchOf[j]!]!;
    const valid = p.nullCount === 0 || bit(p.nullBitmap as Uint8Array, p.offset + rowOf[j]!) === 1;
    if (valid) out[j >> 3]! |= 1 << (j & 7);
    else nulls++;
  }
  return nulls === 0 ? [null, 0] : [out, nulls];
}

/** Copies row `rowOf[j]` of `src[batchOf[j]]` (each row `w` units) to row `j` of `out`. */
function copyRows<A extends Int32Array | Uint8Array>(
  out: A,
  src: readonly A[],
  batchOf: Int32Array,
  rowOf: Int32Array,
  w: number,
): void {
  const n = batchOf.length;
  if (w === 1) {
    for (let j = 0; j < n; j++) out[j] = src[batchOf[j]!]![rowOf[j]!]!;
    return;
  }
  if (w === 2) {
    for (let j = 0; j < n; j++) {
      const v = src[batchOf[j]!]!;
      const s = 2 * rowOf[j]!;
      out[2 * j] = v[s]!;
      out[2 * j + 1] = v[s + 1]!;
    }
    return;
  }
  for (let j = 0; j < n; j++) {
    const v = src[batchOf[j]!]!;
    const s = rowOf[j]! * w;
    for (let k = 0; k < w; k++) out[j * w + k] = v[s + k]!;
  }
}

function takeColumn(parts: readonly Data[], batchOf: Int32Array, rowOf: Int32Array): Data {
  const first = parts[0]!;
  const t = first.type;
  const n = batchOf.length;
  if (isFixedWidth(t)) {
    const [validity, nulls] = takeValidity(parts, batchOf, rowOf);
    const stride = first.stride;
    const Ctor = first.values.constructor as TypedCtor & { BYTES_PER_ELEMENT: number };
    // The values copied as their bytes, in 32-bit words when they align: one element type for
    // every column, so the loop stays monomorphic whatever the column's type.
    const rowBytes = stride * Ctor.BYTES_PER_ELEMENT;
    // apache-arrow slices data buffers with the Data: index values from 0.
    const views = parts.map((p) => p.values as unknown as ArrayBufferView);
    const words = rowBytes % 4 === 0 && views.every((v) => v.byteOffset % 4 === 0);
    const buffer = new ArrayBuffer(n * rowBytes);
    if (words) {
      const w = rowBytes / 4;
      const src = views.map((v) => new Int32Array(v.buffer, v.byteOffset, v.byteLength >> 2));
      copyRows(new Int32Array(buffer), src, batchOf, rowOf, w);
    } else {
      const src = views.map((v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      copyRows(new Uint8Array(buffer), src, batchOf, rowOf, rowBytes);
    }
    const out = new (Ctor as unknown as new (b: ArrayBuffer, o: number, n: number) => Typed)(
      buffer,
      0,
      n * stride,
    );
    return new Data(t, 0, n, nulls, { 1: out, 2: validity } as never);
  }
  if (DataType.isBool(t)) {
    const [validity, nulls] = takeValidity(parts, batchOf, rowOf);
    const out = new Uint8Array((n + 7) >> 3);
    for (let j = 0; j < n; j++) {
      const p = parts[batchOf[j]!]!;
      if (bit(p.values as Uint8Array, p.offset + rowOf[j]!) === 1) out[j >> 3]! |= 1 << (j & 7);
    }
    return new Data(t, 0, n, nulls, { 1: out, 2: validity } as never);
  }
  if (DataType.isBinary(t) || DataType.isUtf8(t)) {
    const [validity, nulls] = takeValidity(parts, batchOf, rowOf);
    const offs = parts.map((p) => p.valueOffsets as Int32Array);
    const vals = parts.map((p) => p.values as Uint8Array);
    const offsets = new Int32Array(n + 1);
    let total = 0;
    for (let j = 0; j < n; j++) {
      const o = offs[batchOf[j]!]!;
      total += o[rowOf[j]! + 1]! - o[rowOf[j]!]!;
      offsets[j + 1] = total;
    }
    const out = new Uint8Array(total);
    for (let j = 0; j < n; j++) {
      const o = offs[batchOf[j]!]!;
      const s = o[rowOf[j]!]!;
      const e = o[rowOf[j]! + 1]!;
      const v = vals[batchOf[j]!]!;
      const at = offsets[j]!;
      if (e - s > 32) out.set(v.subarray(s, e), at);
      else for (let k = s; k < e; k++) out[at + k - s] = v[k]!;
    }
    return new Data(t, 0, n, nulls, { 0: offsets, 1: out, 2: validity } as never);
  }
  if (DataType.isStruct(t)) {
    // Children are sliced with their struct (apache-arrow): taken by the same row numbers.
    const [validity, nulls] = takeValidity(parts, batchOf, rowOf);
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
