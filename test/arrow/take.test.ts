import {
  Bool,
  type DataType,
  DateDay,
  Decimal,
  Dictionary,
  Field,
  FixedSizeList,
  Float64,
  Int32,
  Int64,
  LargeUtf8,
  List,
  makeTable,
  type RecordBatch,
  Struct,
  TimestampMillisecond,
  tableFromArrays,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterRows, maskIndices, takeRows } from '../../src/arrow/take.js';

const n = 7;
const vectors = {
  i32: vectorFromArray([1, null, 3, 4, null, 6, 7], new Int32()),
  i64: vectorFromArray([1n, 2n, null, 4n, 5n, 6n, 7n], new Int64()),
  f64: vectorFromArray([0.5, 1.5, 2.5, null, 4.5, 5.5, 6.5], new Float64()),
  bool: vectorFromArray([true, false, null, true, true, false, true], new Bool()),
  str: vectorFromArray(
    ['a', 'bb', null, '', 'a long string that is longer than thirty-two bytes', 'ff', 'g'],
    new Utf8(),
  ),
  large: vectorFromArray(['x', null, 'yy', 'z', 'w', 'v', 'u'], new LargeUtf8()),
  list: vectorFromArray(
    [[1], [], null, [2, 3], [4], [5, 6, 7], [8]],
    new List(new Field('item', new Int32(), true)),
  ),
  fsl: vectorFromArray(
    [[1, 2], [3, 4], null, [5, 6], [7, 8], [9, 10], [11, 12]],
    new FixedSizeList(2, new Field('xy', new Float64(), true)),
  ),
  struct: vectorFromArray(
    [
      { a: 1, b: 'p' },
      { a: 2, b: null },
      null,
      { a: 4, b: 's' },
      { a: 5, b: 't' },
      { a: 6, b: 'u' },
      { a: 7, b: 'v' },
    ],
    new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]),
  ),
  dict: vectorFromArray(
    ['red', 'blue', 'red', null, 'green', 'blue', 'red'],
    new Dictionary(new Utf8(), new Int32()),
  ),
  ts: vectorFromArray([1, 2, 3, 4, null, 6, 7], new TimestampMillisecond()),
  date: vectorFromArray(
    [new Date(0), null, new Date(86400000), new Date(0), new Date(0), new Date(0), new Date(0)],
    new DateDay(),
  ),
  dec: vectorFromArray(
    [1n, 2n, 3n, 4n, 5n, 6n, 7n].map((v) => new Uint32Array([Number(v), 0, 0, 0])),
    new Decimal(2, 10, 128),
  ),
} satisfies Record<string, { type: DataType }>;

function batchOf(): RecordBatch {
  return makeTable(Object.fromEntries(Object.entries(vectors).map(([k, v]) => [k, v.data[0]!])) as never)
    .batches[0]! as unknown as RecordBatch;
}

/** Plain JS values of a batch's rows, for comparing with apache-arrow's own getters. */
function rowsOf(batch: RecordBatch): unknown[] {
  return Array.from({ length: batch.numRows }, (_, i) =>
    JSON.stringify(batch.get(i)?.toJSON(), (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)),
  );
}

describe('takeRows', () => {
  it('takes any index sequence (repeats, reorders, slices) for every column type', () => {
    const batch = batchOf();
    expect(batch.numCols).toBe(Object.keys(vectors).length);
    const all = rowsOf(batch);
    const sliced = batch.slice(2, 7);
    const slicedRows = rowsOf(sliced);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: n - 1 }), { maxLength: 20 }), fc.boolean(), (idx, useSlice) => {
        const source = useSlice ? sliced : batch;
        const rows = useSlice ? slicedRows : all;
        const valid = idx.filter((i) => i < source.numRows);
        const out = takeRows(source, Int32Array.from(valid));
        expect(out.numRows).toBe(valid.length);
        expect(out.schema.fields.map((f) => String(f.type))).toEqual(
          source.schema.fields.map((f) => String(f.type)),
        );
        expect(rowsOf(out)).toEqual(valid.map((i) => rows[i]));
      }),
    );
  });

  it('keeps null counts right', () => {
    const out = takeRows(batchOf(), Int32Array.from([1, 4]));
    expect(out.getChild('i32')!.nullCount).toBe(2);
    expect(out.getChild('f64')!.nullCount).toBe(0);
  });
});

describe('filterRows / maskIndices', () => {
  it('keeps rows whose mask byte is set', () => {
    const batch = tableFromArrays({ a: Int32Array.from([10, 20, 30, 40]) }).batches[0]!;
    expect(Array.from(maskIndices(Uint8Array.from([0, 1, 0, 2])))).toEqual([1, 3]);
    expect(
      filterRows(batch, Uint8Array.from([1, 0, 1, 0]))
        .getChild('a')!
        .toArray(),
    ).toEqual(Int32Array.from([10, 30]));
    expect(filterRows(batch, Uint8Array.from([1, 1, 1, 1]))).toBe(batch);
  });
});
