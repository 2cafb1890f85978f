import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { SPLIT_METHODS } from '../../src/config/plan-defaults.js';
import { KeyTableBuilder } from '../../src/ingest/key-table-builder.js';
import { planStage } from '../../src/ingest/plan-stage.js';
import type { IngestSettings } from '../../src/ingest/settings.js';
import type { ScanTaskResult } from '../../src/ingest/tasks.js';
import { checkPlan } from '../../src/partition/check-plan.js';
import type { KeyTable } from '../../src/partition/key-table.js';
import type { PlanOptions } from '../../src/partition/options.js';
import { plan } from '../../src/partition/plan.js';
import { keySpillPath, spillPath, writeKeySpill } from '../../src/scan/spill.js';
import { keysOf, planArrays, type TestRow } from '../partition/keys.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-plan-stage-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let runs = 0;

const lon = fc.double({ min: -180, max: 180, noNaN: true });
const lat = fc.double({ min: -90, max: 90, noNaN: true });
const MAX_ROWS = 1500;

/** Points: uniform, around a few centres, on a coarse grid (many identical); measure 1 or varied. */
const pointRows = fc
  .tuple(
    fc.oneof(
      fc.array(fc.tuple(lon, lat), { maxLength: MAX_ROWS, size: 'max' }),
      fc
        .tuple(
          fc.array(fc.tuple(lon, lat), { minLength: 1, maxLength: 4 }),
          fc.array(
            fc.tuple(
              fc.nat(),
              fc.double({ min: -1, max: 1, noNaN: true }),
              fc.double({ min: -1, max: 1, noNaN: true }),
            ),
            {
              maxLength: MAX_ROWS,
              size: 'max',
            },
          ),
        )
        .map(([centres, pts]) =>
          pts.map(([c, dx, dy]) => {
            const [x, y] = centres[c % centres.length]!;
            return [x + dx * 1e-3, y + dy * 1e-3] as [number, number];
          }),
        ),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })), {
        maxLength: MAX_ROWS,
        size: 'max',
      }),
    ),
    fc.boolean(),
  )
  .map(([pts, ones]) => pts.map(([x, y], i): TestRow => ({ x, y, m: ones ? 1 : 1 + (i % 7) })));

/** Polygon-like rows: a random box, the centroid inside it, the area as measure. */
const polygonRows = fc.array(
  fc.tuple(lon, lon, lat, lat).map(([a, b, c, d]): TestRow => {
    const [x0, x1] = a < b ? [a, b] : [b, a];
    const [y0, y1] = c < d ? [c, d] : [d, c];
    return { x: (x0 + x1) / 2, y: (y0 + y1) / 2, m: (x1 - x0) * (y1 - y0), box: [x0, y0, x1, y1] };
  }),
  { maxLength: MAX_ROWS, size: 'max' },
);

const draws = fc.record({
  fileFrac: fc.option(fc.double({ min: 0.01, max: 1.5, noNaN: true })),
  chunkFrac: fc.option(fc.double({ min: 0.005, max: 1, noNaN: true })),
  targetNumChunks: fc.integer({ min: 1, max: 60 }),
  splitMethod: fc.constantFrom(...SPLIT_METHODS),
  maxWidthRatio: fc.double({ min: 1, max: 10, noNaN: true }),
  maxHeightRatio: fc.double({ min: 1, max: 10, noNaN: true }),
  splitIdenticalCentroids: fc.boolean(),
  /** Keys the planner holds: a sample of a few dozen to a few hundred rows. */
  budgetRows: fc.integer({ min: 20, max: 300 }),
  batchRows: fc.integer({ min: 1, max: 200 }),
  arrivalSeed: fc.nat(),
});
type Draw = typeof draws extends fc.Arbitrary<infer T> ? T : never;

function planOptions(rows: readonly TestRow[], d: Draw): PlanOptions {
  const total = Math.max(
    rows.reduce((s, r) => s + (r.m ?? 1), 0),
    1e-9,
  );
  const maxPerFile = d.fileFrac === null ? null : d.fileFrac * total;
  const maxPerChunk = d.chunkFrac === null ? null : d.chunkFrac * (maxPerFile ?? total);
  const { targetNumChunks, splitMethod, maxWidthRatio, maxHeightRatio, splitIdenticalCentroids } = d;
  return {
    maxPerFile,
    maxPerChunk,
    targetNumChunks,
    splitMethod,
    maxWidthRatio,
    maxHeightRatio,
    splitIdenticalCentroids,
  };
}

