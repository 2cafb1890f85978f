/**
 * Row selection on Arrow data by an index array: `takeRows` (explode's `parentRow`, reordering)
 * and `filterRows` (masks such as out-of-bounds). Columns are copied buffer by buffer; only
 * types without a buffer path here (unions, view types) fall back to apache-arrow's builders.
 */
import { Data, DataType, makeBuilder, makeVector, type RecordBatch } from 'apache-arrow';
import { makeBatch } from './batch.js';

type Numeric = { length: number; [i: number]: number | bigint };
type TypedCtor = new (n: number) => Numeric & { set(src: ArrayLike<number | bigint>, offset?: number): void };

/** True for types whose values sit in one buffer at a fixed stride (no offsets, no children). */
export function isFixedWidth(t: DataType): boolean {
  return (
    DataType.isInt(t) ||
    DataType.isFloat(t) ||
    DataType.isDate(t) ||
    DataType.isTime(t) ||
    DataType.isTimestamp(t) ||
    DataType.isDuration(t) ||
    DataType.isInterval(t) ||
    DataType.isDecimal(t) ||
    DataType.isFixedSizeBinary(t)
  );
}

/** A batch of the rows `indices` of `batch`, in that order (an index may repeat). */
export function takeRows(batch: RecordBatch, indices: Int32Array): RecordBatch {
  const columns = batch.data.children.map((c) => takeData(c, indices));
  return makeBatch(batch.schema.fields, columns, batch.schema.metadata, indices.length);
}

/**
 * A batch of the rows `indices` of `batch` with column `replace` set to `data` (which already
 * has `indices.length` rows). That column is not taken, so a large geometry is never copied
 * once per piece it was cut into.
 */
export function takeRowsReplacing(
  batch: RecordBatch,
  indices: Int32Array,
  replace: number,
  data: Data,
): RecordBatch {
  const columns = batch.data.children.map((c, i) => (i === replace ? data : takeData(c, indices)));
  return makeBatch(batch.schema.fields, columns, batch.schema.metadata, indices.length);
}

/** `batch` with column `replace` set to `data` (the same rows); the other columns are shared, not copied. */
export function replaceColumn(batch: RecordBatch, replace: number, data: Data): RecordBatch {
  const columns = batch.data.children.map((c, i) => (i === replace ? data : c));
  return makeBatch(batch.schema.fields, columns, batch.schema.metadata, batch.numRows);
}

/** A batch of the rows of `batch` whose `keep` byte is non-zero; `batch` itself when all are kept. */
export function filterRows(batch: RecordBatch, keep: Uint8Array): RecordBatch {
  const indices = maskIndices(keep);
  return indices.length === batch.numRows ? batch : takeRows(batch, indices);
}

/** Indices `i` (ascending) where `mask[i]` is non-zero. */
export function maskIndices(mask: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) n++;
  const out = new Int32Array(n);
  for (let i = 0, j = 0; i < mask.length; i++) if (mask[i] !== 0) out[j++] = i;
  return out;
}

/** The elements `indices` of one column, as new `Data` with offset 0. */
export function takeData(data: Data, indices: Int32Array): Data {
  const t = data.type;
  const n = indices.length;
  const [validity, nullCount] = takeValidity(data, indices);
  const make = (buffers: Record<number, unknown>, children: Data[] = []): Data =>
    new Data(t, 0, n, nullCount, { ...buffers, 2: validity } as never, children, data.dictionary);

  if (DataType.isNull(t)) return new Data(t, 0, n, n);
  if (DataType.isBool(t)) return make({ 1: takeBits(data.values as Uint8Array, data.offset, indices) });
  if (DataType.isDictionary(t) || isFixedWidth(t)) {
    return make({ 1: takeFixed(data.values as unknown as Numeric, data.stride, indices) });
  }
  if (DataType.isBinary(t) || DataType.isUtf8(t) || DataType.isLargeBinary(t) || DataType.isLargeUtf8(t)) {
    const [offsets, values] = takeBytes(
      data.valueOffsets as Int32Array | BigInt64Array,
      data.values,
      indices,
    );
    return make({ 0: offsets, 1: values });
  }
  if (DataType.isList(t) || DataType.isLargeList(t) || DataType.isMap(t)) {
    const [offsets, childIdx] = takeRanges(data.valueOffsets as Int32Array | BigInt64Array, indices);
    return make({ 0: offsets }, [takeData(data.children[0]!, childIdx)]);
  }
  if (DataType.isFixedSizeList(t)) {
    const size = t.listSize;
    const childIdx = new Int32Array(n * size);
    for (let j = 0; j < n; j++)
      for (let k = 0; k < size; k++) childIdx[j * size + k] = indices[j]! * size + k;
    return make({}, [takeData(data.children[0]!, childIdx)]);
  }
  if (DataType.isStruct(t)) {
    return make(
      {},
      data.children.map((c) => takeData(c, indices)),
    );
  }
  return takeWithBuilder(data, indices);
}

