import { describe, expect, it } from 'vitest';
import {
  HILBERT_GRID,
  HilbertSorter,
  hilbert16,
  hilbertIndex,
  hilbertKeys,
} from '../../src/partition/hilbert.js';
import { seeded } from './keys.js';

describe('hilbertIndex', () => {
  it('matches the 2x2 curve: (0,0) (0,1) (1,1) (1,0)', () => {
    expect([
      hilbertIndex(0, 0, 2),
      hilbertIndex(0, 1, 2),
      hilbertIndex(1, 1, 2),
      hilbertIndex(1, 0, 2),
    ]).toEqual([0, 1, 2, 3]);
  });

  it('matches the 4x4 table of the classic xy2d', () => {
    // d = 0..15 visits these cells (x, y).
    // biome-ignore format: a 4x4 table reads better in rows
    const cells = [
      [0, 0], [1, 0], [1, 1], [0, 1], [0, 2], [0, 3], [1, 3], [1, 2],
      [2, 2], [2, 3], [3, 3], [3, 2], [3, 1], [2, 1], [2, 0], [3, 0],
    ];
    cells.forEach(([x, y], d) => {
      expect(hilbertIndex(x!, y!, 4), `cell (${x}, ${y})`).toBe(d);
    });
  });

  it.each([2, 8, 32])('visits every cell of a %i-grid once, each step to a neighbouring cell', (n) => {
    const cellAt = new Array<[number, number]>(n * n);
    for (let x = 0; x < n; x++) {
      for (let y = 0; y < n; y++) {
        const d = hilbertIndex(x, y, n);
        expect(cellAt[d], `d = ${d} reached twice`).toBeUndefined();
        cellAt[d] = [x, y];
      }
    }
    for (let d = 1; d < n * n; d++) {
      const [x0, y0] = cellAt[d - 1]!;
      const [x1, y1] = cellAt[d]!;
      expect(Math.abs(x1 - x0) + Math.abs(y1 - y0), `step ${d}`).toBe(1);
    }
  });

  it('spans [0, 2^32) on the 16-bit grid without int32 overflow', () => {
    const top = HILBERT_GRID - 1;
    expect(hilbertIndex(0, 0, HILBERT_GRID)).toBe(0);
    expect(hilbertIndex(top, 0, HILBERT_GRID)).toBe(2 ** 32 - 1);
    expect(Math.floor(hilbertIndex(0, top, HILBERT_GRID) / 2 ** 30)).toBe(1); // second quadrant
    // The 16-bit curve refines the 4x4 one: the top bits of a cell's index are its 4x4 index.
    const rnd = seeded(3);
    for (let i = 0; i < 1000; i++) {
      const x = Math.floor(rnd() * HILBERT_GRID);
      const y = Math.floor(rnd() * HILBERT_GRID);
      expect(Math.floor(hilbertIndex(x, y, HILBERT_GRID) / 2 ** 28)).toBe(hilbertIndex(x >> 14, y >> 14, 4));
    }
  });
});

describe('hilbert16', () => {
  it('equals hilbertIndex on the 16-bit grid', () => {
    const rnd = seeded(8);
    const top = HILBERT_GRID - 1;
    const cases = [
      [0, 0],
      [top, 0],
      [0, top],
      [top, top],
      [32768, 32767],
      ...Array.from({ length: 20_000 }, () => [
        Math.floor(rnd() * HILBERT_GRID),
        Math.floor(rnd() * HILBERT_GRID),
      ]),
    ];
    for (const [x, y] of cases)
      expect(hilbert16(x!, y!), `(${x}, ${y})`).toBe(hilbertIndex(x!, y!, HILBERT_GRID));
  });
});

describe('HilbertSorter', () => {
  it('orders rows by (key, row index), short and long ranges alike', () => {
    const rnd = seeded(11);
    for (const m of [5, 47, 48, 300, 5000]) {
      // Few distinct positions, so many keys tie and the row index decides.
      const xs = Float64Array.from({ length: m }, () => Math.floor(rnd() * 6));
      const ys = Float64Array.from({ length: m }, () => Math.floor(rnd() * 6));
      const rows = Int32Array.from({ length: m }, (_, i) => (i * 7919) % 100_003);
      const byRow = new Map(Array.from(rows, (r, k) => [r, k] as const));
      const key = new Uint32Array(m);
      hilbertKeys(xs, ys, 0, m, key);
      const expected = Array.from(rows).sort((p, q) => key[byRow.get(p)!]! - key[byRow.get(q)!]! || p - q);
      const order = rows.slice();
      new HilbertSorter().sort(order, xs, ys, 0, m);
      expect(Array.from(order), `m = ${m}`).toEqual(expected);
    }
  });
});
