import { isAbsolute, resolve } from 'node:path';

/** `s3://`, `https://`, `file://`...: anything with a URL scheme. */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * A table name: a folder under the working directory. A letter, digit or `_`, then letters,
 * digits, `_`, `.` or `-`, so it can never climb out of its folder (`..`) or be a path.
 */
export const TABLE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** True for URLs and GDAL virtual paths (`/vsis3/...`), which are never resolved locally. */
export function isUrl(location: string): boolean {
  return SCHEME.test(location) || location.startsWith('/vsi');
}

/**
 * True when `setOutput`'s first argument names a location rather than a table: it has a
 * scheme (`s3://`), contains `/`, or starts with `.` (`./out`, `..`).
 */
export function looksLikeLocation(tableOrUrl: string): boolean {
  return SCHEME.test(tableOrUrl) || tableOrUrl.includes('/') || tableOrUrl.startsWith('.');
}

/** Resolves a relative local path against `baseDir`; URLs and absolute paths are returned as given. */
export function resolveLocation(location: string, baseDir: string): string {
  return isUrl(location) || isAbsolute(location) ? location : resolve(baseDir, location);
}