function takeValidity(data: Data, indices: Int32Array): [Uint8Array | null, number] {
  const bitmap = data.nullBitmap as Uint8Array | null | undefined;
  if (DataType.isNull(data.type) || data.nullCount === 0 || !bitmap || bitmap.length === 0) return [null, 0];
  const out = takeBits(bitmap, data.offset, indices);
  let valid = 0;
  for (let j = 0; j < indices.length; j++) valid += (out[j >> 3]! >> (j & 7)) & 1;
  return valid === indices.length ? [null, 0] : [out, indices.length - valid];
}

function takeBits(bits: Uint8Array, bitOffset: number, indices: Int32Array): Uint8Array {
  const out = new Uint8Array((indices.length + 7) >> 3);
  for (let j = 0; j < indices.length; j++) {
    const b = bitOffset + indices[j]!;
    if (((bits[b >> 3] ?? 0) >> (b & 7)) & 1) out[j >> 3]! |= 1 << (j & 7);
  }
  return out;
}

function takeFixed(values: Numeric, stride: number, indices: Int32Array): Numeric {
  const out = new (values.constructor as TypedCtor)(indices.length * stride);
  if (stride === 1) {
    for (let j = 0; j < indices.length; j++) out[j] = values[indices[j]!]!;
    return out;
  }
  for (let j = 0; j < indices.length; j++) {
    const s = indices[j]! * stride;
    for (let k = 0; k < stride; k++) out[j * stride + k] = values[s + k]!;
  }
  return out;
}

function takeBytes(
  offsets: Int32Array | BigInt64Array,
  values: Uint8Array,
  indices: Int32Array,
): [Int32Array | BigInt64Array, Uint8Array] {
  const n = indices.length;
  const at = (i: number): number => Number(offsets[i]!);
  let total = 0;
  for (let j = 0; j < n; j++) total += at(indices[j]! + 1) - at(indices[j]!);
  const outValues = new Uint8Array(total);
  // Offsets of the input's width: 32-bit ones hold any total the input held.
  const outOffsets = offsets instanceof Int32Array ? new Int32Array(n + 1) : new Float64Array(n + 1);
  let pos = 0;
  for (let j = 0; j < n; j++) {
    const s = at(indices[j]!);
    const e = at(indices[j]! + 1);
    if (e - s > 32) outValues.set(values.subarray(s, e), pos);
    else for (let k = s; k < e; k++) outValues[pos + (k - s)] = values[k]!;
    pos += e - s;
    outOffsets[j + 1] = pos;
  }
  return [outOffsets instanceof Int32Array ? outOffsets : castOffsets(offsets, outOffsets), outValues];
}

/** New list offsets and the child indices covered by the taken lists. */
function takeRanges(
  offsets: Int32Array | BigInt64Array,
  indices: Int32Array,
): [Int32Array | BigInt64Array, Int32Array] {
  const n = indices.length;
  const at = (i: number): number => Number(offsets[i]!);
  const outOffsets = new Float64Array(n + 1);
  for (let j = 0; j < n; j++) outOffsets[j + 1] = outOffsets[j]! + at(indices[j]! + 1) - at(indices[j]!);
  const childIdx = new Int32Array(outOffsets[n]!);
  for (let j = 0, c = 0; j < n; j++) {
    for (let k = at(indices[j]!), e = at(indices[j]! + 1); k < e; k++) childIdx[c++] = k;
  }
  return [castOffsets(offsets, outOffsets), childIdx];
}

function castOffsets(like: Int32Array | BigInt64Array, offsets: Float64Array): Int32Array | BigInt64Array {
  // new Int32Array(typed array) copies natively; Int32Array.from would iterate.
  return like instanceof BigInt64Array ? BigInt64Array.from(offsets, BigInt) : new Int32Array(offsets);
}

function takeWithBuilder(data: Data, indices: Int32Array): Data {
  const vector = makeVector(data);
  const builder = makeBuilder({ type: data.type, nullValues: [null, undefined] });
  for (let j = 0; j < indices.length; j++) builder.append(vector.get(indices[j]!));
  return builder.finish().flush();
}
