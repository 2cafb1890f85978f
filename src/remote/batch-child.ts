/**
 * What every job of a run on Batch runs: `geopart remote batch-child <run.json URL> --stage S`.
 * The child reads the run's plan (`run.json`) and the job from the run's folder, finds its
 * stage there and its place in it from `AWS_BATCH_JOB_ARRAY_INDEX`, reports itself in
 * `children/<stage>/<index>.json` and logs to `logs/<stage>/<index>.<attempt>.txt`:
 * - a `udf` child runs its share of the step's inputs on its own worker pool, exactly as a local
 *   run runs them, and uploads the result files to the run's `work/step<i>/`;
 * - a `commit` job (started by Batch once every child of the array succeeded) checks that every
 *   child reported its share done, publishes the files at the step's output with the local
 *   commit (files first, `_SUCCESS` last) and deletes the work files; the last commit of the
 *   run marks the job `succeeded`.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { abortCommit, beginCommit, finishCommit, SUCCESS_MARKER } from '../commit/commit.js';
import { JobConfig } from '../config/job.js';
import type { JobJson } from '../config/job-schema.js';
import { UdfJobStepConfig } from '../config/udf-step.js';
import { GeopartError } from '../errors.js';
import { deleteObjects, getObject, listObjects, uploadFile } from '../io/s3.js';
import { formatUdfReport, type UdfStepReport } from '../udf/report.js';
import { runUdfStep } from '../udf/run-udf-step.js';
import { eachBounded } from '../util/bounded.js';
import {
  type BatchManifest,
  type BatchStage,
  type ChildRecord,
  childLogUrl,
  childRecordUrl,
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

/** Runs share `index` of the step and uploads its files to the run's work folder. */
async function runShare(
  job: JobConfig,
  stage: BatchStage,
  index: number,
  urls: JobUrls,
  dir: string,
  warn: (message: string) => void,
): Promise<UdfStepReport> {
  const step = job.steps[stage.step] as UdfJobStepConfig;
  const files = join(dir, 'share');
  await mkdir(files);
  const report = await runUdfStep(step, {
    jobName: job.name,
    stepIndex: stage.step,
    share: { index, count: stage.size, dir: files },
    onWarning: warn,
  });
  const names = await readdir(files);
  await eachBounded(names.length, TRANSFERS, async (i) => {
    await uploadFile(`${workFolder(urls, stage.step)}${names[i]}`, join(files, names[i]!));
  });
  return report;
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

/** Publishes a step's files at its output once every child has reported its share. */
async function commitStep(
  job: JobConfig,
  stage: BatchStage,
  manifest: BatchManifest,
  urls: JobUrls,
): Promise<UdfStepReport> {
  const step = job.steps[stage.step] as UdfJobStepConfig;
  const udf = stageName(stage.step, 'udf');
  const records = await Promise.all(
    Array.from(
      { length: manifest.tasks },
      (_, k) => readJson(childRecordUrl(urls, udf, k)) as Promise<ChildRecord | null>,
    ),
  );
  const missing = records.flatMap((r, k) => (r?.state === 'succeeded' && r.report !== null ? [] : [k]));
  if (missing.length > 0) {
    throw new GeopartError(
      'REMOTE_ERROR',
      `stage ${udf}: child${missing.length > 1 ? 'ren' : ''} ${missing.join(', ')} did not report ${missing.length > 1 ? 'their shares' : 'its share'} done; ` +
        `the output is not written (see geopart remote logs ${manifest.jobId})`,
      { stage: udf },
    );
  }
  const report = mergeReports(
    records.map((r) => r!.report!),
    step.output,
  );
  if (step.output === null) return report;
  const work = await listObjects(workFolder(urls, stage.step));
  if (work.length !== report.files) {
    throw new GeopartError(
      'REMOTE_ERROR',
      `stage ${udf}: the children reported ${report.files} files but ${workFolder(urls, stage.step)} holds ${work.length}; the output is not written`,
      { stage: udf },
    );
  }
  // The files are published by the same commit as a local run's: the same refusals, files first
  // and the marker last.
  const staging = await beginCommit(step.output, step.overwrite, SUCCESS_MARKER);
  try {
    await eachBounded(work.length, TRANSFERS, async (i) => {
      const o = work[i]!;
      await writeFile(join(staging.dir, o.url.slice(o.url.lastIndexOf('/') + 1)), await getObject(o.url));
    });
    await writeFile(join(staging.dir, SUCCESS_MARKER), '');
    await finishCommit(staging);
  } catch (err) {
    await abortCommit(staging);
    throw err;
  }
  await deleteObjects(work.map((o) => o.url));
  return report;
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
  const record = (state: ChildRecord['state'], error: string | null, report: UdfStepReport | null) =>
    writeJson(childRecordUrl(urls, stage.name, index), {
      stage: stage.name,
      index,
      attempt,
      state,
      error,
      report,
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
  try {
    const raw = JSON.parse(new TextDecoder().decode(await getObject(urls.job))) as JobJson;
    const local = await localizeUdfModules(raw, dir);
    modules = local.steps.flatMap((s, i) => {
      const from = raw.steps[i];
      return s.type === 'udf' && s.udf && from?.type === 'udf' && from.udf
        ? [[s.udf.module, from.udf.module]]
        : [];
    });
    const job = JobConfig.fromJSON(local);
    if (!(job.steps[stage.step] instanceof UdfJobStepConfig)) {
      badArgument(`stage ${stage.name}: step ${stage.step} of the job is not a UDF step`);
    }
    const done =
      stage.kind === 'udf'
        ? await runShare(job, stage, index, urls, dir, (m) => log.line(`warning: ${renamed(m)}`))
        : await commitStep(job, stage, manifest, urls);
    const report = { ...done, failed: done.failed.map((f) => ({ ...f, message: renamed(f.message) })) };
    log.write(`${formatUdfReport(report)}\n`);
    await record('succeeded', null, report);
    log.line(`${stage.name} ${index}: done`);
    // The last log goes up before the final status, so that a follower who sees the run ended
    // reads every line.
    await log.flush();
    if (stage === manifest.stages.at(-1)) {
      const status = await readStatus(urls);
      await writeStatus(urls, {
        state: 'succeeded',
        jobId: manifest.jobId,
        instanceId: null,
        startedAt: status?.startedAt ?? null,
        updatedAt: new Date().toISOString(),
        error: null,
      });
    }
    return 0;
  } catch (err) {
    const error = maskSecrets(renamed(err instanceof Error ? err.message : String(err)), masks);
    log.line(`error: ${error}`);
    await record('failed', error, null).catch(() => undefined);
    return 1;
  } finally {
    clearInterval(timer);
    await rm(dir, { recursive: true, force: true });
    await log.flush();
  }
}
