import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { subdivideWkbColumn } from '../../src/geometry/subdivide-wkb.js';
import { dataPath } from '../helpers/data.js';
import { lit } from '../helpers/duckdb.js';
import { decodeWkb, encodeWkb, rowBytes, type TGeom, wkbColumnOf } from '../helpers/wkb-codec.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-subdivide-gc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const opts = { z: false, m: false, le: true, ewkb: false };
const square = (x: number, y: number, s: number): TGeom => ({
  type: 3,
  ...opts,
  rings: [
    [
      [x, y],
      [x + s, y],
      [x + s, y + s],
      [x, y + s],
      [x, y],
    ],
  ],
});
const point: TGeom = { type: 1, ...opts, coords: [[50, 50]] };
const line: TGeom = {
  type: 2,
  ...opts,
  le: false,
  coords: [
    [60, 0],
    [61, 1],
  ],
};

/** Shoelace area of a decoded polygon (holes subtract). */
function area(g: TGeom): number {
  return (g.rings ?? []).reduce((sum, ring, k) => {
    let a = 0;
    for (let i = 0; i + 1 < ring.length; i++)
      a += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
    return sum + (k === 0 ? 1 : -1) * Math.abs(a / 2);
  }, 0);
}

describe('subdivision of GeometryCollections', () => {
  it('cuts the polygonal parts into pieces and keeps the other parts, byte for byte, as one more row', () => {
    const gc: TGeom = {
      type: 7,
      ...opts,
      parts: [square(0, 0, 10), point, { type: 6, ...opts, parts: [square(20, 0, 6)] }, line],
    };
    const small: TGeom = { type: 7, ...opts, parts: [square(0, 0, 1), point] };
    const col = wkbColumnOf([encodeWkb(gc), encodeWkb(small)]);
    const r = subdivideWkbColumn(col, 5, 5);
    expect(r.subdividedRows).toBe(1);
    const rows = Array.from({ length: r.wkb.length }, (_, i) => decodeWkb(rowBytes(r.wkb, i)!));
    const pieces = rows.slice(0, -2);
    // Every piece a polygon of at most the stop, the pieces summing to the polygons' area.
    expect(pieces.every((p) => p.type === 3 && area(p) <= 5 + 1e-9)).toBe(true);
    expect(pieces.reduce((s, p) => s + area(p), 0)).toBeCloseTo(100 + 36, 9);
    // Then the point and the line, as a collection of the two; the small row stays as it was.
    const rest = rows.at(-2)!;
    expect(rest.type).toBe(7);
    expect(rest.parts!.map((p) => p.type)).toEqual([1, 2]);
    expect(rest.parts![1]!.le).toBe(false);
    expect(rest.parts![1]!.coords).toEqual(line.coords);
    expect(rowBytes(r.wkb, r.wkb.length - 1)).toEqual(encodeWkb(small));
    expect(Array.from(r.parentRow)).toEqual([...pieces.map(() => 0), 0, 1]);
  });

  it('keeps a single other part as it is, not wrapped in a collection', () => {
    const gc: TGeom = { type: 7, ...opts, parts: [square(0, 0, 10), line] };
    const r = subdivideWkbColumn(wkbColumnOf([encodeWkb(gc)]), 20, 20);
    expect(r.subdividedRows).toBe(1);
    expect(decodeWkb(rowBytes(r.wkb, r.wkb.length - 1)!)).toEqual(line);
  });

  it('subdivides the real earth-seas collection (a GeometryCollection of one MultiPolygon) into chunks within the cap', async () => {
    const dir = join(tmp, 'seas');
    const input = dataPath('geojson/earth-seas-10m-extract.geojson');
    const report = await ingest(input, dir, {
      partitioningMethod: 'area',
      partitioningMaximumPerChunk: 100,
      partitioningMaximumPerFile: 5000,
      subdivideStart: 50,
    }).runLocal({ threads: 2 });
    expect(report.rowsRead).toBe(1);
    expect(report.rowsSubdivided).toBe(1);
    expect(report.rowsWritten).toBe(1 + report.rowsAddedBySubdivision);
    expect(report.rowsWritten).toBeGreaterThan(400);
    // DuckDB reads the pieces with their row group (chunk); GDAL (SQLite dialect, GEOS) measures them.
    const glob = lit(join(dir, '*.parquet'));
    const csv = join(tmp, 'pieces.csv');
    const duck = await DuckDBInstance.create(':memory:');
    const conn = await duck.connect();
    await conn.run('SET enable_geoparquet_conversion = false');
    await conn.run(
      `COPY (
         WITH r AS (SELECT filename, file_row_number AS i, hex(geometry) AS wkb FROM read_parquet(${glob}, filename = true, file_row_number = true)),
              g AS (SELECT file_name, row_group_id,
                           sum(row_group_num_rows) OVER (PARTITION BY file_name ORDER BY row_group_id) AS upto,
                           row_group_num_rows AS n
                    FROM (SELECT DISTINCT file_name, row_group_id, row_group_num_rows FROM parquet_metadata(${glob})))
         SELECT g.file_name || '#' || g.row_group_id AS chunk, r.wkb
         FROM r JOIN g ON r.filename = g.file_name AND r.i >= g.upto - g.n AND r.i < g.upto
       ) TO ${lit(csv)} (HEADER, DELIMITER ',')`,
    );
    conn.closeSync();
    duck.closeSync();
    const ogr = (sql: string, path: string) =>
      execFileSync('ogrinfo', ['-q', '-dialect', 'sqlite', '-sql', sql, path], { encoding: 'utf8' });
    const values = (text: string, name: string) =>
      [...text.matchAll(new RegExp(`${name} \\(Real\\) = ([\\d.e+-]+)`, 'g'))].map((m) => Number(m[1]));
    const pieceCsv = ['-oo', 'GEOM_POSSIBLE_NAMES=wkb', '-oo', 'KEEP_GEOM_COLUMNS=NO'];
    const ogrCsv = (sql: string) =>
      execFileSync('ogrinfo', ['-q', ...pieceCsv, '-dialect', 'sqlite', '-sql', sql, csv], {
        encoding: 'utf8',
      });
    const [count] = values(ogrCsv('SELECT CAST(count(*) AS REAL) AS n FROM pieces'), 'n');
    expect(count).toBe(report.rowsWritten);
    // Every piece within the stop (50), every chunk within the cap (100).
    const [largest] = values(ogrCsv('SELECT max(ST_Area(wkb)) AS a FROM pieces'), 'a');
    expect(largest).toBeLessThanOrEqual(50 + 1e-6);
    const chunkAreas = values(ogrCsv('SELECT sum(ST_Area(wkb)) AS a FROM pieces GROUP BY chunk'), 'a');
    expect(chunkAreas.length).toBe(report.chunks);
    expect(Math.max(...chunkAreas)).toBeLessThanOrEqual(100 + 1e-6);
    // The input ring is self-intersecting (as much of the real data is), so the pieces' area is
    // its area within a few percent, not exactly.
    const [inputArea] = values(
      ogr('SELECT ST_Area(geometry) AS a FROM "earth-seas-10m-extract"', input),
      'a',
    );
    const total = chunkAreas.reduce((x, y) => x + y, 0);
    expect(Math.abs(total - inputArea!) / inputArea!).toBeLessThan(0.05);
  });
});
