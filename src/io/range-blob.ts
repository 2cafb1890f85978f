/**
 * A remote file as a `Blob` for parquet-wasm's `ParquetFile.fromFile`, which only asks a blob
 * for `size`, `slice(start, end)` and `arrayBuffer()`: each `arrayBuffer()` of a slice is one
 * ranged request, so a remote Parquet input is read footer first and then only the column
 * chunks needed, never downloaded whole.
 */
import { GeopartError } from '../errors.js';

/** Reads `end - start` bytes from `start` (bytes) of the file at `url`. */
export type RangeFetch = (start: number, end: number) => Promise<Uint8Array>;

/** The part of the `Blob` interface parquet-wasm uses. */
interface RangeBlob {
  readonly size: number;
  slice(start?: number, end?: number): RangeBlob;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** `Blob.slice`'s index rule: negative counts from the end, clamped to [0, size]. */
function clampIndex(i: number | undefined, size: number, fallback: number): number {
  if (i === undefined) return fallback;
  const n = Math.trunc(i);
  return n < 0 ? Math.max(size + n, 0) : Math.min(n, size);
}

function rangeBlob(url: string, start: number, end: number, read: RangeFetch): RangeBlob {
  const size = Math.max(end - start, 0);
  return {
    size,
    slice(a, b) {
      const from = clampIndex(a, size, 0);
      const to = clampIndex(b, size, size);
      return rangeBlob(url, start + from, start + Math.max(to, from), read);
    },
    async arrayBuffer() {
      if (size === 0) return new ArrayBuffer(0);
      const bytes = await read(start, end);
      if (bytes.byteLength !== size) {
        throw new GeopartError(
          'CORRUPT_INPUT',
          `${url}: asked for ${size} bytes at ${start}, got ${bytes.byteLength}; was the file replaced while being read?`,
          { file: url },
        );
      }
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

/**
 * The file at `url` of `size` bytes as a blob whose reads go through `read`. Structurally a
 * Blob for everything parquet-wasm calls; it is never passed elsewhere.
 */
export function remoteBlob(url: string, size: number, read: RangeFetch): Blob {
  return rangeBlob(url, 0, size, read) as unknown as Blob;
}
