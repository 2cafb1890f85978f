import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
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

/** What GDAL (SQLite dialect: GEOS through SpatiaLite) says of the pieces DuckDB reads from a table. */
interface Pieces {
  readonly count: number;
  readonly largest: number;
  readonly invalid: number;
  /** Area of each chunk (row group): the sum of its pieces'. */
  readonly chunkAreas: number[];
}

const values = (text: string, name: string) =>
  [...text.matchAll(new RegExp(`${name} \\(Real\\) = ([\\d.e+-]+)`, 'g'))].map((m) => Number(m[1]));

/** One figure from `ogrinfo -dialect sqlite -sql SQL PATH` (a REAL column `v`). */
function ogrValue(sql: string, path: string, open: readonly string[] = []): number[] {
  const text = execFileSync('ogrinfo', ['-q', ...open, '-dialect', 'sqlite', '-sql', sql, path], {
    encoding: 'utf8',
  });
  return values(text, 'v');
}

/** The pieces of a table: DuckDB reads them with their row group, GDAL measures and checks them. */
async function pieces(dir: string): Promise<Pieces> {
  const glob = lit(join(dir, '*.parquet'));
  const csv = join(dir, '..', `${basename(dir)}-pieces.csv`);
  const duck = await DuckDBInstance.create(':memory:');
  const conn = await duck.connect();
  await conn.run('SET enable_geoparquet_conversion = false');
  await conn.run(
    `COPY (
       WITH r AS (SELECT filename, file_row_number AS i, hex(geometry) AS wkb
                  FROM read_parquet(${glob}, filename = true, file_row_number = true)),
            g AS (SELECT file_name, row_group_id, row_group_num_rows AS n,
                         sum(row_group_num_rows) OVER (PARTITION BY file_name ORDER BY row_group_id) AS upto
                  FROM (SELECT DISTINCT file_name, row_group_id, row_group_num_rows FROM parquet_metadata(${glob})))
       SELECT g.file_name || '#' || g.row_group_id AS chunk, r.wkb
       FROM r JOIN g ON r.filename = g.file_name AND r.i >= g.upto - g.n AND r.i < g.upto
     ) TO ${lit(csv)} (HEADER, DELIMITER ',')`,
  );
  conn.closeSync();
  duck.closeSync();
  const open = ['-oo', 'GEOM_POSSIBLE_NAMES=wkb', '-oo', 'KEEP_GEOM_COLUMNS=NO'];
  const layer = basename(csv, '.csv');
  const one = (sql: string) => ogrValue(sql, csv, open)[0]!;
  return {
    count: one(`SELECT CAST(count(*) AS REAL) AS v FROM "${layer}"`),
    largest: one(`SELECT max(ST_Area(wkb)) AS v FROM "${layer}"`),
    invalid: one(`SELECT CAST(sum(ST_IsValid(wkb) = 0) AS REAL) AS v FROM "${layer}"`),
    chunkAreas: ogrValue(`SELECT sum(ST_Area(wkb)) AS v FROM "${layer}" GROUP BY chunk`, csv, open),
  };
}

