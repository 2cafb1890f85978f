/**
 * What every job of a run on Batch runs: `geopart remote batch-child <run.json URL> --stage S`.
 * The child reads the run's plan (`run.json`) and the job from the run's folder, finds its
 * stage there and its place in it from `AWS_BATCH_JOB_ARRAY_INDEX`, reports itself in
 * `children/<stage>/<index>.json` and logs to `logs/<stage>/<index>.<attempt>.txt`:
 * - a `udf` child deletes the work files of its share left by an earlier attempt, runs its share
 *   of the step's inputs on its own worker pool, exactly as a local run runs them, uploads the
 *   result files to the run's `work/step<i>/` and lists them in its record;
 * - a `scan`, `plan`, `shuffle` or `write` child runs its part of an ingest step
 *   (`remote/batch-ingest.ts`);
 * - a `commit` job (started by Batch once every child of the array succeeded) checks that every
 *   child reported its share done and that all found the same inputs, publishes exactly the
 *   listed files at the step's output with the local commit (files first, `_SUCCESS` last) and
 *   deletes the work files (an ingest's commit publishes the data files and `_sample`, written
 *   from the plan and the writers' results); the last commit of the run marks the job `succeeded`. Its record
 *   lets a retry finish what an attempt cut short (see {@link commitStep}).
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { abortCommit, beginCommit, finishCommit, type Staging, SUCCESS_MARKER } from '../commit/commit.js';
import { GeospatialPartitionJobStepConfig } from '../config/geospatial-step.js';
import { JobConfig } from '../config/job.js';
import type { JobJson } from '../config/job-schema.js';
import { UdfJobStepConfig } from '../config/udf-step.js';
import { GeopartError } from '../errors.js';
import { TABLE_MARKER } from '../format/markers.js';
import { formatReport, type IngestReport } from '../ingest/report.js';
import { deleteObjects, getObject, joinS3Url, listObjects, uploadFile } from '../io/s3.js';
import { formatUdfReport, type UdfStepReport } from '../udf/report.js';
import { runUdfStep } from '../udf/run-udf-step.js';
import { eachBounded } from '../util/bounded.js';
import {
  type IngestStageContext,
  type IngestStageReport,
  ingestPublication,
  runPlanJob,
  runScanChild,
  runShuffleChild,
  runWriteChild,
} from './batch-ingest.js';
import {
  type BatchManifest,
  type BatchStage,
  type ChildRecord,
  childLogUrl,
  childRecordUrl,
  type StageKind,
  stageName,
  workFolder,
} from './batch-store.js';
import { JobLog, maskSecrets, secretMasks } from './job-log.js';
import { type JobUrls, jobUrlsOfJobFile, readJson, readStatus, writeJson, writeStatus } from './job-store.js';
import { localizeUdfModules } from './udf-modules.js';

/** Options of {@link runBatchChild}. */
export interface BatchChildOptions {
  /** The stage this job runs (`step0-udf`), as the launcher put it in the command. */
  readonly stage: string;
  /**
   * The environment: `AWS_BATCH_JOB_ARRAY_INDEX` and `AWS_BATCH_JOB_ATTEMPT` (set by Batch),
   * `GEOPART_ENV_NAMES` (the job's own variables, masked in the log). Default `process.env`.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** Milliseconds between log uploads; default 10000. */
  readonly uploadIntervalMs?: number;
  /** Receives the log text as it is written (masked); default: none. */
  readonly echo?: (text: string) => void;
  /**
   * Stops the child (the command line ties it to SIGTERM): it records the attempt failed with
   * the signal's reason, uploads its log and returns 1 at once, whatever was running.
   */
  readonly signal?: AbortSignal;
}

/** Transfers to and from S3 at once. */
const TRANSFERS = 4;

function badArgument(message: string): never {
  throw new GeopartError('INVALID_ARGUMENT', message, {});
}

