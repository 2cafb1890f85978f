/**
 * The zstd compressor for page bodies: libzstd compiled to WebAssembly (@foxglove/wasm-zstd),
 * loaded once per thread. Level 1 is the speed/size point measured best for this writer.
 */
import { createRequire } from 'node:module';
import type { Compressor } from './column-chunk.js';

/** zstd level of every page. */
export const ZSTD_LEVEL = 1;

interface WasmZstd {
  readonly isLoaded: Promise<unknown>;
  compress(bytes: Uint8Array, level?: number): Uint8Array;
}

let loading: Promise<Compressor> | null = null;

/** The page compressor, once its WebAssembly module is ready (loaded on first call). */
export function loadZstd(): Promise<Compressor> {
  loading ??= (async () => {
    const zstd = createRequire(import.meta.url)('@foxglove/wasm-zstd') as WasmZstd;
    await zstd.isLoaded;
    return (bytes: Uint8Array) => zstd.compress(bytes, ZSTD_LEVEL);
  })();
  return loading;
}
