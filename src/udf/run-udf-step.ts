/**
 * The UDF step orchestrator: resolves the inputs, runs the UDF once per input on the worker
 * pool (at most `threads` at a time, each under the step's timeout), and commits the output
 * folder of `<inputIndex>.parquet` files atomically, with an empty `_SUCCESS` marker (uploaded
 * last to an `s3://` output). The first failing input stops the others
 * and nothing is committed, unless `ignoreChunkError` records it and goes on. A UDF module
 * that cannot be loaded (or lacks the export) fails the step even then: no input can run.
 */

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { abortCommit, beginCommit, finishCommit, type Staging, SUCCESS_MARKER } from '../commit/commit.js';
import { checkStepPaths } from '../commit/step-paths.js';
import { type JsonValue, showValue } from '../config/json.js';
import { checkRunOptions } from '../config/run-options.js';
import type { UdfJobStepConfig } from '../config/udf-step.js';
import { GeopartError } from '../errors.js';
import { createPool, defaultThreads, type WorkerPool } from '../pool/pool.js';
import { eachBounded } from '../util/bounded.js';
import { shareRange } from '../util/share.js';
import { resolveInputs } from './inputs.js';
import { udfLabel } from './load-udf.js';
import type { FailedInput, UdfStepReport } from './report.js';
import type { UdfInputResult, UdfInputTask } from './run-input.js';
import { schemaDifferences } from './schema-differences.js';
import type { ColumnInfo } from './table-value.js';
import { UDF_TASKS, type UdfTasks } from './tasks.js';
import { timeoutError } from './timeout.js';
import { resultLocation } from './write-result.js';

/** Where a UDF step is. */
export interface UdfProgress {
  readonly stage: 'udf';
  /** Inputs finished (done or failed) so far, and in all. */
  readonly finished: number;
  readonly failed: number;
  readonly inputs: number;
}

/** How to run a UDF step; everything optional. */
export interface UdfStepRunOptions {
  /** Worker threads, i.e. inputs run at once, 1 to 256 (default: one per core, at most one per input). */
  readonly threads?: number;
  readonly signal?: AbortSignal;
  /** Per-input time limit (seconds), overriding the step's `timeoutSeconds`; null: no limit. */
  readonly timeoutSeconds?: number | null;
  /** The job's name and the step's index, passed to the UDF in `context`. */
  readonly jobName?: string | null;
  readonly stepIndex?: number;
  /** Called after each input. */
  readonly onProgress?: (progress: UdfProgress) => void;
  /** Called with warnings (e.g. results whose columns differ from the first one's). */
  readonly onWarning?: (message: string) => void;
  /**
   * Runs one share of the step (`util/share.ts` `shareRange`: a run of neighbouring inputs, so
   * the chunks of one data file mostly go to one share), its files written into the local
   * folder `dir`, nothing committed and no `_SUCCESS` marker. A step spread over several
   * machines runs one share on each; whoever gathers the shares commits.
   */
  readonly share?: UdfShare;
}

/** A share of a UDF step's inputs (see {@link UdfStepRunOptions.share}). */
export interface UdfShare {
  /** Which share, 0 to `count - 1`. */
  readonly index: number;
  /** Shares in all. */
  readonly count: number;
  /** Local folder the share's `<inputIndex>.parquet` files are written into. */
  readonly dir: string;
  /**
   * Called once the inputs are known, before any input runs, with the share's inputs
   * `[first, end)` and the step's inputs in all.
   */
  readonly onRange?: (first: number, end: number, inputs: number) => Promise<void>;
}

/** An input's failure, as the error that fails the step and the entry the report records. */
function inputFailure(err: unknown, index: number, input: JsonValue, where: string) {
  const code = err instanceof GeopartError ? err.code : 'UDF_FAILED';
  const message = err instanceof Error ? err.message : String(err);
  const entry: FailedInput = { inputIndex: index, input: showValue(input), code, message };
  const error = new GeopartError(code, `${where}: input ${index} ${entry.input} failed: ${message}`, {
    inputIndex: index,
    input: entry.input,
  });
  return { entry, error };
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** Runs one task under the step's stop signal and the per-input timeout. */
async function runTask(
  pool: WorkerPool<UdfTasks>,
  task: UdfInputTask,
  stop: AbortSignal,
  seconds: number | null,
  label: string,
): Promise<UdfInputResult> {
  const ctl = new AbortController();
  let timedOut = false;
  const onStop = () => ctl.abort();
  stop.addEventListener('abort', onStop);
  // Aborting a running Piscina task terminates its worker: that also stops a synchronous loop.
  const timer =
    seconds === null
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          ctl.abort();
        }, seconds * 1000);
  try {
    return await pool.run('udf', task, [], ctl.signal);
  } catch (err) {
    if (timedOut && isAbort(err)) throw timeoutError(label, seconds!);
    throw err;
  } finally {
    clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
}

/**
 * Runs a UDF step (see the module comment) and returns its report. Throws a GeopartError:
 * `INVALID_CONFIG` without a UDF, `OUTPUT_EXISTS`, `ABORTED`, or the first failing input's
 * error (code `UDF_FAILED`, `UDF_TIMEOUT` or `INVALID_UDF_OUTPUT`) with a message naming the
 * input by index and JSON, or `INVALID_UDF` naming the module (whatever `ignoreChunkError` says).
 */
