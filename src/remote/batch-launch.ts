/**
 * Submits a job to AWS Batch: each UDF step becomes an array job of `tasks` children, each
 * running its share of the step's inputs, and a commit job that depends on the array and
 * publishes the step's output with its `_SUCCESS` marker; each ingest step becomes its scan,
 * plan, shuffle, write and commit stages; each step's first stage waits for the previous
 * step's commit. Everything that can be checked locally is checked before any request.
 */
import { SUCCESS_MARKER, TABLE_MARKER } from '../commit/markers.js';
import { checkS3Output } from '../commit/s3-publish.js';
import { JobConfig, type JobStep } from '../config/job.js';
import type { JobJson } from '../config/job-schema.js';
import { ConfigError } from '../errors.js';
import { type BatchSettings, submitJob, terminateJob } from './batch.js';
import {
  type BatchRunRemoteOptions,
  type ResolvedBatchOptions,
  validateBatchOptions,
} from './batch-options.js';
import { batchBackend } from './batch-run.js';
import {
  type BatchLaunchRecord,
  type BatchManifest,
  type BatchStage,
  manifestUrl,
  type StageKind,
  stageName,
} from './batch-store.js';
import { checkInputsExist, remoteJobJson } from './check-job.js';
import { type JobUrls, jobUrls, newJobId, writeJson, writeLaunchFailure, writeStatus } from './job-store.js';
import { resolveJobPrefix, resolveRegion } from './launcher-options.js';
import { RunResponse } from './run-response.js';
import { checkImports } from './udf-modules.js';

/**
 * The stages of `job`, in the order they run: a UDF step's array of `tasks` shares and its
 * commit; an ingest step's scan array (`tasks` shares of the input files), plan job, shuffle
 * array (one child per scan child), write array (`writeTasks` shares of the output files) and
 * commit (docs/ARCHITECTURE.md, "An ingest on Batch").
 */
function stagesOf(job: JobJson, tasks: number, writeTasks: number): BatchStage[] {
  const stage = (step: number, kind: StageKind, size: number): BatchStage => ({
    name: stageName(step, kind),
    step,
    kind,
    size,
  });
  return job.steps.flatMap((step, i) => {
    if (step.type !== 'udf') {
      return [
        stage(i, 'scan', tasks),
        stage(i, 'plan', 1),
        stage(i, 'shuffle', tasks),
        stage(i, 'write', writeTasks),
        stage(i, 'commit', 1),
      ];
    }
    // A UDF step without a UDF passed the checks only with ignoreNoUdf: it is skipped, as locally.
    if (step.udf === null) return [];
    return [stage(i, 'udf', tasks), stage(i, 'commit', 1)];
  });
}

/** The environment every child gets: where S3 is, the job's own variables, which to mask. */
function childEnvironment(o: ResolvedBatchOptions, jobId: string, region: string): Record<string, string> {
  const entries = o.remote.additionalEnv ?? [];
  const own = Object.fromEntries(
    entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
  );
  return {
    GEOPART_JOB_ID: jobId,
    AWS_REGION: region,
    ...(o.s3Endpoint ? { AWS_ENDPOINT_URL_S3: o.s3Endpoint } : {}),
    GEOPART_ENV_NAMES: Object.keys(own).join(' '),
    ...own,
  };
}

/**
 * Submits the stages in order, each depending on the one before, putting each job id in
 * `submitted` and calling `onSubmitted` after each.
 */
