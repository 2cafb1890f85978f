/**
 * What a run on Batch keeps in its folder `<jobPrefix>/<jobId>/`, besides the `job.json` and
 * `status.json` every remote job has:
 * - `run.json`: the run's plan ({@link BatchManifest}), written before any job is submitted:
 *   its stages in order, each a step's array of children or its single commit job. Every child
 *   is given this file's URL and its stage's name, and finds the rest here;
 * - `launch.json`: what was submitted ({@link BatchLaunchRecord}): the Batch job id of each stage;
 * - `children/<stage>/<index>.json`: each child's own record ({@link ChildRecord}): its state,
 *   its last error, and, once done, the report of its share and the names of its files; the
 *   commit job's record also says what it is publishing and whether it is published;
 * - `logs/<stage>/<index>.<attempt>.txt`: each attempt's log, uploaded as it grows as the EC2
 *   agent uploads its `log.txt`;
 * - `work/step<i>/<inputIndex>.parquet`: a UDF step's result files, until its commit job has
 *   published them at the step's output (then deleted); an ingest step's spills, plan, shuffle
 *   files and data files (`remote/batch-ingest.ts`), until its commit.
 */
import type { IngestReport } from '../ingest/report.js';
import type { UdfStepReport } from '../udf/report.js';
import type { IngestStageReport } from './batch-ingest.js';
import type { JobUrls } from './job-store.js';

/**
 * What a stage runs: a UDF step's array of shares (`udf`); an ingest step's scan array, plan
 * job, shuffle array and write array (`remote/batch-ingest.ts`); either step's `commit` job.
 */
export type StageKind = 'udf' | 'scan' | 'plan' | 'shuffle' | 'write' | 'commit';

/** One stage of a run: one Batch job (an array job for `udf`). */
export interface BatchStage {
  /** `step<i>-<kind>`: the name in Batch, in S3 keys and in messages. */
  readonly name: string;
  /** The job step it belongs to. */
  readonly step: number;
  readonly kind: StageKind;
  /** Children: the run's `tasks` for `udf`, `scan` and `shuffle`, its `writeTasks` for `write`, 1 for `plan` and `commit`. */
  readonly size: number;
}

/** The content of `run.json`. */
export interface BatchManifest {
  readonly engine: 'batch';
  readonly jobId: string;
  /** Children of each array stage. */
  readonly tasks: number;
  /** In the order they run. */
  readonly stages: readonly BatchStage[];
}

/** The content of `launch.json` of a run on Batch. */
export interface BatchLaunchRecord {
  readonly engine: 'batch';
  readonly jobId: string;
  readonly region: string;
  /** The Batch endpoint used, when not AWS's own. */
  readonly batchEndpoint: string | null;
  readonly jobQueue: string;
  readonly jobDefinition: string;
  readonly tasks: number;
  readonly attempts: number;
  readonly childTimeoutSeconds: number | null;
  /** Batch job id of each stage, by stage name. */
  readonly jobs: Readonly<Record<string, string>>;
  /** ISO 8601 UTC. */
  readonly launchedAt: string;
}

/** Where a child is, as it reports itself. */
export interface ChildRecord {
  readonly stage: string;
  readonly index: number;
  /** `AWS_BATCH_JOB_ATTEMPT`, from 1. */
  readonly attempt: number;
  readonly state: 'running' | 'succeeded' | 'failed';
  /** Why the attempt failed; null otherwise. */
  readonly error: string | null;
  /**
   * Once done: the report of the share (a `udf` child), of the stage's part (an ingest stage's
   * child) or of the whole step (a `commit` job).
   */
  readonly report: UdfStepReport | IngestReport | IngestStageReport | null;
  /**
   * A `udf` child, once done: the names of the files it put in the work folder, which the commit
   * publishes (exactly these); null otherwise.
   */
  readonly files: readonly string[] | null;
  /** A `udf` child, once done: the step's inputs in all, as it found them; null otherwise. */
  readonly inputs: number | null;
  /**
   * A `commit` job: the URLs at the step's output it is publishing (recorded before the first
   * upload), so that a retry can remove an upload cut short; null otherwise.
   */
  readonly publishing: readonly string[] | null;
  /** A `commit` job: the output is published; a retry only cleans up and reports. */
  readonly published: boolean;
  /** ISO 8601 UTC. */
  readonly updatedAt: string;
}

/** The name of stage `kind` of step `step`. */
export function stageName(step: number, kind: StageKind): string {
  return `step${step}-${kind}`;
}

/** URL of `run.json`. */
export function manifestUrl(urls: JobUrls): string {
  return `${urls.folder}run.json`;
}

/** URL of a child's record. */
export function childRecordUrl(urls: JobUrls, stage: string, index: number): string {
  return `${urls.folder}children/${stage}/${index}.json`;
}

/** Folder of the logs (`<stage>/<index>.<attempt>.txt`). */
export function logsFolder(urls: JobUrls): string {
  return `${urls.folder}logs/`;
}

/** URL of the log of one attempt of a child. */
export function childLogUrl(urls: JobUrls, stage: string, index: number, attempt: number): string {
  return `${logsFolder(urls)}${stage}/${index}.${attempt}.txt`;
}

/** Folder of a step's work files: a UDF step's result files, an ingest step's spills, plan and files, until its commit. */
export function workFolder(urls: JobUrls, step: number): string {
  return `${urls.folder}work/step${step}/`;
}
