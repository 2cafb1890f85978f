import { MAX_THREADS, THREADS_ALLOWED, validThreads } from '../config/run-options.js';
import { GeopartError } from '../errors.js';

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