async function submitStages(
  settings: BatchSettings,
  o: ResolvedBatchOptions,
  manifest: BatchManifest,
  urls: JobUrls,
  region: string,
  submitted: Record<string, string>,
  onSubmitted: () => Promise<void>,
): Promise<void> {
  const environment = childEnvironment(o, manifest.jobId, region);
  // Batch names: letters, digits, hyphens, underscores; the job id may hold dots.
  const prefix = `geopart-${manifest.jobId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 110);
  let previous: string | null = null;
  for (const stage of manifest.stages) {
    const id = await submitJob(
      settings,
      {
        name: `${prefix}-${stage.name}`,
        jobQueue: o.jobQueue,
        jobDefinition: o.jobDefinition,
        arraySize: stage.size > 1 ? stage.size : null,
        // A plain dependency: the commit waits for every child of its array, the next step's
        // array for the previous commit.
        dependsOn: previous === null ? [] : [{ jobId: previous }],
        command: ['geopart', 'remote', 'batch-child', manifestUrl(urls), '--stage', stage.name],
        environment,
        attempts: o.attempts,
        // The plan's and the commit's time go with the size of the whole step, not of a share
        // (and a commit killed part way leaves its retry a cleanup to do): no per-child limit.
        timeoutSeconds:
          stage.size === 1 && (stage.kind === 'commit' || stage.kind === 'plan')
            ? null
            : o.childTimeoutSeconds,
        tags: { 'geopart:job-id': manifest.jobId, 'geopart:stage': stage.name },
      },
      o.signal,
    );
    submitted[stage.name] = id;
    previous = id;
    await onSubmitted();
  }
}

/**
 * Runs `job` on AWS Batch and returns at once with a {@link RunResponse}. Before any request:
 * the options (queue, definition, tasks, attempts, timeout, env), `s3://` outputs and
 * reachable inputs and modules. Then the inputs are checked to exist
 * (`validateInputs`), the job and its plan are uploaded under `<jobPrefix>/<jobId>/` and the
 * stages submitted.
 *
 * @throws ConfigError naming each bad option or step field; GeopartError `INPUT_NOT_FOUND`,
 *   `OUTPUT_EXISTS`, `REMOTE_ERROR` or `STORAGE_ERROR`.
 */
export async function launchBatchJob(job: JobConfig, options: BatchRunRemoteOptions): Promise<RunResponse> {
  const o = validateBatchOptions(options);
  const json = job.toJSON();
  const jobJson = remoteJobJson(json, o.remote);
  const jobPrefix = resolveJobPrefix(o.jobPrefix);
  const region = resolveRegion(o.remote.region);
  const stages = stagesOf(jobJson, o.tasks, o.writeTasks);
  if (stages.length === 0) {
    throw new ConfigError(
      [{ path: 'steps', message: 'no step to run: every UDF step lacks a UDF' }],
      'cannot run the job on Batch',
    );
  }
  const settings: BatchSettings = { region, endpoint: o.batchEndpoint };

  if (o.remote.validateInputs) await checkInputsExist(jobJson, o.signal);
  if (o.remote.validateImports === true) await checkImports(jobJson, o.signal);
  // An output in the way would fail the commit after every child's work: refuse it now.
  for (const step of jobJson.steps) {
    if (step.output !== null) {
      const marker = step.type === 'udf' ? SUCCESS_MARKER : TABLE_MARKER;
      await checkS3Output(step.output, marker, step.overwrite, o.signal);
    }
  }

  const jobId = newJobId(job.name);
  const urls = jobUrls(jobPrefix, jobId);
  const manifest: BatchManifest = { engine: 'batch', jobId, tasks: o.tasks, stages };
  await writeJson(urls.job, jobJson, o.signal);
  await writeJson(manifestUrl(urls), manifest, o.signal);
  const pending = { jobId, instanceId: null, startedAt: null, error: null };
  await writeStatus(urls, { ...pending, state: 'pending', updatedAt: new Date().toISOString() }, o.signal);
  const jobs: Record<string, string> = {};
  const record = (): BatchLaunchRecord => ({
    engine: 'batch',
    jobId,
    region,
    batchEndpoint: o.batchEndpoint,
    jobQueue: o.jobQueue,
    jobDefinition: o.jobDefinition,
    tasks: o.tasks,
    attempts: o.attempts,
    childTimeoutSeconds: o.childTimeoutSeconds,
    jobs,
    launchedAt: new Date().toISOString(),
  });
  // Written before the first submission too, so that the run is known as a Batch run (with no
  // job yet) to whoever looks meanwhile.
  await writeJson(urls.launch, record(), o.signal);
  // Rewritten after each submission, so that whoever attaches meanwhile (status, cancel) finds
  // every job submitted so far.
  let launched = record();
  try {
    await submitStages(settings, o, manifest, urls, region, jobs, () =>
      writeJson(urls.launch, record(), o.signal),
    );
    launched = record();
    await writeJson(urls.launch, launched, o.signal);
  } catch (err) {
    // Jobs already submitted would wait for ever on a stage that never comes: stop them.
    for (const id of Object.values(jobs)) {
      await terminateJob(settings, id, 'geopart: the submission of the run failed').catch(() => undefined);
    }
    await writeLaunchFailure(urls, jobId, err);
    await writeJson(urls.launch, record()).catch(() => undefined);
    throw err;
  }
  return new RunResponse({ jobId, urls, backend: batchBackend(settings, manifest, launched, urls) });
}

/** Runs `step` on Batch as a one-step job (see {@link launchBatchJob}). */
export async function launchBatchStep(
  step: JobStep,
  options: BatchRunRemoteOptions & { readonly outputTable?: string | null },
): Promise<RunResponse> {
  const { outputTable, ...rest } = options;
  const target = outputTable === undefined ? step : step.setOutput(outputTable);
  const name = target.toJSON().type.replaceAll('_', '-');
  return launchBatchJob(new JobConfig({ name, steps: [target] }), rest);
}
