/**
 * The outputs a job would refuse only after earlier steps have run: a step's output that
 * already exists (without `overwrite`), or one an earlier step of the same job writes. Found
 * before anything runs, so that a job does not ingest for an hour and then fail on its last
 * step. Local outputs are looked up on disk; an `s3://` output costs one HEAD request for its
 * commit marker and, when that is missing, one listing of its prefix.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SUCCESS_MARKER, TABLE_MARKER } from '../commit/commit.js';
import type { JobConfig } from '../config/job.js';
import { isUrl } from '../config/paths.js';
import { UdfJobStepConfig } from '../config/udf-step.js';
import { headObject, isS3Url, joinS3Url, listObjects } from '../io/s3.js';

/** One output in the way: the step's field path and why. */
export interface OutputConflict {
  /** e.g. `steps[1].output`. */
  readonly field: string;
  readonly output: string;
  readonly reason: string;
}

/** The location as compared between steps: a resolved local path, or the URL without a trailing `/`. */
function place(output: string): string | null {
  if (output.startsWith('file://')) return fileURLToPath(output);
  if (!isUrl(output)) return resolve(output);
  return isS3Url(output) ? output.replace(/\/+$/, '') : null;
}

/** True when the `s3://` prefix `output` holds an output (its marker) or any object at all. */
async function s3OutputExists(output: string, marker: string, signal?: AbortSignal): Promise<boolean> {
  const call = signal ? { signal } : {};
  if ((await headObject(joinS3Url(output, marker), call)) !== null) return true;
  return (await listObjects(`${output.replace(/\/+$/, '')}/`, call)).length > 0;
}

/**
 * The outputs of `job`'s steps that would be refused when their step runs: one that exists
 * already, or one an earlier step writes, unless the step has `overwrite`. Steps that will not
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
    if (step.overwrite) continue;
    if (earlier !== undefined) {
      found.push({ field, output, reason: `is also the output of steps[${earlier}], written first` });
    } else if (isS3Url(output)) {
      if (await s3OutputExists(output, isUdf ? SUCCESS_MARKER : TABLE_MARKER, signal)) {
        found.push({ field, output, reason: 'already holds objects' });
      }
    } else if (at !== null && existsSync(at)) {
      found.push({ field, output, reason: 'already exists' });
    }
  }
  return found;
}
