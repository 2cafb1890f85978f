/**
 * `http://` inputs: Parquet and GeoParquet read by Range requests, GDAL formats through
 * `/vsicurl/` (also by ranges), and a missing URL named in an INPUT_NOT_FOUND error.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { GeopartError } from '../../src/errors.js';
import { geopart } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { type HttpFileServer, serveFiles } from '../helpers/http-files.js';
import { expectSameFiles } from '../helpers/outputs.js';

let server: HttpFileServer;
let tmp: string;
let n = 0;
const FIXTURES = dataPath('');

beforeAll(async () => {
  server = await serveFiles(FIXTURES);
  tmp = mkdtempSync(join(tmpdir(), 'geopart-http-input-'));
});

afterAll(() => {
  server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Ingests `input` to a fresh local table; returns its folder and report. */
async function ingestTo(input: string) {
  const dir = join(tmp, `t-${n++}`);
  const report = await ingest(input, dir, { targetNumChunks: 8 }).runLocal({ threads: 2 });
  return { dir, report };
}

/** Rows in one query's result but not the other's (both ways), as DuckDB counts them. */
async function rowDifference(a: string, b: string): Promise<number> {
  const [r] = await query(
    `SELECT (SELECT count(*) FROM (${a} EXCEPT ALL ${b})) + (SELECT count(*) FROM (${b} EXCEPT ALL ${a})) AS d`,
  );
  return r!.d as number;
}

describe('http:// inputs', () => {
  it('a GeoParquet file is read by Range requests and gives the rows DuckDB reads from the local file', async () => {
    const rel = 'geoarrow/natural-earth_cities_geo.parquet';
    const before = await server.stats();
    const { dir, report } = await ingestTo(`${server.base}/${rel}`);
    const after = await server.stats();
    expect(after.wholeGets).toBe(before.wholeGets);
    expect(after.rangeGets).toBeGreaterThan(before.rangeGets);

    const local = dataPath(rel);
    const [count] = await query(`SELECT count(*)::INTEGER AS n FROM read_parquet(${lit(local)})`);
    expect(report.rowsRead).toBe(count!.n);
    expect(report.rowsWritten).toBe(count!.n);
    const rows = (from: string) => `SELECT name, ST_AsText(geometry) AS wkt FROM read_parquet(${lit(from)})`;
    expect(await rowDifference(rows(local), rows(join(dir, '*.parquet')))).toBe(0);
  });

  it.each([
    'geoparquet/data-polygon-encoding_native.parquet',
    'geoparquet/data-multilinestring-encoding_wkb.parquet',
    'geoarrow/example-crs_vermont-utm_geo.parquet',
  ])('%s over http gives the same table as the local file', async (rel) => {
    const remote = await ingestTo(`${server.base}/${rel}`);
    const local = await ingestTo(dataPath(rel));
    const [count] = await query(`SELECT count(*)::INTEGER AS n FROM read_parquet(${lit(dataPath(rel))})`);
    expect(remote.report.rowsRead).toBe(count!.n);
    expect(remote.report.rowsWritten).toBe(local.report.rowsWritten);
    expectSameFiles(remote.dir, local.dir);
  });

  it('a URL with a query string is still recognised as Parquet by its path', async () => {
    const rel = 'geoarrow/natural-earth_cities_geo.parquet';
    const { report } = await ingestTo(`${server.base}/${rel}?version=1`);
    expect(report.rowsWritten).toBe(243);
  });

  it('a GDAL format is read through /vsicurl/ by Range requests, as the local file is', async () => {
    const rel = 'geoarrow/natural-earth_cities.fgb';
    const before = await server.stats();
    const remote = await ingestTo(`${server.base}/${rel}`);
    const after = await server.stats();
    expect(after.wholeGets).toBe(before.wholeGets);
    expect(after.rangeGets).toBeGreaterThan(before.rangeGets);
    expectSameFiles(remote.dir, (await ingestTo(dataPath(rel))).dir);
  });

  it.each(['geoarrow/missing.parquet', 'geoarrow/missing.fgb'])(
    'a 404 (%s) is INPUT_NOT_FOUND naming the URL, in the library and the CLI',
    async (rel) => {
      const url = `${server.base}/${rel}`;
      const dir = join(tmp, `missing-${n++}`);
      const err = await ingest(url, dir)
        .runLocal()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GeopartError);
      expect((err as GeopartError).code).toBe('INPUT_NOT_FOUND');
      expect((err as GeopartError).message).toContain(url);
      expect((err as GeopartError).message).not.toContain('/vsicurl/');
      expect((err as GeopartError).message).toContain('404');

      const r = geopart(['ingest', url, '-o', dir]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`input not found: ${url}`);
      expect(existsSync(dir)).toBe(false);
      expect(readdirSync(tmp).filter((f) => f.startsWith('.'))).toEqual([]);
    },
  );
});
