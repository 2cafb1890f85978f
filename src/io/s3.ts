/**
 * S3 object access: the only module that imports `@aws-sdk/client-s3`. Everything else sees
 * `s3://bucket/key` URLs and byte arrays; no SDK type leaves this file.
 *
 * The client is configured from the environment, as the AWS CLI is:
 * - region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1` (requests to a bucket in
 *   another region follow S3's redirect);
 * - credentials: the SDK's default chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, profile,
 *   instance role, ...);
 * - endpoint: `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`; with an endpoint, path-style
 *   addressing (`http://host:port/bucket/key`), which S3-compatible servers expect.
 *
 * Failures become {@link GeopartError}s that name the URL: a missing object or bucket is
 * `INPUT_NOT_FOUND`, an aborted request `ABORTED`, anything else `STORAGE_ERROR`.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { GeopartError } from '../errors.js';
import { openLocalRangeReader } from './local-range-reader.js';
import { s3Error } from './s3-errors.js';
import { formatS3Url, parseS3Url, type S3Location } from './s3-url.js';

export { formatS3Url, isS3Url, joinS3Url, parseS3Url, type S3Location } from './s3-url.js';

/** One object found by {@link listObjects}. */
export interface S3ObjectInfo {
  /** `s3://bucket/key` of the object. */
  readonly url: string;
  /** Size in bytes. */
  readonly size: number;
}

/** Options of the calls that take an abort signal. */
export interface S3CallOptions {
  readonly signal?: AbortSignal;
}

/** The parsed location of an object URL: like {@link parseS3Url}, but the key must name an object. */
function objectLocation(url: string): S3Location {
  const loc = parseS3Url(url);
  if (loc.key === '' || loc.key.endsWith('/')) {
    throw new GeopartError(
      'INVALID_CONFIG',
      `S3 URL ${url} names a folder (prefix), not an object; give the object's full key`,
      { url },
    );
  }
  return loc;
}

/** The S3 settings read from the environment; also what GDAL's `/vsis3/` needs. */
export interface S3Settings {
  readonly region: string;
  /** Endpoint URL (`http://127.0.0.1:4568`), or null for AWS itself. */
  readonly endpoint: string | null;
}

/** The S3 settings of the current environment (see the module comment). */
export function s3Settings(env: NodeJS.ProcessEnv = process.env): S3Settings {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || null;
  return { region, endpoint };
}

type Sdk = typeof import('@aws-sdk/client-s3');
let sdkModule: Promise<Sdk> | null = null;
let cached: { key: string; client: S3Client } | null = null;

/**
 * The S3 client for the current environment. It is cached, and rebuilt when the region,
 * endpoint or access key in the environment change (tests point it at a local server). The SDK
 * is loaded on first use, so commands that never touch S3 do not pay for loading it.
 */
