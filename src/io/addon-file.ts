/**
 * Loading one of geopart's native addons (native/build/Release/*.node) on first use, so that
 * importing the module that wraps it never fails on its own.
 */
import { fileURLToPath } from 'node:url';
import { GeopartError } from '../errors.js';

/**
 * A loader that calls `load` once (a `require` of the addon, spelled out by the caller so that
 * `npm run depcheck` sees the import) and keeps its result. A failure is `INTERNAL`, naming the
 * file at `url` and saying how to build it (`build`); so is an addon that lacks one of the
 * functions `functions` (one built from older sources than this code).
 */
export function addonLoader<T>(
  url: URL,
  what: string,
  build: string,
  load: () => unknown,
  functions: readonly string[] = [],
): () => T {
  let addon: T | undefined;
  return () => {
    if (addon === undefined) {
      const file = fileURLToPath(url);
      let loaded: Record<string, unknown>;
      try {
        loaded = load() as Record<string, unknown>;
      } catch (err) {
        throw new GeopartError(
          'INTERNAL',
          `cannot load geopart's ${what} ${file}: ${(err as Error).message}. ${build}`,
          { file },
          { cause: err },
        );
      }
      const missing = functions.filter((f) => typeof loaded[f] !== 'function');
      if (missing.length > 0) {
        throw new GeopartError(
          'INTERNAL',
          `geopart's ${what} ${file} was built from older sources: it has no ${missing.join(', ')}. ${build}`,
          { file },
        );
      }
      addon = loaded as T;
    }
    return addon;
  };
}