/** The child's place in its stage: Batch's array index, 0 for a single job. */
function childIndex(stage: BatchStage, env: NodeJS.ProcessEnv): number {
  const raw = env.AWS_BATCH_JOB_ARRAY_INDEX;
  if (raw === undefined || raw === '') {
    if (stage.size > 1)
      badArgument(`stage ${stage.name} is an array of ${stage.size}: AWS_BATCH_JOB_ARRAY_INDEX is not set`);
    return 0;
  }
  const index = Number(raw);
  if (!Number.isInteger(index) || index < 0 || index >= stage.size) {
    badArgument(
      `AWS_BATCH_JOB_ARRAY_INDEX ${JSON.stringify(raw)}: expected 0 to ${stage.size - 1} for stage ${stage.name}`,
    );
  }
  return index;
}

/** What a `udf` child did: its share's report, its files in the work folder, the inputs it saw. */
interface ShareDone {
  readonly report: UdfStepReport;
  readonly files: readonly string[];
  readonly inputs: number;
}

/**
 * Runs share `index` of the step and uploads its files to the run's work folder. Files of the
 * share's inputs left there by an earlier attempt are deleted first, so that only this attempt's
 * files are listed and published.
 */
async function runShare(
  job: JobConfig,
  stage: BatchStage,
  index: number,
  urls: JobUrls,
  dir: string,
  warn: (message: string) => void,
): Promise<ShareDone> {
  const step = job.steps[stage.step] as UdfJobStepConfig;
  const folder = workFolder(urls, stage.step);
  const files = join(dir, 'share');
  await mkdir(files);
  let inputs = 0;
  const report = await runUdfStep(step, {
    jobName: job.name,
    stepIndex: stage.step,
    share: {
      index,
      count: stage.size,
      dir: files,
      onRange: async (first, end, all) => {
        inputs = all;
        // Exactly the keys of this share's inputs (S3 deletes a missing key without a word).
        const mine = Array.from({ length: end - first }, (_, k) => `${folder}${first + k}.parquet`);
        if (mine.length > 0) await deleteObjects(mine);
      },
    },
    onWarning: warn,
  });
  const names = (await readdir(files)).sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
  await eachBounded(names.length, TRANSFERS, async (i) => {
    await uploadFile(`${folder}${names[i]}`, join(files, names[i]!));
  });
  return { report, files: names, inputs };
}

/** The ingest stages a child runs, by kind. */
const INGEST_STAGES = {
  scan: runScanChild,
  plan: runPlanJob,
  shuffle: runShuffleChild,
  write: runWriteChild,
} as const;

/** One line for the log: what an ingest stage's child did. */
function formatStageReport(r: IngestStageReport): string {
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  return (
    `${r.stage}: ${r.rows} rows${r.files > 0 ? `, ${r.files} files` : ''}` +
    `${r.opened === undefined ? '' : ` (${r.opened} of ${r.inputFiles} input files opened)`} in ${r.seconds.toFixed(1)} s; ` +
    `${mb(r.bytesDownloaded)} read from S3, ${mb(r.bytesUploaded)} written to it`
  );
}

