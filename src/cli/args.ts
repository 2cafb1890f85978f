import { MAX_THREADS, THREADS_ALLOWED, validThreads } from '../config/run-options.js';
import { GeopartError } from '../errors.js';

/**
 * Parses repeated `KEY=VALUE` flags (ogr2ogr's `-oo`) into an object.
 * @param flag the flag's name, for the error message
 */
export function parseKeyValues(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of values ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw new GeopartError(
        'INVALID_ARGUMENT',
        `${flag} ${JSON.stringify(item)}: expected KEY=VALUE, e.g. ${flag} HEADERS=YES`,
        {
          option: flag,
        },
      );
    }
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** A layer given on the command line: a non-negative integer is an index, anything else a name. */
export function parseLayer(value: string | undefined): string | number | null {
  if (value === undefined) return null;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/**
 * `--threads N` as a number: a whole number from 1 to {@link MAX_THREADS}, the range the library
 * and job runs check too; anything else is an `INVALID_ARGUMENT` (exit code 2).
 */
export function threadsFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!validThreads(n)) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `--threads ${JSON.stringify(value)}: expected ${THREADS_ALLOWED}`,
      {
        option: '--threads',
      },
    );
  }
  return n;
}
