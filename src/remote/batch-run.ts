/**
 * A run on AWS Batch, as a {@link RunResponse} sees it: each stage's job in Batch (how many
 * children succeeded, failed, run), the run's state from them, the children's own records for
 * why one failed, and the children's logs in S3.
 */
import { GeopartError } from '../errors.js';
import { listObjects } from '../io/s3.js';
import { type BatchJobInfo, type BatchSettings, describeJobs, listChildren, terminateJob } from './batch.js';
import {
  type BatchLaunchRecord,
  type BatchManifest,
  type ChildRecord,
  childRecordUrl,
  logsFolder,
  manifestUrl,
} from './batch-store.js';
import { END_STATES, type JobState, type JobUrls, readJson, readStatus, writeStatus } from './job-store.js';
import type { LogObject, RunBackend, StageStatus } from './run-response.js';

const RUNNING = new Set(['STARTING', 'RUNNING']);
const PENDING = new Set(['SUBMITTED', 'PENDING', 'RUNNABLE']);

function stageStatus(
  stage: BatchManifest['stages'][number],
  jobId: string | null,
  job: BatchJobInfo | undefined,
): StageStatus {
  const base = { name: stage.name, step: stage.step, batchJobId: jobId, size: stage.size };
  if (job === undefined) {
    return {
      ...base,
      status: jobId === null ? 'NOT_SUBMITTED' : 'UNKNOWN',
      succeeded: 0,
      failed: 0,
      running: 0,
      pending: 0,
    };
  }
  // An array job counts its children; a single job is its own one child.
  const counts: Readonly<Record<string, number>> = job.children ?? { [job.status]: 1 };
  const sum = (names: ReadonlySet<string>) =>
    Object.entries(counts).reduce((n, [s, c]) => n + (names.has(s) ? (c ?? 0) : 0), 0);
  return {
    ...base,
    status: job.status,
    succeeded: counts.SUCCEEDED ?? 0,
    failed: counts.FAILED ?? 0,
    running: sum(RUNNING),
    pending: sum(PENDING),
  };
}

/** Why a stage failed: its first failed child, Batch's reason and the child's own error. */
async function failure(
  settings: BatchSettings,
  urls: JobUrls,
  stage: StageStatus,
  job: BatchJobInfo,
  signal?: AbortSignal,
): Promise<string> {
  let index = 0;
  let reason = job.statusReason;
  let exitCode = job.exitCode;
  if (job.children !== null) {
    const failed = await listChildren(settings, job.jobId, 'FAILED', signal);
    const first = failed[0];
    if (first !== undefined) {
      index = first.index;
      reason = first.statusReason;
      exitCode = first.exitCode;
    }
  }
  const record = (await readJson(childRecordUrl(urls, stage.name, index), signal)) as ChildRecord | null;
  const child = job.children === null ? 'its job' : `child ${index} of ${stage.size}`;
  const attempts = record === null ? '' : ` (attempt ${record.attempt})`;
  const batch = [reason, exitCode === null ? null : `exit code ${exitCode}`]
    .filter((s) => s !== null)
    .join(', ');
  const own = record?.state === 'failed' && record.error !== null ? `: ${record.error}` : '';
  return `stage ${stage.name} failed: ${child} failed${attempts}${batch ? ` [${batch}]` : ''}${own}`;
}

