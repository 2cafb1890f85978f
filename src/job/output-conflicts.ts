/**
 * The outputs a job would refuse only after earlier steps have run: a step's output that
 * already exists (without `overwrite`), one an earlier step of the same job writes, or one that
 * is never replaced (not an output of geopart; see replace-rule.ts). Found before anything
 * runs, so that a job does not ingest for an hour and then fail on its last step. Local outputs
 * are looked up on disk; an `s3://` output costs one listing of its prefix.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SUCCESS_MARKER, TABLE_MARKER } from '../commit/commit.js';
import { neverReplacedAdvice, outputState, verdict } from '../commit/replace-rule.js';
import type { JobConfig } from '../config/job.js';
import { isUrl } from '../config/paths.js';
import { UdfJobStepConfig } from '../config/udf-step.js';
import { isS3Url } from '../io/s3.js';

/** One output in the way: the step's field path and why. */
export interface OutputConflict {
  /** e.g. `steps[1].output`. */
  readonly field: string;
  readonly output: string;
  readonly reason: string;
  /** True when `overwrite` on the step would let it write there (false: never replaced). */
  readonly overwriteHelps: boolean;
}

/** The location as compared between steps: a resolved local path, or the URL without a trailing `/`. */
function place(output: string): string | null {
  if (output.startsWith('file://')) return fileURLToPath(output);
  if (!isUrl(output)) return resolve(output);
  return isS3Url(output) ? output.replace(/\/+$/, '') : null;
}

/**
 * The outputs of `job`'s steps that would be refused when their step runs: one that exists
 * already, or one an earlier step writes, unless the step has `overwrite`; one geopart did not
 * write, whatever `overwrite` says. Steps that will not
 * run (no output; a UDF step without UDF, skipped under `ignoreNoUdf`) are left out. Throws
 * the storage errors of the S3 requests (`STORAGE_ERROR`, `ABORTED`, ...).
 */
export async function outputConflicts(job: JobConfig, signal?: AbortSignal): Promise<OutputConflict[]> {
  const found: OutputConflict[] = [];
  const written = new Map<string, number>();
  for (const [i, step] of job.steps.entries()) {
    const output = step.output;
    const isUdf = step instanceof UdfJobStepConfig;
    if (output === null || (isUdf && step.udf === null)) continue;
    const field = `steps[${i}].output`;
    const at = place(output);
    const earlier = at === null ? undefined : written.get(at);
    if (at !== null && earlier === undefined) written.set(at, i);
    if (earlier !== undefined) {
      // An earlier step's output is geopart's own: overwrite replaces it.
      if (!step.overwrite) {
        found.push({
          field,
          output,
          reason: `is also the output of steps[${earlier}], written first`,
          overwriteHelps: true,
        });
      }
      continue;
    }
    if (at === null) continue;
    const state = await outputState(
      isS3Url(output) ? output : at,
      isUdf ? SUCCESS_MARKER : TABLE_MARKER,
      signal,
    );
    const v = verdict(state, step.overwrite);
    if (v === 'write') continue;
    if (state.kind === 'foreign') {
      found.push({
        field,
        output,
        reason: `${state.s3 ? 'already holds objects; it ' : ''}${state.what}; ${neverReplacedAdvice(state)}`,
        overwriteHelps: false,
      });
    } else {
      found.push({
        field,
        output,
        reason: isS3Url(output) ? 'already holds objects' : 'already exists',
        overwriteHelps: true,
      });
    }
  }
  return found;
}
