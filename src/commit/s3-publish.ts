/**
 * Publishing a finished local folder (a table, or any step's output) to an `s3://` prefix.
 *
 * S3 has no rename, so a table cannot appear at once as a local folder does. Instead one file,
 * the commit marker (`_sample` for tables), says "this prefix is complete": it is uploaded last,
 * after every other file, and readers refuse a prefix without it. A run that fails or is killed
 * part way leaves no marker, so a half-uploaded table is never taken as done.
 *
 * An existing output (any object under the prefix) is `OUTPUT_EXISTS` unless `overwrite`; a
 * prefix with objects but no commit marker is refused even with `overwrite` (see
 * replace-rule.ts). With `overwrite`, in this order:
 * 1. the old marker is deleted (whichever kind: a table's `_sample` or a step's `_SUCCESS`),
 *    so the old output stops being complete before any of its files is replaced (a reader
 *    never takes a mix of old and new files for one table);
 * 2. the new files are uploaded, replacing old ones of the same name;
 * 3. old objects the new output does not have are deleted;
 * 4. the new marker is uploaded.
 * Between 1 and 4 the prefix holds no table: unlike a local output, the old table does not stay
 * readable while the new one is uploaded.
 *
 * On a failure the objects this run uploaded are deleted again (best effort; a killed process
 * cannot), and the error is rethrown.
 */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { GeopartError } from '../errors.js';
import {
  copyObject,
  deleteObjects,
  headObject,
  joinS3Url,
  listObjects,
  parseS3Url,
  uploadFile,
} from '../io/s3.js';
import { eachBounded } from '../util/bounded.js';
import { COMMIT_MARKERS } from './markers.js';
import { checkReplaceable, s3OutputState } from './replace-rule.js';

/** How to publish a folder to S3. */
export interface S3PublishOptions {
  /** Name of the commit marker file, relative to the folder (e.g. `_sample`); uploaded last. */
  readonly marker: string;
  /** Replace an existing output at the prefix (see the module comment). */
  readonly overwrite: boolean;
  readonly signal?: AbortSignal;
  /**
   * Uploads in flight at once (default 4). Copies inside S3 move no bytes through this machine
   * and go {@link COPIES_AT_ONCE} at a time. The marker always goes alone, last.
   */
  readonly concurrency?: number;
  /**
   * Called after each object is uploaded, with its URL, in completion order (the marker last).
   * A throw fails the publish like a failed upload.
   */
  readonly onUpload?: (url: string) => void | Promise<void>;
  /**
   * Files already in S3: name -> the object copied there inside S3 (`copyObject`), published
   * as if it were a file of `dir`. The marker is never one of them.
   */
  readonly copies?: Readonly<Record<string, string>>;
}

/**
 * Copies inside S3 in flight at once: each is one request that S3 serves in about a second per
 * 60 MB, so a table of a thousand files takes a minute, not four as at the upload default.
 */
export const COPIES_AT_ONCE = 16;

/** `prefixUrl` as a folder prefix: one trailing slash, so `x` does not match `x2/...`. */
function folderOf(prefixUrl: string): string {
  return `${prefixUrl.replace(/\/+$/, '')}/`;
}

/**
 * Checks that `prefixUrl` can be written: a well-formed `s3://bucket/prefix` URL, and what is
 * under it may be replaced (see replace-rule.ts: nothing; or, with `overwrite`, an output of
 * geopart, which holds a commit marker). Call it before doing the work that produces the output.
 *
 * @throws GeopartError `INVALID_CONFIG` for a malformed URL or a bucket root, `OUTPUT_EXISTS`.
 */
