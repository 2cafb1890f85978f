import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPIES_AT_ONCE, publishToS3 } from '../../src/commit/s3-publish.js';
import { GeopartError } from '../../src/errors.js';
import { gdalPath, gdalS3Config } from '../../src/io/gdal-s3.js';
import { getObject, listObjects, putObject } from '../../src/io/s3.js';
import { type LocalS3, startS3 } from '../helpers/s3.js';

let s3: LocalS3;
let tmp: string;
let n = 0;

beforeAll(async () => {
  s3 = await startS3();
  tmp = await mkdtemp(join(tmpdir(), 'geopart-s3-publish-'));
});

afterAll(async () => {
  await s3?.stop();
  await rm(tmp, { recursive: true, force: true });
});

/** A staging folder holding `files` (relative name -> content). */
async function staged(files: Record<string, string>): Promise<string> {
  const dir = join(tmp, `stage-${n++}`);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

const text = async (url: string) => new TextDecoder().decode(await getObject(url));

describe('publishing a staged folder to s3://', () => {
  it('uploads nested files under their relative names, the marker last', async () => {
    const prefix = s3.url('steps/udf-out');
    const dir = await staged({
      'part-0.parquet': 'a',
      'part-1.parquet': 'b',
      'sub/x.json': '{}',
      _SUCCESS: '',
    });
    const order: string[] = [];
    const uploaded = await publishToS3(dir, prefix, {
      marker: '_SUCCESS',
      overwrite: false,
      concurrency: 2,
      onUpload: (url) => void order.push(url),
    });
    expect(uploaded).toEqual(order);
    expect(order.at(-1)).toBe(`${prefix}/_SUCCESS`);
    expect((await listObjects(`${prefix}/`)).map((o) => o.url)).toEqual(
      ['_SUCCESS', 'part-0.parquet', 'part-1.parquet', 'sub/x.json'].map((f) => `${prefix}/${f}`),
    );
    expect(await text(`${prefix}/sub/x.json`)).toBe('{}');
  });

  it('copies objects inside S3 beside the uploads, many at once, the marker still last', async () => {
    const prefix = s3.url('steps/copied-out');
    const names = Array.from({ length: 3 * COPIES_AT_ONCE }, (_, i) => `${i}.parquet`);
    const copies: Record<string, string> = {};
    for (const name of names) {
      const from = s3.url(`work/${name}`);
      await putObject(from, new TextEncoder().encode(`copy of ${name}`));
      copies[name] = from;
    }
    const dir = await staged({ 'report.json': '{}', _sample: 'marker' });
    let inFlight = 0;
    let most = 0;
    const order: string[] = [];
    const uploaded = await publishToS3(dir, prefix, {
      marker: '_sample',
      overwrite: false,
      copies,
      onUpload: async (url) => {
        order.push(url);
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
      },
    });
    expect(uploaded).toEqual(order);
    expect(order.at(-1)).toBe(`${prefix}/_sample`);
    expect(most).toBeGreaterThan(4);
    expect(most).toBeLessThanOrEqual(COPIES_AT_ONCE);
    expect((await listObjects(`${prefix}/`)).map((o) => o.url).sort()).toEqual(
      [...names, 'report.json', '_sample'].map((f) => `${prefix}/${f}`).sort(),
    );
    for (const name of names) expect(await text(`${prefix}/${name}`)).toBe(`copy of ${name}`);
    // The sources stay: the caller deletes its work folder once the marker is up.
    expect(await listObjects(s3.url('work/'))).toHaveLength(names.length);
  });

  it('with overwrite, replaces files, deletes the stale ones, and leaves a sibling prefix alone', async () => {
    const prefix = s3.url('steps/again');
    await publishToS3(await staged({ 'a.txt': 'old', 'b.txt': 'old', m: '' }), prefix, {
      marker: 'm',
      overwrite: false,
    });
    await putObject(s3.url('steps/again2/keep.txt'), 'sibling');
    const refused = await publishToS3(await staged({ 'a.txt': 'new', m: '' }), prefix, {
      marker: 'm',
      overwrite: false,
    }).catch((e: unknown) => e);
    expect((refused as GeopartError).code).toBe('OUTPUT_EXISTS');

    await publishToS3(await staged({ 'a.txt': 'new', m: '' }), prefix, { marker: 'm', overwrite: true });
    expect((await listObjects(`${prefix}/`)).map((o) => o.url)).toEqual([`${prefix}/a.txt`, `${prefix}/m`]);
    expect(await text(`${prefix}/a.txt`)).toBe('new');
    expect(await text(s3.url('steps/again2/keep.txt'))).toBe('sibling');
  });

  it('overwriting a table with a step output removes the old _sample before any upload', async () => {
    const prefix = s3.url('steps/kinds');
    await publishToS3(await staged({ '0.parquet': 'old table', _sample: 'meta' }), prefix, {
      marker: '_sample',
      overwrite: false,
    });
    // While the new output uploads, the prefix must never show the old _sample beside new files.
    const seen: string[][] = [];
    await publishToS3(await staged({ '0.parquet': 'udf result', _SUCCESS: '' }), prefix, {
      marker: '_SUCCESS',
      overwrite: true,
      onUpload: async () => {
        seen.push((await listObjects(`${prefix}/`)).map((o) => o.url.slice(prefix.length + 1)));
      },
    });
    expect(seen[0]).toEqual(['0.parquet']);
    expect(seen.at(-1)).toEqual(['0.parquet', '_SUCCESS']);
    expect(await text(`${prefix}/0.parquet`)).toBe('udf result');
  });

  it('refuses a folder without its marker before uploading anything', async () => {
    const prefix = s3.url('steps/no-marker');
    const err = await publishToS3(await staged({ 'a.txt': 'x' }), prefix, {
      marker: 'm',
      overwrite: false,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeopartError);
    expect((err as GeopartError).message).toContain('no m to publish last');
    expect(await listObjects(`${prefix}/`)).toEqual([]);
  });
});

describe('GDAL settings for /vsis3/', () => {
  it('derives endpoint, scheme and path-style addressing from the AWS environment', () => {
    expect(
      gdalS3Config({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4568', AWS_DEFAULT_REGION: 'eu-west-1' }),
    ).toEqual({
      AWS_S3_ENDPOINT: '127.0.0.1:4568',
      AWS_HTTPS: 'NO',
      AWS_VIRTUAL_HOSTING: 'FALSE',
      AWS_REGION: 'eu-west-1',
    });
    expect(gdalS3Config({ AWS_ENDPOINT_URL: 'https://s3.example.com' })).toMatchObject({
      AWS_S3_ENDPOINT: 's3.example.com',
      AWS_HTTPS: 'YES',
    });
    expect(gdalS3Config({})).toEqual({});
  });

  it('maps s3:// to /vsis3/ and sets the settings, keeping a value the user set', () => {
    const saved = process.env.AWS_VIRTUAL_HOSTING;
    process.env.AWS_VIRTUAL_HOSTING = 'TRUE';
    try {
      expect(gdalPath(s3.url('in/a.fgb'))).toBe(`/vsis3/${s3.bucket}/in/a.fgb`);
      expect(process.env.AWS_S3_ENDPOINT).toBe(new URL(s3.endpoint).host);
      expect(process.env.AWS_HTTPS).toBe('NO');
      expect(process.env.AWS_VIRTUAL_HOSTING).toBe('TRUE');
      expect(gdalPath('/data/a.fgb')).toBe('/data/a.fgb');
      expect(() => gdalPath('s3://x/a.fgb')).toThrow('bucket name "x" is not valid');
    } finally {
      if (saved === undefined) delete process.env.AWS_VIRTUAL_HOSTING;
      else process.env.AWS_VIRTUAL_HOSTING = saved;
    }
  });
});