/** The area of `input` made valid by `ogr2ogr -makevalid` (GEOS MakeValid) with `args`, measured by GDAL. */
function madeValidArea(input: string, args: readonly string[] = []): number {
  const out = join(tmp, `${basename(input)}-valid.geojson`);
  rmSync(out, { force: true });
  execFileSync('ogr2ogr', ['-f', 'GeoJSON', out, input, ...args, '-makevalid', '-nln', 'valid']);
  return ogrValue('SELECT sum(ST_Area(geometry)) AS v FROM valid', out)[0]!;
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

  it('walks into nested collections (as GEOS MakeValid returns them)', () => {
    const gc: TGeom = { type: 7, ...opts, parts: [{ type: 7, ...opts, parts: [square(0, 0, 10), point] }] };
    const r = subdivideWkbColumn(wkbColumnOf([encodeWkb(gc)]), 20, 20);
    expect(r.subdividedRows).toBe(1);
    const rows = Array.from({ length: r.wkb.length }, (_, i) => decodeWkb(rowBytes(r.wkb, i)!));
    expect(rows.slice(0, -1).reduce((s, p) => s + area(p), 0)).toBeCloseTo(100, 9);
    expect(rows.at(-1)).toEqual(point);
  });

  it('keeps a single other part as it is, not wrapped in a collection', () => {
    const gc: TGeom = { type: 7, ...opts, parts: [square(0, 0, 10), line] };
    const r = subdivideWkbColumn(wkbColumnOf([encodeWkb(gc)]), 20, 20);
    expect(r.subdividedRows).toBe(1);
    expect(decodeWkb(rowBytes(r.wkb, r.wkb.length - 1)!)).toEqual(line);
  });

  it('with make_valid, subdivides the real earth-seas collection (one GeometryCollection of one self-intersecting MultiPolygon) into valid pieces within the caps', async () => {
    const dir = join(tmp, 'seas');
    const input = dataPath('geojson/earth-seas-10m-extract.geojson');
    const report = await ingest(input, dir, {
      partitioningMethod: 'area',
      partitioningMaximumPerChunk: 100,
      partitioningMaximumPerFile: 5000,
      subdivideStart: 50,
      makeValid: true,
    }).runLocal({ threads: 2 });
    expect(report.rowsRead).toBe(1);
    expect(report.rowsSubdivided).toBe(1);
    expect(report.rowsMadeValid).toBe(1);
    expect(report.rowsWritten).toBe(1 + report.rowsAddedBySubdivision);
    expect(report.rowsWritten).toBeGreaterThan(400);
    const p = await pieces(dir);
    expect(p.count).toBe(report.rowsWritten);
    expect(p.invalid).toBe(0);
    // Every piece within the stop (50), every chunk within the cap (100).
    expect(p.largest).toBeLessThanOrEqual(50 + 1e-6);
    expect(p.chunkAreas.length).toBe(report.chunks);
    expect(Math.max(...p.chunkAreas)).toBeLessThanOrEqual(100 + 1e-6);
    // The pieces sum to the area of the input made valid, as ogr2ogr -makevalid makes it.
    const total = p.chunkAreas.reduce((x, y) => x + y, 0);
    expect(Math.abs(total - madeValidArea(input)) / total).toBeLessThan(1e-9);
  });

  it('with make_valid, repairs made-up invalid polygons before cutting them: a bowtie and a hole outside its shell', async () => {
    const ring = (pts: number[][]) => [...pts, pts[0]!];
    const features = [
      // A bowtie with lobes of 50 and 200 deg2 (its signed area is 150).
      ring([
        [0, 0],
        [20, 20],
        [20, 0],
        [0, 10],
      ]),
    ]
      .map((r) => [r])
      .concat([
        [
          ring([
            [40, 0],
            [50, 0],
            [50, 10],
            [40, 10],
          ]),
          // A hole wholly outside the shell.
          ring([
            [60, 0],
            [63, 0],
            [63, 3],
            [60, 3],
          ]),
        ],
      ])
      .map((coordinates, id) => ({
        type: 'Feature',
        properties: { id },
        geometry: { type: 'Polygon', coordinates },
      }));
    const input = join(tmp, 'invalid.geojson');
    writeFileSync(input, JSON.stringify({ type: 'FeatureCollection', features }));
    const dir = join(tmp, 'invalid');
    const report = await ingest(input, dir, {
      partitioningMethod: 'area',
      partitioningMaximumPerChunk: 30,
      subdivideStart: 5,
      makeValid: true,
    }).runLocal({ threads: 2 });
    expect(report.rowsSubdivided).toBe(2);
    expect(report.rowsMadeValid).toBe(2);
    const p = await pieces(dir);
    expect(p.invalid).toBe(0);
    expect(p.largest).toBeLessThanOrEqual(5 + 1e-9);
    const total = p.chunkAreas.reduce((x, y) => x + y, 0);
    expect(Math.abs(total - madeValidArea(input)) / total).toBeLessThan(1e-9);
  });

  it('with and without make_valid, cuts polygons with rings of two points into valid pieces', async () => {
    // A hole of two distinct points, and a multipolygon with a part of two distinct points:
    // GEOS cannot even build such rings, and ogr2ogr -makevalid drops them.
    const features = [
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [20, 0],
            [20, 20],
            [0, 20],
            [0, 0],
          ],
          [
            [5, 5],
            [6, 6],
            [5, 5],
          ],
        ],
      },
      {
        type: 'MultiPolygon',
        coordinates: [
          [
            [
              [30, 0],
              [40, 10],
              [30, 0],
            ],
          ],
          [
            [
              [40, 0],
              [50, 0],
              [50, 10],
              [40, 10],
              [40, 0],
            ],
          ],
        ],
      },
    ].map((geometry, id) => ({ type: 'Feature', properties: { id }, geometry }));
    const input = join(tmp, 'two-points.geojson');
    writeFileSync(input, JSON.stringify({ type: 'FeatureCollection', features }));
    const want = madeValidArea(input);
    expect(want).toBe(500);
    for (const makeValid of [true, false]) {
      const dir = join(tmp, `two-points-${makeValid}`);
      const report = await ingest(input, dir, {
        partitioningMethod: 'area',
        partitioningMaximumPerChunk: 30,
        subdivideStart: 5,
        makeValid,
      }).runLocal({ threads: 2 });
      expect(report.rowsSubdivided).toBe(2);
      if (makeValid) expect(report.rowsMadeValid).toBe(2);
      const p = await pieces(dir);
      expect(p.invalid, `make_valid ${makeValid}`).toBe(0);
      expect(p.largest).toBeLessThanOrEqual(5 + 1e-9);
      const total = p.chunkAreas.reduce((x, y) => x + y, 0);
      expect(Math.abs(total - want) / want).toBeLessThan(1e-9);
    }
  });
});

