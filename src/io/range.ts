/**
 * Byte-range I/O: the one interface every storage backend implements (local-range-reader.ts,
 * http-range-reader.ts, s3-range-reader.ts; range-reader.ts picks one for a path or URL).
 * Readers fetch footers and column chunks through it, never whole files.
 */
import { GeopartError } from '../errors.js';

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