export async function checkS3Output(
  prefixUrl: string,
  marker: string,
  overwrite: boolean,
  signal?: AbortSignal,
): Promise<void> {
  const { key } = parseS3Url(prefixUrl);
  if (key.replace(/\/+$/, '') === '') {
    throw new GeopartError(
      'INVALID_CONFIG',
      `output ${prefixUrl}: give a prefix inside the bucket (s3://bucket/tables/name), not the bucket itself`,
      { option: 'output', url: prefixUrl },
    );
  }
  checkReplaceable(prefixUrl, await s3OutputState(prefixUrl, marker, signal), overwrite);
}

function markerUrl(prefixUrl: string, marker: string): string {
  return joinS3Url(prefixUrl, marker);
}

function existsError(prefixUrl: string, marker: string, count: number, complete: boolean): GeopartError {
  const what = complete
    ? 'already holds an output'
    : `holds ${count} object(s) but no ${marker} (an interrupted upload?)`;
  return new GeopartError(
    'OUTPUT_EXISTS',
    `output ${prefixUrl} ${what}; pass overwrite (--overwrite) to replace it, or choose another output`,
    { file: prefixUrl, option: 'output' },
  );
}

/** The files under `dir`, as `/`-separated paths relative to it, sorted. */
async function localFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/**
 * Uploads every file under the local folder `dir` to `prefixUrl` (same relative names), the
 * `marker` file last, following the module comment. Returns the URLs uploaded, in order.
 *
 * @throws GeopartError `OUTPUT_EXISTS` (see {@link checkS3Output}), `INVALID_CONFIG` when `dir`
 *   has no marker file, and the errors of the S3 calls (`ABORTED`, `STORAGE_ERROR`, ...).
 */
export async function publishToS3(
  dir: string,
  prefixUrl: string,
  options: S3PublishOptions,
): Promise<string[]> {
  const { marker, overwrite, signal } = options;
  const call = { signal };
  await checkS3Output(prefixUrl, marker, overwrite, signal);
  const copies = options.copies ?? {};
  const files = [...new Set([...(await localFiles(dir)), ...Object.keys(copies)])].sort();
  if (!files.includes(marker)) {
    throw new GeopartError(
      'INVALID_CONFIG',
      `${dir}: no ${marker} to publish last; the output is incomplete`,
      {
        file: dir,
      },
    );
  }
  const urlOf = (name: string) => joinS3Url(prefixUrl, name);
  const target = markerUrl(prefixUrl, marker);
  const data = files.filter((f) => f !== marker);
  const uploaded: string[] = [];
  const upload = async (name: string) => {
    const url = urlOf(name);
    const from = name === marker ? undefined : copies[name];
    if (from === undefined) await uploadFile(url, join(dir, name), call);
    else await copyObject(from, url, call);
    uploaded.push(url);
    await options.onUpload?.(url);
  };
  try {
    if (overwrite) {
      const markers = [...new Set([marker, ...COMMIT_MARKERS])].map((m) => markerUrl(prefixUrl, m));
      const present = [];
      for (const url of markers) if ((await headObject(url, call)) !== null) present.push(url);
      if (present.length > 0) await deleteObjects(present, call);
    }
    const copied = data.filter((f) => copies[f] !== undefined);
    const sent = data.filter((f) => copies[f] === undefined);
    await eachBounded(copied.length, COPIES_AT_ONCE, (i) => upload(copied[i]!));
    await eachBounded(sent.length, options.concurrency ?? 4, (i) => upload(sent[i]!));
    const keep = new Set(files.map(urlOf));
    const stale = (await listObjects(folderOf(prefixUrl), call)).filter((o) => !keep.has(o.url));
    if (stale.length > 0) {
      if (!overwrite)
        throw existsError(
          prefixUrl,
          marker,
          stale.length,
          stale.some((o) => o.url === target),
        );
      await deleteObjects(
        stale.map((o) => o.url),
        call,
      );
    }
    await upload(marker);
  } catch (err) {
    // Without the signal: an aborted run still removes what it uploaded.
    await deleteObjects(uploaded).catch(() => undefined);
    throw err;
  }
  return uploaded;
}
