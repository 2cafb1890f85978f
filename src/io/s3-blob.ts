/**
 * An `s3://` object as a `Blob` of ranged GETs for parquet-wasm (see `range-blob.ts`).
 */
import { GeopartError } from '../errors.js';
import { remoteBlob } from './range-blob.js';
import { getObject, headObject } from './s3.js';

/**
 * Opens the object at `url` as a blob of ranged reads.
 *
 * @throws GeopartError `INPUT_NOT_FOUND` naming the URL when there is no such object.
 */
export async function openS3Blob(url: string): Promise<Blob> {
  const head = await headObject(url);
  if (head === null) {
    throw new GeopartError(
      'INPUT_NOT_FOUND',
      `input not found: ${url} (no such object or bucket); check the URL`,
      {
        file: url,
      },
    );
  }
  return remoteBlob(url, head.size, (start, end) => getObject(url, { range: [start, end - 1] }));
}
