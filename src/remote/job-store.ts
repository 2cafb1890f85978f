/**
 * The S3 folder of a remote job, `<jobPrefix>/<jobId>/`: what the launcher, the agent on the
 * instance and `RunResponse` exchange. Every object is small JSON or text:
 * - `job.json`: the job file the instance runs (snake_case names, paths resolved);
 * - `launch.json`: what was launched where ({@link LaunchRecord}), written by the launcher;
 * - `status.json`: the job's state ({@link StatusRecord}), written by the launcher, the agent
 *   and `cancel()`;
 * - `log.txt`: the job's log, re-uploaded whole by the agent as it grows.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GeopartError } from '../errors.js';
import type { RangeReader } from '../io/range.js';
import { openRangeReader } from '../io/range-reader.js';
import { getObject, putObject } from '../io/s3.js';
import { joinS3Url } from '../io/s3-url.js';

/** Where a job is: `pending` until the agent starts, then `running`, then one of the ends. */
export type JobState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** States a job never leaves. */
export const END_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

/** The content of `status.json`; times are ISO 8601 UTC. */
export interface StatusRecord {
  readonly state: JobState;
  readonly jobId: string;
  /** The instance the job runs on; null before it is known. */
  readonly instanceId: string | null;
  /** When the agent started the job; null while pending. */
  readonly startedAt: string | null;
  /** When this record was written. */
  readonly updatedAt: string;
  /** Why the job failed or was cancelled; null otherwise. */
  readonly error: string | null;
}

/** The content of `launch.json`. */
export interface LaunchRecord {
  readonly jobId: string;
  readonly instanceId: string;
  /** AWS region of the instance. */
  readonly region: string;
  readonly instanceType: string;
  /** The AMI booted, `ami-...`, and its name. */
  readonly imageId: string;
  readonly imageName: string;
  /** Root volume size, GiB. */
  readonly diskSizeGb: number;
  /** ISO 8601 UTC. */
  readonly launchedAt: string;
}

/** The URLs of one job's objects. */
export interface JobUrls {
  /** `<prefix>/<jobId>/`. */
  readonly folder: string;
  readonly job: string;
  readonly launch: string;
  readonly status: string;
  readonly log: string;
}

/** Job ids: what {@link newJobId} makes, and all an S3 key and an EC2 tag can hold safely. */
export const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** A fresh job id: the job name (made safe), the UTC time to the second and 6 random hex digits. */
export function newJobId(jobName: string, now = new Date()): string {
  const name = jobName.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 80);
  const time = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const random = crypto.getRandomValues(new Uint8Array(3));
  return `${name}-${time}-${Buffer.from(random).toString('hex')}`;
}

/** The object URLs of job `jobId` under `jobPrefix`. */
export function jobUrls(jobPrefix: string, jobId: string): JobUrls {
  if (!JOB_ID.test(jobId)) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `job id ${JSON.stringify(jobId)} is not valid; give the id printed by "geopart remote run"`,
      { jobId },
    );
  }
  return urlsIn(`${joinS3Url(jobPrefix, jobId)}/`);
}

function urlsIn(folder: string): JobUrls {
  return {
    folder,
    job: `${folder}job.json`,
    launch: `${folder}launch.json`,
    status: `${folder}status.json`,
    log: `${folder}log.txt`,
  };
}

/** Reads of an object caught mid-write that are retried (S3 itself never shows one). */
const TORN_READ_RETRIES = 5;

/** The JSON object at `url`, or null when there is none. */
export async function readJson(url: string, signal?: AbortSignal): Promise<unknown | null> {
  for (let attempt = 0; ; attempt++) {
    try {
      return JSON.parse(new TextDecoder().decode(await getObject(url, { signal })));
    } catch (err) {
      if (err instanceof GeopartError && err.code === 'INPUT_NOT_FOUND') return null;
      if (!(err instanceof SyntaxError)) throw err;
      // Some S3-compatible servers serve an object while it is being replaced; a moment later
      // it is whole again.
      if (attempt < TORN_READ_RETRIES) {
        await sleep(50, undefined, { signal });
        continue;
      }
      throw new GeopartError('STORAGE_ERROR', `${url} is not valid JSON: ${err.message}`, { url });
    }
  }
}

