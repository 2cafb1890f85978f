/**
 * An `s3://` object as a `Blob` for parquet-wasm's `ParquetFile.fromFile`, which only asks a
 * blob for `size`, `slice(start, end)` and `arrayBuffer()`: each `arrayBuffer()` of a slice is
 * one ranged GET, so a Parquet input on S3 is read footer first and then only the column
 * chunks needed, never downloaded whole.
 */
import { GeopartError } from '../errors.js';
import { getObject, headObject } from './s3.js';

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

function rangeBlob(url: string, start: number, end: number): RangeBlob {
  const size = Math.max(end - start, 0);
  return {
    size,
    slice(a, b) {
      const from = clampIndex(a, size, 0);
      const to = clampIndex(b, size, size);
      return rangeBlob(url, start + from, start + Math.max(to, from));
    },
    async arrayBuffer() {
      if (size === 0) return new ArrayBuffer(0);
      const bytes = await getObject(url, { range: [start, end - 1] });
      if (bytes.byteLength !== size) {
        throw new GeopartError(
          'CORRUPT_INPUT',
          `${url}: asked for ${size} bytes at ${start}, got ${bytes.byteLength}; was the object replaced while being read?`,
          { file: url },
        );
      }
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

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
  // Structurally a Blob for everything parquet-wasm calls; it is never passed elsewhere.
  return rangeBlob(url, 0, head.size) as unknown as Blob;
}
