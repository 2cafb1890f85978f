/**
 * The size of one row of a batch in bytes, as its column buffers hold it: fixed-width values at
 * their width, strings and binaries at their length plus a 4-byte offset, lists and structs as
 * the sum of their children. Used to keep `_sample` under a byte budget.
 */
import { type Data, DataType, type RecordBatch } from 'apache-arrow';
import { isFixedWidth } from './take.js';

function dataRowBytes(d: Data, row: number): number {
  const t = d.type;
  // apache-arrow slices value and offset buffers with the Data: index them from 0.
  const i = row;
  if (isFixedWidth(t))
    return (d.values as ArrayLike<unknown> & { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT * d.stride;
  if (DataType.isBool(t) || DataType.isNull(t)) return 1;
  if (DataType.isBinary(t) || DataType.isUtf8(t)) {
    const o = d.valueOffsets as Int32Array;
    return 4 + o[i + 1]! - o[i]!;
  }
  if (DataType.isLargeBinary(t) || DataType.isLargeUtf8(t)) {
    const o = d.valueOffsets as unknown as BigInt64Array;
    return 8 + Number(o[i + 1]! - o[i]!);
  }
  if (DataType.isList(t)) {
    const o = d.valueOffsets as Int32Array;
    const child = d.children[0]!;
    let sum = 4;
    for (let k = o[i]!; k < o[i + 1]!; k++) sum += dataRowBytes(child, k);
    return sum;
  }
  if (DataType.isFixedSizeList(t)) {
    const child = d.children[0]!;
    let sum = 0;
    for (let k = i * t.listSize; k < (i + 1) * t.listSize; k++) sum += dataRowBytes(child, k);
    return sum;
  }
  if (DataType.isStruct(t)) return d.children.reduce((a, c) => a + dataRowBytes(c, row), 0);
  // Maps, unions, dictionaries and the rest: a flat guess, enough for a budget.
  return 8;
}

/** Bytes of row `row` of `batch` (see the module comment). */
export function rowBytes(batch: RecordBatch, row: number): number {
  let sum = 0;
  for (const c of batch.data.children) sum += dataRowBytes(c, row);
  return sum;
}