/** The batch of rows `[lo, hi)` as a scan task returns it. */
function scanResult(keys: KeyTable, batchId: number, lo: number, hi: number): ScanTaskResult {
  const n = hi - lo;
  const bounds = new Float64Array(4 * n);
  for (let i = 0; i < n; i++) {
    bounds.set([keys.minx[lo + i]!, keys.miny[lo + i]!, keys.maxx[lo + i]!, keys.maxy[lo + i]!], 4 * i);
  }
  return {
    batchId,
    rows: n,
    spillBytes: 0,
    keysSpilled: true,
    cx: keys.cx.slice(lo, hi),
    cy: keys.cy.slice(lo, hi),
    measure: keys.measure.slice(lo, hi),
    bounds,
    rowsCrossingAntimeridian: 0,
    rowsAddedByAntimeridian: 0,
    droppedOutOfBounds: 0,
    droppedNoGeometry: 0,
    subdividedRows: 0,
    rowsAddedBySubdivision: 0,
    rowsMadeValid: 0,
  };
}

/**
 * Runs the plan stage as an ingest does: the batches' keys spilled to disk, their results given
 * to the key table builder in an order of `seed` (as threads would), then planned.
 */
async function planAsIngest(keys: KeyTable, opts: PlanOptions, d: Draw, seed: number) {
  const dir = join(tmp, `run-${runs++}`);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir);
  const results: ScanTaskResult[] = [];
  for (let lo = 0, b = 0; lo < keys.length; lo += d.batchRows, b++) {
    const r = scanResult(keys, b, lo, Math.min(keys.length, lo + d.batchRows));
    // Some scans spill their batch's keys, the others leave it to the builder.
    const keysSpilled = ((b + 1) * 40503 + seed) % 3 !== 0;
    if (keysSpilled) writeKeySpill(keySpillPath(spillPath(dir, b)), r);
    results.push({ ...r, keysSpilled });
  }
  const builder = new KeyTableBuilder(0, d.budgetRows, (b, k) =>
    writeKeySpill(keySpillPath(spillPath(dir, b)), k),
  );
  const arrival = results
    .map((r, i) => [((i + 1) * 2654435761 + seed) % 4294967296, r] as const)
    .sort((a, b) => a[0] - b[0]);
  for (const [, r] of arrival) builder.add(r);
  const settings = {
    plan: opts,
    planBudgetRows: d.budgetRows,
    schemaInput: null,
  } as unknown as IngestSettings;
  const batchStart = Float64Array.from(builder.batchStart);
  const p = await planStage(settings, builder, dir, batchStart);
  rmSync(dir, { recursive: true, force: true });
  return { plan: p, sampled: !builder.complete };
}

async function check(rows: readonly TestRow[], d: Draw): Promise<boolean> {
  const keys = keysOf(rows);
  const opts = planOptions(rows, d);
  const a = await planAsIngest(keys, opts, d, d.arrivalSeed);
  expect(checkPlan(keys, a.plan, opts)).toEqual([]);
  // Another arrival order (another thread count) gives the same plan.
  const b = await planAsIngest(keys, opts, d, d.arrivalSeed + 1);
  expect(planArrays(b.plan)).toEqual(planArrays(a.plan));
  // Within the budget, the plan is the in-memory one.
  if (!a.sampled) expect(planArrays(a.plan)).toEqual(planArrays(plan(keys, opts)));
  return a.sampled;
}

describe('the plan stage past its memory budget (a sample of a few dozen to a few hundred keys)', () => {
  it('points: every row in one chunk, caps hold, the same plan for any arrival order', async () => {
    let sampled = 0;
    await fc.assert(
      fc.asyncProperty(pointRows, draws, async (rows, d) => {
        if (await check(rows, d)) sampled++;
      }),
      { numRuns: 60, endOnFailure: true },
    );
    expect(sampled).toBeGreaterThan(10);
  });

  it('leaves of several thousand keys (key files of several blocks): the same', async () => {
    // 30,000 seeded points and a budget of 6,000 keys: leaves of up to 6,000 rows, written and
    // read back in blocks of 4,096.
    let s = 12345;
    const rand = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
    const rows = Array.from(
      { length: 30_000 },
      (_, i): TestRow => ({
        x: rand() * 360 - 180,
        y: rand() * 180 - 90,
        m: 1 + (i % 5),
      }),
    );
    const d: Draw = {
      fileFrac: 0.2,
      chunkFrac: 0.05,
      targetNumChunks: 40,
      splitMethod: 'mean',
      maxWidthRatio: 2,
      maxHeightRatio: 2,
      splitIdenticalCentroids: true,
      budgetRows: 6_000,
      batchRows: 1_000,
      arrivalSeed: 7,
    };
    expect(await check(rows, d)).toBe(true);
  });

  it('polygon-like rows with area measures: the same', async () => {
    let sampled = 0;
    await fc.assert(
      fc.asyncProperty(polygonRows, draws, async (rows, d) => {
        if (await check(rows, d)) sampled++;
      }),
      { numRuns: 40, endOnFailure: true },
    );
    expect(sampled).toBeGreaterThan(5);
  });
});