export async function runUdfStep(
  step: UdfJobStepConfig,
  options: UdfStepRunOptions = {},
): Promise<UdfStepReport> {
  const udf = step.udf;
  if (udf === null) {
    throw new GeopartError('INVALID_CONFIG', 'udf: not set; give one with setUdf(module, parameters)', {
      option: 'udf',
    });
  }
  checkRunOptions({ threads: options.threads, timeoutSeconds: options.timeoutSeconds });
  await checkStepPaths(step);
  const t0 = performance.now();
  const stepIndex = options.stepIndex ?? 0;
  const label = udfLabel(udf.module, udf.name);
  const where = `step ${stepIndex} (udf ${label})`;
  const seconds = options.timeoutSeconds === undefined ? step.timeoutSeconds : options.timeoutSeconds;
  const inputs = await resolveInputs(step.input, options.signal);
  const share = options.share;
  const [first, end] =
    share === undefined ? [0, inputs.length] : shareRange(share.index, share.count, inputs.length);
  await share?.onRange?.(first, end, inputs.length);
  const count = end - first;
  const threads = options.threads ?? Math.max(1, Math.min(defaultThreads(), count));
  // A share writes into its caller's folder: the files are committed when every share is in.
  const staging: Staging | null =
    step.output === null
      ? null
      : share !== undefined
        ? { output: step.output, dir: share.dir, overwrite: step.overwrite, marker: SUCCESS_MARKER }
        : await beginCommit(step.output, step.overwrite, SUCCESS_MARKER);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort);
  const pool = createPool(UDF_TASKS, threads);

  const failed: FailedInput[] = [];
  let firstError: GeopartError | null = null;
  let done = 0;
  let skipped = 0;
  let files = 0;
  let rowsWritten = 0;
  let bytesWritten = 0;
  const schemas = new Map<number, readonly ColumnInfo[]>();
  const progress = () =>
    options.onProgress?.({
      stage: 'udf',
      finished: done + failed.length,
      failed: failed.length,
      inputs: count,
    });

  try {
    await eachBounded(
      count,
      threads,
      async (k) => {
        const i = first + k;
        const input = inputs[i]!;
        const task: UdfInputTask = {
          module: udf.module,
          name: udf.name,
          parameters: udf.parameters,
          context: { jobName: options.jobName ?? null, stepIndex, inputIndex: i, input },
          output: staging === null ? null : resultLocation(staging.output, i),
          path: staging === null ? null : join(staging.dir, `${i}.parquet`),
          keyValueMetadata: {
            'geopart:udf': JSON.stringify({ job: options.jobName ?? null, step: stepIndex, input_index: i }),
          },
        };
        try {
          const r = await runTask(pool, task, stop.signal, seconds, label);
          done++;
          if (r.schema === null) skipped++;
          else schemas.set(i, r.schema);
          if (r.written) {
            files++;
            rowsWritten += r.rows;
            bytesWritten += r.bytes;
          }
        } catch (err) {
          // Tasks cut short because the step is stopping are not failures of their own.
          if (stop.signal.aborted && isAbort(err)) return;
          if (err instanceof GeopartError && err.code === 'INVALID_UDF') {
            // The module or its export is wrong for every input alike: not a failure of one input.
            firstError ??= new GeopartError(err.code, `${where}: ${err.message}`, err.context);
            stop.abort();
            return;
          }
          const { entry, error } = inputFailure(err, i, input, where);
          if (step.ignoreChunkError) {
            failed.push(entry);
            options.onWarning?.(error.message);
          } else {
            firstError ??= error;
            stop.abort();
          }
        }
        progress();
      },
      stop.signal,
    );
    if (firstError) throw firstError;
    if (options.signal?.aborted) {
      const reason: unknown = options.signal.reason;
      throw reason instanceof GeopartError ? reason : new GeopartError('ABORTED', `${where}: aborted`);
    }
    // Publishing the staged folder is one call, whatever the storage; the marker goes last.
    if (staging !== null && share === undefined) {
      await writeFile(join(staging.dir, SUCCESS_MARKER), '');
      await finishCommit(staging);
    }
  } catch (err) {
    if (staging !== null && share === undefined) await abortCommit(staging);
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await pool.close();
  }

  const order = [...schemas.keys()].sort((a, b) => a - b);
  const schema = order.length > 0 ? schemas.get(order[0]!)! : null;
  const differences = schemaDifferences(schemas);
  if (differences.length > 0) {
    const nulls = differences.some((d) => / Null in /.test(d))
      ? ' A column whose values are all null in one input is written as type Null in that file.'
      : '';
    options.onWarning?.(
      `${where}: the files of the output do not agree on column types (${differences.join('; ')}), ` +
        `so a reader of the whole output (e.g. DuckDB read_parquet over every file) may refuse it.${nulls} ` +
        'To avoid it, return an Arrow table with explicit column types (e.g. vectorFromArray(values, new Utf8())) from every input.',
    );
  }
  return {
    type: 'udf',
    output: staging === null ? null : staging.output,
    inputs: count,
    done,
    skipped,
    failed: failed.sort((a, b) => a.inputIndex - b.inputIndex),
    rowsWritten,
    files,
    bytesWritten,
    schema,
    seconds: (performance.now() - t0) / 1000,
  };
}
