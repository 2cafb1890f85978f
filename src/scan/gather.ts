/**
 * Gathering the rows of one output file from the spilled batches, in final order.
 */
import type { RecordBatch } from 'apache-arrow';
import { takeRowsMulti } from '../arrow/take-multi.js';

/**
 * The rows `(batchOf[j], rowOf[j])` for j = 0..n-1, as one batch in that order. Each spilled
 * batch that holds rows is read once (by `read`), and the rows are copied once.
 */
export function gatherRows(
  batchOf: Int32Array,
  rowOf: Int32Array,
  read: (batchId: number) => RecordBatch,
): RecordBatch {
  const n = batchOf.length;
  // The batches that hold rows, in id order, and each row's index into that list.
  const slot = new Map<number, number>();
  for (let j = 0; j < n; j++) if (!slot.has(batchOf[j]!)) slot.set(batchOf[j]!, 0);
  const ids = [...slot.keys()].sort((a, b) => a - b);
  for (const [i, id] of ids.entries()) slot.set(id, i);
  const local = new Int32Array(n);
  for (let j = 0; j < n; j++) local[j] = slot.get(batchOf[j]!)!;
  return takeRowsMulti(
    ids.map((id) => read(id)),
    local,
    rowOf,
  );
}
