/**
 * A {@link RangeReader} in the shapes the Parquet decoders read through: a `Blob` for
 * parquet-wasm's `ParquetFile.fromFile` (which only asks for `size`, `slice(start, end)` and
 * `arrayBuffer()`), and hyparquet's `AsyncBuffer`. Each `arrayBuffer()` of a slice is one range
 * read, so a file is read footer first and then only the column chunks needed, never whole.
 */
import { GeopartError } from '../errors.js';
import type { RangeReader } from './range.js';

/** The part of the `Blob` interface parquet-wasm uses. */
interface RangeBlob {
  readonly size: number;
  slice(start?: number, end?: number): RangeBlob;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** hyparquet's `AsyncBuffer`: the file's size and its byte ranges. */
export interface RangeBuffer {
  readonly byteLength: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

/** `Blob.slice`'s index rule: negative counts from the end, clamped to [0, size]. */
function clampIndex(i: number | undefined, size: number, fallback: number): number {
  if (i === undefined) return fallback;
  const n = Math.trunc(i);
  return n < 0 ? Math.max(size + n, 0) : Math.min(n, size);
}

/** The bytes as an ArrayBuffer of their own. */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function sliceBlob(reader: RangeReader, start: number, end: number): RangeBlob {
  const size = Math.max(end - start, 0);
  return {
    size,
    slice(a, b) {
      const from = clampIndex(a, size, 0);
      const to = clampIndex(b, size, size);
      return sliceBlob(reader, start + from, start + Math.max(to, from));
    },
    async arrayBuffer() {
      if (size === 0) return new ArrayBuffer(0);
      const bytes = await reader.read(start, size);
      if (bytes.byteLength !== size) {
        throw new GeopartError(
          'CORRUPT_INPUT',
          `${reader.url}: asked for ${size} bytes at ${start}, got ${bytes.byteLength}; was the file replaced while being read?`,
          { file: reader.url },
        );
      }
      return ownBuffer(bytes);
    },
  };
}

/**
 * `reader`'s file as a blob whose reads go through it. Structurally a Blob for everything
 * parquet-wasm calls; it is never passed elsewhere.
 */
export function rangeBlob(reader: RangeReader): Blob {
  return sliceBlob(reader, 0, reader.size) as unknown as Blob;
}

/** `reader`'s file as hyparquet's `AsyncBuffer`. */
export function rangeBuffer(reader: RangeReader, signal?: AbortSignal): RangeBuffer {
  return {
    byteLength: reader.size,
    slice: async (start, end) => ownBuffer(await reader.read(start, (end ?? reader.size) - start, signal)),
  };
}
