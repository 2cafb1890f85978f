import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { GeopartError } from '../../src/errors.js';
import { getObject, headObject, listObjects, putObject } from '../../src/io/s3.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { ogrFeatures } from '../helpers/ogr.js';
import { failure } from '../helpers/outputs.js';
import { type LocalS3, startS3 } from '../helpers/s3.js';
import { checkTable } from './table-check.js';

let s3: LocalS3;
let tmp: string;
let n = 0;

beforeAll(async () => {
  s3 = await startS3();
  tmp = await mkdtemp(join(tmpdir(), 'geopart-s3-ingest-'));
});

afterAll(async () => {
  await s3?.stop();
  await rm(tmp, { recursive: true, force: true });
});

const COUNTRIES = dataPath('flatgeobuf/countries.fgb');

/** Copies every object under `prefixUrl/` into a fresh local folder, for DuckDB. */
async function download(prefixUrl: string): Promise<{ dir: string; names: string[] }> {
  const dir = join(tmp, `download-${n++}`);
  await mkdir(dir);
  const prefix = `${prefixUrl}/`;
  const names: string[] = [];
  for (const o of await listObjects(prefix)) {
    const name = o.url.slice(prefix.length);
    names.push(name);
    await writeFile(join(dir, name), await getObject(o.url));
  }
  return { dir, names: names.sort() };
}

function countries(output: string) {
  return ingest(COUNTRIES, output, { partitioningMaximumPerFile: 60, partitioningMaximumPerChunk: 15 });
}

describe('ingest to an s3:// output', () => {
  it('uploads the table with _sample last; DuckDB reads the downloaded objects', async () => {
    const output = s3.url('tables/countries');
    const order: string[] = [];
    const report = await countries(output).runLocal({ threads: 2, onUpload: (url) => void order.push(url) });
    expect(report.output).toBe(output);
    expect(report.files).toBeGreaterThan(1);

    const { dir, names } = await download(output);
    const files = Array.from({ length: report.files }, (_, i) => `${i}.parquet`);
    expect(names).toEqual([...files, '_sample'].sort());
    expect([...order].sort()).toEqual(names.map((f) => `${output}/${f}`).sort());
    expect(order.at(-1)).toBe(`${output}/_sample`);

    // Every feature of the input, as ogr2ogr reads it, is in the table (Russia and Fiji split
    // at the antimeridian into one row per side).
    const chunks = await checkTable(dir, ogrFeatures(COUNTRIES).length + 2);
    expect(chunks).toHaveLength(report.chunks);
  });

  it('writes output_metadata to s3:// too', async () => {
    const output = s3.url('tables/with-meta');
    const metaUrl = s3.url('meta/with-meta.parquet');
    const step = ingest(COUNTRIES, output, {
      partitioningMaximumPerFile: 60,
      partitioningMaximumPerChunk: 15,
      outputMetadata: metaUrl,
    });
    const report = await step.runLocal({ threads: 2 });
    const path = join(tmp, `meta-${n++}.parquet`);
    await writeFile(path, await getObject(metaUrl));
    const rows = await query(`SELECT count(*) AS n, sum(num_rows) AS r FROM read_parquet(${lit(path)})`);
    expect(rows).toEqual([{ n: report.chunks, r: 181 }]); // 179 countries, Russia and Fiji split at the antimeridian into one row per side.
  });

  it('a failure after the first data file leaves no _sample and no objects; a rerun completes', async () => {
    const output = s3.url('tables/interrupted');
    let uploads = 0;
    const err = await failure(
      countries(output).runLocal({
        threads: 2,
        onUpload: () => {
          if (++uploads === 1) throw new GeopartError('INTERNAL', 'upload failed (injected)');
        },
      }),
    );
    expect(err.message).toContain('injected');
    expect(await headObject(`${output}/_sample`)).toBeNull();
    expect(await listObjects(`${output}/`)).toEqual([]);

    const report = await countries(output).setOutput(output, { overwrite: true }).runLocal({ threads: 2 });
    const { dir } = await download(output);
    await checkTable(dir, report.rowsWritten);
  });

  it('an abort during the upload leaves no _sample', async () => {
    const output = s3.url('tables/aborted');
    const controller = new AbortController();
    const err = await failure(
      countries(output).runLocal({
        threads: 2,
        signal: controller.signal,
        onUpload: () => controller.abort(),
      }),
    );
    expect(err.code).toBe('ABORTED');
    expect(await headObject(`${output}/_sample`)).toBeNull();
  });

  it('refuses an existing table without overwrite, before reading any input', async () => {
    const output = s3.url('tables/exists');
    await countries(output).runLocal({ threads: 2 });
    const before = await listObjects(`${output}/`);
    const err = await failure(ingest(join(tmp, 'no-such-input.fgb'), output).runLocal({ threads: 1 }));
    expect(err.code).toBe('OUTPUT_EXISTS');
    expect(err.message).toContain(`output ${output} already holds an output`);
    expect(err.message).toContain('overwrite');
    expect(await listObjects(`${output}/`)).toEqual(before);
  });

  it('refuses a prefix left by an interrupted upload, naming the missing _sample', async () => {
    const output = s3.url('tables/leftover');
    await putObject(`${output}/0.parquet`, 'partial');
    const err = await failure(countries(output).runLocal({ threads: 2 }));
    expect(err.code).toBe('OUTPUT_EXISTS');
    expect(err.message).toContain('holds 1 object(s) but no _sample');
  });

  it('overwrite replaces the table and leaves no stale objects', async () => {
    const output = s3.url('tables/replaced');
    const big = await ingest(COUNTRIES, output).runLocal({ threads: 2 });
    await putObject(`${output}/notes/extra.txt`, 'not part of the table');
    const order: string[] = [];
    const small = await countries(output)
      .setOutput(output, { overwrite: true })
      .runLocal({
        threads: 2,
        onUpload: (url) => void order.push(url),
      });
    expect(small.files).toBeLessThan(big.files);
    expect(order.at(-1)).toBe(`${output}/_sample`);
    const { dir, names } = await download(output);
    expect(names).toEqual(
      [...Array.from({ length: small.files }, (_, i) => `${i}.parquet`), '_sample'].sort(),
    );
    const chunks = await checkTable(dir, 181); // 179 countries, Russia and Fiji split at the antimeridian into one row per side.
    expect(chunks).toHaveLength(small.chunks);
  });

  it.each([
    ['s3://Bad_Bucket/tables/x', 'bucket name "Bad_Bucket" is not valid'],
    ['s3://', 'no bucket name'],
    ['s3://geopart-test', 'not the bucket itself'],
    ['s3://geopart-test/a//b', 'empty path segment'],
  ])('refuses output %j: %s', async (output, why) => {
    const err = await failure(countries(output).runLocal({ threads: 1 }));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toContain(why);
  });

  it('names a bucket that does not exist', async () => {
    const err = await failure(countries('s3://no-such-bucket/tables/x').runLocal({ threads: 1 }));
    expect(err.code).toBe('INPUT_NOT_FOUND');
    expect(err.message).toContain('bucket no-such-bucket does not exist');
  });
});
