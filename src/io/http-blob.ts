/**
 * An `http(s)://` file as a `Blob` of `Range` requests for parquet-wasm (see `range-blob.ts`),
 * through the same range reader `openTable` uses.
 */
import { GeopartError } from '../errors.js';
import { openHttpRangeReader } from './http-range-reader.js';
import { remoteBlob } from './range-blob.js';

/** True for an `http://` or `https://` URL. */
export function isHttpUrl(path: string): boolean {
  return /^https?:\/\//i.test(path);
}

/**
 * Opens the file at `url` as a blob of ranged reads. Throws GeopartErrors naming the URL:
 * `INPUT_NOT_FOUND` (unreachable, or an HTTP error such as 404) and `UNSUPPORTED` (a server
 * that ignores `Range`).
 */
export async function openHttpBlob(url: string): Promise<Blob> {
  let reader: Awaited<ReturnType<typeof openHttpRangeReader>>;
  try {
    reader = await openHttpRangeReader(url);
  } catch (err) {
    if (!(err instanceof GeopartError) || err.code !== 'INPUT_NOT_FOUND') throw err;
    throw new GeopartError('INPUT_NOT_FOUND', `input not found: ${err.message}; check the URL`, err.context, {
      cause: err,
    });
  }
  return remoteBlob(url, reader.size, (start, end) => reader.read(start, end - start));
}
