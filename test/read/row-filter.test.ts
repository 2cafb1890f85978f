/**
 * rowMask on batches that are slices of larger ones: Arrow's sliced Data keeps a bitmap offset
 * but already-sliced values, so the boxes must be read at the row's own index.
 */
import { Field, Float64, type RecordBatch, Struct, Table, vectorFromArray } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import type { GeoLayout } from '../../src/read/plain-chunks.js';
import { rowMask } from '../../src/read/row-filter.js';

const LAYOUT: GeoLayout = {
  geometry: 'geometry',
  encoding: 'WKB',
  covering: { column: 'bbox', fields: ['xmin', 'ymin', 'xmax', 'ymax'] },
  bbox: null,
  lonLat: true,
};

const BOX_TYPE = new Struct(['xmin', 'ymin', 'xmax', 'ymax'].map((n) => new Field(n, new Float64())));

describe('rowMask', () => {
  test('a null bound in a present box never matches, in the native and the TypeScript test', () => {
    // Row 1's xmin is null: SQL's bbox.xmin <= ... is NULL there, so DuckDB drops the row.
    const nullable = new Struct(
      ['xmin', 'ymin', 'xmax', 'ymax'].map((n) => new Field(n, new Float64(), true)),
    );
    const rows = [
      { xmin: 0, ymin: 0, xmax: 0.5, ymax: 0.5 },
      { xmin: null, ymin: 0, xmax: 0.5, ymax: 0.5 },
      { xmin: 0.2, ymin: 0.2, xmax: 0.3, ymax: 0.3 },
    ];
    const batch = new Table({ bbox: vectorFromArray(rows, nullable) }).batches[0]!;
    expect(Array.from(rowMask(batch, LAYOUT, [-1, -1, 1, 1], false, 'leaf nulls'))).toEqual([1, 0, 1]);
    // Without leaf nulls the native test runs, and agrees with the same rows made whole.
    const whole = new Table({ bbox: vectorFromArray([rows[0], rows[2]], BOX_TYPE) }).batches[0]!;
    expect(Array.from(rowMask(whole, LAYOUT, [-1, -1, 1, 1], false, 'whole'))).toEqual([1, 1]);
  });

  test('reads the boxes of a sliced batch at the slice, with nulls never matching', () => {
    // Row i has the box [i, i, i + 0.5, i + 0.5]; row 4 has a null box.
    const rows = Array.from({ length: 10 }, (_, i) =>
      i === 4 ? null : { xmin: i, ymin: i, xmax: i + 0.5, ymax: i + 0.5 },
    );
    const batch = new Table({ bbox: vectorFromArray(rows, BOX_TYPE) }).batches[0]!;
    for (const start of [0, 1, 3, 6]) {
      const slice: RecordBatch = batch.slice(start, 10);
      const mask = rowMask(slice, LAYOUT, [3.2, 3.2, 6, 6], false, 'sliced');
      const want = Array.from({ length: 10 - start }, (_, k) => {
        const i = start + k;
        return i !== 4 && i + 0.5 >= 3.2 && i <= 6 ? 1 : 0;
      });
      expect(Array.from(mask), `slice from ${start}`).toEqual(want);
    }
  });
});
