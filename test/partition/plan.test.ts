import { describe, expect, it } from 'vitest';
import { SPLIT_METHODS } from '../../src/config/plan-defaults.js';
import { GeopartError } from '../../src/errors.js';
import { checkPlan } from '../../src/partition/check-plan.js';
import { allocKeyTable } from '../../src/partition/key-table.js';
import type { PlanOptions } from '../../src/partition/options.js';
import { plan } from '../../src/partition/plan.js';
import { chunkRows, fileRows, keysOf, planArrays, seeded, type TestRow } from './keys.js';

function uniformRows(n: number, seed: number): TestRow[] {
  const rnd = seeded(seed);
  return Array.from({ length: n }, () => ({ x: rnd() * 360 - 180, y: rnd() * 180 - 90 }));
}

function planChecked(rows: readonly TestRow[], options: Partial<PlanOptions> = {}) {
  const keys = keysOf(rows);
  const p = plan(keys, options);
  expect(checkPlan(keys, p, options)).toEqual([]);
  return p;
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('plan: caps', () => {
  const rows = uniformRows(1000, 1);

  it('defaults to total/10 per file and total/target_num_chunks per chunk', () => {
    const p = planChecked(rows);
    expect([p.maxPerFile, p.maxPerChunk]).toEqual([100, 2]);
    expect(p.numFiles).toBeGreaterThanOrEqual(10);
    expect(Math.max(...p.chunks.numRows)).toBeLessThanOrEqual(2);
  });

  it('uses target_num_chunks when neither cap is set', () => {
    expect(planChecked(rows, { targetNumChunks: 50 }).maxPerChunk).toBe(20);
  });

  it('defaults the per-chunk cap to total/100 when the per-file cap is set', () => {
    const p = planChecked(rows, { maxPerFile: 250 });
    expect([p.maxPerFile, p.maxPerChunk]).toEqual([250, 10]);
  });

  it('never lets a defaulted cap contradict a given one', () => {
    expect(planChecked(rows, { maxPerFile: 5 }).maxPerChunk).toBe(5);
    expect(planChecked(rows, { maxPerChunk: 300 }).maxPerFile).toBe(300);
    expect(planChecked(rows, { targetNumChunks: 1 }).maxPerChunk).toBe(100);
  });

  it('refuses a per-chunk cap above the per-file cap, naming both', () => {
    const call = () => plan(keysOf(rows), { maxPerFile: 10, maxPerChunk: 20 });
    expect(call).toThrow(GeopartError);
    expect(call).toThrow(/partitioning_maximum_per_chunk.*partitioning_maximum_per_file/);
    try {
      call();
    } catch (err) {
      expect((err as GeopartError).code).toBe('INVALID_CONFIG');
    }
  });

  it('refuses bad option values, naming the job-file field', () => {
    const keys = keysOf(rows);
    expect(() => plan(keys, { maxPerChunk: 0 })).toThrow(/partitioning_maximum_per_chunk/);
    expect(() => plan(keys, { maxPerFile: Number.NaN })).toThrow(/partitioning_maximum_per_file/);
    expect(() => plan(keys, { targetNumChunks: 0 })).toThrow(/target_num_chunks/);
    expect(() => plan(keys, { maxWidthRatio: -1 })).toThrow(/partitioning_max_width_ratio/);
    expect(() => plan(keys, { splitMethod: 'mode' as 'mean' })).toThrow(/partitioning_split_method/);
  });

  it('refuses a row without a finite centroid, naming the row', () => {
    const keys = keysOf([
      { x: 0, y: 0 },
      { x: Number.NaN, y: 1 },
    ]);
    expect(() => plan(keys)).toThrow(/row 1 has a non-finite centroid/);
  });

  it('gives every row to exactly one chunk, files and chunks within their caps', () => {
    const p = planChecked(rows, { maxPerFile: 100, maxPerChunk: 20 });
    for (let c = 0; c < p.chunks.length; c++) expect(p.chunks.numRows[c]).toBeLessThanOrEqual(20);
    for (let f = 0; f < p.numFiles; f++) expect(fileRows(p, f).length).toBeLessThanOrEqual(100);
    expect(Array.from(p.order).sort((a, b) => a - b)).toEqual(range(0, 1000));
  });
});

describe('plan: indivisible rows', () => {
  it('puts a single row over the cap in a chunk of its own', () => {
    const rows = uniformRows(30, 2).map((r, i) => ({ ...r, m: i === 7 ? 50 : 1 }));
    const p = planChecked(rows, { maxPerFile: 1000, maxPerChunk: 10 });
    const c = Array.from({ length: p.chunks.length }, (_, i) => i).find((i) => chunkRows(p, i).includes(7))!;
    expect(chunkRows(p, c)).toEqual([7]);
    expect(p.chunks.sumMeasure[c]).toBe(50);
  });

  it('splits identical centroids by count, in input order, when enabled', () => {
    const rows = Array.from({ length: 100 }, () => ({ x: 5, y: 5 }));
    const p = planChecked(rows, { maxPerFile: 100, maxPerChunk: 10, splitIdenticalCentroids: true });
    expect(p.chunks.length).toBe(10);
    for (let c = 0; c < 10; c++) expect(chunkRows(p, c)).toEqual(range(c * 10, c * 10 + 10));
  });

  it('splits identical centroids into the fewest pieces by measure, greedily in row order', () => {
    const rows = [4, 4, 4, 4, 4, 11, 1].map((m) => ({ x: 1, y: 2, m }));
    const p = planChecked(rows, { maxPerFile: 100, maxPerChunk: 10 });
    expect(Array.from({ length: p.chunks.length }, (_, c) => chunkRows(p, c))).toEqual([
      [0, 1],
      [2, 3],
      [4],
      [5],
      [6],
    ]);
  });

  it('splits identical centroids across files too', () => {
    const rows = Array.from({ length: 100 }, () => ({ x: 5, y: 5 }));
    const p = planChecked(rows, { maxPerFile: 30, maxPerChunk: 30 });
    expect(Array.from({ length: p.numFiles }, (_, f) => fileRows(p, f).length)).toEqual([30, 30, 30, 10]);
  });

  it('keeps identical centroids whole, oversized, when disabled', () => {
    const rows = [
      ...Array.from({ length: 100 }, () => ({ x: 5, y: 5 })),
      ...Array.from({ length: 10 }, (_, i) => ({ x: 6 + i, y: 7 })),
    ];
    const p = planChecked(rows, { maxPerFile: 30, maxPerChunk: 10, splitIdenticalCentroids: false });
    const group = Array.from({ length: p.chunks.length }, (_, c) => chunkRows(p, c)).filter((r) =>
      r.includes(0),
    );
    expect(group).toEqual([range(0, 100)]);
    for (let c = 0; c < p.chunks.length; c++) {
      if (!chunkRows(p, c).includes(0)) expect(p.chunks.numRows[c]).toBeLessThanOrEqual(10);
    }
  });
});

describe('plan: where nodes are cut', () => {
  // 90 rows spread over x in [0, 0.9), 10 far away at x = 100: the mean sits between the two.
  const skewed: TestRow[] = [
    ...Array.from({ length: 90 }, (_, i) => ({ x: i / 100, y: 0 })),
    ...Array.from({ length: 10 }, () => ({ x: 100, y: 0 })),
  ];
  const fileSizes = (options: Partial<PlanOptions>) => {
    const p = planChecked(skewed, { maxPerFile: 60, maxPerChunk: 60, ...options });
    return Array.from({ length: p.numFiles }, (_, f) => fileRows(p, f).length);
  };

  it('median halves the measure', () => {
    expect(fileSizes({ splitMethod: 'median' })).toEqual([50, 50]);
  });

  it('mean cuts at the weighted mean, isolating the far rows first', () => {
    expect(fileSizes({ splitMethod: 'mean' })).toEqual([45, 45, 10]);
  });

  it('sends rows on the cut line to the right', () => {
    // Weighted mean of x = 1: the rows at x = 1 join the row at x = 2.
    const rows = [0, 1, 1, 2].map((x) => ({ x, y: 0 }));
    const p = planChecked(rows, { maxPerFile: 3, maxPerChunk: 3 });
    expect([fileRows(p, 0), fileRows(p, 1).sort((a, b) => a - b)]).toEqual([[0], [1, 2, 3]]);
  });

  it('never separates equal coordinates with a median cut; picks the side closer to half', () => {
    // The cumulative measure crosses half (2.5) inside the x = 1 block. Cutting below it leaves 1
    // on the left, above it 4: both 1.5 from half, and a tie goes to the cut below.
    const rows = [0, 1, 1, 1, 2].map((x) => ({ x, y: 0 }));
    const p = planChecked(rows, { maxPerFile: 4, maxPerChunk: 4, splitMethod: 'median' });
    expect([fileRows(p, 0), fileRows(p, 1).sort((a, b) => a - b)]).toEqual([[0], [1, 2, 3, 4]]);
    // A lighter first row (half = 2.25): below leaves 0.5, above 3.5, so the cut goes above.
    const heavyRight = [0, 1, 1, 1, 2].map((x, i) => ({ x, y: 0, m: i === 0 ? 0.5 : 1 }));
    const q = planChecked(heavyRight, { maxPerFile: 4, maxPerChunk: 4, splitMethod: 'median' });
    expect([fileRows(q, 0).sort((a, b) => a - b), fileRows(q, 1)]).toEqual([[0, 1, 2, 3], [4]]);
  });

  it('weights the cut by the measure', () => {
    // Ten rows at x = 0..9; the last weighs as much as all others together.
    const rows = Array.from({ length: 10 }, (_, i) => ({ x: i, y: 0, m: i === 9 ? 9 : 1 }));
    for (const splitMethod of ['mean', 'median'] as const) {
      const p = planChecked(rows, { maxPerFile: 10, maxPerChunk: 10, splitMethod });
      expect(fileRows(p, p.numFiles - 1), splitMethod).toEqual([9]);
    }
  });

  // x: one row at 0, one at 10, the rest close to 5 (small spread); y spread evenly over [0, 4].
  const wide: TestRow[] = Array.from({ length: 100 }, (_, i) => ({
    x: i === 0 ? 0 : i === 1 ? 10 : 5 + (i % 2 ? 1e-3 : -1e-3),
    y: ((i * 37) % 100) * 0.04,
  }));
  const extents = (p: ReturnType<typeof plan>, axis: 'x' | 'y') =>
    Array.from({ length: p.numFiles }, (_, f) => {
      const v = fileRows(p, f).map((r) => wide[r]![axis]);
      return [Math.min(...v), Math.max(...v)] as const;
    });
  const disjoint = (e: ReadonlyArray<readonly [number, number]>) =>
    e[0]![1] < e[1]![0] || e[1]![1] < e[0]![0];

  it('cuts across x when the node is wider than max_width_ratio x its height', () => {
    const p = planChecked(wide, { maxPerFile: 60, maxPerChunk: 60 });
    expect(p.numFiles).toBe(2);
    expect(disjoint(extents(p, 'x'))).toBe(true);
  });

  it('otherwise cuts the axis with the larger weighted spread', () => {
    const p = planChecked(wide, { maxPerFile: 60, maxPerChunk: 60, maxWidthRatio: 100 });
    expect(p.numFiles).toBe(2);
    expect(disjoint(extents(p, 'y'))).toBe(true);
    expect(disjoint(extents(p, 'x'))).toBe(false);
  });

  it('cuts across y when the node is taller than max_height_ratio x its width', () => {
    const tall = wide.map((r) => ({ x: r.y, y: r.x }));
    const p = planChecked(tall, { maxPerFile: 60, maxPerChunk: 60 });
    const ys = Array.from({ length: 2 }, (_, f) => fileRows(p, f).map((r) => tall[r]!.y));
    expect(Math.max(...ys[0]!)).toBeLessThan(Math.min(...ys[1]!));
  });

  it('falls back to a sorted cut when a mean cut leaves a side empty', () => {
    // All the measure on the lower-left row: the weighted mean equals its coordinates on both axes.
    const rows = [
      { x: 0, y: 0, m: 10 },
      ...Array.from({ length: 20 }, (_, i) => ({ x: 1 + i, y: 1 + i, m: 0 })),
    ];
    const p = planChecked(rows, { maxPerFile: 5, maxPerChunk: 5 });
    expect(fileRows(p, 0)).toEqual([0]);
    expect(p.numFiles).toBe(2);
  });
});

describe('plan: rows without measure, and no rows', () => {
  it('keeps zero-measure rows together: a total of 0 gives one file and one chunk', () => {
    const rows = uniformRows(1000, 4).map((r) => ({ ...r, m: 0 }));
    const p = planChecked(rows);
    expect([p.maxPerFile, p.maxPerChunk, p.numFiles, p.chunks.length]).toEqual([0, 0, 1, 1]);
  });

  it('terminates with many zero-measure rows among measured ones', () => {
    const rnd = seeded(5);
    const rows = uniformRows(5000, 5).map((r, i) => ({ ...r, m: i % 50 === 0 ? rnd() * 3 : 0 }));
    for (const splitMethod of SPLIT_METHODS) {
      const p = planChecked(rows, { maxPerFile: 10, maxPerChunk: 1, splitMethod });
      expect(p.chunks.length).toBeGreaterThan(1);
    }
  });

  it('plans an empty table as zero files and zero chunks', () => {
    const keys = allocKeyTable(0);
    const p = plan(keys);
    expect([p.numFiles, p.chunks.length, p.order.length, p.maxPerFile, p.maxPerChunk]).toEqual([
      0, 0, 0, 0, 0,
    ]);
    expect(checkPlan(keys, p)).toEqual([]);
  });
});

describe('plan: output order', () => {
  it('orders a chunk along the Hilbert curve, whatever the input order', () => {
    // biome-ignore format: curve order of the 4x4 grid, one row of the table per line
    const cells = [
      [0, 0], [1, 0], [1, 1], [0, 1], [0, 2], [0, 3], [1, 3], [1, 2],
      [2, 2], [2, 3], [3, 3], [3, 2], [3, 1], [2, 1], [2, 0], [3, 0],
    ];
    const shuffled = [...cells].sort(
      (a, b) => ((a[0]! * 7 + a[1]! * 5) % 16) - ((b[0]! * 7 + b[1]! * 5) % 16),
    );
    const p = planChecked(
      shuffled.map(([x, y]) => ({ x: x!, y: y! })),
      { maxPerFile: 100, maxPerChunk: 100 },
    );
    expect(p.chunks.length).toBe(1);
    expect(Array.from(p.order, (r) => shuffled[r])).toEqual(cells);
  });

  it('computes chunk boxes from the row boxes, not the centroids', () => {
    const rows = [
      { x: 1, y: 1, box: [0, 0, 2, 3] as const },
      { x: 5, y: 1, box: [4, -1, 6, 1.5] as const },
    ];
    const p = planChecked(rows, { maxPerFile: 10, maxPerChunk: 10 });
    const c = p.chunks;
    expect([c.minx[0], c.miny[0], c.maxx[0], c.maxy[0], c.numRows[0], c.sumMeasure[0]]).toEqual([
      0, -1, 6, 3, 2, 2,
    ]);
  });

  it('is deterministic: the same input gives identical arrays', () => {
    const rows = uniformRows(3000, 6);
    for (const splitMethod of SPLIT_METHODS) {
      const a = planArrays(plan(keysOf(rows), { splitMethod }));
      const b = planArrays(plan(keysOf(rows), { splitMethod }));
      expect(a).toEqual(b);
    }
  });
});
