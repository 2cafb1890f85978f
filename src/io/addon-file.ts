/**
 * Loading one of geopart's native addons (native/build/Release/*.node) on first use, so that
 * importing the module that wraps it never fails on its own.
 */
import { fileURLToPath } from 'node:url';
import { GeopartError } from '../errors.js';

/**
 * A loader that calls `load` once (a `require` of the addon, spelled out by the caller so that
 * `npm run depcheck` sees the import) and keeps its result. A failure is `INTERNAL`, naming the
 * file at `url` and saying how to build it (`build`).
 */
export function addonLoader<T>(url: URL, what: string, build: string, load: () => unknown): () => T {
  let addon: T | undefined;
  return () => {
    if (addon === undefined) {
      const file = fileURLToPath(url);
      try {
        addon = load() as T;
      } catch (err) {
        throw new GeopartError(
          'INTERNAL',
          `cannot load geopart's ${what} ${file}: ${(err as Error).message}. ${build}`,
          { file },
          { cause: err },
        );
      }
    }
    return addon;
  };
}
