/**
 * The options of a run (not of a step): worker threads and the per-input time limit. The
 * library, job runs and the command line check them with the same ranges, before any work.
 */
import { ConfigError, type ConfigIssue } from '../errors.js';
import { showValue } from './json.js';
import { MAX_TIMEOUT_SECONDS } from './udf-schema.js';

/**
 * The most worker threads a run may use: four per vCPU of the largest instance type a remote
 * job runs on (64). A fixed number rather than one derived from the machine, so that a job or
 * command valid on one machine is valid on every other.
 */
export const MAX_THREADS = 256;

/** What `threads` must be, for messages. */
export const THREADS_ALLOWED = `a whole number from 1 to ${MAX_THREADS}`;

/** What a per-input time limit must be, for messages. */
export const TIMEOUT_ALLOWED = `a number of seconds in (0, ${MAX_TIMEOUT_SECONDS}]`;

/** True when `threads` is a valid thread count (see {@link MAX_THREADS}). */
export function validThreads(threads: unknown): threads is number {
  return typeof threads === 'number' && Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS;
}

/** True when `seconds` is a valid per-input time limit (null: no limit). */
export function validTimeout(seconds: unknown): seconds is number | null {
  return (
    seconds === null ||
    (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS)
  );
}

/** Run options as the checks see them. */
export interface RunOptionsToCheck {
  readonly threads?: unknown;
  readonly timeoutSeconds?: unknown;
}

/**
 * Checks the run options given (absent ones are left out): `threads` a whole number from 1 to
 * {@link MAX_THREADS}, `timeoutSeconds` a number of seconds in (0, 2147483] or null. Throws a
 * ConfigError (`INVALID_CONFIG`) naming each bad option.
 */
export function checkRunOptions(options: RunOptionsToCheck): void {
  const issues: ConfigIssue[] = [];
  if (options.threads !== undefined && !validThreads(options.threads)) {
    issues.push({
      path: 'threads',
      message: `got ${showValue(options.threads)}; expected ${THREADS_ALLOWED}`,
    });
  }
  if (options.timeoutSeconds !== undefined && !validTimeout(options.timeoutSeconds)) {
    issues.push({
      path: 'timeoutSeconds',
      message: `got ${showValue(options.timeoutSeconds)}; expected ${TIMEOUT_ALLOWED}, or null for no limit`,
    });
  }
  if (issues.length > 0) throw new ConfigError(issues, 'invalid run options');
}