/**
 * The job id and object URLs of a job from the URL of its `job.json` (what the agent is given),
 * or of another file of its folder (`run.json`, what a child on Batch is given).
 *
 * @throws GeopartError `INVALID_ARGUMENT` when the URL is not `s3://.../<jobId>/<file>`.
 */
export function jobUrlsOfJobFile(
  jobUrl: string,
  file = 'job.json',
): { readonly jobId: string; readonly urls: JobUrls } {
  const m = /^(s3:\/\/.+\/)([^/]+)\/([^/]+)$/.exec(jobUrl);
  if (!m || !JOB_ID.test(m[2]!) || m[3] !== file) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(jobUrl)} is not the ${file} of a remote job; expected s3://bucket/prefix/<jobId>/${file}`,
      { url: jobUrl },
    );
  }
  return { jobId: m[2]!, urls: urlsIn(`${m[1]}${m[2]}/`) };
}

/** Writes `value` as JSON to `url`. */
export async function writeJson(url: string, value: unknown, signal?: AbortSignal): Promise<void> {
  await putObject(url, `${JSON.stringify(value, null, 2)}\n`, { contentType: 'application/json', signal });
}

const STATES: readonly JobState[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

/** `status.json` of a job, or null when there is none yet. */
export async function readStatus(urls: JobUrls, signal?: AbortSignal): Promise<StatusRecord | null> {
  const raw = (await readJson(urls.status, signal)) as Partial<Record<keyof StatusRecord, unknown>> | null;
  if (raw === null) return null;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const state = STATES.find((s) => s === raw.state);
  if (!state)
    throw new GeopartError('STORAGE_ERROR', `${urls.status}: unknown state ${JSON.stringify(raw.state)}`, {});
  return {
    state,
    jobId: str(raw.jobId) ?? '',
    instanceId: str(raw.instanceId),
    startedAt: str(raw.startedAt),
    updatedAt: str(raw.updatedAt) ?? '',
    error: str(raw.error),
  };
}

/** Writes `status.json`; null fields are left out of the JSON. */
export async function writeStatus(urls: JobUrls, record: StatusRecord, signal?: AbortSignal): Promise<void> {
  const json = Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null));
  await writeJson(urls.status, json, signal);
}

/**
 * Marks a job whose launch failed with `err` as `failed`, best effort: the launch's own error is
 * what the caller reports.
 */
export async function writeLaunchFailure(urls: JobUrls, jobId: string, err: unknown): Promise<void> {
  await writeStatus(urls, {
    state: 'failed',
    jobId,
    instanceId: null,
    startedAt: null,
    updatedAt: new Date().toISOString(),
    error: err instanceof Error ? err.message : String(err),
  }).catch(() => undefined);
}

/** `launch.json` of a job, or null when the launcher has not written it (yet). */
export async function readLaunch(urls: JobUrls, signal?: AbortSignal): Promise<LaunchRecord | null> {
  return (await readJson(urls.launch, signal)) as LaunchRecord | null;
}

/**
 * The log at `url` (a job's `log.txt`, a child's log on Batch) from byte `from` on (all of it by default), and the offset after what was returned:
 * the log's size, or `from` when there is nothing new or no log (yet, or for a moment).
 */
export async function readLog(
  url: string,
  from = 0,
  signal?: AbortSignal,
): Promise<{ readonly bytes: Uint8Array; readonly size: number }> {
  let log: RangeReader;
  try {
    log = await openRangeReader(url, signal);
  } catch (err) {
    if (!(err instanceof GeopartError) || err.code !== 'INPUT_NOT_FOUND') throw err;
    return { bytes: new Uint8Array(0), size: from };
  }
  // Nothing new (or the log not there, e.g. before the agent's first upload): `from` stands,
  // so a follower never goes back to lines it has read.
  try {
    if (log.size <= from) return { bytes: new Uint8Array(0), size: from };
    const bytes = await log.read(from, log.size - from, signal);
    return { bytes, size: from + bytes.length };
  } finally {
    await log.close();
  }
}
