/**
 * Byte-range I/O: the one function that picks the storage backend (local, http(s), s3) from a
 * path or URL. The interface the backends implement is in range.ts.
 */
import { fileURLToPath } from 'node:url';
import { GeopartError } from '../errors.js';
import { isUrl } from '../format/table-location.js';
import { openHttpRangeReader } from './http-range-reader.js';
import { openLocalRangeReader } from './local-range-reader.js';
import type { RangeReader } from './range.js';
import { openS3RangeReader } from './s3-range-reader.js';

/**
 * Opens `pathOrUrl` for range reads: a local path (or `file://` URL), `http(s)://` (servers
 * must honour `Range`) or `s3://bucket/key` (credentials and endpoint from the AWS
 * environment). Throws `INPUT_NOT_FOUND` naming the path when it does not exist.
 */
export async function openRangeReader(pathOrUrl: string, signal?: AbortSignal): Promise<RangeReader> {
  if (!isUrl(pathOrUrl)) return openLocalRangeReader(pathOrUrl);
  const scheme = pathOrUrl.slice(0, pathOrUrl.indexOf(':')).toLowerCase();
  switch (scheme) {
    case 'file':
      return openLocalRangeReader(fileURLToPath(pathOrUrl), pathOrUrl);
    case 'http':
    case 'https':
      return openHttpRangeReader(pathOrUrl, signal);
    case 's3':
      return openS3RangeReader(pathOrUrl, signal);
    default:
      throw new GeopartError(
        'UNSUPPORTED',
        `${pathOrUrl}: unsupported URL scheme '${scheme}:'; give a local path, an http(s):// or an s3:// URL`,
        { file: pathOrUrl },
      );
  }
}
