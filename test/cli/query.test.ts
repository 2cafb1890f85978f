/**
 * `geopart query` in each format, read back (JSON.parse, DuckDB) and compared with read().
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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
