import { Data, Field, Float64, RecordBatch, Struct, Table, Utf8, vectorFromArray } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takeBinary, takeBits, takeFixed } from '../../src/io/codecs.js';
import { takeRowsMulti } from '../../src/io/take-multi.js';
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

describe('the codec addon gathers', () => {
  const parts = Int32Array.of(2, 1);
  it('refuse a part or row out of range, before reading it', () => {
    const values = [new Uint8Array(16), new Uint8Array(8)];
    expect(() => takeFixed(values, 8, parts, Int32Array.of(2), Int32Array.of(0))).toThrow(RangeError);
    expect(() => takeFixed(values, 8, parts, Int32Array.of(1), Int32Array.of(1))).toThrow(
      /row 0 is out of range/,
    );
    expect(() => takeFixed(values, 8, parts, Int32Array.of(0, 0), Int32Array.of(1, -1))).toThrow(/row 1/);
    expect(() =>
      takeBits([null, new Uint8Array(1)], Int32Array.of(0, 0), parts, Int32Array.of(0), Int32Array.of(2)),
    ).toThrow(RangeError);
  });
  it('refuse buffers shorter than their rows and offsets past their values', () => {
    expect(() =>
      takeFixed([new Uint8Array(15), new Uint8Array(8)], 8, parts, new Int32Array(0), new Int32Array(0)),
    ).toThrow(/shorter than its rows/);
    expect(() =>
      takeBits([new Uint8Array(1), null], Int32Array.of(7, 0), parts, new Int32Array(0), new Int32Array(0)),
    ).toThrow(/shorter than its rows/);
    const offsets = [Int32Array.of(0, 2, 9), Int32Array.of(0, 1)];
    const values = [new Uint8Array(4), new Uint8Array(1)];
    expect(() => takeBinary(offsets, values, parts, Int32Array.of(0), Int32Array.of(1))).toThrow(
      /offsets are out of range/,
    );
    const taken = takeBinary(offsets, values, parts, Int32Array.of(1, 0), Int32Array.of(0, 0));
    expect(Array.from(new Int32Array(taken.offsets))).toEqual([0, 1, 3]);
  });
  it('count the clear bits they gather, a null bitmap being all ones', () => {
    const bits = [Uint8Array.of(0b10), null];
    const { bits: out, zeros } = takeBits(
      bits,
      Int32Array.of(0, 0),
      parts,
      Int32Array.of(0, 1, 0),
      Int32Array.of(1, 0, 0),
    );
    expect(new Uint8Array(out)[0]).toBe(0b011);
    expect(zeros).toBe(1);
  });
});

describe('takeRowsMulti with empty parts', () => {
  it('takes from parts beside an empty one whose writer left its buffers out', () => {
    const full = new Table({
      s: vectorFromArray(['a', 'bc', null], new Utf8()),
      x: vectorFromArray([1.5, 2.5, 3.5], new Float64()),
    }).batches[0]!;
    // An empty part as an IPC writer may give it: offsets and values absent.
    const emptyColumn = (d: Data) =>
      new Data(d.type, 0, 0, 0, { 0: new Int32Array(0), 1: undefined, 2: undefined } as never);
    const empty = new RecordBatch(
      full.schema,
      new Data(full.data.type, 0, 0, 0, {}, full.data.children.map(emptyColumn)),
    );
    const out = takeRowsMulti([empty, full], Int32Array.of(1, 1, 1), Int32Array.of(2, 0, 1));
    expect(out.getChild('s')!.toArray()).toEqual([null, 'a', 'bc']);
    expect(Array.from(out.getChild('x')!.toArray() as Float64Array)).toEqual([3.5, 1.5, 2.5]);
  });

  it('takes rows of zero bytes, checking their indices', () => {
    expect(
      new Uint8Array(
        takeFixed([new Uint8Array(0)], 0, Int32Array.of(3), Int32Array.of(0, 0), Int32Array.of(2, 1)),
      ).length,
    ).toBe(0);
    expect(() =>
      takeFixed([new Uint8Array(0)], 0, Int32Array.of(3), Int32Array.of(0), Int32Array.of(3)),
    ).toThrow(RangeError);
  });
});
