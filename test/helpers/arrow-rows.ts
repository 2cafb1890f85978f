/**
 * Random mixed-type Arrow batches for property tests, and rows of a batch as plain values.
 */
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

/** One row of every column type the tests mix: ints, floats, strings, booleans, int64, lists; nulls too. */
export const mixedRow = fc.record({
  i: fc.option(fc.integer(), { nil: null }),
  f: fc.option(fc.double({ noNaN: true }), { nil: null }),
  s: fc.option(fc.string({ unit: 'grapheme', maxLength: 40 }), { nil: null }),
  b: fc.option(fc.boolean(), { nil: null }),
  big: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  l: fc.option(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 4 }), { nil: null }),
});

/** A value of {@link mixedRow}. */
export type MixedRow = typeof mixedRow extends fc.Arbitrary<infer T> ? T : never;

/** The rows as one Arrow batch with typed columns. */
export function mixedBatch(rows: readonly MixedRow[]): RecordBatch {
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

function plain(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && 'toArray' in v) {
    return Array.from((v as { toArray(): ArrayLike<unknown> }).toArray());
  }
  return typeof v === 'bigint' ? v.toString() : v;
}

/** Row `i` of a batch as a plain object (lists as arrays, int64 as strings), for deep equality. */
export function plainRow(batch: RecordBatch, i: number): Record<string, unknown> {
  return Object.fromEntries(Object.entries(batch.get(i)!.toJSON()).map(([k, v]) => [k, plain(v)]));
}
