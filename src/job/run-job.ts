/**
 * `JobConfig.runLocal`: checks the job, then runs its steps in order on this machine, each on
 * its own worker pool, and gathers their reports.
 */
import type { JobConfig } from '../config/job.js';
import { checkRunOptions } from '../config/run-options.js';
import { UdfJobStepConfig } from '../config/udf-step.js';
import { GeopartError } from '../errors.js';
import { runIngest } from '../ingest/run-ingest.js';
import type { IngestProgress } from '../ingest/settings.js';
import { udfLabel } from '../udf/load-udf.js';
import { runUdfStep, type UdfProgress } from '../udf/run-udf-step.js';
import { type PreflightOptions, preflight } from './preflight.js';
import type { JobReport, StepReport } from './report.js';

/** Where a job is: the step running and that step's own progress. */
export type JobProgress =
  | {
      readonly stepIndex: number;
      readonly steps: number;
      readonly type: 'partition_geospatial';
      readonly progress: IngestProgress;
    }
  | {
      readonly stepIndex: number;
      readonly steps: number;
      readonly type: 'udf';
      readonly progress: UdfProgress;
    };

/** How to run a job; everything optional. */
export interface JobRunOptions extends PreflightOptions {
  /** Worker threads of each step, 1 to 256 (default: one per core). */
  readonly threads?: number;
  readonly signal?: AbortSignal;
  /** Per-input time limit of every UDF step (seconds), overriding the steps' `timeout_seconds`. */
  readonly timeoutSeconds?: number | null;
  readonly onProgress?: (progress: JobProgress) => void;
  readonly onWarning?: (message: string) => void;
}

/**
 * `err` with its message prefixed by `where` (the step), unless it names the step already;
 * errors that are not GeopartErrors (defects) are left as they are.
 */
function named(err: unknown, where: string): unknown {
  if (!(err instanceof GeopartError) || err.message.startsWith(`${where}:`)) return err;
  return new GeopartError(err.code, `${where}: ${err.message}`, err.context, { cause: err });
}

/**
 * Runs `job`'s steps in order and returns the job report. Before anything runs, the job is
 * checked (see {@link preflight}: UDFs, outputs, local inputs, outputs in the way). With
 * `ignoreNoUdf` a UDF step without a UDF is skipped; with `ignoreNoOutput` a UDF step without
 * output runs and its results are checked but not written, and an ingest step without output
 * is skipped. A failing step stops the job: its
 * error is thrown, its message starting with the step (`step 1 (udf /path/u.mjs#name): ...`);
 * tables of earlier steps stay written.
 */
export async function runJob(job: JobConfig, options: JobRunOptions = {}): Promise<JobReport> {
  const t0 = performance.now();
  checkRunOptions(options);
  await preflight(job, options, options.signal);
  const reports: StepReport[] = [];
  const steps = job.steps.length;
  const warn = (m: string) => options.onWarning?.(m);
  for (const [i, step] of job.steps.entries()) {
    options.signal?.throwIfAborted();
    if (step instanceof UdfJobStepConfig) {
      if (step.udf === null) {
        reports.push({ type: 'skipped', step: 'udf', reason: 'no UDF set' });
        warn(`step ${i}: skipped, it has no UDF`);
        continue;
      }
      const where = `step ${i} (udf ${udfLabel(step.udf.module, step.udf.name)})`;
      reports.push(
        await runUdfStep(step, {
          jobName: job.name,
          stepIndex: i,
          threads: options.threads,
          signal: options.signal,
          timeoutSeconds: options.timeoutSeconds,
          onProgress: (p) => options.onProgress?.({ stepIndex: i, steps, type: 'udf', progress: p }),
          onWarning: warn,
        }).catch((err: unknown) => {
          throw named(err, where);
        }),
      );
      continue;
    }
    if (step.output === null) {
      reports.push({ type: 'skipped', step: 'partition_geospatial', reason: 'no output set' });
      warn(`step ${i}: skipped, an ingest needs an output`);
      continue;
    }
    try {
      const report = await runIngest(step, {
        threads: options.threads,
        signal: options.signal,
        onProgress: (p) =>
          options.onProgress?.({ stepIndex: i, steps, type: 'partition_geospatial', progress: p }),
        onWarning: warn,
      });
      reports.push({ type: 'partition_geospatial', ...report });
    } catch (err) {
      throw named(err, `step ${i} (partition_geospatial)`);
    }
  }
  return { name: job.name, steps: reports, seconds: (performance.now() - t0) / 1000 };
}
