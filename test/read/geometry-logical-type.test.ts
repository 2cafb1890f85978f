/**
 * Files that declare their geometry only through Parquet's GEOMETRY logical type, as DuckDB
 * writes them with `GEOPARQUET_VERSION 'NONE'` (no `geo` metadata, no covering column):
 * `openTable` takes its chunk boxes from the geospatial statistics and prunes by them, and
 * ingest reads the file as GeoParquet.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileMetaData } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { geoFromLogicalTypes } from '../../src/io/geoparquet-meta.js';
import { openTable } from '../../src/read/open-table.js';
import type { BBox } from '../../src/read/types.js';
import { geopart } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-geometry-type-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const source = join(tmp, 'countries');
const file = join(tmp, 'duck-none.parquet');

beforeAll(async () => {
  await ingest(dataPath('flatgeobuf/countries.fgb'), source, { targetNumChunks: 8 }).runLocal({ threads: 2 });
  // Sorted by longitude, 20 rows a row group: row groups with boxes worth pruning by.
  await query(
    `COPY (SELECT name, geometry FROM read_parquet(${lit(join(source, '*.parquet'))}) ORDER BY bbox.xmin, name)
     TO ${lit(file)} (FORMAT parquet, GEOPARQUET_VERSION 'NONE', ROW_GROUP_SIZE 20)`,
  );
}, 60_000);

const intersects = (a: readonly number[], b: readonly number[]) =>
  a[0]! <= b[2]! && a[2]! >= b[0]! && a[1]! <= b[3]! && a[3]! >= b[1]!;

describe('a file with the GEOMETRY logical type only', () => {
  it('has no geo metadata and no covering column (the case under test)', async () => {
    const kv = await query(`SELECT decode(key) AS k FROM parquet_kv_metadata(${lit(file)})`);
    expect(kv.map((r) => r.k)).not.toContain('geo');
    const [schema] = await query(
      `SELECT logical_type FROM parquet_schema(${lit(file)}) WHERE name = 'geometry'`,
    );
    // DuckDB writes the CRS as inline PROJJSON (OGC:CRS84), which ingest must take as lon/lat.
    expect(schema!.logical_type).toMatch(/^GeometryType\(crs=\{.*CRS84/);
  });

  it('openTable boxes its row groups by the geospatial statistics and reads only those a box touches', async () => {
    const groups = await query(
      `SELECT row_group_id AS g, geo_bbox AS b FROM parquet_metadata(${lit(file)})
       WHERE path_in_schema = 'geometry' ORDER BY row_group_id`,
    );
    const table = await openTable(file);
    try {
      const chunks = table.chunks();
      expect(chunks).toHaveLength(groups.length);
      for (const [i, c] of chunks.entries()) {
        const b = groups[i]!.b as Record<string, number>;
        expect(c.bbox).toEqual([b.xmin, b.ymin, b.xmax, b.ymax]);
      }
      const boxes: BBox[] = [
        [0, 40, 10, 50],
        [-80, -10, -60, 10],
        [100, -50, 180, 0],
        [-1, -1, 1, 1],
        [60, 85, 70, 89],
      ];
      for (const box of boxes) {
        const before = table.stats.rowGroupsRead;
        const got = await table.read({ bbox: box, columns: ['name'] });
        const touched = groups.filter((g) => {
          const b = g.b as Record<string, number>;
          return intersects([b.xmin!, b.ymin!, b.xmax!, b.ymax!], box);
        }).length;
        expect(table.stats.rowGroupsRead - before, `${box}`).toBe(touched);
        expect(table.chunks(box)).toHaveLength(touched);
        // The rows: those whose box touches, as DuckDB finds them in the table the file came from.
        const want = await query(
          `SELECT name FROM read_parquet(${lit(join(source, '*.parquet'))})
           WHERE bbox.xmin <= ${box[2]} AND bbox.xmax >= ${box[0]} AND bbox.ymin <= ${box[3]} AND bbox.ymax >= ${box[1]}`,
        );
        const names = got.getChild('name')!.toArray().map(String).sort();
        expect(names, `${box}`).toEqual(want.map((r) => String(r.name)).sort());
      }
    } finally {
      await table.close();
    }
  });

  it('ingests as GeoParquet: every row, its geometry byte for byte', async () => {
    const dir = join(tmp, 'reingested');
    const report = await ingest(file, dir, { targetNumChunks: 4 }).runLocal({ threads: 2 });
    expect(report.rowsWritten).toBe(181);
    const diff = await query(
      `SELECT count(*) AS n FROM (
         (SELECT name, hex(ST_AsWKB(geometry)) FROM read_parquet(${lit(file)})
          EXCEPT ALL SELECT name, hex(ST_AsWKB(geometry)) FROM read_parquet(${lit(join(dir, '*.parquet'))}))
         UNION ALL
         (SELECT name, hex(ST_AsWKB(geometry)) FROM read_parquet(${lit(join(dir, '*.parquet'))})
          EXCEPT ALL SELECT name, hex(ST_AsWKB(geometry)) FROM read_parquet(${lit(file)})))`,
    );
    expect(diff[0]!.n).toBe(0);
  });

  it('geopart info names its geometry column and takes its extent from the geospatial statistics', async () => {
    const r = geopart(['info', file, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const layer = JSON.parse(r.stdout).layers[0];
    expect(layer.geometryColumn).toBe('geometry');
    expect(layer.featureCount).toBe(181);
    const [e] = await query(
      `SELECT min(geo_bbox.xmin) AS x0, min(geo_bbox.ymin) AS y0, max(geo_bbox.xmax) AS x1, max(geo_bbox.ymax) AS y1
       FROM parquet_metadata(${lit(file)}) WHERE path_in_schema = 'geometry'`,
    );
    expect(layer.extent).toEqual([e!.x0, e!.y0, e!.x1, e!.y1]);
  });

  it("maps the logical type's crs to GeoParquet's: absent, srid:N, projjson:KEY, AUTH:CODE", () => {
    const meta = (crs: string | undefined, kv: { key: string; value: string }[] = []) =>
      ({
        schema: [
          { name: 'root', num_children: 2 },
          { name: 'id', type: 'INT32' },
          { name: 'geom', type: 'BYTE_ARRAY', logical_type: { type: 'GEOMETRY', ...(crs ? { crs } : {}) } },
        ],
        key_value_metadata: kv,
      }) as unknown as FileMetaData;
    const col = (m: FileMetaData) => JSON.parse(geoFromLogicalTypes(m)!).columns.geom;
    expect(JSON.parse(geoFromLogicalTypes(meta(undefined))!).primary_column).toBe('geom');
    expect(col(meta(undefined))).toEqual({ encoding: 'WKB', geometry_types: [] });
    expect(col(meta('srid:3857')).crs).toBe('EPSG:3857');
    expect(col(meta('EPSG:32631')).crs).toBe('EPSG:32631');
    const projjson = { type: 'ProjectedCRS', name: 'x', id: { authority: 'EPSG', code: 3857 } };
    expect(col(meta('projjson:my_crs', [{ key: 'my_crs', value: JSON.stringify(projjson) }])).crs).toEqual(
      projjson,
    );
    // A column nested in a struct is not a geometry column of the file.
    const nested = {
      schema: [
        { name: 'root', num_children: 1 },
        { name: 's', num_children: 1 },
        { name: 'g', type: 'BYTE_ARRAY', logical_type: { type: 'GEOMETRY' } },
      ],
    } as unknown as FileMetaData;
    expect(geoFromLogicalTypes(nested)).toBeNull();
  });
});
