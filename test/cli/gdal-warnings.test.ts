/**
 * GDAL's own warnings reach the user: an unknown open option (with a "did you mean"), and
 * the warnings a driver raises while opening or reading, each said once on stderr.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { geopart } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';

const OSM = dataPath('osm/liechtenstein-2013-08-03.osm.pbf');
const tmp = mkdtempSync(join(tmpdir(), 'geopart-gdal-warnings-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('warning: '));

async function rows(table: string): Promise<number> {
  const [r] = await query(`SELECT count(*) AS n FROM read_parquet(${lit(`${table}/*.parquet`)})`);
  return r!.n as number;
}

describe('GDAL warnings', () => {
  it('an unknown open option is named, with the driver and a did-you-mean, once (ingest)', async () => {
    const before = digest(OSM);
    const out = join(tmp, 'osm');
    const r = geopart(['ingest', OSM, '--layer', 'points', '--oo', 'INTERLEAVED_READNG=YES', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(warnings(r.stderr)).toEqual([
      `warning: ${OSM}: GDAL driver OSM has no open option INTERLEAVED_READNG, so it was ignored. ` +
        'Did you mean INTERLEAVED_READING? Its open options are: CONFIG_FILE, USE_CUSTOM_INDEXING, ' +
        'COMPRESS_NODES, MAX_TMPFILE_SIZE, INTERLEAVED_READING.',
    ]);
    expect(await rows(out)).toBe(1359);
    expect(digest(OSM)).toBe(before);
    expect(readdirSync(tmp).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('an unknown open option is named by info too, and one far from all gets no suggestion', () => {
    const r = geopart(['info', OSM, '--oo', 'NOT_AN_OPTION=1', '--oo', 'CONFIG_FIL=x.ini']);
    expect(r.status, r.stderr).toBe(0);
    const said = warnings(r.stderr);
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(/GDAL driver OSM has no open option NOT_AN_OPTION, so it was ignored\. Its open/);
    expect(said[1]).toContain('has no open option CONFIG_FIL, so it was ignored. Did you mean CONFIG_FILE?');
    expect(r.stdout).toContain('Layer 1: points');
  });

  it('a warning GDAL raises while opening reaches ingest and info, once each', async () => {
    const input = join(tmp, 'big-integers.geojson');
    const feature = (id: string) =>
      `{"type":"Feature","properties":{"n":${id}},"geometry":{"type":"Point","coordinates":[1,2]}}`;
    writeFileSync(
      input,
      `{"type":"FeatureCollection","features":[${feature('1')},${feature('99999999999999999999999')}]}`,
    );
    const expected = `warning: ${input}: Integer values probably ranging out of 64bit integer range have been found. Will be clamped to INT64_MIN/INT64_MAX`;
    const info = geopart(['info', input]);
    expect(info.status, info.stderr).toBe(0);
    expect(warnings(info.stderr)).toEqual([expected]);

    const out = join(tmp, 'big');
    const r = geopart(['ingest', input, '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(warnings(r.stderr)).toEqual([expected]);
    expect(await rows(out)).toBe(2);
  });

  it('a warning GDAL raises while reading rows reaches the user once', async () => {
    const input = join(tmp, 'lonlat.csv');
    writeFileSync(input, 'lon,lat,v\n1,2,3\n1x,2,4\n5,6,7\n1y,2,8\n');
    const out = join(tmp, 'csv');
    const r = geopart([
      'ingest',
      input,
      '--oo',
      'X_POSSIBLE_NAMES=lon',
      '--oo',
      'Y_POSSIBLE_NAMES=lat',
      '--oo',
      'AUTODETECT_TYPE=YES',
      '-o',
      out,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const said = warnings(r.stderr);
    const invalid = `warning: ${input}: Invalid value type found in record 2 for field lon. This warning will no longer be emitted.`;
    expect(said.filter((w) => w === invalid)).toHaveLength(1);
    expect(said.filter((w) => w.includes('Invalid value type'))).toHaveLength(1);
    expect(await rows(out)).toBeGreaterThan(0);
  });
});