/** The backend of a run on Batch. */
export function batchBackend(
  settings: BatchSettings,
  manifest: BatchManifest,
  launch: BatchLaunchRecord,
  urls: JobUrls,
): RunBackend {
  let recorded = launch;
  /**
   * Each stage's job id, or null. While one is missing, `launch.json` is read again: the
   * launcher rewrites it after each submission, so a run attached during its submission still
   * finds every job.
   */
  const ids = async (signal?: AbortSignal) => {
    const of = (l: BatchLaunchRecord) => manifest.stages.map((s) => l.jobs[s.name] ?? null);
    if (of(recorded).some((id) => id === null)) {
      const again = (await readJson(urls.launch, signal)) as BatchLaunchRecord | null;
      if (again?.engine === 'batch' && again.jobs) recorded = again;
    }
    return of(recorded);
  };
  return {
    engine: 'batch',
    instanceId: null,
    async observe(signal) {
      const stageIds = await ids(signal);
      const known = stageIds.filter((id): id is string => id !== null);
      const jobs = new Map((await describeJobs(settings, known, signal)).map((j) => [j.jobId, j]));
      const stages = manifest.stages.map((s, i) => {
        const id = stageIds[i] ?? null;
        return stageStatus(s, id, id === null ? undefined : jobs.get(id));
      });
      // The run started when its first job did (Batch's clock; status.json has no start).
      const starts = [...jobs.values()].flatMap((j) => (j.startedAt === null ? [] : [j.startedAt]));
      const startedAt = starts.length === 0 ? null : new Date(Math.min(...starts)).toISOString();
      return async (record) => {
        const said = record?.state ?? 'pending';
        if (END_STATES.has(said)) return { instanceState: null, stages, verdict: null, startedAt };
        const failed = stages.find((s) => s.status === 'FAILED');
        if (failed !== undefined) {
          const error = await failure(settings, urls, failed, jobs.get(failed.batchJobId!)!, signal);
          // The verdict is saved, so that the run stays failed, with its reason, after Batch
          // forgets its jobs; the first end written stands.
          const now = await readStatus(urls, signal);
          if (now !== null && END_STATES.has(now.state))
            return { instanceState: null, stages, verdict: null, startedAt };
          await writeStatus(
            urls,
            {
              state: 'failed',
              jobId: manifest.jobId,
              instanceId: null,
              startedAt: now?.startedAt ?? record?.startedAt ?? startedAt,
              updatedAt: new Date().toISOString(),
              error,
            },
            signal,
          );
          return { instanceState: null, stages, verdict: { state: 'failed', error }, startedAt };
        }
        let state: JobState = 'pending';
        if (stages.length > 0 && stages.every((s) => s.status === 'SUCCEEDED')) state = 'succeeded';
        else if (stages.some((s) => s.running > 0 || s.succeeded > 0)) state = 'running';
        return {
          instanceState: null,
          stages,
          verdict: state === said ? null : { state, error: null },
          startedAt,
        };
      };
    },
    async terminate(signal) {
      // Each stage's job: an array job takes its children along, a waiting job is cancelled.
      // Every job is tried, whatever happens to the others.
      const known = (await ids(signal)).flatMap((id, i) =>
        id === null ? [] : [{ id, stage: manifest.stages[i]! }],
      );
      const results = await Promise.allSettled(
        known.map((j) => terminateJob(settings, j.id, 'geopart: cancelled by the user', signal)),
      );
      const failed = results.flatMap((r, i) =>
        r.status === 'rejected'
          ? [
              `${known[i]!.stage.name} (${known[i]!.id}): ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`,
            ]
          : [],
      );
      if (failed.length > 0) {
        throw new GeopartError(
          'REMOTE_ERROR',
          `could not terminate ${failed.length} of ${known.length} job(s) of run ${manifest.jobId}: ${failed.join('; ')}; ` +
            'the others were terminated; run geopart remote cancel again, or terminate these in the Batch console',
          { jobId: manifest.jobId },
        );
      }
    },
    async logObjects(signal): Promise<readonly LogObject[]> {
      const order = new Map(manifest.stages.map((s, i) => [s.name, i]));
      const logs = [];
      for (const o of await listObjects(logsFolder(urls), { signal })) {
        const m = /([^/]+)\/(\d+)\.(\d+)\.txt$/.exec(o.url);
        if (!m || !order.has(m[1]!)) continue;
        logs.push({
          url: o.url,
          stage: order.get(m[1]!)!,
          name: m[1]!,
          index: Number(m[2]),
          attempt: Number(m[3]),
        });
      }
      logs.sort((a, b) => a.stage - b.stage || a.index - b.index || a.attempt - b.attempt);
      return logs.map((l) => ({ url: l.url, label: `${l.name} ${l.index}.${l.attempt}` }));
    },
  };
}

/** The {@link RunResponse} parts of a run on Batch found under the job prefix. */
export async function attachBatch(
  urls: JobUrls,
  launch: BatchLaunchRecord,
  signal?: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunBackend> {
  const manifest = (await readJson(manifestUrl(urls), signal)) as BatchManifest | null;
  const plan: BatchManifest = manifest ?? {
    engine: 'batch',
    jobId: launch.jobId,
    tasks: launch.tasks,
    stages: [],
  };
  const endpoint = launch.batchEndpoint ?? env.AWS_ENDPOINT_URL_BATCH ?? env.AWS_ENDPOINT_URL ?? null;
  return batchBackend({ region: launch.region, endpoint }, plan, launch, urls);
}
