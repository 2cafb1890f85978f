import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WeightedMedian } from '../../src/partition/weighted-median.js';

/** Brute force: sort, walk to half, sum below and equal. */
function bruteForce(vals: number[], wts: number[]) {
  const half = wts.reduce((s, w) => s + w, 0) / 2;
  const idx = vals.map((_, i) => i).sort((p, q) => vals[p]! - vals[q]!);
  let cum = 0;
  let value = vals[idx[idx.length - 1]!]!;
  for (const i of idx) {
    cum += wts[i]!;
    if (cum >= half) {
      value = vals[i]!;
      break;
    }
  }
  let below = 0;
  let equal = 0;
  vals.forEach((v, i) => {
    if (v < value) below += wts[i]!;
    if (v === value) equal += wts[i]!;
  });
  return { value, below, equal, half };
}

function run(vals: number[], wts: number[], offset = 3) {
  // The range starts at `offset` inside larger arrays, as in the splitter.
  const pad = new Array(offset).fill(-1);
  const v = Float64Array.from([...pad, ...vals, 99]);
  const w = Float64Array.from([...pad, ...wts, 99]);
  const before = Array.from(v);
  const wm = new WeightedMedian();
  const expected = bruteForce(vals, wts);
  wm.find(v, w, offset, offset + vals.length, Math.min(...vals), Math.max(...vals), expected.half);
  expect(Array.from(v), 'input left untouched').toEqual(before);
  return { got: { value: wm.value, below: wm.below, equal: wm.equal }, expected };
}

describe('WeightedMedian', () => {
  it('finds the value where the cumulative weight reaches half, with the weight below and at it', () => {
    const value = fc.oneof(
      fc.integer({ min: -5, max: 5 }).map((i) => i / 2), // many ties
      fc.double({ min: -180, max: 180, noNaN: true }),
      fc.integer({ min: -3, max: 3 }).map((i) => 1e6 + i * 1e-9), // a narrow cluster far from 0
    );
    const weight = fc.oneof(fc.constant(1), fc.constant(0), fc.integer({ min: 1, max: 100 }));
    fc.assert(
      fc.property(
        fc
          .array(fc.tuple(value, weight), { minLength: 1, maxLength: 3000, size: 'max' })
          .filter((rows) => rows.some(([, w]) => w > 0)),
        (rows) => {
          const { got, expected } = run(
            rows.map((r) => r[0]),
            rows.map((r) => r[1]),
          );
          expect(got.value).toBe(expected.value);
          // Integer weights: the sums are exact in any order.
          expect(got.below).toBe(expected.below);
          expect(got.equal).toBe(expected.equal);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refines through clusters at several scales', () => {
    const vals: number[] = [];
    for (let i = 0; i < 5000; i++) vals.push(i % 5 === 0 ? i * 1000 : 1 + (i % 97) * 1e-12);
    const wts = vals.map(() => 1);
    const { got, expected } = run(vals, wts);
    expect(got).toEqual({ value: expected.value, below: expected.below, equal: expected.equal });
  });
});
