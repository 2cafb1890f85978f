/**
 * Byte-range I/O: the one interface every storage backend implements, and the one function
 * that picks the backend from a path or URL. Readers fetch footers and column chunks through
 * it, never whole files.
 */
import { fileURLToPath } from 'node:url';
import { GeopartError } from '../errors.js';
import { isUrl } from '../format/table-location.js';
import { openHttpRangeReader } from './http-range-reader.js';
import { openLocalRangeReader } from './local-range-reader.js';
import { openS3RangeReader } from './s3-range-reader.js';

/** Random access to the bytes of one file. */
export interface RangeReader {
  /** The path or URL read. */
  readonly url: string;
  /** Size of the file (bytes). */
  readonly size: number;
  /** `length` bytes from `offset` (bytes); the range must lie inside the file. */
  read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
  /** Releases the file handle or connection; further reads fail. */
  close(): Promise<void>;
}

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
        `${pathOrUrl}: unsupported URL scheme '${scheme}:'; give a local path or an http(s):// URL`,
        { file: pathOrUrl },
      );
  }
}

/** A reader that adds every byte it returns to `counter.bytesRead`. */
export function countingReader(reader: RangeReader, counter: { bytesRead: number }): RangeReader {
  return {
    url: reader.url,
    size: reader.size,
    async read(offset, length, signal) {
      const bytes = await reader.read(offset, length, signal);
      counter.bytesRead += bytes.byteLength;
      return bytes;
    },
    close: () => reader.close(),
  };
}

/** Checks a requested range against the file size; throws `INTERNAL` naming the file. */
export function checkRange(url: string, size: number, offset: number, length: number): void {
  if (
    !Number.isInteger(offset) ||
    !Number.isInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > size
  ) {
    throw new GeopartError(
      'INTERNAL',
      `${url}: byte range ${offset}+${length} is outside the file (${size} bytes)`,
      {
        file: url,
      },
    );
  }
}
