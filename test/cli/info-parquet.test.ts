import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDataset } from '../../src/inspect/describe.js';
import { geometryTypeName } from '../../src/inspect/parquet-info.js';
import { geopart } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { type HttpFileServer, serveFiles } from '../helpers/http-files.js';

const COUNTRIES = dataPath('geoarrow/natural-earth_countries_geo.parquet');
const UTM = dataPath('geoarrow/example-crs_vermont-utm_geo.parquet');

const FIXTURES = [
  'geoarrow/natural-earth_countries_geo.parquet',
  'geoarrow/natural-earth_cities_geo.parquet',
  'geoarrow/quadrangles_100k_geo.parquet',
  'geoarrow/example-crs_vermont-utm_geo.parquet',
  'geoparquet/example.parquet',
  ...['point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon'].flatMap((t) => [
    `geoparquet/data-${t}-encoding_wkb.parquet`,
    `geoparquet/data-${t}-encoding_native.parquet`,
  ]),
];

/** OGR's field type name for a DuckDB column type, as `info` should name it. */
function ogrNameOfDuckdb(type: string): string {
  if (type.endsWith('[]')) return `${ogrNameOfDuckdb(type.slice(0, -2))}[]`;
  if (/^(TINYINT|SMALLINT|INTEGER|UTINYINT|USMALLINT)$/.test(type)) return 'integer';
  if (/^(BIGINT|UINTEGER|UBIGINT)$/.test(type)) return 'integer64';
  if (/^(FLOAT|DOUBLE|DECIMAL)/.test(type)) return 'real';
  if (type.startsWith('STRUCT')) return 'struct';
  const names: Record<string, string> = {
    VARCHAR: 'string',
    BLOB: 'binary',
    BOOLEAN: 'boolean',
    DATE: 'date',
    TIME: 'time',
    TIMESTAMP: 'datetime',
    'TIMESTAMP WITH TIME ZONE': 'datetime',
  };
  return names[type] ?? `unmapped ${type}`;
}

