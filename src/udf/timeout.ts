/**
 * The per-input time limit of a UDF, and the error when it is exceeded.
 */
import { GeopartError } from '../errors.js';

/** The error of an input whose UDF ran past `seconds`. */
export function timeoutError(label: string, seconds: number): GeopartError {
  return new GeopartError(
    'UDF_TIMEOUT',
    `UDF ${label} did not finish within ${seconds} s and was stopped; raise timeout_seconds (--timeout) or make the UDF faster`,
    { option: 'timeout_seconds' },
  );
}

/**
 * Awaits `work`, rejecting with {@link timeoutError} after `seconds` (null: no limit). The work
 * itself is not stopped (only a worker thread can be): callers in a pool abort the task instead.
 */
export async function withTimeout<T>(work: Promise<T>, seconds: number | null, label: string): Promise<T> {
  if (seconds === null) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(label, seconds)), seconds * 1000);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
