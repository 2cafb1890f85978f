/**
 * `geopart query` in each format, read back (JSON.parse, DuckDB) and compared with read().
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DataType,
  IntervalDayTime,
  IntervalMonthDayNano,
  IntervalYearMonth,
  makeData,
  makeVector,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { plainValue } from '../../src/cli/query-formats.js';
import { openTable } from '../../src/read/open-table.js';
import type { BBox } from '../../src/read/types.js';
import { geopart, ROOT } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';

let dir: string;
let table: string;
const BOX: BBox = [-10, 35, 30, 60];
let want: { id: string; name: string }[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'geopart-query-'));
  table = join(dir, 'countries');
  const r = geopart(['ingest', dataPath('flatgeobuf/countries.fgb'), '-o', table, '--target-chunks', '30']);
  if (r.status !== 0) throw new Error(r.stderr);
  const t = await openTable(table);
  const rows = await t.read({ bbox: BOX, columns: ['id', 'name'] });
  await t.close();
  want = Array.from({ length: rows.numRows }, (_, i) => ({
    id: String(rows.getChild('id')!.get(i)),
    name: String(rows.getChild('name')!.get(i)),
  })).sort((a, b) => a.id.localeCompare(b.id));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sorted = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));

describe('geopart query', () => {
  test('a reader that closes the pipe early (| head -1) ends the command quietly, exit 0', () => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${ROOT}bin/geopart.js" query "${table}" --bbox ${BOX.join(',')} | head -1; exit \${PIPESTATUS[0]}`,
      ],
      { encoding: 'utf8' },
    );
    expect(want.length).toBeGreaterThan(1);
    expect(JSON.parse(r.stdout).type).toBe('Feature');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('geojsonl to stdout: one Feature per row, attribute properties', () => {
    const r = geopart(['query', table, '--bbox', BOX.join(',')]);
    expect(r.status, r.stderr).toBe(0);
    const features = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(want.length).toBeGreaterThan(10);
    expect(sorted(features.map((f) => ({ id: f.properties.id, name: f.properties.name })))).toEqual(want);
    for (const f of features) {
      expect(f.type).toBe('Feature');
      expect(Object.keys(f.properties).sort()).toEqual(['id', 'name']);
      expect(['Polygon', 'MultiPolygon']).toContain(f.geometry.type);
    }
  });

  test('csv with WKT geometry, read back by DuckDB', async () => {
    const out = join(dir, 'q.csv');
    const r = geopart(['query', table, '--bbox', BOX.join(','), '--format', 'csv', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    const rows = await query(
      `SELECT id, name, geometry FROM read_csv(${lit(out)}, header = true, all_varchar = true)`,
    );
    expect(sorted(rows.map((x) => ({ id: String(x.id), name: String(x.name) })))).toEqual(want);
    expect(rows.every((x) => /^(MULTI)?POLYGON \(\(\(?-?\d/.test(String(x.geometry)))).toBe(true);
    const again = geopart(['query', table, '--bbox', BOX.join(','), '--format', 'csv', '-o', out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('--overwrite');
  });

  test('parquet with -o: a GeoParquet file DuckDB reads, same rows', async () => {
    const out = join(dir, 'q.parquet');
    writeFileSync(out, 'old');
    const r = geopart([
      'query',
      table,
      '--bbox',
      BOX.join(','),
      '--format',
      'parquet',
      '-o',
      out,
      '--overwrite',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const rows = await query(`SELECT id, name, bbox.xmin AS x FROM read_parquet(${lit(out)})`);
    expect(sorted(rows.map((x) => ({ id: String(x.id), name: String(x.name) })))).toEqual(want);
    const geo = await query(
      `SELECT decode(value) AS v FROM parquet_kv_metadata(${lit(out)}) WHERE decode(key) = 'geo'`,
    );
    expect(JSON.parse(String(geo[0]!.v)).primary_column).toBe('geometry');
    expect(readFileSync(out).subarray(0, 4).toString()).toBe('PAR1');
  });

  test('--exact and --columns', () => {
    const r = geopart(['query', table, '--bbox', '-30,30,-20,40', '--exact', '--columns', 'name,geometry']);
    expect(r.status, r.stderr).toBe(0);
    const loose = geopart(['query', table, '--bbox', '-30,30,-20,40', '--columns', 'name']);
    expect(r.stdout.trim().split('\n').filter(Boolean).length).toBeLessThan(
      loose.stdout.trim().split('\n').length,
    );
  });

  test('errors: bad --bbox shows the expected form, parquet needs -o, unknown columns are listed', () => {
    const bad = geopart(['query', table, '--bbox', '1,2,3']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('W,S,E,N');
    const flipped = geopart(['query', table, '--bbox', '3,2,1,4']);
    expect(flipped.status).toBe(2);
    const noOut = geopart(['query', table, '--bbox', '0,0,1,1', '--format', 'parquet']);
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toContain('-o FILE');
    const col = geopart(['query', table, '--bbox', '0,0,1,1', '--columns', 'nope']);
    expect(col.status).toBe(2);
    expect(col.stderr).toContain('available columns: id, name, geometry, bbox');
  });
});

const WORLD = '-180,-90,180,90';
const lines = (stdout: string) => stdout.trim().split('\n');
const geoMeta = (column: string) =>
  JSON.stringify({
    version: '1.1.0',
    primary_column: column,
    columns: { [column]: { encoding: 'WKB', geometry_types: [] } },
  });

/**
 * SQL for the rows of GeoParquet file `f` with a non-empty geometry (what a query of the whole
 * world returns), the geometry as DuckDB's WKT.
 */