/** One report of the shares' reports, as a local run of the whole step gives it. */
function mergeReports(reports: readonly UdfStepReport[], output: string | null): UdfStepReport {
  const sum = (f: (r: UdfStepReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  return {
    type: 'udf',
    output,
    inputs: sum((r) => r.inputs),
    done: sum((r) => r.done),
    skipped: sum((r) => r.skipped),
    failed: reports.flatMap((r) => r.failed).sort((a, b) => a.inputIndex - b.inputIndex),
    rowsWritten: sum((r) => r.rowsWritten),
    files: sum((r) => r.files),
    bytesWritten: sum((r) => r.bytesWritten),
    schema: reports.find((r) => r.schema !== null)?.schema ?? null,
    seconds: Math.max(0, ...reports.map((r) => r.seconds)),
  };
}

/** The commit job's own record fields that carry over from one attempt to the next. */
interface CommitProgress {
  readonly publishing: readonly string[] | null;
  readonly published: boolean;
  readonly report: StepReport | null;
}

/** The report of a whole step, which its commit job records. */
type StepReport = UdfStepReport | IngestReport;

/** Deletes the step's work files once published; a failure is only a warning (the output stands). */
async function removeWork(urls: JobUrls, step: number, warn: (message: string) => void): Promise<void> {
  const folder = workFolder(urls, step);
  try {
    const work = await listObjects(folder);
    if (work.length > 0) await deleteObjects(work.map((o) => o.url));
  } catch (err) {
    warn(
      `the output is published, but the work files under ${folder} could not be deleted: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/**
 * Publishes a step's files at its output once every child has reported its share: exactly the
 * files the children listed, with the local commit (files first, `_SUCCESS` last). What it
 * publishes is recorded (`save`) before the first upload, and `published` right after the
 * marker, so that a retry of this job (`previous`: the record of the attempt before) either
 * only cleans up, or first removes the objects an attempt cut short had uploaded (exactly the
 * URLs it listed) and publishes again.
 */
async function commitStep(
  job: JobConfig,
  stage: BatchStage,
  manifest: BatchManifest,
  urls: JobUrls,
  previous: CommitProgress,
  save: (progress: CommitProgress) => Promise<void>,
  warn: (message: string) => void,
): Promise<UdfStepReport> {
  const step = job.steps[stage.step] as UdfJobStepConfig;
  if (previous.published && previous.report !== null) {
    warn('the output was published by an earlier attempt; cleaning up');
    await removeWork(urls, stage.step, warn);
    return previous.report as UdfStepReport;
  }
  const udf = stageName(stage.step, 'udf');
  const records = await Promise.all(
    Array.from(
      { length: manifest.tasks },
      (_, k) => readJson(childRecordUrl(urls, udf, k)) as Promise<ChildRecord | null>,
    ),
  );
  const missing = records.flatMap((r, k) =>
    r?.state === 'succeeded' && r.report !== null && Array.isArray(r.files) ? [] : [k],
  );
  if (missing.length > 0) {
    throw new GeopartError(
      'REMOTE_ERROR',
      `stage ${udf}: child${missing.length > 1 ? 'ren' : ''} ${missing.join(', ')} did not report ${missing.length > 1 ? 'their shares' : 'its share'} done; ` +
        `the output is not written (see geopart remote logs ${manifest.jobId})`,
      { stage: udf },
    );
  }
  const done = records as ChildRecord[];
  const counts = new Set(done.map((r) => r.inputs));
  if (counts.size > 1) {
    throw new GeopartError(
      'REMOTE_ERROR',
      `stage ${udf}: the children found different numbers of inputs (${done.map((r, k) => `child ${k}: ${r.inputs}`).join(', ')}); ` +
        "the step's inputs changed during the run, so the shares do not fit together and the output is not written; run the job again once the inputs stay put",
      { stage: udf, reason: 'inputs_changed' },
    );
  }
  const report = mergeReports(
    done.map((r) => r.report as UdfStepReport),
    step.output,
  );
  if (step.output === null) return report;
  const folder = workFolder(urls, stage.step);
  const names = done.flatMap((r) => r.files!);
  // The files are published by the same commit as a local run's: the same refusals, files first
  // and the marker last.
  const copies = Object.fromEntries(names.map((n) => [n, `${folder}${n}`]));
  const targets = await publish(
    { output: step.output, overwrite: step.overwrite, marker: SUCCESS_MARKER, copies },
    (staging) => writeFile(join(staging.dir, SUCCESS_MARKER), ''),
    previous,
    save,
    warn,
  );
  return (await finishStep(urls, stage.step, targets, report, save, warn)) as UdfStepReport;
}

/** What {@link publish} publishes at `output`: the work files `copies` (name -> URL) and the marker. */
interface Publication {
  readonly output: string;
  readonly overwrite: boolean;
  readonly marker: string;
  readonly copies: Readonly<Record<string, string>>;
}

/**
 * Publishes the work files and the marker at the output with the local commit (files first,
 * copied inside S3, the marker last), once `fill` has written the marker (and any other file
 * made here) in the staging folder. What it publishes is recorded (`save`)
 * before the first upload, so that a retry of the job (`previous`: the record of the attempt
 * before) first removes the objects an attempt cut short had uploaded (exactly the URLs it
 * listed) and publishes again.
 */
async function publish(
  what: Publication,
  fill: (staging: Staging) => Promise<void>,
  previous: CommitProgress,
  save: (progress: CommitProgress) => Promise<void>,
  warn: (message: string) => void,
): Promise<string[]> {
  const { output } = what;
  if (previous.publishing !== null && previous.publishing.length > 0) {
    // An attempt cut short while publishing: its own uploads (exactly the URLs it recorded) go,
    // so that the output is written again whole.
    warn(`an earlier attempt did not finish publishing ${output}; removing what it uploaded`);
    await deleteObjects(previous.publishing);
    await save({ publishing: null, published: false, report: null });
  }
  const staging = await beginCommit(output, what.overwrite, what.marker);
  const targets = [...Object.keys(what.copies), what.marker].map((n) => joinS3Url(output, n));
  let recorded = false;
  try {
    await fill(staging);
    await save({ publishing: targets, published: false, report: null });
    recorded = true;
    await finishCommit(staging, { copies: what.copies });
  } catch (err) {
    await abortCommit(staging);
    // The publish removed its own uploads when it failed: nothing is left to remove.
    if (recorded) await save({ publishing: null, published: false, report: null }).catch(() => undefined);
    throw err;
  }
  return targets;
}

/**
 * After the publishing: records `published` with the step's report, then deletes the step's
 * work files (kept when the record could not be written, since a retry would publish again).
 */
async function finishStep(
  urls: JobUrls,
  step: number,
  targets: readonly string[],
  report: StepReport,
  save: (progress: CommitProgress) => Promise<void>,
  warn: (message: string) => void,
): Promise<StepReport> {
  const folder = workFolder(urls, step);
  try {
    await save({ publishing: targets, published: true, report });
  } catch (err) {
    warn(
      `the output is published, but the record could not say so (the work files under ${folder} are kept): ${err instanceof Error ? err.message : String(err)}`,
    );
    return report;
  }
  await removeWork(urls, step, warn);
  return report;
}

/**
 * Publishes an ingest step's table once its writers are done: the data files and `_sample`, as a
 * local run to `s3://` publishes them (`_sample` last); a retry after the publishing only cleans
 * up (as {@link commitStep}).
 */
async function commitIngest(
  ctx: IngestStageContext,
  urls: JobUrls,
  stepIndex: number,
  previous: CommitProgress,
  save: (progress: CommitProgress) => Promise<void>,
): Promise<StepReport> {
  if (previous.published && previous.report !== null) {
    ctx.warn('the output was published by an earlier attempt; cleaning up');
    await removeWork(urls, stepIndex, ctx.warn);
    return previous.report;
  }
  const table = await ingestPublication(ctx);
  const output = ctx.step.output!;
  const targets = await publish(
    { output, overwrite: ctx.step.overwrite, marker: TABLE_MARKER, copies: table.copies },
    table.fill,
    previous,
    save,
    ctx.warn,
  );
  return finishStep(urls, stepIndex, targets, table.report(), save, ctx.warn);
}

/**
 * Runs the child of a run on Batch (see the module comment) and returns its exit code: 0 when
 * its part is done, 1 when it failed (Batch then retries it, per the run's attempts).
 */
export async function runBatchChild(runUrl: string, options: BatchChildOptions): Promise<number> {
  const env = options.env ?? process.env;
  const { urls } = jobUrlsOfJobFile(runUrl, 'run.json');
  const manifest = (await readJson(runUrl)) as BatchManifest | null;
  if (manifest === null) {
    throw new GeopartError(
      'JOB_NOT_FOUND',
      `${runUrl} does not exist; the run's folder was removed or the URL is wrong`,
      {
        url: runUrl,
      },
    );
  }
  const stage =
    manifest.stages.find((s) => s.name === options.stage) ??
    badArgument(
      `stage ${JSON.stringify(options.stage)} is not in ${runUrl}; expected one of ${manifest.stages.map((s) => s.name).join(', ')}`,
    );
  const index = childIndex(stage, env);
  const attempt = Number(env.AWS_BATCH_JOB_ATTEMPT) || 1;
  const names = (env.GEOPART_ENV_NAMES ?? '').split(/\s+/).filter((n) => n !== '');
  const masks = secretMasks(names, env);
  const log = new JobLog(childLogUrl(urls, stage.name, index, attempt), masks, options.echo);
  const recordUrl = childRecordUrl(urls, stage.name, index);
  // The commit job carries its progress over from the attempt before (see commitStep).
  const before =
    stage.kind === 'commit' ? ((await readJson(recordUrl)) as Partial<ChildRecord> | null) : null;
  let progress: CommitProgress = {
    publishing: before?.publishing ?? null,
    published: before?.published === true,
    report: before?.published === true ? ((before.report as StepReport | undefined) ?? null) : null,
  };
  let share: { files: readonly string[]; inputs: number } | null = null;
  const record = (state: ChildRecord['state'], error: string | null, report: ChildRecord['report']) =>
    writeJson(recordUrl, {
      stage: stage.name,
      index,
      attempt,
      state,
      error,
      report: report ?? progress.report,
      files: share?.files ?? null,
      inputs: share?.inputs ?? null,
      publishing: progress.publishing,
      published: progress.published,
      updatedAt: new Date().toISOString(),
    } satisfies ChildRecord);

  log.line(
    `geopart batch child: job ${manifest.jobId}, stage ${stage.name}, child ${index} of ${stage.size}, attempt ${attempt}`,
  );
  if (names.length > 0) log.line(`job environment: ${names.join(', ')} (values not shown)`);
  await record('running', null, null);
  await log.upload();
  const timer = setInterval(
    () => void log.upload().catch(() => undefined),
    options.uploadIntervalMs ?? 10_000,
  );
  const dir = await mkdtemp(join(tmpdir(), 'geopart-batch-'));
  /** Downloaded UDF modules and the URLs they came from, for messages. */
  let modules: [string, string][] = [];
  // A message names a module by the URL the job gave, not by where it was downloaded.
  const renamed = (message: string) => modules.reduce((m, [path, url]) => m.replaceAll(path, url), message);
  const warn = (m: string) => log.line(`warning: ${renamed(m)}`);
  const save = async (next: CommitProgress) => {
    progress = next;
    await record('running', null, null);
  };
  const recordDone = async (report: NonNullable<ChildRecord['report']>) => {
    if (!progress.published) await record('succeeded', null, report);
    else {
      // Published: what is left is bookkeeping, and a failure of it must not fail the job
      // (a retry would find the work files gone).
      await record('succeeded', null, report).catch((err: unknown) =>
        warn(`could not record the commit as done: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
  };
  /** Records a UDF report and returns its text. */
  const recordUdf = async (done: UdfStepReport): Promise<string> => {
    // The failures' messages go to the child's record as to its log: the job's secrets masked.
    const report = {
      ...done,
      failed: done.failed.map((f) => ({ ...f, message: maskSecrets(renamed(f.message), masks) })),
    };
    await recordDone(report);
    return formatUdfReport(report);
  };
  // Batch stops a job with SIGTERM (a termination, a timeout, a lost Spot instance), then
  // SIGKILL: on the first, the attempt records itself failed and uploads its log.
  const stopped = new Promise<never>((_, reject) => {
    const signal = options.signal;
    if (signal?.aborted) reject(signal.reason);
    else signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  stopped.catch(() => undefined);
  const work = async () => {
    const raw = JSON.parse(new TextDecoder().decode(await getObject(urls.job))) as JobJson;
    const local = await localizeUdfModules(raw, dir);
    modules = local.steps.flatMap((s, i) => {
      const from = raw.steps[i];
      return s.type === 'udf' && s.udf && from?.type === 'udf' && from.udf
        ? [[s.udf.module, from.udf.module]]
        : [];
    });
    const job = JobConfig.fromJSON(local);
    const step = job.steps[stage.step];
    const udfStage = stage.kind === 'udf' || (stage.kind === 'commit' && step instanceof UdfJobStepConfig);
    if (udfStage && !(step instanceof UdfJobStepConfig)) {
      badArgument(`stage ${stage.name}: step ${stage.step} of the job is not a UDF step`);
    }
    if (!udfStage && !(step instanceof GeospatialPartitionJobStepConfig)) {
      badArgument(`stage ${stage.name}: step ${stage.step} of the job is not an ingest step`);
    }
    let text: string;
    if (stage.kind === 'udf') {
      const ran = await runShare(job, stage, index, urls, dir, warn);
      share = { files: ran.files, inputs: ran.inputs };
      text = await recordUdf(ran.report);
    } else if (stage.kind === 'commit' && udfStage) {
      text = await recordUdf(await commitStep(job, stage, manifest, urls, progress, save, warn));
    } else {
      const sizeOf = (kind: StageKind) =>
        manifest.stages.find((s) => s.step === stage.step && s.kind === kind)?.size ?? 1;
      const ctx: IngestStageContext = {
        step: step as GeospatialPartitionJobStepConfig,
        work: workFolder(urls, stage.step),
        scanTasks: sizeOf('scan'),
        writeTasks: sizeOf('write'),
        index,
        dir,
        warn,
      };
      const report =
        stage.kind === 'commit'
          ? await commitIngest(ctx, urls, stage.step, progress, save)
          : await INGEST_STAGES[stage.kind](ctx);
      text = 'stage' in report ? formatStageReport(report) : formatReport(report as IngestReport);
      await recordDone(report);
    }
    log.write(`${text}\n`);
    log.line(`${stage.name} ${index}: done`);
    // The last log goes up before the final status, so that a follower who sees the run ended
    // reads every line.
    await log.flush().catch(() => undefined);
    if (stage === manifest.stages.at(-1)) {
      try {
        const status = await readStatus(urls);
        await writeStatus(urls, {
          state: 'succeeded',
          jobId: manifest.jobId,
          instanceId: null,
          startedAt: status?.startedAt ?? null,
          updatedAt: new Date().toISOString(),
          error: null,
        });
      } catch (err) {
        log.line(
          `warning: could not write the run's status: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  };
  try {
    // Stopped before it began: no work at all (a commit would start by cleaning up).
    options.signal?.throwIfAborted();
    await Promise.race([work(), stopped]);
    return 0;
  } catch (err) {
    // An ingest's work files stay for diagnosis: say where.
    const kept =
      stage.kind === 'udf' || manifest.stages.some((s) => s.step === stage.step && s.kind === 'udf')
        ? ''
        : `; the step's work files are kept under ${workFolder(urls, stage.step)}`;
    // Stopped by Batch (SIGTERM): say so, rather than what the work was doing when it stopped.
    const message = options.signal?.aborted
      ? `${String((options.signal.reason as Error | undefined)?.message ?? 'stopped').replace(/; nothing was committed$/, '')}: Batch terminated the job, or its attempt timed out`
      : err instanceof Error
        ? err.message
        : String(err);
    const error = maskSecrets(renamed(message), masks) + kept;
    log.line(`error: ${error}`);
    if (options.signal?.aborted && progress.publishing !== null) {
      // A commit stopped while it publishes: its work may still record what it published, and
      // a failure record racing it could tell a retry that nothing was. The record stays the
      // work's, as after a kill, and the retry cleans up or finishes from it.
      log.line('the commit was stopped while publishing: its record is left as its work wrote it');
    } else await record('failed', error, null).catch(() => undefined);
    return 1;
  } finally {
    clearInterval(timer);
    if (options.signal?.aborted) {
      // Stopped: the work may still be running (the process ends when this returns), and
      // waiting on the removal of its folder could outlast Batch's grace period.
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {}
    } else await rm(dir, { recursive: true, force: true });
    await log.flush().catch(() => undefined);
  }
}
