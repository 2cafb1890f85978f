import {
  Bool,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  type RecordBatch,
  Table,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takeRowsMulti } from '../../src/arrow/take-multi.js';

function plain(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && 'toArray' in v)
    return Array.from((v as { toArray(): ArrayLike<unknown> }).toArray());
  return typeof v === 'bigint' ? v.toString() : v;
}

function row(batch: RecordBatch, i: number): unknown {
  return Object.fromEntries(Object.entries(batch.get(i)!.toJSON()).map(([k, v]) => [k, plain(v)]));
}

const record = fc.record({
  i: fc.option(fc.integer(), { nil: null }),
  f: fc.option(fc.double({ noNaN: true }), { nil: null }),
  s: fc.option(fc.string({ unit: 'grapheme', maxLength: 40 }), { nil: null }),
  b: fc.option(fc.boolean(), { nil: null }),
  big: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  l: fc.option(fc.array(fc.integer({ min: -9, max: 9 }), { maxLength: 3 }), { nil: null }),
});

type Row = typeof record extends fc.Arbitrary<infer T> ? T : never;

function batchOf(rows: Row[]): RecordBatch {
  return new Table({
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
  }).batches[0]!;
}

describe('takeRowsMulti', () => {
  it('takes rows from several (sliced) batches into one, in the order asked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(record, { minLength: 2, maxLength: 30 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 0, maxLength: 80 }),
        (tables, picks) => {
          // Slice off the first row of each batch, so buffers carry an offset.
          const batches = tables.map((rows) => batchOf(rows).slice(1));
          const b = Int32Array.from(picks, ([x]) => x % batches.length);
          const r = Int32Array.from(picks, ([x, y]) => y % batches[x % batches.length]!.numRows);
          const out = takeRowsMulti(batches, b, r);
          expect(out.numRows).toBe(picks.length);
          for (let j = 0; j < picks.length; j++) expect(row(out, j)).toEqual(row(batches[b[j]!]!, r[j]!));
        },
      ),
      { numRuns: 150 },
    );
  });
});
