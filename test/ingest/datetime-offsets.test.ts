/**
 * Date-times keep their instant: GDAL 3.6's Arrow stream drops each value's UTC offset, so
 * geopart reads the offsets itself. A column whose every value has an offset is written as
 * UTC instants; one that mixes values with and without an offset stays wall-clock, with a
 * warning naming it. DuckDB is the reader.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { geopart } from '../helpers/cli.js';
import { lit, query } from '../helpers/duckdb.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-datetime-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// t: offsets that differ per row; v: one offset; m: an offset and none; u: no offsets.
const ROWS = [
  {
    t: '2024-05-01T12:00:00+02:00',
    v: '2024-05-01T12:00:00+02:00',
    m: '2024-05-01T12:00:00Z',
    u: '2024-05-01T12:00:00',
  },
  {
    t: '2024-05-01T12:00:00-05:30',
    v: '2024-05-01T13:00:00+02:00',
    m: '2024-05-01T12:00:00',
    u: '2024-05-01T13:00:00',
  },
  { t: '2024-05-01T23:30:00+14:00', v: null, m: null, u: null },
];

function writeGeoJson(path: string): void {
  const features = ROWS.map((p, i) => ({
    type: 'Feature',
    properties: { k: i, ...p },
    geometry: { type: 'Point', coordinates: [i, i] },
  }));
  writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', features }));
}

const geojson = join(tmp, 'times.geojson');
writeGeoJson(geojson);
const INPUTS: Record<string, string> = { GeoJSON: geojson };
for (const [name, ext] of [
  ['GPKG', 'gpkg'],
  ['FlatGeobuf', 'fgb'],
] as const) {
  INPUTS[name] = join(tmp, `times.${ext}`);
  execFileSync('ogr2ogr', ['-f', name, INPUTS[name], geojson], { stdio: 'ignore' });
}

describe.each(Object.entries(INPUTS))('date-time offsets from %s', (_driver, input) => {
  it('all-offset columns become UTC instants; a mixed column is kept and named', async () => {
    const out = join(tmp, `out-${_driver}`);
    const r = geopart(['ingest', input, '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    const mixed =
      `warning: ${input}: column 'm' mixes date-times with and without a UTC offset; they are kept as ` +
      'wall-clock times and the offsets are lost. Give every value an offset (or none) to keep their instants.';
    expect(warnings.filter((w) => w === mixed)).toHaveLength(1);
    expect(new Set(warnings).size).toBe(warnings.length);
    // GeoPackage stores UTC date-times; GDAL says so of a value with another offset.
    expect(warnings.length).toBe(_driver === 'GPKG' ? 2 : 1);

    const types = await query(`DESCRIBE SELECT t, v, m, u FROM read_parquet(${lit(`${out}/*.parquet`)})`);
    expect(types.map((c) => [c.column_name, c.column_type])).toEqual([
      ['t', 'TIMESTAMP WITH TIME ZONE'],
      ['v', 'TIMESTAMP WITH TIME ZONE'],
      ['m', 'TIMESTAMP'],
      ['u', 'TIMESTAMP'],
    ]);
    const rows = await query(
      `SELECT k, epoch_ms(t) AS t, epoch_ms(v) AS v, epoch_ms(m) AS m, epoch_ms(u) AS u
       FROM read_parquet(${lit(`${out}/*.parquet`)}) ORDER BY k`,
    );
    const ms = (s: string | null) =>
      s === null ? null : Date.parse(s.endsWith('Z') || /[+-]\d\d:\d\d$/.test(s) ? s : `${s}Z`);
    expect(rows).toEqual(ROWS.map((p, k) => ({ k, t: ms(p.t), v: ms(p.v), m: ms(p.m), u: ms(p.u) })));
  });
});
