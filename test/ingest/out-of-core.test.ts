import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { planBudgetRows } from '../../src/ingest/settings.js';
import { dataPath } from '../helpers/data.js';
import { expectSameFiles } from '../helpers/outputs.js';
import { checkTable } from './table-check.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-out-of-core-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const out = (name: string) => join(tmp, `${name}-${n++}`);

/** 1 MiB lets the planner hold 2,048 keys: every input below has more rows. */
const SMALL = '1MiB';

describe('an ingest whose keys do not fit the memory limit', () => {
  it('plans from a sample: caps hold, DuckDB reads every row, and 1 or 2 threads give the same bytes', async () => {
    expect(planBudgetRows(2 ** 20)).toBe(2048);
    const input = dataPath('flatgeobuf/tiger_roads.geojson');
    const options = { partitioningMethod: 'coords' as const, targetNumChunks: 40, memoryLimit: SMALL };
    const a = out('tiger');
    const b = out('tiger');
    const report = await ingest(input, a, options).runLocal({ threads: 2 });
    await ingest(input, b, options).runLocal({ threads: 1 });
    expect(report.rowsWritten).toBeGreaterThan(4 * 2048);
    expectSameFiles(a, b);
    const chunks = await checkTable(a, report.rowsWritten);
    for (const c of chunks) {
      if (c.num_rows > 1) expect(c.num_coords).toBeLessThanOrEqual(report.maxPerChunk * (1 + 1e-9));
    }
    const perFile = new Map<number, number>();
    for (const c of chunks) perFile.set(c.file_id, (perFile.get(c.file_id) ?? 0) + c.num_coords);
    for (const coords of perFile.values()) expect(coords).toBeLessThanOrEqual(report.maxPerFile * (1 + 1e-9));
    expect(readdirSync(a).filter((f) => f.endsWith('.parquet')).length).toBe(report.files);
  });

  it('subdivided polygons by area, with the caps given: the same checks', async () => {
    const input = dataPath('flatgeobuf/countries.fgb');
    const options = {
      partitioningMethod: 'area' as const,
      subdivideStart: 5,
      partitioningMaximumPerFile: 2000,
      partitioningMaximumPerChunk: 150,
      memoryLimit: SMALL,
    };
    const a = out('countries');
    const b = out('countries');
    const report = await ingest(input, a, options).runLocal({ threads: 2 });
    await ingest(input, b, options).runLocal({ threads: 1 });
    expect(report.rowsWritten).toBeGreaterThan(2048);
    expectSameFiles(a, b);
    const chunks = await checkTable(a, report.rowsWritten);
    const perFile = new Map<number, number>();
    for (const c of chunks) {
      if (c.num_rows > 1) expect(c.sum_area).toBeLessThanOrEqual(150 * (1 + 1e-9));
      perFile.set(c.file_id, (perFile.get(c.file_id) ?? 0) + c.sum_area);
    }
    for (const area of perFile.values()) expect(area).toBeLessThanOrEqual(2000 * (1 + 1e-9));
  });
});
