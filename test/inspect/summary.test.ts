import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { formatSummary } from '../../src/inspect/format-summary.js';
import { summarize, type TableSummary } from '../../src/inspect/summary.js';
import { openTable } from '../../src/read/open-table.js';
import { run } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { type ChunkRow, chunkTable, dataFiles } from '../ingest/table-check.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-inspect-summary-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const OSM = dataPath('osm/liechtenstein-2013-08-03.osm.pbf');

/** Features of a layer, counted in a full ogrinfo listing (the OSM driver cannot count cheaply). */
function ogrCount(path: string, layer: string): number {
  const out = run('ogrinfo', ['-q', path, layer]);
  return out.split('\n').filter((l) => l.startsWith(`OGRFeature(${layer})`)).length;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function summaryOf(path: string): Promise<TableSummary> {
  const table = await openTable(path);
  try {
    return summarize(table);
  } finally {
    await table.close();
  }
}

/** Checks files, chunks and rows of a summary against DuckDB reading the data files. */
async function checkAgainstDuckDb(s: TableSummary, dir: string, chunks: ChunkRow[]): Promise<void> {
  const files = dataFiles(dir);
  const [count] = await query(`SELECT count(*) AS n FROM read_parquet(${lit(join(dir, '*.parquet'))})`);
  expect(s.rows).toBe(count!.n);
  expect(s.files).toBe(files.length);
  const groups: number[] = [];
  for (const f of files) {
    const [g] = await query(`SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata(${lit(f)})`);
    groups.push(g!.n as number);
  }
  expect(s.chunks).toBe(groups.reduce((a, g) => a + g, 0));
  expect(s.chunks).toBe(chunks.length);
  expect(s.chunksPerFile).toEqual({
    min: Math.min(...groups),
    median: median(groups),
    max: Math.max(...groups),
  });
  const [box] = await query(
    `SELECT min(bbox.xmin) AS x0, min(bbox.ymin) AS y0, max(bbox.xmax) AS x1, max(bbox.ymax) AS y1 FROM read_parquet(${lit(join(dir, '*.parquet'))})`,
  );
  expect(s.bbox).toEqual([box!.x0, box!.y0, box!.x1, box!.y1]);
}

describe('inspect summary of geopart tables, checked with DuckDB', () => {
  let rowsDir = '';
  let areaDir = '';
  beforeAll(async () => {
    rowsDir = join(tmp, 'rows');
    await ingest(OSM, rowsDir, {
      gdalConfig: { layer: 'multipolygons' },
      partitioningMaximumPerFile: 1000,
      partitioningMaximumPerChunk: 100,
    }).runLocal({ threads: 2 });
    areaDir = join(tmp, 'area');
    await ingest(dataPath('flatgeobuf/countries.fgb'), areaDir, {
      partitioningMethod: 'area',
      subdivideStart: 20,
      subdivideStop: 10,
      partitioningMaximumPerFile: 2000,
      partitioningMaximumPerChunk: 100,
    }).runLocal({ threads: 2 });
  });

  it('gives rows, files, chunks, chunk sizes in rows and the report of a table partitioned by rows', async () => {
    const s = await summaryOf(rowsDir);
    const chunks = await chunkTable(rowsDir);
    await checkAgainstDuckDb(s, rowsDir, chunks);
    expect(s.partitioningMethod).toBe('rows');
    expect(s.measure).toBe('rows');
    const sizes = chunks.map((c) => c.num_rows);
    expect(s.chunkSize).toEqual({ min: Math.min(...sizes), median: median(sizes), max: Math.max(...sizes) });
    expect([s.maxPerFile, s.maxPerChunk]).toEqual([1000, 100]);
    expect(s.chunksOverCap).toBe(0);
    expect(s.chunkSizeHistogram!.counts.reduce((a, c) => a + c, 0)).toBe(chunks.length);
    expect(s.report).toMatchObject({
      rowsRead: ogrCount(OSM, 'multipolygons'),
      rowsWritten: s.rows,
      rowsDroppedOutOfBounds: 0,
      rowsDroppedNoGeometry: 0,
      rowsSubdivided: 0,
    });
    expect(s.unknown).toEqual([]);
    const text = formatSummary(s);
    expect(text).toContain(`${s.rows.toLocaleString('en-US')} rows in ${s.files} files, ${s.chunks} chunks`);
    expect(text).toContain(
      `chunk size:      min ${Math.min(...sizes)}, median ${median(sizes)}, max ${Math.max(...sizes)} rows`,
    );
    expect(text).toContain('caps:            1000 per file, 100 per chunk');
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('gives chunk sizes in deg^2 and the subdivision counts of a table partitioned by area', async () => {
    const s = await summaryOf(areaDir);
    const chunks = await chunkTable(areaDir);
    await checkAgainstDuckDb(s, areaDir, chunks);
    expect(s.measure).toBe('area');
    const areas = chunks.map((c) => c.sum_area);
    expect(s.chunkSize!.min).toBeCloseTo(Math.min(...areas), 9);
    expect(s.chunkSize!.median).toBeCloseTo(median(areas), 9);
    expect(s.chunkSize!.max).toBeCloseTo(Math.max(...areas), 9);
    // Only a single indivisible row may pass the cap, and the summary counts the others.
    const over = chunks.filter((c) => c.num_rows > 1 && c.sum_area > 100 * (1 + 1e-9)).length;
    expect(s.chunksOverCap).toBe(over);
    expect(s.report!.rowsRead).toBe(ogrCount(dataPath('flatgeobuf/countries.fgb'), 'countries'));
    expect(s.report!.rowsSubdivided).toBeGreaterThan(20);
    expect(s.report!.rowsAddedByAntimeridian).toBe(2);
    expect(s.rows).toBe(
      s.report!.rowsRead! +
        s.report!.rowsAddedByAntimeridian +
        s.report!.rowsAddedBySubdivision! -
        s.report!.rowsDroppedOutOfBounds!,
    );
    expect(formatSummary(s)).toMatch(/chunk sizes \(deg\^2, (log|linear) bins; bars count chunks\)/);
  });
});

describe('inspect summary of a GeoParquet file written by another tool', () => {
  it('counts its rows and row groups and says that the report is unknown', async () => {
    const file = dataPath('geoarrow/natural-earth_cities_geo.parquet');
    const s = await summaryOf(file);
    const [count] = await query(`SELECT count(*) AS n FROM read_parquet(${lit(file)})`);
    const [groups] = await query(
      `SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata(${lit(file)})`,
    );
    expect(s.rows).toBe(count!.n);
    expect([s.files, s.chunks]).toEqual([1, groups!.n]);
    expect(s.report).toBeNull();
    expect(s.partitioningMethod).toBeNull();
    expect(s.measure).toBe('rows');
    expect([s.maxPerChunk, s.maxPerFile, s.chunksOverCap]).toEqual([null, null, null]);
    expect(s.unknown.join('\n')).toMatch(/no geopart:report/);
    const text = formatSummary(s);
    expect(text).toContain('partitioned by:  unknown');
    expect(text).toContain('caps:            unknown');
    expect(text).not.toContain('rows read:');
  });
});
