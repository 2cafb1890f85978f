import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactNumber, formatHistogram, histogram } from '../../src/inspect/histogram.js';

describe('histogram', () => {
  it('bins values within a factor of 20 linearly, counting the maximum in the last bin', () => {
    const h = histogram([10, 11, 12, 19, 20], 2);
    expect(h.scale).toBe('linear');
    expect(h.edges).toEqual([10, 15, 20]);
    expect(h.counts).toEqual([3, 2]);
  });

  it('bins values spread over orders of magnitude logarithmically', () => {
    const h = histogram([1, 5, 10, 50, 100, 500, 1000], 3);
    expect(h.scale).toBe('log');
    expect(h.edges[0]).toBe(1);
    expect(h.edges[1]).toBeCloseTo(10, 9);
    expect(h.edges[3]).toBe(1000);
    expect(h.counts).toEqual([2, 2, 3]);
  });

  it('puts equal values in one bin and skips non-finite ones', () => {
    expect(histogram([4, 4, 4])).toEqual({ scale: 'linear', edges: [4, 4], counts: [3] });
    expect(histogram([Number.NaN, 1, 3, Number.POSITIVE_INFINITY], 2).counts).toEqual([1, 1]);
    expect(histogram([]).counts).toEqual([]);
  });

  it('counts every value once, each inside its bin (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 12 }),
        (values, bins) => {
          const h = histogram(values, bins);
          expect(h.counts.reduce((a, c) => a + c, 0)).toBe(values.length);
          for (let b = 0; b < h.counts.length; b++) {
            const inBin = values.filter((v) =>
              b === h.counts.length - 1
                ? v >= h.edges[b]! && v <= h.edges[b + 1]!
                : v >= h.edges[b]! && v < h.edges[b + 1]!,
            ).length;
            expect(inBin).toBe(h.counts[b]);
          }
        },
      ),
    );
  });

  it('renders lines of at most 80 columns whose bars grow with the counts', () => {
    const h = histogram([1, 2, 2, 3, 3, 3, 1e6, 123456.7], 6);
    const lines = formatHistogram(h);
    expect(lines).toHaveLength(6);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    const bars = lines.map((l) => (l.match(/#/g) ?? []).length);
    const most = h.counts.indexOf(Math.max(...h.counts));
    expect(Math.max(...bars)).toBe(bars[most]);
    for (const [i, c] of h.counts.entries()) {
      expect(bars[i]! > 0).toBe(c > 0);
      expect(lines[i]!.trimEnd().endsWith(` ${c}`)).toBe(true);
    }
  });

  it('writes numbers compactly', () => {
    expect([0, 12, 0.5, 1234, 12345, 2.5e6, 7e9, 0.00012].map(compactNumber)).toEqual([
      '0',
      '12',
      '0.5',
      '1234',
      '12.3k',
      '2.5M',
      '7G',
      '1.2e-4',
    ]);
  });
});