describe('make_valid', () => {
  it('repairs every invalid polygon of Natural Earth countries (and of the OSM multipolygons, all valid), and counts them', async () => {
    for (const [name, input, layer] of [
      ['osm', dataPath('osm/liechtenstein-2013-08-03.osm.pbf'), 'multipolygons'],
      ['countries', dataPath('flatgeobuf/countries.fgb'), null],
    ] as const) {
      const dir = join(tmp, `make-valid-${name}`);
      const report = await ingest(input, dir, {
        makeValid: true,
        ...(layer ? { gdalConfig: { layer } } : {}),
      }).runLocal({ threads: 2 });
      const p = await pieces(dir);
      expect(p.count, name).toBe(report.rowsWritten);
      expect(p.invalid, name).toBe(0);
      // As many rows repaired as GDAL finds invalid in the input.
      const sql = `SELECT CAST(sum(ST_IsValid(geometry) = 0) AS REAL) AS v FROM "${layer ?? 'countries'}"`;
      const invalid = ogrValue(sql, input)[0]!;
      // Every OSM multipolygon of this extract is valid (GDAL assembles them); Antarctica is not.
      if (name === 'countries') expect(invalid).toBeGreaterThan(0);
      expect(report.rowsMadeValid, name).toBe(invalid);
      // The areas are those of ogr2ogr -makevalid.
      const total = p.chunkAreas.reduce((x, y) => x + y, 0);
      const want = madeValidArea(input, layer ? [layer] : []);
      expect(Math.abs(total - want) / want, name).toBeLessThan(1e-9);
    }
  });

  it('reports rowsMadeValid: 0 with make_valid on valid input, and leaves the table as without it', async () => {
    const input = dataPath('geoarrow/quadrangles_100k.fgb');
    const a = await ingest(input, join(tmp, 'quads-valid')).runLocal({ threads: 2 });
    const b = await ingest(input, join(tmp, 'quads-make-valid'), { makeValid: true }).runLocal({
      threads: 2,
    });
    expect(a.rowsMadeValid).toBeUndefined();
    expect(b.rowsMadeValid).toBe(0);
    expect(b.rowsWritten).toBe(a.rowsWritten);
  });
});
