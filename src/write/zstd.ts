/**
 * The zstd compressor for page bodies: the system libzstd through geopart's native addon
 * (about 1.7x the speed of a WebAssembly build). Level 1 is the speed/size point measured best
 * for this writer.
 */
import { zstdCompress } from '../io/native.js';
import type { Compressor } from './column-chunk.js';

/** zstd level of every page. */
export const ZSTD_LEVEL = 1;

const compress: Compressor = (bytes: Uint8Array) => zstdCompress(bytes, ZSTD_LEVEL);

/** The page compressor. */
export function loadZstd(): Promise<Compressor> {
  return Promise.resolve(compress);
}
