import type { RecordBatch } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takeRowsMulti } from '../../src/arrow/take-multi.js';
import { mixedBatch, mixedRow, plainRow } from '../helpers/arrow-rows.js';

describe('takeRowsMulti', () => {
  it('takes rows from several (sliced) batches into one, in the order asked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(mixedRow, { minLength: 2, maxLength: 30 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 0, maxLength: 80 }),
        (tables, picks) => {
          // Slice off the first row of each batch, so buffers carry an offset.
          const batches: RecordBatch[] = tables.map((rows) => mixedBatch(rows).slice(1));
          const b = Int32Array.from(picks, ([x]) => x % batches.length);
          const r = Int32Array.from(picks, ([x, y]) => y % batches[x % batches.length]!.numRows);
          const out = takeRowsMulti(batches, b, r);
          expect(out.numRows).toBe(picks.length);
          for (let j = 0; j < picks.length; j++)
            expect(plainRow(out, j)).toEqual(plainRow(batches[b[j]!]!, r[j]!));
        },
      ),
      { numRuns: 150 },
    );
  });
});
