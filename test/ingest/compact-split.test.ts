import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SplitMethod } from '../../src/config/geospatial-step.js';
import { ingest } from '../../src/config/ingest.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-compact-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Group {
  readonly rows: number;
  readonly area: number;
}

/** Every row group of a table as DuckDB reads it: its rows and the area of its box from the `bbox` statistics. */
async function groups(dir: string): Promise<Group[]> {
  const glob = lit(join(dir, '*.parquet'));
  const rows = await query(
    `SELECT file_name, row_group_id, any_value(row_group_num_rows) AS n,
            (max(CASE WHEN path_in_schema = 'bbox, xmax' THEN stats_max_value END)::DOUBLE
             - max(CASE WHEN path_in_schema = 'bbox, xmin' THEN stats_min_value END)::DOUBLE)
          * (max(CASE WHEN path_in_schema = 'bbox, ymax' THEN stats_max_value END)::DOUBLE
             - max(CASE WHEN path_in_schema = 'bbox, ymin' THEN stats_min_value END)::DOUBLE) AS area
     FROM parquet_metadata(${glob}) GROUP BY ALL`,
  );
  return rows.map((r) => ({ rows: r.n as number, area: r.area as number }));
}

async function ingestWith(
  splitMethod: SplitMethod,
): Promise<{ dir: string; chunks: number; rows: number; cap: number }> {
  const dir = join(tmp, splitMethod);
  const report = await ingest(dataPath('flatgeobuf/countries.fgb'), dir, {
    partitioningMethod: 'rows',
    subdivideStart: 4,
    targetNumChunks: 60,
    partitioningSplitMethod: splitMethod,
  }).runLocal({ threads: 2 });
  return { dir, chunks: report.chunks, rows: report.rowsWritten, cap: report.maxPerChunk };
}

describe('partitioning_split_method: compact', () => {
  it('cuts real polygons into chunks whose boxes hold fewer rows per unit of area than the mean cut, within the caps', async () => {
    const mean = await ingestWith('mean');
    const compact = await ingestWith('compact');
    expect(compact.rows).toBe(mean.rows);
    const g = { mean: await groups(mean.dir), compact: await groups(compact.dir) };
    expect(g.compact.length).toBe(compact.chunks);
    // What the compact cut lowers: rows times box area summed over the chunks, the rows a small
    // window placed at random reads, up to a constant.
    const cost = (gs: readonly Group[]) => gs.reduce((a, x) => a + x.rows * x.area, 0);
    expect(cost(g.compact)).toBeLessThan(cost(g.mean));
    // No more chunks than the mean cut makes, so the boxes are not smaller by being more.
    expect(compact.chunks).toBeLessThanOrEqual(mean.chunks);
    // The caps hold: every chunk within the per-chunk cap (rows), as the report states it.
    expect(Math.max(...g.compact.map((x) => x.rows))).toBeLessThanOrEqual(compact.cap);
  });
});
