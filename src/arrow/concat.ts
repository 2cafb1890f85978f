/**
 * Concatenating Arrow data of one type into a single contiguous `Data`, buffer by buffer, so a
 * write task can gather the rows of one output file from several spilled batches.
 */
import { Data, DataType, makeBuilder, makeVector, type RecordBatch } from 'apache-arrow';
import { makeBatch } from './batch.js';
import { isFixedWidth } from './take.js';

type Typed = { length: number; subarray(s: number, e: number): Typed; set(src: Typed, at: number): void };
type TypedCtor = new (n: number) => Typed;

function concatTyped(parts: readonly Typed[]): Typed {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new (parts[0]!.constructor as TypedCtor)(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function concatBits(
  parts: readonly { bits: Uint8Array | null; offset: number; length: number }[],
): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array((n + 7) >> 3);
  let j = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++, j++) {
      const b = p.offset + i;
      if (p.bits === null || ((p.bits[b >> 3]! >> (b & 7)) & 1) === 1) out[j >> 3]! |= 1 << (j & 7);
    }
  }
  return out;
}

function validityOf(parts: readonly Data[]): [Uint8Array | null, number] {
  let nulls = 0;
  for (const p of parts) nulls += p.nullCount;
  if (nulls === 0) return [null, 0];
  const bits = concatBits(
    parts.map((p) => ({
      bits: p.nullCount > 0 ? (p.nullBitmap as Uint8Array) : null,
      offset: p.offset,
      length: p.length,
    })),
  );
  return [bits, nulls];
}

/** Offsets of the parts rebased into one run, plus each part's child range `[start, end)`. */
function concatOffsets(parts: readonly Data[]): {
  offsets: Int32Array | BigInt64Array;
  ranges: [number, number][];
} {
  const big = parts[0]!.valueOffsets instanceof BigInt64Array;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float64Array(n + 1);
  const ranges: [number, number][] = [];
  let j = 0;
  for (const p of parts) {
    // Offsets are sliced with the Data, so entry 0 belongs to the Data's first row.
    const o = p.valueOffsets as Int32Array | BigInt64Array;
    const s = Number(o[0]!);
    for (let i = 1; i <= p.length; i++) out[j + i] = out[j]! + Number(o[i]!) - s;
    ranges.push([s, Number(o[p.length]!)]);
    j += p.length;
  }
  return { offsets: big ? BigInt64Array.from(out, BigInt) : Int32Array.from(out), ranges };
}

/** The parts (all of one type) as one `Data` with offset 0. */
export function concatData(parts: readonly Data[]): Data {
  const first = parts[0]!;
  if (parts.length === 1 && first.offset === 0) return first;
  const t = first.type;
  let n = 0;
  for (const p of parts) n += p.length;
  const [validity, nullCount] = validityOf(parts);
  const make = (buffers: Record<number, unknown>, children: Data[] = []): Data =>
    new Data(t, 0, n, nullCount, { ...buffers, 2: validity } as never, children, first.dictionary);

  if (DataType.isNull(t)) return new Data(t, 0, n, n);
  if (DataType.isBool(t)) {
    return make({
      1: concatBits(parts.map((p) => ({ bits: p.values as Uint8Array, offset: p.offset, length: p.length }))),
    });
  }
  if (isFixedWidth(t)) {
    const stride = first.stride;
    // apache-arrow slices data buffers with the Data (only bitmaps keep a bit offset).
    const slices = parts.map((p) => (p.values as unknown as Typed).subarray(0, p.length * stride));
    return make({ 1: concatTyped(slices) });
  }
  if (DataType.isBinary(t) || DataType.isUtf8(t) || DataType.isLargeBinary(t) || DataType.isLargeUtf8(t)) {
    const { offsets, ranges } = concatOffsets(parts);
    const values = concatTyped(
      parts.map((p, i) => (p.values as Uint8Array).subarray(ranges[i]![0], ranges[i]![1])),
    );
    return make({ 0: offsets, 1: values });
  }
  if (DataType.isList(t) || DataType.isLargeList(t) || DataType.isMap(t)) {
    const { offsets, ranges } = concatOffsets(parts);
    const child = concatData(
      parts.map((p, i) => p.children[0]!.slice(ranges[i]![0], ranges[i]![1] - ranges[i]![0])),
    );
    return make({ 0: offsets }, [child]);
  }
  if (DataType.isFixedSizeList(t)) {
    const size = t.listSize;
    // Children of fixed-size lists and structs are sliced together with their parent.
    const child = concatData(parts.map((p) => p.children[0]!.slice(0, p.length * size)));
    return make({}, [child]);
  }
  if (DataType.isStruct(t)) {
    const children = first.children.map((_, k) =>
      concatData(parts.map((p) => p.children[k]!.slice(0, p.length))),
    );
    return make({}, children);
  }
  // Unions, dictionaries with differing dictionaries and view types: rare; go through builders.
  const builder = makeBuilder({ type: t, nullValues: [null, undefined] });
  for (const p of parts) {
    const v = makeVector(p);
    for (let i = 0; i < v.length; i++) builder.append(v.get(i));
  }
  return builder.finish().flush();
}

/** The batches (one schema) as one batch. */
export function concatBatches(batches: readonly RecordBatch[]): RecordBatch {
  const first = batches[0]!;
  if (batches.length === 1) return first;
  const columns = first.data.children.map((_, k) => concatData(batches.map((b) => b.data.children[k]!)));
  let n = 0;
  for (const b of batches) n += b.numRows;
  return makeBatch(first.schema.fields, columns, first.schema.metadata, n);
}
