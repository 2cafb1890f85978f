/**
 * openTable and the table format version: a real table whose `_sample` is rewritten by DuckDB
 * with another `fused:format_version` (or none), opened as a folder and as its `_sample`.
 */
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GeopartError } from '../../src/errors.js';
import { FORMAT_VERSION } from '../../src/format/version.js';
import { openTable } from '../../src/read/open-table.js';
import { geopart } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';

let dir: string;
let table: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'geopart-version-'));
  table = join(dir, 'countries');
  const r = geopart(['ingest', dataPath('flatgeobuf/countries.fgb'), '-o', table, '--target-chunks', '8']);
  if (r.status !== 0) throw new Error(r.stderr);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The key-value metadata of `file`, as DuckDB reads it. */
async function kv(file: string): Promise<Map<string, string>> {
  const rows = await query(
    `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${lit(file)})`,
  );
  return new Map(rows.map((r) => [String(r.k), String(r.v)]));
}

/** A copy of the table whose `_sample` DuckDB rewrote with `version` (null: no version key). */
async function withVersion(name: string, version: string | null): Promise<string> {
  const copy = join(dir, name);
  const r = geopart(['ingest', dataPath('flatgeobuf/countries.fgb'), '-o', copy, '--target-chunks', '8']);
  if (r.status !== 0) throw new Error(r.stderr);
  const sample = join(copy, '_sample');
  const meta = await kv(sample);
  const keep = ['fused:_metadata', 'geopart:report'].map((k) => `${lit(k)}: ${lit(meta.get(k)!)}`);
  if (version !== null) keep.push(`'fused:format_version': ${lit(version)}`);
  const rewritten = join(dir, `${name}.sample`);
  await query(
    `COPY (SELECT * FROM read_parquet(${lit(sample)})) TO ${lit(rewritten)} (FORMAT parquet, KV_METADATA {${keep.join(', ')}})`,
  );
  renameSync(rewritten, sample);
  return copy;
}

async function openError(path: string): Promise<GeopartError> {
  const err = await openTable(path).then(
    async (t) => {
      await t.close();
      return null;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GeopartError);
  return err as GeopartError;
}

describe('format version', () => {
  test('geopart writes its format version in _sample', async () => {
    expect((await kv(join(table, '_sample'))).get('fused:format_version')).toBe(FORMAT_VERSION);
    const t = await openTable(table);
    expect(t.chunks().length).toBeGreaterThan(1);
    await t.close();
  });

  test('a newer version is refused, naming both versions and saying to upgrade', async () => {
    const newer = await withVersion('newer', String(Number(FORMAT_VERSION) + 1));
    expect((await kv(join(newer, '_sample'))).get('fused:format_version')).toBe('6');
    for (const path of [newer, join(newer, '_sample')]) {
      const err = await openError(path);
      expect(err.code).toBe('UNKNOWN_FORMAT_VERSION');
      expect(err.message).toContain(join(newer, '_sample'));
      expect(err.message).toContain('"6"');
      expect(err.message).toContain(`reads (${FORMAT_VERSION})`);
      expect(err.message).toContain('upgrade geopart');
      expect(err.context).toMatchObject({ version: '6', readable: FORMAT_VERSION });
    }
  }, 60_000);

  test('an older version is refused, saying to write the table again', async () => {
    const older = await withVersion('older', '4');
    const err = await openError(older);
    expect(err.code).toBe('UNKNOWN_FORMAT_VERSION');
    expect(err.message).toContain('"4"');
    expect(err.message).toContain('write the table again with geopart ingest');
  }, 60_000);

  test('a _sample without a version key is read as the current version', async () => {
    const none = await withVersion('none', null);
    expect((await kv(join(none, '_sample'))).has('fused:format_version')).toBe(false);
    const t = await openTable(none);
    try {
      expect(t.report?.rowsWritten).toBe(181); // 179 countries, Russia and Fiji split at the antimeridian into one row per side.
      expect((await t.read({ bbox: [-10, 35, 30, 60] })).numRows).toBeGreaterThan(10);
    } finally {
      await t.close();
    }
  }, 60_000);
});
