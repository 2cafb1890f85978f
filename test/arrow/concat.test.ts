import {
  Bool,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  makeData,
  type RecordBatch,
  Table,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBatches, concatData } from '../../src/arrow/concat.js';

function plain(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && 'toArray' in v)
    return Array.from((v as { toArray(): ArrayLike<unknown> }).toArray());
  return typeof v === 'bigint' ? v.toString() : v;
}

function rowsOf(batch: RecordBatch): unknown[] {
  return Array.from({ length: batch.numRows }, (_, i) =>
    Object.fromEntries(Object.entries(batch.get(i)!.toJSON()).map(([k, v]) => [k, plain(v)])),
  );
}

describe('concatBatches', () => {
  it('concatenates sliced batches of many column types into the same rows', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            i: fc.option(fc.integer(), { nil: null }),
            f: fc.option(fc.double({ noNaN: true }), { nil: null }),
            s: fc.option(fc.string({ unit: 'grapheme' }), { nil: null }),
            b: fc.option(fc.boolean(), { nil: null }),
            big: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
            l: fc.option(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 4 }), { nil: null }),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        (rows, cuts) => {
          const table = new Table({
            i: vectorFromArray(
              rows.map((r) => r.i),
              new Int32(),
            ),
            f: vectorFromArray(
              rows.map((r) => r.f),
              new Float64(),
            ),
            s: vectorFromArray(
              rows.map((r) => r.s),
              new Utf8(),
            ),
            b: vectorFromArray(
              rows.map((r) => r.b),
              new Bool(),
            ),
            big: vectorFromArray(
              rows.map((r) => r.big),
              new Int64(),
            ),
            l: vectorFromArray(
              rows.map((r) => r.l),
              new List(new Field('item', new Int32(), true)),
            ),
          });
          const batch = table.batches[0]!;
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
