import { Int32, makeData, type RecordBatch } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBatches, concatData } from '../../src/arrow/concat.js';
import { mixedBatch, mixedRow, plainRow } from '../helpers/arrow-rows.js';

function rowsOf(batch: RecordBatch): unknown[] {
  return Array.from({ length: batch.numRows }, (_, i) => plainRow(batch, i));
}

describe('concatBatches', () => {
  it('concatenates sliced batches of many column types into the same rows', () => {
    fc.assert(
      fc.property(
        fc.array(mixedRow, { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        (rows, cuts) => {
          const batch = mixedBatch(rows);
          // Cut the rows into consecutive slices and glue them back together.
          const points = [...new Set(cuts.map((c) => c % (rows.length + 1)))].sort((a, b) => a - b);
          const bounds = [0, ...points, rows.length];
          const slices: RecordBatch[] = [];
          for (let k = 0; k + 1 < bounds.length; k++) {
            if (bounds[k + 1]! > bounds[k]!) slices.push(batch.slice(bounds[k]!, bounds[k + 1]!));
          }
          const glued = concatBatches(slices);
          expect(glued.numRows).toBe(rows.length);
          expect(rowsOf(glued)).toEqual(rowsOf(batch));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps a single unsliced part as it is', () => {
    const data = makeData({ type: new Int32(), length: 3, data: Int32Array.of(1, 2, 3) });
    expect(concatData([data])).toBe(data);
  });
});
