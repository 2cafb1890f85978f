import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outOfBoundsMask } from '../../src/geometry/out-of-bounds.js';

describe('outOfBoundsMask', () => {
  it('marks a row when any side of its box leaves lon [-180, 180] / lat [-90, 90]', () => {
    const box = fc.tuple(
      fc.double({ noNaN: true }),
      fc.double({ noNaN: true }),
      fc.double({ noNaN: true }),
      fc.double({ noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(box, fc.constant(null)), { maxLength: 30 }), (boxes) => {
        const flat = new Float64Array(
          boxes.flatMap((b) => b ?? [Number.NaN, Number.NaN, Number.NaN, Number.NaN]),
        );
        const mask = outOfBoundsMask(flat);
        boxes.forEach((b, i) => {
          const out = b !== null && (b[0] < -180 || b[1] < -90 || b[2] > 180 || b[3] > 90);
          expect(mask[i]).toBe(out ? 1 : 0);
        });
      }),
    );
  });

  it('keeps the edges, drops partial overlap and infinities, keeps null/empty rows', () => {
    const rows = [
      [-180, -90, 180, 90],
      [170, 0, 181, 1],
      [0, -91, 1, 0],
      [Number.NEGATIVE_INFINITY, 0, 0, 0],
      [Number.NaN, Number.NaN, Number.NaN, Number.NaN],
    ];
    expect(Array.from(outOfBoundsMask(new Float64Array(rows.flat())))).toEqual([0, 1, 1, 1, 0]);
  });
});
