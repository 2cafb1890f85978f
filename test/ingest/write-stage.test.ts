import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import type { IngestProgress } from '../../src/ingest/settings.js';
import { planGroups, planUnits, shuffleLayouts, taskBytes } from '../../src/ingest/write-stage.js';
import type { Plan } from '../../src/partition/plan.js';
import { dataPath } from '../helpers/data.js';
import { expectSameFiles } from '../helpers/outputs.js';
import { checkTable } from './table-check.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-write-stage-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const out = (name: string) => join(tmp, `${name}-${n++}`);

/** One digest of a table folder: every file's name and bytes, in name order. */
function digest(dir: string): string {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex');
}

/**
 * Tables written by the engine before the shuffle stage existed (every file gathered whole
 * from the spill), by digest. The shuffle and the streamed write must not change a byte.
 * The digests were taken again when the files gained the page index and a versioned
 * `created_by`, after checking that with `created_by: geopart` and no page index the bytes
 * were still the old engine's, again for dictionary encoding, after checking that without
 * it the bytes were those of the page-index digests, and again when the chunk table gained
 * `byte_offset` and `byte_length`, after checking that every data file kept its bytes (only
 * `_sample`, which holds the chunk table, changed).
 */
const BEFORE = [
  {
    input: 'flatgeobuf/tiger_roads.geojson',
    options: { partitioningMethod: 'coords' as const, targetNumChunks: 40 },
    files: 16,
    digest: '36f23467a421ab18b50caecbc3bafc960a5d42c27e050e0f67279a2400310a90',
  },
  {
    input: 'geoarrow/quadrangles_100k.fgb',
    options: { partitioningMaximumPerFile: 40, partitioningMaximumPerChunk: 7 },
    files: 64,
    digest: '493d8b660506a2a3ec84d997a1eb2839673f431842b8e037d043381c2d345975',
  },
  {
    input: 'flatgeobuf/countries.fgb',
    // Russia and Fiji kept whole, as the engine of the time wrote them.
    options: { partitioningMethod: 'area' as const, subdivideStart: 5, splitAntimeridian: false },
    files: 16,
    digest: 'caf80b46301d9e408ce2fbb26539e6f7d3125014175bcdda7c85fcaafb956c73',
  },
];

function fakePlan(fileOfChunk: number[], rowsOfChunk: number[]): Plan {
  const start: number[] = [];
  let at = 0;
  for (const r of rowsOfChunk) {
    start.push(at);
    at += r;
  }
  return {
    maxPerFile: 1,
    maxPerChunk: 1,
    order: new Int32Array(at),
    numFiles: Math.max(0, ...fileOfChunk.map((f) => f + 1)),
    chunks: {
      length: rowsOfChunk.length,
      fileId: Int32Array.from(fileOfChunk),
      numRows: Int32Array.from(rowsOfChunk),
      start: Int32Array.from(start),
      end: Int32Array.from(start.map((s, i) => s + rowsOfChunk[i]!)),
    },
  } as unknown as Plan;
}

describe('write units and shuffle groups', () => {
  it('cut each file into runs of whole chunks, a chunk over the limit alone', () => {
    const plan = fakePlan([0, 0, 0, 1, 2, 2], [4, 5, 12, 3, 1, 1]);
    const units = planUnits(plan, 10).map((u) => [u.file, u.c0, u.c1, u.k0, u.k1]);
    expect(units).toEqual([
      [0, 0, 2, 0, 9],
      [0, 2, 3, 9, 21],
      [1, 3, 4, 21, 24],
      [2, 4, 6, 24, 26],
    ]);
    expect(planUnits(plan, 1).length).toBe(6);
  });

  it('group consecutive batches up to a byte size, a batch over it alone', () => {
    expect(planGroups(Float64Array.from([3, 3, 3, 9, 1, 1]), 6)).toEqual([
      [0, 2],
      [2, 3],
      [3, 4],
      [4, 6],
    ]);
    expect(planGroups(new Float64Array(0), 6)).toEqual([]);
  });

  it('lay each group out in final order, unit by unit, every row once', () => {
    // 26 rows in 4 units; the plan's order is a fixed shuffle of the rows.
    const plan = fakePlan([0, 0, 0, 1, 2, 2], [4, 5, 12, 3, 1, 1]);
    const order = Array.from({ length: 26 }, (_, i) => (i * 7 + 3) % 26);
    (plan.order as Int32Array).set(order);
    const units = planUnits(plan, 10);
    const starts = [0, 10, 11, 20];
    const layouts = shuffleLayouts(plan, units, starts, 26).map((l) => l!);
    expect(layouts.map((l) => l.rowStart)).toEqual(starts);
    // Read back: each group's entries, as global rows, unit by unit.
    const seen: number[] = [];
    for (const [g, l] of layouts.entries()) {
      expect(l.order.length).toBe([...starts, 26][g + 1]! - starts[g]!);
      let at = 0;
      for (const [i, u] of l.dest.entries()) {
        const rows = Array.from(l.order.subarray(at, at + l.count[i]!), (r) => r + l.rowStart);
        // The unit's rows of this group, in the plan's order.
        const unit = units[u]!;
        const want = order
          .slice(unit.k0, unit.k1)
          .filter((r) => r >= l.rowStart && r < l.rowStart + l.order.length);
        expect(rows).toEqual(want);
        seen.push(...rows);
        at += l.count[i]!;
      }
      expect(at).toBe(l.order.length);
      expect([...l.dest]).toEqual([...l.dest].sort((a, b) => a - b));
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 26 }, (_, i) => i));
  });

  it('take a share of the memory limit per running task', () => {
    expect(taskBytes(2 ** 30, 2)).toBe(2 ** 26);
    expect(taskBytes(2 ** 20, 1)).toBe(2 ** 17);
  });
});

describe('the shuffle and the streamed write', () => {
  it.each(BEFORE)('write $input as before, with the default memory limit and an 8 MiB one', async (c) => {
    const a = out('default');
    const b = out('small');
    await ingest(dataPath(c.input), a, c.options).runLocal({ threads: 2 });
    await ingest(dataPath(c.input), b, { ...c.options, memoryLimit: '8MiB' }).runLocal({ threads: 1 });
    expect(readdirSync(a).length).toBe(c.files);
    expect(digest(a)).toBe(c.digest);
    expect(digest(b)).toBe(c.digest);
  });

  it('with many groups and units, gives the same table as one group, and DuckDB reads every row', async () => {
    // Two input files spill at least two batches.
    const input = ['a', 'b'].map((name) => {
      const path = join(tmp, `${name}.geojson`);
      copyFileSync(dataPath('flatgeobuf/tiger_roads.geojson'), path);
      return path;
    });
    // Three files of about 5,500 rows, each more than one write unit.
    const options = { partitioningMaximumPerFile: 6000 };
    const whole = out('whole');
    const cut = out('cut');
    const stages: IngestProgress[] = [];
    await ingest(input, whole, options).runLocal({ threads: 2 });
    // 9 MiB: the planner holds all 16,666 keys, a task takes 576 KiB (a file spills about 1 MB).
    const report = await ingest(input, cut, { ...options, memoryLimit: 9 * 2 ** 20 }).runLocal({
      threads: 2,
      onProgress: (p) => stages.push(p),
    });
    expect(stages.filter((p) => p.stage === 'shuffle').length).toBeGreaterThanOrEqual(2);
    expectSameFiles(whole, cut);
    await checkTable(cut, report.rowsWritten);
  });
});
