import { Field, Float64, type RecordBatch, Struct, Table, Utf8, vectorFromArray } from 'apache-arrow';
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

  it('takes struct columns, with nulls at both levels, from sliced batches', () => {
    const item = fc.option(
      fc.record({
        x: fc.option(fc.double({ noNaN: true }), { nil: null }),
        s: fc.option(fc.string({ maxLength: 12 }), { nil: null }),
      }),
      { nil: null },
    );
    const type = new Struct([new Field('x', new Float64(), true), new Field('s', new Utf8(), true)]);
    fc.assert(
      fc.property(
        fc.array(fc.array(item, { minLength: 2, maxLength: 30 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 0, maxLength: 80 }),
        (tables, picks) => {
          const batches = tables.map((rows) =>
            new Table({ st: vectorFromArray(rows, type) }).batches[0]!.slice(1),
          );
          const b = Int32Array.from(picks, ([x]) => x % batches.length);
          const r = Int32Array.from(picks, ([x, y]) => y % batches[x % batches.length]!.numRows);
          const out = takeRowsMulti(batches, b, r);
          expect(out.numRows).toBe(picks.length);
          const value = (batch: RecordBatch, i: number) => batch.getChild('st')!.get(i)?.toJSON() ?? null;
          for (let j = 0; j < picks.length; j++) expect(value(out, j)).toEqual(value(batches[b[j]!]!, r[j]!));
        },
      ),
      { numRuns: 150 },
    );
  });
});
