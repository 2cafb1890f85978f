/**
 * Taking rows from several batches of one schema in one copy: row `j` of the result is row
 * `rowOf[j]` of batch `batchOf[j]`. Used by write tasks to gather an output file's rows from
 * the spilled batches. Flat columns (fixed width, booleans, strings and binaries) are copied
 * directly; nested columns go through concatenation and a take.
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

function takeColumn(parts: readonly Data[], batchOf: Int32Array, rowOf: Int32Array): Data {
  const first = parts[0]!;
  const t = first.type;
  const n = batchOf.length;
  if (isFixedWidth(t)) {
    const [validity, nulls] = takeValidity(parts, batchOf, rowOf);
    const stride = first.stride;
    const out = new (first.values.constructor as TypedCtor)(n * stride);
    // apache-arrow slices data buffers with the Data: index values from 0.
    const values = parts.map((p) => p.values as unknown as Typed);
    if (stride === 1) {
      for (let j = 0; j < n; j++) out[j] = values[batchOf[j]!]![rowOf[j]!]!;
    } else {
      for (let j = 0; j < n; j++) {
        const v = values[batchOf[j]!]!;
        const s = rowOf[j]! * stride;
        for (let k = 0; k < stride; k++) out[j * stride + k] = v[s + k]!;
      }
    }
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
  // Nested and rare types: one concatenation, then a take with global row numbers.
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
