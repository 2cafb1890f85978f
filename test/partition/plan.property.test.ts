import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SPLIT_METHODS } from '../../src/config/plan-defaults.js';
import { checkPlan } from '../../src/partition/check-plan.js';
import type { PlanOptions } from '../../src/partition/options.js';
import { plan } from '../../src/partition/plan.js';
import { keysOf, planArrays, type TestRow } from './keys.js';

const lon = fc.double({ min: -180, max: 180, noNaN: true });
const lat = fc.double({ min: -90, max: 90, noNaN: true });
const maxRows = 250;

/** Centroid sets: uniform, clustered (tiny offsets), duplicates on a coarse grid, all identical. */
const centroids = fc.oneof(
  fc.array(fc.tuple(lon, lat), { maxLength: maxRows, size: 'max' }),
  fc
    .tuple(
      fc.array(fc.tuple(lon, lat), { minLength: 1, maxLength: 4, size: 'max' }),
      fc.array(
        fc.tuple(fc.nat(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 })),
        { maxLength: maxRows, size: 'max' },
      ),
    )
    .map(([centers, pts]) =>
      pts.map(([c, dx, dy]) => {
        const [x, y] = centers[c % centers.length]!;
        return [x + dx * 1e-9, y + dy * 1e-9] as [number, number];
      }),
    ),
  fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })), {
    maxLength: maxRows,
    size: 'max',
  }),
  fc
    .tuple(lon, lat, fc.nat({ max: maxRows }))
    .map(([x, y, n]) => Array.from({ length: n }, () => [x, y] as [number, number])),
);

/** Point rows with a rows-like, area-like (often 0) or coords-like measure. */
const pointRows = fc
  .tuple(
    centroids,
    fc.constantFrom('ones', 'zeros', 'mixed', 'integers'),
    fc.infiniteStream(fc.double({ min: 0, max: 10, noNaN: true })),
  )
  .map(([pts, kind, stream]) => {
    const it = stream[Symbol.iterator]();
    return pts.map(([x, y]): TestRow => {
      const v = it.next().value as number;
      const m =
        kind === 'ones' ? 1 : kind === 'zeros' ? 0 : kind === 'mixed' ? (v < 5 ? 0 : v) : Math.ceil(v);
      return { x, y, m };
    });
  });

/** Polygon-like rows: a random box, the centroid inside it, the area as measure. */
const polygonRows = fc.array(
  fc
    .tuple(
      lon,
      lon,
      lat,
      lat,
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
    )
    .map(([a, b, c, d, s, t]): TestRow => {
      const [x0, x1] = a < b ? [a, b] : [b, a];
      const [y0, y1] = c < d ? [c, d] : [d, c];
      const x = Math.min(x1, x0 + s * (x1 - x0));
      const y = Math.min(y1, y0 + t * (y1 - y0));
      return { x, y, m: (x1 - x0) * (y1 - y0), box: [x0, y0, x1, y1] };
    }),
  { maxLength: maxRows, size: 'max' },
);

/** Options; caps are fractions of the total (null: default), the chunk cap a fraction of the file cap. */
const options = fc.record({
  fileFrac: fc.option(fc.double({ min: 0.001, max: 1.5, noNaN: true })),
  chunkFrac: fc.option(fc.double({ min: 0.001, max: 1, noNaN: true })),
  targetNumChunks: fc.integer({ min: 1, max: 60 }),
  splitMethod: fc.constantFrom(...SPLIT_METHODS),
  maxWidthRatio: fc.double({ min: 1, max: 10, noNaN: true }),
  maxHeightRatio: fc.double({ min: 1, max: 10, noNaN: true }),
  splitIdenticalCentroids: fc.boolean(),
});

type OptionDraw = typeof options extends fc.Arbitrary<infer T> ? T : never;

function resolve(rows: readonly TestRow[], o: OptionDraw): Partial<PlanOptions> {
  const total = Math.max(
    rows.reduce((s, r) => s + (r.m ?? 1), 0),
    1e-9,
  );
  const maxPerFile = o.fileFrac === null ? null : o.fileFrac * total;
  const chunkBase = maxPerFile ?? total;
  const maxPerChunk = o.chunkFrac === null ? null : o.chunkFrac * chunkBase;
  const { fileFrac: _f, chunkFrac: _c, ...rest } = o;
  return { ...rest, maxPerFile, maxPerChunk };
}

function assertValidAndDeterministic(rows: readonly TestRow[], draw: OptionDraw): void {
  const opts = resolve(rows, draw);
  const keys = keysOf(rows);
  const p = plan(keys, opts);
  expect(checkPlan(keys, p, opts)).toEqual([]);
  expect(planArrays(plan(keysOf(rows), opts))).toEqual(planArrays(p));
}

describe('plan properties', () => {
  it('point sets: every plan passes checkPlan and is reproducible', () => {
    fc.assert(
      fc.property(pointRows, options, (rows, draw) => assertValidAndDeterministic(rows, draw)),
      { numRuns: 400 },
    );
  });

  it('polygon-like rows with area measures: every plan passes checkPlan and is reproducible', () => {
    fc.assert(
      fc.property(polygonRows, options, (rows, draw) => assertValidAndDeterministic(rows, draw)),
      { numRuns: 300 },
    );
  });
});
