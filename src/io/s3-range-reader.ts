/**
 * Range reads of an `s3://` object through ranged GET requests. The size comes from one HEAD
 * request when the reader opens.
 */
import { GeopartError } from '../errors.js';
import { checkRange, type RangeReader } from './range.js';
import { getObject, headObject } from './s3.js';

/**
 * Opens `url` (`s3://bucket/key`) for range reads. Throws `INPUT_NOT_FOUND` naming the URL when
 * there is no such object, `INVALID_CONFIG` for a malformed URL, `STORAGE_ERROR` when S3 refuses.
 */
export async function openS3RangeReader(url: string, signal?: AbortSignal): Promise<RangeReader> {
  const head = await headObject(url, { signal });
  if (head === null) {
    throw new GeopartError('INPUT_NOT_FOUND', `${url}: no such object (or no such bucket); check the URL`, {
      file: url,
    });
  }
  const size = head.size;
  return {
    url,
    size,
    async read(offset, length, readSignal) {
      checkRange(url, size, offset, length);
      if (length === 0) return new Uint8Array(0);
      const bytes = await getObject(url, {
        range: [offset, offset + length - 1],
        signal: readSignal ?? signal,
      });
      if (bytes.byteLength !== length) {
        throw new GeopartError(
          'CORRUPT_INPUT',
          `${url}: asked for ${length} bytes at ${offset}, got ${bytes.byteLength}; was the object replaced while being read?`,
          { file: url },
        );
      }
      return bytes;
    },
    async close() {},
  };
}
