import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { GeopartError } from '../../src/errors.js';
import { describeDataset } from '../../src/inspect/describe.js';
import { expandInputs } from '../../src/io/inputs.js';
import { putObject } from '../../src/io/s3.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { expectSameFiles } from '../helpers/outputs.js';
import { type LocalS3, startS3 } from '../helpers/s3.js';
import { checkTable } from './table-check.js';

let s3: LocalS3;
let tmp: string;
let n = 0;

const FGB = dataPath('flatgeobuf/countries.fgb');
const PARQUET = dataPath('geoarrow/natural-earth_cities_geo.parquet');

beforeAll(async () => {
  s3 = await startS3();
  tmp = await mkdtemp(join(tmpdir(), 'geopart-s3-input-'));
  for (const [key, path] of [
    ['in/countries.fgb', FGB],
    ['in/cities.parquet', PARQUET],
    ['in/nested/cities-copy.parquet', PARQUET],
    ['in/.hidden.parquet', PARQUET],
  ] as const) {
    await putObject(s3.url(key), await readFile(path));
  }
  await putObject(s3.url('in/readme.txt'), 'not data');
  await putObject(s3.url('in/bad.parquet'), 'this is not a Parquet file, though the name says so');
});

afterAll(async () => {
  await s3?.stop();
  await rm(tmp, { recursive: true, force: true });
});

/** Ingests `input` to a fresh local table and returns its folder and report. */
async function ingestTo(input: string | string[]) {
  const dir = join(tmp, `t-${n++}`);
  const report = await ingest(input, dir, { targetNumChunks: 20 }).runLocal({ threads: 2 });
  return { dir, report };
}

/** Rows of one table that the other lacks (both ways), as DuckDB sees them. */
async function rowDifference(a: string, b: string): Promise<number> {
  const rows = (dir: string) => `SELECT * EXCLUDE (bbox) FROM read_parquet(${lit(join(dir, '*.parquet'))})`;
  const [r] = await query(
    `SELECT (SELECT count(*) FROM (${rows(a)} EXCEPT ALL ${rows(b)})) + (SELECT count(*) FROM (${rows(b)} EXCEPT ALL ${rows(a)})) AS d`,
  );
  return r!.d as number;
}

