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
  readonly w: number;
  readonly h: number;
}

/** Every row group of a table as DuckDB reads it: its rows and the area of its box from the `bbox` statistics. */
async function groups(dir: string): Promise<Group[]> {
  const glob = lit(join(dir, '*.parquet'));
  const rows = await query(
    `SELECT file_name, row_group_id, any_value(row_group_num_rows) AS n,
            (max(CASE WHEN path_in_schema = 'bbox, xmax' THEN stats_max_value END)::DOUBLE
             - max(CASE WHEN path_in_schema = 'bbox, xmin' THEN stats_min_value END)::DOUBLE)
          * (max(CASE WHEN path_in_schema = 'bbox, ymax' THEN stats_max_value END)::DOUBLE
             - max(CASE WHEN path_in_schema = 'bbox, ymin' THEN stats_min_value END)::DOUBLE) AS area,
            max(CASE WHEN path_in_schema = 'bbox, xmax' THEN stats_max_value END)::DOUBLE
             - max(CASE WHEN path_in_schema = 'bbox, xmin' THEN stats_min_value END)::DOUBLE AS w,
            max(CASE WHEN path_in_schema = 'bbox, ymax' THEN stats_max_value END)::DOUBLE
             - max(CASE WHEN path_in_schema = 'bbox, ymin' THEN stats_min_value END)::DOUBLE AS h
     FROM parquet_metadata(${glob}) GROUP BY ALL`,
  );
  return rows.map((r) => ({
    rows: r.n as number,
    area: r.area as number,
    w: r.w as number,
    h: r.h as number,
  }));
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
  it('plans real polygons within the caps, every row once, with other cuts than the mean', async () => {
    const mean = await ingestWith('mean');
    const compact = await ingestWith('compact');
    expect(compact.rows).toBe(mean.rows);
    const g = { mean: await groups(mean.dir), compact: await groups(compact.dir) };
    // DuckDB reads one row group per chunk, every row once, each chunk within the cap (rows).
    expect(g.compact.length).toBe(compact.chunks);
    expect(g.compact.reduce((a, x) => a + x.rows, 0)).toBe(compact.rows);
    expect(Math.max(...g.compact.map((x) => x.rows))).toBeLessThanOrEqual(compact.cap);
    // The cuts are its own: the chunk boxes differ from the mean cut's.
    const boxes = (gs: readonly Group[]) => gs.map((x) => `${x.rows}:${x.w}:${x.h}`).sort();
    expect(boxes(g.compact)).not.toEqual(boxes(g.mean));
  });
});
