/**
 * Checks of a written table through DuckDB, the independent reader: row counts, row groups
 * against the chunk table, `geo` metadata against the GeoParquet 1.1 JSON schema.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { expect } from 'vitest';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';

const ajv = new Ajv({ strict: false, allErrors: true });
// The schema refers to the PROJJSON schema by URL; it cannot be fetched offline, and geopart
// writes no `crs` (OGC:CRS84 by default), so any object stands in for it.
ajv.addSchema({ $id: 'https://proj.org/schemas/v0.7/projjson.schema.json', type: 'object' });
const validateGeo = ajv.compile(
  JSON.parse(readFileSync(dataPath('geoparquet/schema.json'), 'utf8')) as object,
);

/** One chunk of the table as its metadata says. */
export interface ChunkRow {
  file_id: number;
  chunk_id: number;
  bbox_minx: number;
  bbox_miny: number;
  bbox_maxx: number;
  bbox_maxy: number;
  num_rows: number;
  num_coords: number;
  sum_area: number;
  sum_length: number;
}

/** The data files of a table, sorted by file id. */
export function dataFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.parquet'))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
    .map((f) => join(dir, f));
}

/** Key-value metadata of a Parquet file, decoded as UTF-8. */
export async function kvMetadata(file: string): Promise<Record<string, string>> {
  const rows = await query(
    `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${lit(file)})`,
  );
  return Object.fromEntries(rows.map((r) => [r.k as string, r.v as string]));
}

/** The chunk table stored base64-encoded in `_sample` as `fused:_metadata`. */
export async function chunkTable(dir: string): Promise<ChunkRow[]> {
  const kv = await kvMetadata(join(dir, '_sample'));
  expect(kv['fused:format_version']).toBe('5');
  const path = join(dir, '..', `.chunks-${process.pid}-${Math.random().toString(36).slice(2)}.parquet`);
  writeFileSync(path, Buffer.from(kv['fused:_metadata']!, 'base64'));
  const rows = (await query(
    `SELECT * EXCLUDE (geometry) FROM read_parquet(${lit(path)}) ORDER BY file_id, chunk_id`,
  )) as unknown as ChunkRow[];
  return rows;
}

/**
 * Checks a table with DuckDB and returns its chunk table: `rows` rows in all, one row group
 * per chunk in order with the chunk's row count and box, `geo` metadata valid GeoParquet 1.1
 * with a bbox covering, zstd everywhere.
 */
export async function checkTable(dir: string, rows: number): Promise<ChunkRow[]> {
  const files = dataFiles(dir);
  const glob = lit(join(dir, '*.parquet'));
  const [count] = await query(`SELECT count(*) AS n FROM read_parquet(${glob})`);
  expect(count!.n).toBe(rows);
  const chunks = await chunkTable(dir);
  expect(chunks.reduce((a, c) => a + c.num_rows, 0)).toBe(rows);
  for (const [f, file] of files.entries()) {
    const groups = await query(
      `SELECT row_group_id AS rg, any_value(row_group_num_rows) AS n FROM parquet_metadata(${lit(file)}) GROUP BY 1 ORDER BY 1`,
    );
    const mine = chunks.filter((c) => c.file_id === f);
    expect(groups.map((g) => g.n)).toEqual(mine.map((c) => c.num_rows));
    expect(mine.map((c) => c.chunk_id)).toEqual(mine.map((_, i) => i));
    // Each row group's rows lie in its chunk's box (the bbox covering column says so).
    const boxes = await query(
      `SELECT file_row_number // 1 AS r, bbox.xmin AS x0, bbox.ymin AS y0, bbox.xmax AS x1, bbox.ymax AS y1
       FROM read_parquet(${lit(file)}, file_row_number = true) ORDER BY file_row_number`,
    );
    let at = 0;
    for (const c of mine) {
      for (let i = at; i < at + c.num_rows; i++) {
        const b = boxes[i]!;
        expect(b.x0 as number).toBeGreaterThanOrEqual(c.bbox_minx);
        expect(b.y0 as number).toBeGreaterThanOrEqual(c.bbox_miny);
        expect(b.x1 as number).toBeLessThanOrEqual(c.bbox_maxx);
        expect(b.y1 as number).toBeLessThanOrEqual(c.bbox_maxy);
      }
      at += c.num_rows;
    }
    const kv = await kvMetadata(file);
    const geo = JSON.parse(kv.geo!) as { columns: { geometry: { covering?: unknown } } };
    const ok = validateGeo(geo);
    expect(ok ? [] : validateGeo.errors).toEqual([]);
    expect(geo.columns.geometry.covering).toEqual({
      bbox: {
        xmin: ['bbox', 'xmin'],
        ymin: ['bbox', 'ymin'],
        xmax: ['bbox', 'xmax'],
        ymax: ['bbox', 'ymax'],
      },
    });
    expect(kv['geopart:report']).toBeDefined();
    const codecs = await query(`SELECT DISTINCT compression AS c FROM parquet_metadata(${lit(file)})`);
    expect(codecs.map((c) => c.c)).toEqual(['ZSTD']);
  }
  return chunks;
}