/** The `geo` metadata of a file, as DuckDB reads it. */
async function geoOf(path: string): Promise<{
  primary_column: string;
  columns: Record<string, { covering?: { bbox: { xmin: string[] } } }>;
} | null> {
  const rows = await query(
    `SELECT decode(value) AS v FROM parquet_kv_metadata(${lit(path)}) WHERE decode(key) = 'geo'`,
  );
  return rows.length === 0 ? null : JSON.parse(String(rows[0]!.v));
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'geopart-info-parquet-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A little-endian WKB point. */
function wkbPoint(x: number, y: number): string {
  const b = Buffer.alloc(21);
  b[0] = 1;
  b.writeUInt32LE(1, 1);
  b.writeDoubleLE(x, 5);
  b.writeDoubleLE(y, 13);
  return b.toString('hex');
}

/**
 * Writes a Parquet file of `n` points (x = i % 100, y = i % 50) with attribute columns of many
 * types, a `bbox` struct column and `geo` metadata `geo` (none when null), in row groups of 2048.
 */
async function writePoints(name: string, n: number, geo: object | null): Promise<string> {
  const path = join(work, name);
  const points = Array.from({ length: 100 }, (_, x) => `(${x}, '${wkbPoint(x, x % 50)}')`).join(', ');
  const kv = geo === null ? '' : `, KV_METADATA {geo: ${lit(JSON.stringify(geo))}}`;
  await query(
    `COPY (SELECT i::INTEGER AS id, i::BIGINT * 1000000000 AS big, i / 3 AS ratio, 'n' || i AS name,
       i % 2 = 0 AS even, DATE '2024-01-01' + (i % 300)::INTEGER AS day,
       TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i) AS at, [i, i + 1] AS pair,
       from_hex(p.h) AS geometry,
       {'xmin': p.x::DOUBLE, 'ymin': (p.x % 50)::DOUBLE, 'xmax': p.x::DOUBLE, 'ymax': (p.x % 50)::DOUBLE} AS bbox
     FROM range(${n}) t(i) JOIN (VALUES ${points}) p(x, h) ON p.x = i % 100 ORDER BY i)
     TO ${lit(path)} (FORMAT PARQUET, ROW_GROUP_SIZE 2048${kv})`,
  );
  return path;
}

const COVERING = {
  bbox: { xmin: ['bbox', 'xmin'], ymin: ['bbox', 'ymin'], xmax: ['bbox', 'xmax'], ymax: ['bbox', 'ymax'] },
};

describe('geopart info on Parquet', () => {
  it('describes every Parquet fixture: one layer, the row count and columns DuckDB reads', async () => {
    for (const rel of FIXTURES) {
      const path = dataPath(rel);
      const info = await describeDataset(path);
      expect(info.driver, rel).toBe('Parquet');
      expect(info.layers).toHaveLength(1);
      const layer = info.layers[0]!;
      expect(layer.name, rel).toBe(basename(path, '.parquet'));
      const count = await query(`SELECT count(*) AS n FROM read_parquet(${lit(path)})`);
      expect(layer.featureCount, rel).toBe(count[0]!.n);
      const geo = (await geoOf(path))!;
      expect(layer.geometryColumn, rel).toBe(geo.primary_column);
      const covering = Object.values(geo.columns).flatMap((c) =>
        c.covering ? [c.covering.bbox.xmin[0]] : [],
      );
      const columns = await query(`DESCRIBE SELECT * FROM read_parquet(${lit(path)})`);
      const expected = columns
        .filter((c) => c.column_name !== geo.primary_column && !covering.includes(String(c.column_name)))
        .map((c) => ({ name: c.column_name, type: ogrNameOfDuckdb(String(c.column_type)) }));
      expect(layer.fields, rel).toEqual(expected);
    }
  });

  it('prints the geometry type, count, CRS, extent and fields of a GeoParquet file as text', () => {
    const r = geopart(['info', COUNTRIES]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`${COUNTRIES} (driver Parquet), 1 layer(s)`);
    expect(r.stdout).toContain('Layer 1: natural-earth_countries_geo');
    // geometry_types ["MultiPolygon", "Polygon"]: the Multi form, as GDAL's Parquet driver says.
    expect(r.stdout).toContain('Geometry:      Multi Polygon (column geometry)');
    expect(r.stdout).toContain('Feature count: 177');
    expect(r.stdout).toContain('CRS:           EPSG:4326');
    // The `bbox` of the geo metadata, Russia's floating-point noise included.
    expect(r.stdout).toContain('Extent:        (-180, -90) - (180.00000000000006, 83.64513000000001)');
    expect(r.stdout).toContain('    name: string\n    continent: string');
  });

  it('gives the same description as JSON, with the CRS of a projected file as EPSG code and WKT', () => {
    const r = geopart(['info', UTM, '--json']);
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.driver).toBe('Parquet');
    const layer = info.layers[0];
    expect(layer).toMatchObject({
      name: 'example-crs_vermont-utm_geo',
      geometryType: 'Polygon',
      geometryColumn: 'geometry',
      featureCount: 1,
      crs: 'EPSG:32618',
      fields: [],
    });
    expect(layer.crsWkt).toMatch(/^PROJCS\["WGS 84 \/ UTM zone 18N"/);
    expect(layer.extent).toHaveLength(4);
    expect(layer.extent[0]).toBeGreaterThan(600_000);
  });

  it('takes an absent CRS as OGC:CRS84 and names field types as OGR does', async () => {
    const path = await writePoints('typed.parquet', 10, {
      version: '1.1.0',
      primary_column: 'geometry',
      columns: { geometry: { encoding: 'WKB', geometry_types: ['Point Z'], bbox: [0, 0, 0, 9, 9, 0] } },
    });
    const layer = (await describeDataset(path)).layers[0]!;
    expect(layer.crs).toBe('OGC:CRS84');
    expect(layer.crsWkt).toContain('GEOGCS["WGS 84"');
    expect(layer.geometryType).toBe('3D Point');
    // A 3D bbox: x and y of its two corners.
    expect(layer.extent).toEqual([0, 0, 9, 9]);
    expect(layer.fields).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'big', type: 'integer64' },
      { name: 'ratio', type: 'real' },
      { name: 'name', type: 'string' },
      { name: 'even', type: 'boolean' },
      { name: 'day', type: 'date' },
      { name: 'at', type: 'datetime' },
      { name: 'pair', type: 'integer64[]' },
      // Not declared as the covering: an attribute like any other.
      { name: 'bbox', type: 'struct' },
    ]);
  });

  it('takes the extent from the covering column statistics of every row group when geo has no bbox', async () => {
    const path = await writePoints('covered.parquet', 5000, {
      version: '1.1.0',
      primary_column: 'geometry',
      columns: { geometry: { encoding: 'WKB', geometry_types: ['Point'], covering: COVERING } },
    });
    const groups = await query(
      `SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata(${lit(path)})`,
    );
    expect(groups[0]!.n).toBeGreaterThan(1);
    const layer = (await describeDataset(path)).layers[0]!;
    expect(layer.extent).toEqual([0, 0, 99, 49]);
    expect(layer.featureCount).toBe(5000);
    // The covering column is the geometry's box, not a field.
    expect(layer.fields.map((f) => f.name)).not.toContain('bbox');

    const bare = await writePoints('bare.parquet', 10, {
      version: '1.1.0',
      primary_column: 'geometry',
      columns: { geometry: { encoding: 'WKB', geometry_types: [] } },
    });
    const none = (await describeDataset(bare)).layers[0]!;
    expect(none.extent).toBeNull();
    expect(none.geometryType).toBe('Unknown (any)');
  });

  it('describes a plain Parquet file (no geo metadata) as a layer without geometry', async () => {
    const path = await writePoints('plain.parquet', 10, null);
    const r = geopart(['info', path, '--json']);
    expect(r.status).toBe(0);
    const layer = JSON.parse(r.stdout).layers[0];
    expect(layer).toMatchObject({
      name: 'plain',
      geometryType: 'None',
      geometryColumn: '',
      featureCount: 10,
      crs: null,
      crsWkt: null,
      extent: null,
    });
    expect(layer.fields.map((f: { name: string }) => f.name)).toContain('geometry');
  });

  it('names geometry types as OGR does', () => {
    expect(geometryTypeName(['Polygon'])).toBe('Polygon');
    expect(geometryTypeName(['Polygon', 'MultiPolygon'])).toBe('Multi Polygon');
    expect(geometryTypeName(['MultiLineString Z', 'LineString Z'])).toBe('3D Multi Line String');
    expect(geometryTypeName(['GeometryCollection'])).toBe('Geometry Collection');
    expect(geometryTypeName(['Point', 'LineString'])).toBe('Unknown (any)');
    expect(geometryTypeName(['Point', 'MultiPoint Z'])).toBe('Unknown (any)');
    expect(geometryTypeName([])).toBe('Unknown (any)');
  });

  it('picks its one layer by name or index, and refuses another name and GDAL open options', () => {
    const byName = geopart(['info', COUNTRIES, '--layer', 'natural-earth_countries_geo', '--json']);
    expect(byName.status).toBe(0);
    expect(JSON.parse(byName.stdout).layers[0].featureCount).toBe(177);
    const byIndex = geopart(['info', COUNTRIES, '--layer', '0', '--json']);
    expect(JSON.parse(byIndex.stdout).layers[0].name).toBe('natural-earth_countries_geo');
    const bad = geopart(['info', COUNTRIES, '--layer', 'roads']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(
      `${COUNTRIES}: no layer "roads"; its layers are: natural-earth_countries_geo`,
    );
    const oo = geopart(['info', COUNTRIES, '--oo', 'GEOM_POSSIBLE_NAMES=geom']);
    expect(oo.status).toBe(2);
    expect(oo.stderr).toContain(`${COUNTRIES}: open options (GEOM_POSSIBLE_NAMES) are GDAL's`);
    expect(oo.stdout).toBe('');
  });

  it('fails on a truncated, a damaged, a non-Parquet and a missing file with a coded error naming it', () => {
    const bytes = readFileSync(COUNTRIES);
    const truncated = join(work, 'truncated.parquet');
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
    const damagedFooter = join(work, 'footer.parquet');
    const copy = Buffer.from(bytes);
    const footerLength = copy.readUInt32LE(copy.length - 8);
    copy.fill(0xff, copy.length - 8 - footerLength, copy.length - 8 - footerLength / 2);
    writeFileSync(damagedFooter, copy);
    const notParquet = join(work, 'text.parquet');
    writeFileSync(notParquet, 'name,geometry\nx,POINT (1 2)\n');
    const cases: [string, RegExp][] = [
      [truncated, /is truncated: it starts as a Parquet file but its footer is missing or cut off/],
      [damagedFooter, /cannot read the Parquet footer/],
      [notParquet, /is not a Parquet file \(no PAR1 magic bytes\)/],
      [join(work, 'missing.parquet'), /input not found/],
    ];
    for (const [path, message] of cases) {
      const before = existsSync(path) ? readFileSync(path) : null;
      const r = geopart(['info', path]);
      expect(r.status, path).toBe(1);
      expect(r.stderr, path).toContain(path);
      expect(r.stderr, path).toMatch(message);
      expect(r.stderr, path).not.toContain('internal error');
      expect(r.stdout, path).toBe('');
      if (before !== null) expect(readFileSync(path).equals(before), path).toBe(true);
    }
  });

  describe('over http', () => {
    let server: HttpFileServer;
    beforeAll(async () => {
      copyFileSync(COUNTRIES, join(work, 'countries.parquet'));
      server = await serveFiles(work);
    });
    afterAll(() => server?.close());

    it('describes a Parquet URL by range requests, as the local file', async () => {
      const url = `${server.base}/countries.parquet?version=1`;
      const remote = await describeDataset(url);
      const local = await describeDataset(join(work, 'countries.parquet'));
      expect(remote).toEqual({ ...local, path: url });
      expect((await server.stats()).wholeGets).toBe(0);
      await expect(describeDataset(`${server.base}/nothing.parquet`)).rejects.toMatchObject({
        code: 'INPUT_NOT_FOUND',
      });
    });
  });
});
