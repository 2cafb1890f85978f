import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeopartError } from '../../src/errors.js';
import {
  copyObject,
  deleteObjects,
  getObject,
  headObject,
  isS3Url,
  joinS3Url,
  listObjects,
  parseS3Url,
  putObject,
  uploadFile,
} from '../../src/io/s3.js';
import { type LocalS3, startS3 } from '../helpers/s3.js';

let s3: LocalS3;
let tmp: string;

beforeAll(async () => {
  s3 = await startS3();
  tmp = await mkdtemp(join(tmpdir(), 'geopart-s3-io-'));
});

afterAll(async () => {
  await s3?.stop();
  await rm(tmp, { recursive: true, force: true });
});

function codeOf(err: unknown): string {
  return err instanceof GeopartError ? err.code : `not a GeopartError: ${String(err)}`;
}

describe('s3:// URLs', () => {
  it('parses bucket and key, and a bucket alone as an empty key', () => {
    expect(parseS3Url('s3://my-bucket/tables/x/0.parquet')).toEqual({
      bucket: 'my-bucket',
      key: 'tables/x/0.parquet',
    });
    expect(parseS3Url('s3://my.bucket')).toEqual({ bucket: 'my.bucket', key: '' });
    expect(parseS3Url('S3://b12/')).toEqual({ bucket: 'b12', key: '' });
    expect(isS3Url('s3://b/k')).toBe(true);
    expect(isS3Url('/vsis3/b/k')).toBe(false);
    expect(joinS3Url('s3://b12/t/', '/_sample')).toBe('s3://b12/t/_sample');
  });

  it.each([
    ['http://bucket/key', 'not an s3:// URL'],
    ['s3:/bucket/key', 'not an s3:// URL'],
    ['s3://', 'no bucket name'],
    ['s3:///key', 'no bucket name'],
    ['s3://My_Bucket/key', 'bucket name "My_Bucket" is not valid'],
    ['s3://ab/key', 'bucket name "ab" is not valid'],
    ['s3://a..b/key', 'bucket name "a..b" is not valid'],
    ['s3://bucket//key', 'empty path segment'],
    ['s3://bucket/a\nb', 'control character U+000a'],
  ])('refuses %j: %s', (url, why) => {
    expect(() => parseS3Url(url)).toThrow(why);
    expect(() => parseS3Url(url)).toThrow('write it as s3://bucket/key');
    expect(() => parseS3Url(url)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('refuses a folder URL where an object is needed', async () => {
    await expect(getObject(s3.url('tables/'))).rejects.toThrow('names a folder (prefix), not an object');
    await expect(putObject(`s3://${s3.bucket}`, 'x')).rejects.toThrow('names a folder');
  });
});

describe('object calls against a local S3 server', () => {
  it('puts, reads whole and by byte range, heads, lists and deletes', async () => {
    const body = new Uint8Array(1000).map((_, i) => i % 251);
    await putObject(s3.url('io/a.bin'), body);
    await putObject(s3.url('io/sub/b.txt'), 'hello', { contentType: 'text/plain' });
    await putObject(s3.url('io2/c.txt'), 'other prefix');

    expect(await getObject(s3.url('io/a.bin'))).toEqual(body);
    expect(await getObject(s3.url('io/a.bin'), { range: [10, 19] })).toEqual(body.subarray(10, 20));
    // A range past the end is cut at the end.
    expect(await getObject(s3.url('io/a.bin'), { range: [990, 5000] })).toEqual(body.subarray(990));
    expect(new TextDecoder().decode(await getObject(s3.url('io/sub/b.txt')))).toBe('hello');

    expect((await headObject(s3.url('io/a.bin')))?.size).toBe(1000);
    expect(await headObject(s3.url('io/missing.bin'))).toBeNull();

    expect(await listObjects(s3.url('io/'))).toEqual([
      { url: s3.url('io/a.bin'), size: 1000 },
      { url: s3.url('io/sub/b.txt'), size: 5 },
    ]);
    await deleteObjects([s3.url('io/a.bin'), s3.url('io/never-there')]);
    expect((await listObjects(s3.url('io/'))).map((o) => o.url)).toEqual([s3.url('io/sub/b.txt')]);
  });

  it('copies an object inside S3, and a larger one than a copy may take through a local file', async () => {
    const body = randomBytes(3000);
    await putObject(s3.url('copy/from key.bin'), body);
    await putObject(s3.url('copy/to.bin'), 'old');
    await copyObject(s3.url('copy/from key.bin'), s3.url('copy/to.bin'));
    expect(Buffer.from(await getObject(s3.url('copy/to.bin')))).toEqual(body);
    await copyObject(s3.url('copy/from key.bin'), s3.url('copy/big.bin'), { maxCopyBytes: 1000 });
    expect(Buffer.from(await getObject(s3.url('copy/big.bin')))).toEqual(body);
    const err = await copyObject(s3.url('copy/none.bin'), s3.url('copy/x.bin')).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('INPUT_NOT_FOUND');
    expect(String(err)).toContain(
      `${s3.url('copy/none.bin')}: no such object to copy to ${s3.url('copy/x.bin')}`,
    );
    expect(await headObject(s3.url('copy/x.bin'))).toBeNull();
  });

  it('names the URL of a missing object or bucket as INPUT_NOT_FOUND', async () => {
    const missing = s3.url('nothing/here.parquet');
    const err = await getObject(missing).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('INPUT_NOT_FOUND');
    expect(String(err)).toContain(missing);

    const noBucket = await getObject('s3://no-such-bucket/x').catch((e: unknown) => e);
    expect(codeOf(noBucket)).toBe('INPUT_NOT_FOUND');
    expect(String(noBucket)).toContain('bucket no-such-bucket does not exist');
  });

  it('lists more than one page of objects', async () => {
    const keys = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((k) => putObject(s3.url(k), k)));
    }
    const listed = await listObjects(s3.url('many/'));
    expect(listed.map((o) => o.url)).toEqual(keys.map((k) => s3.url(k)));
    await deleteObjects(listed.map((o) => o.url));
    expect(await listObjects(s3.url('many/'))).toEqual([]);
  });

  it('uploads a file larger than one part as a multipart upload, byte for byte', async () => {
    const path = join(tmp, 'big.bin');
    const bytes = randomBytes(11 * 1024 * 1024 + 17);
    await writeFile(path, bytes);
    await uploadFile(s3.url('big/big.bin'), path, { partBytes: 5 * 1024 * 1024 });
    const back = await getObject(s3.url('big/big.bin'));
    expect(back.length).toBe(bytes.length);
    expect(Buffer.from(back).equals(bytes)).toBe(true);
  });

  it('reports an aborted request as ABORTED and writes nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await putObject(s3.url('aborted/x'), 'x', { signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(codeOf(err)).toBe('ABORTED');
    expect(await headObject(s3.url('aborted/x'))).toBeNull();
  });

  it('names the endpoint when it cannot be reached', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_S3;
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:1';
    try {
      const err = await getObject(s3.url('x')).catch((e: unknown) => e);
      expect(codeOf(err)).toBe('STORAGE_ERROR');
      expect(String(err)).toContain('http://127.0.0.1:1');
    } finally {
      process.env.AWS_ENDPOINT_URL_S3 = saved;
    }
  });
});
