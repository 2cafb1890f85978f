/**
 * Parquet page codecs in the system libzstd and liblz4, through geopart's small codec addon
 * (native/build/Release/geopart_codecs.node). It links no GDAL, so loading it costs about a
 * millisecond: the table reader uses it without paying GDAL's start-up.
 *
 * This is the only module that loads the codec addon. It is context-aware, so any worker
 * thread can use it.
 */
import { createRequire } from 'node:module';
import { addonLoader } from './addon-file.js';

interface CodecAddon {
  zstdCompress(data: Uint8Array, level: number): Uint8Array;
  lz4RawCompress(data: Uint8Array): Uint8Array;
  zstdDecompressInto(data: Uint8Array, out: Uint8Array): number;
  lz4RawDecompressInto(data: Uint8Array, out: Uint8Array): number;
}

const require = createRequire(import.meta.url);
/** The addon, loaded on first use. */
const codecs = addonLoader<CodecAddon>(
  new URL('../../native/build/Release/geopart_codecs.node', import.meta.url),
  'codec addon',
  'Build it with `npm run build:native addon` (needs libzstd-dev, liblz4-dev and a C++17 compiler).',
  // The path is spelled out (it is the URL's) so that `npm run depcheck` sees the import.
  () => require('../../native/build/Release/geopart_codecs.node'),
);

/** Compresses `data` into one zstd frame at `level` (a Parquet page body). */
export function zstdCompress(data: Uint8Array, level: number): Uint8Array {
  return codecs().zstdCompress(data, level);
}

/** Compresses `data` into one raw LZ4 block (Parquet's LZ4_RAW). */
export function lz4RawCompress(data: Uint8Array): Uint8Array {
  return codecs().lz4RawCompress(data);
}

/**
 * Decompresses one zstd frame into `out` (which must be large enough); returns the bytes
 * written. Throws an Error when `data` is not a zstd frame or does not fit.
 */
export function zstdDecompressInto(data: Uint8Array, out: Uint8Array): number {
  return codecs().zstdDecompressInto(data, out);
}

/**
 * Decompresses one raw LZ4 block (Parquet's LZ4_RAW) into `out`; returns the bytes written.
 * Throws an Error when `data` is not an LZ4 block or does not fit.
 */
export function lz4RawDecompressInto(data: Uint8Array, out: Uint8Array): number {
  return codecs().lz4RawDecompressInto(data, out);
}