async function s3Client(): Promise<{ client: S3Client; sdk: Sdk }> {
  sdkModule ??= import('@aws-sdk/client-s3');
  const sdk = await sdkModule;
  const { region, endpoint } = s3Settings();
  const key = JSON.stringify([region, endpoint, process.env.AWS_ACCESS_KEY_ID ?? null]);
  if (cached?.key === key) return { client: cached.client, sdk };
  cached?.client.destroy();
  const client = new sdk.S3Client({
    region,
    followRegionRedirects: true,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // S3-compatible servers often reject the SDK's newer default checksums; send them only
    // where S3 requires one.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  cached = { key, client };
  return { client, sdk };
}

/** Request options the SDK's `send` takes. */
type SendOptions = { abortSignal?: AbortSignal };

/** Runs one SDK request, turning its failure into a GeopartError about `url`. */
async function send<T>(
  url: string,
  action: string,
  signal: AbortSignal | undefined,
  request: (client: S3Client, sdk: Sdk, options: SendOptions) => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw s3Error(signal.reason, url, action, null, signal);
  try {
    const { client, sdk } = await s3Client();
    return await request(client, sdk, signal ? { abortSignal: signal } : {});
  } catch (err) {
    throw s3Error(err, url, action, s3Settings().endpoint, signal);
  }
}

/** Writes one object, replacing any object at that key. */
export async function putObject(
  url: string,
  body: Uint8Array | string,
  options: S3CallOptions & { readonly contentType?: string } = {},
): Promise<void> {
  const { bucket, key } = objectLocation(url);
  const input = {
    Bucket: bucket,
    Key: key,
    Body: body,
    ...(options.contentType ? { ContentType: options.contentType } : {}),
  };
  await send(url, 'writing', options.signal, (c, m, o) => c.send(new m.PutObjectCommand(input), o));
}

/**
 * Reads one object, or the bytes `range[0]..range[1]` of it (both inclusive, as HTTP ranges
 * are). A range past the end is cut at the end, as S3 does.
 *
 * @throws GeopartError `INPUT_NOT_FOUND` naming the URL when there is no such object.
 */
export async function getObject(
  url: string,
  options: S3CallOptions & { readonly range?: readonly [number, number] } = {},
): Promise<Uint8Array> {
  const { bucket, key } = objectLocation(url);
  const range = options.range;
  if (range && !(Number.isInteger(range[0]) && range[0] >= 0 && range[1] >= range[0])) {
    throw new RangeError(`getObject ${url}: range [${range[0]}, ${range[1]}] is not a byte range start..end`);
  }
  const input = { Bucket: bucket, Key: key, ...(range ? { Range: `bytes=${range[0]}-${range[1]}` } : {}) };
  // The body is streamed, so reading it can fail too: both steps go through one error mapping.
  return send(url, 'reading', options.signal, async (c, m, o) => {
    const out = await c.send(new m.GetObjectCommand(input), o);
    return (await out.Body?.transformToByteArray()) ?? new Uint8Array(0);
  });
}

/**
 * Size (bytes) and entity tag of an object, or null when there is no such object. A missing
 * bucket also gives null: S3 answers HEAD with a bare 404 either way.
 */
export async function headObject(
  url: string,
  options: S3CallOptions = {},
): Promise<{ readonly size: number; readonly etag: string } | null> {
  const { bucket, key } = objectLocation(url);
  try {
    const out = await send(url, 'reading', options.signal, (c, m, o) =>
      c.send(new m.HeadObjectCommand({ Bucket: bucket, Key: key }), o),
    );
    return { size: out.ContentLength ?? 0, etag: out.ETag ?? '' };
  } catch (err) {
    if (err instanceof GeopartError && err.code === 'INPUT_NOT_FOUND') return null;
    throw err;
  }
}

/**
 * Every object whose key starts with the key of `prefixUrl`, sorted by key. The prefix is taken
 * literally: `s3://b/tables/x` also matches `s3://b/tables/x2/...`; end it with `/` for a folder.
 */
export async function listObjects(prefixUrl: string, options: S3CallOptions = {}): Promise<S3ObjectInfo[]> {
  const { bucket, key } = parseS3Url(prefixUrl);
  const out: S3ObjectInfo[] = [];
  let token: string | undefined;
  do {
    const input = { Bucket: bucket, Prefix: key, ContinuationToken: token };
    const page = await send(prefixUrl, 'listing', options.signal, (c, m, o) =>
      c.send(new m.ListObjectsV2Command(input), o),
    );
    for (const obj of page.Contents ?? []) {
      if (obj.Key !== undefined)
        out.push({ url: formatS3Url({ bucket, key: obj.Key }), size: obj.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
}

/** Deletes objects (any buckets); keys that do not exist are not an error, as in S3. */
export async function deleteObjects(urls: readonly string[], options: S3CallOptions = {}): Promise<void> {
  const byBucket = new Map<string, string[]>();
  for (const url of urls) {
    const { bucket, key } = objectLocation(url);
    const keys = byBucket.get(bucket) ?? [];
    keys.push(key);
    byBucket.set(bucket, keys);
  }
  for (const [bucket, keys] of byBucket) {
    // S3 deletes at most 1000 keys per request.
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const input = { Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } };
      const first = formatS3Url({ bucket, key: batch[0]! });
      const out = await send(first, 'deleting', options.signal, (c, m, o) =>
        c.send(new m.DeleteObjectsCommand(input), o),
      );
      const failed = out.Errors?.[0];
      if (failed) {
        const url = formatS3Url({ bucket, key: failed.Key ?? '' });
        throw new GeopartError('STORAGE_ERROR', `deleting ${url}: ${failed.Message ?? 'failed'}`, { url });
      }
    }
  }
}

/** Largest object S3 copies in one request (5 GiB). */
export const MAX_COPY_BYTES = 5 * 1024 ** 3;

/**
 * Copies one object to another inside S3 (`CopyObject`: the bytes do not pass through this
 * machine), replacing any object at `to`. An object larger than `maxCopyBytes` (default S3's
 * limit, {@link MAX_COPY_BYTES}) is downloaded to a temporary file and uploaded in parts
 * instead. Throws `INPUT_NOT_FOUND` naming `from` when it is missing.
 */
export async function copyObject(
  from: string,
  to: string,
  options: S3CallOptions & { readonly maxCopyBytes?: number } = {},
): Promise<void> {
  const head = await headObject(from, options);
  if (head === null) {
    throw new GeopartError('INPUT_NOT_FOUND', `${from}: no such object to copy to ${to}`, { file: from });
  }
  if (head.size > (options.maxCopyBytes ?? MAX_COPY_BYTES)) {
    const dir = await mkdtemp(join(tmpdir(), 'geopart-copy-'));
    try {
      const path = join(dir, 'object');
      const fd = await open(path, 'w');
      try {
        for (let at = 0; at < head.size; at += UPLOAD_PART_BYTES) {
          const end = Math.min(head.size, at + UPLOAD_PART_BYTES) - 1;
          await fd.write(await getObject(from, { ...options, range: [at, end] }));
        }
      } finally {
        await fd.close();
      }
      await uploadFile(to, path, options);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return;
  }
  const source = objectLocation(from);
  const { bucket, key } = objectLocation(to);
  // The copy source is `bucket/key` with the key URL-encoded.
  const input = {
    Bucket: bucket,
    Key: key,
    CopySource: `${source.bucket}/${source.key.split('/').map(encodeURIComponent).join('/')}`,
  };
  await send(to, 'writing', options.signal, (c, m, o) => c.send(new m.CopyObjectCommand(input), o));
}

/** Default part size (bytes) of multipart uploads. */
export const UPLOAD_PART_BYTES = 64 * 1024 * 1024;
// S3 refuses parts under 5 MiB, except the last.
const MIN_PART_BYTES = 5 * 1024 * 1024;

/**
 * Uploads a local file to an object. Files up to `partBytes` bytes (default
 * {@link UPLOAD_PART_BYTES}) go in one request; larger ones as a multipart upload, part by part,
 * so memory stays at one part. A failed or aborted multipart upload is aborted on S3, leaving no
 * object and no stored parts.
 */
export async function uploadFile(
  url: string,
  path: string,
  options: S3CallOptions & { readonly partBytes?: number } = {},
): Promise<void> {
  const { bucket, key } = objectLocation(url);
  const partBytes = options.partBytes ?? UPLOAD_PART_BYTES;
  if (!(Number.isInteger(partBytes) && partBytes >= MIN_PART_BYTES)) {
    throw new RangeError(
      `uploadFile: partBytes ${partBytes} must be an integer >= ${MIN_PART_BYTES} (5 MiB)`,
    );
  }
  const file = await openLocalRangeReader(path);
  try {
    const size = file.size;
    if (size <= partBytes) {
      await putObject(url, await file.read(0, size), options);
      return;
    }
    const action = 'uploading';
    const where = { Bucket: bucket, Key: key };
    const { UploadId } = await send(url, action, options.signal, (c, m, o) =>
      c.send(new m.CreateMultipartUploadCommand(where), o),
    );
    try {
      const parts: { ETag: string; PartNumber: number }[] = [];
      for (let offset = 0, n = 1; offset < size; offset += partBytes, n++) {
        const body = await file.read(offset, Math.min(partBytes, size - offset));
        const part = { ...where, UploadId, PartNumber: n, Body: body };
        const out = await send(url, action, options.signal, (c, m, o) =>
          c.send(new m.UploadPartCommand(part), o),
        );
        parts.push({ ETag: out.ETag ?? '', PartNumber: n });
      }
      const done = { ...where, UploadId, MultipartUpload: { Parts: parts } };
      await send(url, action, options.signal, (c, m, o) =>
        c.send(new m.CompleteMultipartUploadCommand(done), o),
      );
    } catch (err) {
      await send(url, action, undefined, (c, m, o) =>
        c.send(new m.AbortMultipartUploadCommand({ ...where, UploadId }), o),
      ).catch(() => undefined);
      throw err;
    }
  } finally {
    await file.close();
  }
}
