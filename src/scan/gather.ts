/**
 * Gathering the rows of one output file from the spilled batches, in final order.
 */
import type { RecordBatch } from 'apache-arrow';
import { concatBatches } from '../arrow/concat.js';
import { takeRows } from '../arrow/take.js';

/**
 * The rows `(batchOf[j], rowOf[j])` for j = 0..n-1, as one batch in that order. Each spilled
 * batch that holds rows is read once (by `read`), only its wanted rows are kept, and the kept
 * pieces are put in final order with one last take.
 */
export function gatherRows(
  batchOf: Int32Array,
  rowOf: Int32Array,
  read: (batchId: number) => RecordBatch,
): RecordBatch {
  const n = batchOf.length;
  // Rows grouped by batch (ascending), keeping final order inside each group.
  const byBatch = new Map<number, number[]>();
  for (let j = 0; j < n; j++) {
    const b = batchOf[j]!;
    const list = byBatch.get(b);
    if (list) list.push(j);
    else byBatch.set(b, [j]);
  }
  const ids = [...byBatch.keys()].sort((a, b) => a - b);
  const pieces: RecordBatch[] = [];
  const position = new Int32Array(n); // final position -> row in the concatenated pieces
  let at = 0;
  for (const id of ids) {
    const finals = byBatch.get(id)!;
    const local = new Int32Array(finals.length);
    for (let k = 0; k < finals.length; k++) {
      local[k] = rowOf[finals[k]!]!;
      position[finals[k]!] = at + k;
    }
    pieces.push(takeRows(read(id), local));
    at += finals.length;
  }
  return takeRows(concatBatches(pieces), position);
}
