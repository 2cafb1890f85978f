/**
 * Loading a UDF: an ES module and the export to call. The module is imported in the thread
 * that runs the UDF (Node caches it there, so each worker loads it once).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GeopartError } from '../errors.js';
import { loadErrorLocation } from './load-location.js';

/** A UDF: called with one object argument (parameters, `context`, `output`); may be async. */
export type UdfFunction = (args: Record<string, unknown>) => unknown;

/**
 * The `file:` URL of a UDF module: an absolute path, a `file://` URL, or a path relative to
 * the working directory (job files resolve theirs against the file's folder when loaded).
 * Other URL schemes are refused: a UDF runs from local code.
 */
export function udfModuleUrl(module: string): URL {
  if (module.startsWith('file://')) return new URL(module);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(module)) {
    throw new GeopartError(
      'INVALID_UDF',
      `UDF module ${module}: only local modules (a path or file:// URL) can be run; download it first`,
      { file: module },
    );
  }
  return pathToFileURL(isAbsolute(module) ? module : resolve(module));
}

/** True when the module of a UDF is a local file that exists. */
export function udfModuleExists(module: string): boolean {
  return existsSync(fileURLToPath(udfModuleUrl(module)));
}

function describeExports(ns: Record<string, unknown>): string {
  const names = Object.keys(ns);
  if (names.length === 0) return 'it has no exports';
  return `its exports: ${names.map((n) => `${n} (${typeof ns[n]})`).join(', ')}`;
}

/** The message of an error thrown while importing a module: `SyntaxError: ...`. */
function importFailure(err: unknown): string {
  if (!(err instanceof Error)) return `threw ${String(err)}`;
  return err.message.startsWith(`${err.name}:`) ? err.message : `${err.name}: ${err.message}`;
}

/**
 * Imports `module` and returns its export `name` (`default` or a named export). Throws a
 * GeopartError `INVALID_UDF` naming the module when it cannot be loaded (with the `file:line`
 * of a syntax error or of the failing top-level statement, where Node gives one; context
 * `file` and `line`), and the module and export, listing the exports it has, when the export
 * is missing or not a function.
 */
export async function loadUdf(module: string, name: string): Promise<UdfFunction> {
  const url = udfModuleUrl(module);
  let ns: Record<string, unknown>;
  try {
    ns = (await import(url.href)) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && !udfModuleExists(module)) {
      throw new GeopartError(
        'INVALID_UDF',
        `UDF module ${module} not found; check the udf.module path (relative paths in a job file are resolved against its folder)`,
        { file: module },
        { cause: err },
      );
    }
    const path = fileURLToPath(url);
    const at = await loadErrorLocation(err, path);
    const where =
      at === null
        ? module
        : at.file === path
          ? `${module}:${at.line}`
          : `${module} (at ${at.file}:${at.line})`;
    throw new GeopartError(
      'INVALID_UDF',
      `cannot load UDF module ${where}: ${importFailure(err)}; fix the module and run again`,
      at === null ? { file: module } : { file: at.file, line: at.line },
      { cause: err },
    );
  }
  const fn = ns[name];
  if (typeof fn !== 'function') {
    const what = fn === undefined ? 'has no export' : `has an export that is a ${typeof fn}, not a function:`;
    throw new GeopartError(
      'INVALID_UDF',
      `UDF module ${module} ${what} ${JSON.stringify(name)}; ${describeExports(ns)}. Set udf.name to the export to call`,
      { file: module, option: 'udf.name' },
    );
  }
  return fn as UdfFunction;
}

/** How messages name a UDF: its module and export, e.g. `stats.mjs#default`. */
export function udfLabel(module: string, name: string): string {
  return `${module}#${name}`;
}
