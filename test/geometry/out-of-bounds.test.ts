import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstNonFinite } from '../../src/geometry/non-finite.js';
import { BOUNDS_TOLERANCE, outOfBoundsMask } from '../../src/geometry/out-of-bounds.js';
import { encodeWkb, wkbColumnOf } from '../helpers/wkb-codec.js';

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

describe('outOfBoundsMask with a tolerance', () => {
  it('keeps boxes past a bound by at most the tolerance, and keeps the bounds exact by default', () => {
    const rows = [
      [-180, -90, 180.00000000000006, 90],
      [-180.0000000005, -90.0000000005, 0, 0],
      [0, 0, 180.000000002, 0],
      [0, 0, 0, 90.000000002],
    ];
    const flat = new Float64Array(rows.flat());
    expect(Array.from(outOfBoundsMask(flat, BOUNDS_TOLERANCE))).toEqual([0, 0, 1, 1]);
    expect(Array.from(outOfBoundsMask(flat))).toEqual([1, 1, 1, 1]);
  });
});

describe('firstNonFinite', () => {
  const point = (x: number, y: number) =>
    encodeWkb({ type: 1, z: false, m: false, le: true, ewkb: false, coords: [[x, y]] });
  it('finds Infinity and a lone NaN, and passes empty points and null rows', () => {
    const empty = point(Number.NaN, Number.NaN);
    expect(firstNonFinite(wkbColumnOf([point(1, 2), empty, null]))).toBeNull();
    expect(firstNonFinite(wkbColumnOf([point(1, 2), empty, point(Number.POSITIVE_INFINITY, 2)]))).toEqual({
      row: 2,
      x: Number.POSITIVE_INFINITY,
      y: 2,
    });
    const polygon = encodeWkb({
      type: 3,
      z: true,
      m: false,
      le: false,
      ewkb: false,
      rings: [
        [
          [0, 0, 1],
          [1, 0, 1],
          [1, Number.NaN, 1],
          [0, 0, 1],
        ],
      ],
    });
    expect(firstNonFinite(wkbColumnOf([null, polygon]))).toEqual({ row: 1, x: 1, y: Number.NaN });
  });
});