describe('s3:// inputs', () => {
  it.each([
    ['FlatGeobuf through GDAL /vsis3/', 'in/countries.fgb', FGB],
    ['Parquet through ranged reads', 'in/cities.parquet', PARQUET],
  ])('%s ingest to the same table as the local file', async (_, key, local) => {
    const fromS3 = await ingestTo(s3.url(key));
    const fromDisk = await ingestTo(local);
    expect(fromS3.report.rowsRead).toBe(fromDisk.report.rowsRead);
    await checkTable(fromS3.dir, fromDisk.report.rowsWritten);
    expect(await rowDifference(fromS3.dir, fromDisk.dir)).toBe(0);
    expectSameFiles(fromS3.dir, fromDisk.dir);
  });

  it('describes an s3:// input as it describes the local file (geopart info)', async () => {
    const remote = await describeDataset(s3.url('in/countries.fgb'));
    const local = await describeDataset(FGB);
    expect(remote.path).toBe(s3.url('in/countries.fgb'));
    expect(remote.layers).toEqual(local.layers);
    expect(remote.layers[0]!.featureCount).toBe(179);
    await expect(describeDataset(s3.url('in/missing.fgb'))).rejects.toMatchObject({
      code: 'INPUT_NOT_FOUND',
      message: `${s3.url('in/missing.fgb')}: no such file; check the path`,
    });
  });

  it('describes an s3:// Parquet input by range requests, as the local file', async () => {
    const remote = await describeDataset(s3.url('in/cities.parquet'));
    const local = await describeDataset(PARQUET);
    expect(remote.driver).toBe('Parquet');
    expect(remote.layers).toEqual(local.layers.map((l) => ({ ...l, name: 'cities' })));
    expect(remote.layers[0]!.featureCount).toBe(243);
    const bad = s3.url('in/bad.parquet');
    await expect(describeDataset(bad)).rejects.toMatchObject({
      code: 'UNKNOWN_FORMAT',
      context: { file: bad },
    });
  });

  it('takes partitioning_schema_input from s3:// as from the local file', async () => {
    // An earlier table's chunk metadata, as the schema of the next ingest.
    const meta = join(tmp, 'schema-meta.parquet');
    await ingest(FGB, join(tmp, 'schema-src'), { targetNumChunks: 9, outputMetadata: meta }).runLocal({
      threads: 2,
    });
    await putObject(s3.url('schemas/schema.parquet'), await readFile(meta));
    const fromS3 = join(tmp, `t-${n++}`);
    const fromDisk = join(tmp, `t-${n++}`);
    await ingest(FGB, fromS3, { partitioningSchemaInput: s3.url('schemas/schema.parquet') }).runLocal({
      threads: 2,
    });
    await ingest(FGB, fromDisk, { partitioningSchemaInput: meta }).runLocal({ threads: 2 });
    expectSameFiles(fromS3, fromDisk);
    await expect(
      ingest(FGB, join(tmp, `t-${n++}`), {
        partitioningSchemaInput: s3.url('schemas/none.parquet'),
      }).runLocal(),
    ).rejects.toMatchObject({
      code: 'INPUT_NOT_FOUND',
      message: expect.stringContaining('partitioning_schema_input'),
    });
  });

  it('expands a prefix like a folder: sorted, filtered by file_suffix, hidden objects skipped', async () => {
    expect(await expandInputs(s3.url('in'), '.parquet')).toEqual([
      s3.url('in/bad.parquet'),
      s3.url('in/cities.parquet'),
      s3.url('in/nested/cities-copy.parquet'),
    ]);
    expect(await expandInputs(s3.url('in/'), null)).toHaveLength(5);
    // An object named explicitly is taken whatever its suffix.
    expect(await expandInputs(s3.url('in/readme.txt'), '.parquet')).toEqual([s3.url('in/readme.txt')]);
  });

  it('expands a glob over keys', async () => {
    expect(await expandInputs(s3.url('in/*.parquet'))).toEqual([
      s3.url('in/bad.parquet'),
      s3.url('in/cities.parquet'),
    ]);
    expect(await expandInputs(s3.url('in/**/cities*.parquet'))).toEqual([
      s3.url('in/cities.parquet'),
      s3.url('in/nested/cities-copy.parquet'),
    ]);
    expect(await expandInputs(s3.url('in/*.{fgb,txt}'))).toEqual([
      s3.url('in/countries.fgb'),
      s3.url('in/readme.txt'),
    ]);
  });

  it('ingests a glob of Parquet objects as the same rows twice', async () => {
    const both = await ingestTo(s3.url('in/**/cities*.parquet'));
    const one = await ingestTo(PARQUET);
    expect(both.report.inputFiles).toBe(2);
    expect(both.report.rowsWritten).toBe(2 * one.report.rowsWritten);
    await checkTable(both.dir, both.report.rowsWritten);
  });

  it.each([
    ['a missing object and prefix', 'in/nothing', 'no such object, and no objects under'],
    ['a glob that matches nothing', 'in/*.gpkg', 'matches no objects'],
  ])('names %s as INPUT_NOT_FOUND', async (_, key, why) => {
    const err = await expandInputs(s3.url(key)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeopartError);
    expect((err as GeopartError).code).toBe('INPUT_NOT_FOUND');
    expect((err as GeopartError).message).toContain(s3.url(key));
    expect((err as GeopartError).message).toContain(why);
  });

  it('refuses an object named .parquet that is not Parquet, naming it', async () => {
    const err = await ingestTo(s3.url('in/bad.parquet')).catch((e: unknown) => e);
    expect((err as GeopartError).code).toBe('UNKNOWN_FORMAT');
    expect((err as GeopartError).message).toContain(s3.url('in/bad.parquet'));
  });

  it('refuses a malformed input URL', async () => {
    const err = await ingestTo('s3://Not_A_Bucket/x.fgb').catch((e: unknown) => e);
    expect((err as GeopartError).code).toBe('INVALID_CONFIG');
    expect((err as GeopartError).message).toContain('bucket name "Not_A_Bucket" is not valid');
  });
});