const rowsWithGeometry = (f: string, g: string) =>
  `SELECT col, g FROM (SELECT col, ST_AsText(${g}) AS g FROM read_parquet(${lit(f)})) WHERE g NOT LIKE '%EMPTY' ORDER BY col`;

/** Writes `select` to a GeoParquet file through DuckDB, `column` declared the WKB geometry. */
async function duckGeoParquet(path: string, select: string, column: string): Promise<string> {
  await query(
    `COPY (${select}) TO ${lit(path)} (FORMAT parquet, KV_METADATA {geo: ${lit(geoMeta(column))}})`,
  );
  return path;
}

describe('geopart query of GeoParquet files written by other tools', () => {
  test.each(['point', 'linestring', 'polygon', 'multipolygon'])(
    'native GeoArrow %s geometry comes out as the WKB file of the same rows does, in every format',
    async (kind) => {
      const native = dataPath(`geoparquet/data-${kind}-encoding_native.parquet`);
      const wkb = dataPath(`geoparquet/data-${kind}-encoding_wkb.parquet`);
      for (const format of ['geojsonl', 'csv']) {
        const got = geopart(['query', native, '--bbox', WORLD, '--format', format]);
        expect(got.status, got.stderr).toBe(0);
        expect(got.stdout).toBe(geopart(['query', wkb, '--bbox', WORLD, '--format', format]).stdout);
      }
      const out = join(dir, `native-${kind}.parquet`);
      const r = geopart(['query', native, '--bbox', WORLD, '--format', 'parquet', '-o', out]);
      expect(r.status, r.stderr).toBe(0);
      const want = await query(rowsWithGeometry(wkb, 'geometry'));
      expect(want.length).toBeGreaterThan(0);
      expect(await query(rowsWithGeometry(out, 'geometry'))).toEqual(want);
    },
  );

  test('a primary geometry column named geom is the geometry in every format, written as geometry to parquet', async () => {
    const wkb = dataPath('geoparquet/data-polygon-encoding_wkb.parquet');
    const file = await duckGeoParquet(
      join(dir, 'geom.parquet'),
      `SELECT col, geometry AS geom FROM read_parquet(${lit(wkb)})`,
      'geom',
    );
    const want = lines(geopart(['query', wkb, '--bbox', WORLD]).stdout).map((l) => JSON.parse(l));
    const got = geopart(['query', file, '--bbox', WORLD]);
    expect(got.status, got.stderr).toBe(0);
    const features = lines(got.stdout).map((l) => JSON.parse(l));
    expect(
      features.every((f) => f.geometry?.type === 'Polygon' && Object.keys(f.properties).join() === 'col'),
    ).toBe(true);
    expect(features).toEqual(want);
    const csv = geopart(['query', file, '--bbox', WORLD, '--format', 'csv']);
    expect(lines(csv.stdout)[0]).toBe('col,geom');
    expect(lines(csv.stdout).slice(1)).toEqual(
      lines(geopart(['query', wkb, '--bbox', WORLD, '--format', 'csv']).stdout).slice(1),
    );
    const out = join(dir, 'geom-out.parquet');
    const r = geopart(['query', file, '--bbox', WORLD, '--format', 'parquet', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(await query(rowsWithGeometry(out, 'geometry'))).toEqual(
      await query(rowsWithGeometry(wkb, 'geometry')),
    );
  });

  test('values keep their meaning as text: nulls in lists, decimals, times of day, intervals', async () => {
    const file = await duckGeoParquet(
      join(dir, 'values.parquet'),
      `SELECT 12.34::DECIMAL(10,2) AS d, -0.05::DECIMAL(10,2) AS dn, 12.30::DECIMAL(10,2) AS d0,
        123456789012345678.1234::DECIMAL(38,4) AS big, [1, NULL, 3]::INTEGER[] AS l, [1.5, NULL]::DOUBLE[] AS ld,
        TIME '12:34:56.5' AS t, TIME '01:02:03' AS t0, INTERVAL '2 days 3.5 seconds' AS iv,
        unhex('0101000000000000000000244000000000000034C0') AS geometry`,
      'geometry',
    );
    const r = geopart(['query', file, '--bbox', WORLD]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).properties).toEqual({
      d: 12.34,
      dn: -0.05,
      d0: 12.3,
      big: '123456789012345678.1234',
      l: [1, null, 3],
      ld: [1.5, null],
      t: '12:34:56.5',
      t0: '01:02:03',
      iv: 'P2DT3.5S',
    });
    const csv = geopart(['query', file, '--bbox', WORLD, '--format', 'csv']);
    expect(lines(csv.stdout)).toEqual([
      'd,dn,d0,big,l,ld,t,t0,iv,geometry',
      '12.34,-0.05,12.30,123456789012345678.1234,"[1,null,3]","[1.5,null]",12:34:56.5,01:02:03,P2DT3.5S,POINT (10 -20)',
    ]);
    const out = join(dir, 'values-out.parquet');
    const pq = geopart(['query', file, '--bbox', WORLD, '--format', 'parquet', '-o', out]);
    expect(pq.status).toBe(2);
    expect(pq.stderr).toMatch(/column 'd' has type .*--columns/);
    expect(pq.stderr).not.toMatch(/remove_cols|--drop-columns/);
  });
});

describe('geopart query -o into a path that cannot be a file', () => {
  test.each(['geojsonl', 'csv', 'parquet'])(
    '%s: a missing folder and an existing folder are named, nothing is left behind',
    (format) => {
      const base = join(dir, `target-${format}`);
      mkdirSync(base);
      const missing = join(base, 'no-such-folder', 'rows.out');
      const r = geopart(['query', table, '--bbox', BOX.join(','), '--format', format, '-o', missing]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(
        `cannot write ${missing}: the folder ${join(base, 'no-such-folder')} does not exist`,
      );
      expect(r.stderr).not.toMatch(/internal error|Unhandled/);
      const folder = join(base, 'existing');
      mkdirSync(folder);
      const d = geopart([
        'query',
        table,
        '--bbox',
        BOX.join(','),
        '--format',
        format,
        '-o',
        folder,
        '--overwrite',
      ]);
      expect(d.status).toBe(2);
      expect(d.stderr).toContain(`-o ${folder} is a folder: name a file`);
      expect(d.stderr).not.toMatch(/internal error|EISDIR/);
      expect(readdirSync(base)).toEqual(['existing']);
      expect(readdirSync(folder)).toEqual([]);
    },
  );
});

describe('query text of Arrow intervals', () => {
  const first = (type: DataType, values: Int32Array) =>
    plainValue(makeVector(makeData({ type, length: 1, data: values } as never)).get(0), type);

  test('every interval unit reads as an ISO 8601 duration, each part with its own sign', () => {
    expect(first(new IntervalYearMonth(), Int32Array.of(14))).toBe('P1Y2M');
    expect(first(new IntervalDayTime(), Int32Array.of(-1, -500))).toBe('P-1DT-0.5S');
    expect(first(new IntervalDayTime(), Int32Array.of(0, 0))).toBe('PT0S');
    // 1 h 1 min and 1 ns: 3_660_000_000_001 ns as a little-endian int64 (low word, high word).
    const nanos = 3_660_000_000_001n;
    const lo = Number(nanos & 0xffffffffn) | 0;
    const hi = Number(nanos >> 32n);
    expect(first(new IntervalMonthDayNano(), Int32Array.of(25, 2, lo, hi))).toBe('P2Y1M2DT1H1M0.000000001S');
  });
});
