import { setTimeout as sleep } from 'node:timers/promises';
import { GeopartError } from '../errors.js';
import type { InstanceState } from './ec2.js';
import {
  END_STATES,
  type JobState,
  type JobUrls,
  readLog,
  readStatus,
  type StatusRecord,
  writeStatus,
} from './job-store.js';

/** Where a remote job runs. */
export type RemoteEngine = 'ec2' | 'batch';

/** Jobs of one stage of a run on Batch, by state. */
export interface StageStatus {
  /** The stage, `step<i>-<kind>` (`step0-udf`, `step0-commit`). */
  readonly name: string;
  /** The job step it belongs to. */
  readonly step: number;
  /** Its Batch job (the array parent for an array stage); null when it was never submitted. */
  readonly batchJobId: string | null;
  /** Batch's status of that job (`RUNNING`, `SUCCEEDED`, ...), or `UNKNOWN` once Batch forgot it. */
  readonly status: string;
  /** Children (1 for a single job). */
  readonly size: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Starting or running. */
  readonly running: number;
  /** Submitted, pending or runnable. */
  readonly pending: number;
}

/** What `status()` reports: the job's own record joined with what the compute side says. */
export interface RemoteJobStatus {
  readonly jobId: string;
  readonly engine: RemoteEngine;
  /** `i-...`; null when the launch never got that far. */
  readonly instanceId: string | null;
  /** The instance as EC2 sees it; `not-found` once EC2 forgot it; null without an instance. */
  readonly instanceState: InstanceState | null;
  /**
   * The job's state. A job whose instance is gone without the job having reported an end is
   * `failed`, with an error saying so.
   */
  readonly state: JobState;
  /** ISO 8601 UTC; null until the agent on the instance started. */
  readonly startedAt: string | null;
  /** ISO 8601 UTC of the last status write; null when there is none. */
  readonly updatedAt: string | null;
  /** Why the job failed or was cancelled; null otherwise. */
  readonly error: string | null;
  /** A run on Batch: each stage's jobs by state, in the order they run; null on EC2. */
  readonly stages: readonly StageStatus[] | null;
}

/** What the compute side (EC2, Batch) says of a job, for {@link RemoteJobStatus}. */
export interface Observation {
  readonly instanceState: InstanceState | null;
  readonly stages: readonly StageStatus[] | null;
  /** The job's state and why, when the compute side knows better than `status.json`; else null. */
  readonly verdict: { readonly state: JobState; readonly error: string | null } | null;
  /**
   * When the compute side says the job started (ISO 8601), for a job whose `status.json` does
   * not say (a run on Batch: its first job's start); null when unknown.
   */
  readonly startedAt?: string | null;
}

/** One log object of a job, and how its lines are labelled when several are read together. */
export interface LogObject {
  readonly url: string;
  /** Put before each line as `[label] `; null: the lines as they are. */
  readonly label: string | null;
}

/** What runs a job: EC2 or Batch, as a {@link RunResponse} sees it. */
export interface RunBackend {
  readonly engine: RemoteEngine;
  /** The instance of an EC2 job; null on Batch. */
  readonly instanceId: string | null;
  /** Reads the compute side's view; `record` is `status.json` as read just after. */
  observe(signal?: AbortSignal): Promise<(record: StatusRecord | null) => Promise<Observation>>;
  /** Stops everything the job runs on. */
  terminate(signal?: AbortSignal): Promise<void>;
  /** The job's log objects, in reading order. */
  logObjects(signal?: AbortSignal): Promise<readonly LogObject[]>;
}

/** Options of {@link RunResponse.wait} and {@link RunResponse.tail}. */
export interface PollOptions {
  /** Milliseconds between polls; default 10000 for `wait`, 5000 for `tail`. */
  readonly pollMs?: number;
  /** Stops waiting (the job goes on): rejects with a GeopartError `ABORTED`. */
  readonly signal?: AbortSignal;
}

/** Options of {@link RunResponse.tail}. */
export interface TailOptions extends PollOptions {
  /** Keep reading new lines until the job ends; default false (the lines there are now). */
  readonly follow?: boolean;
}

/** Where a job is, for a {@link RunResponse}. */
export interface RemoteJobRef {
  readonly jobId: string;
  readonly urls: JobUrls;
  readonly backend: RunBackend;
}

/** Polls in a row that may fail (a network blip, a throttled request) before wait/tail give up. */
const POLL_FAILURES = 3;

/**
 * Runs one poll; a failed S3 or EC2 request is retried after `pollMs`, up to
 * {@link POLL_FAILURES} times in a row, since a long wait should not die of one blip.
 */
async function polled<T>(
  poll: () => Promise<T>,
  pollMs: number,
  signal: AbortSignal | undefined,
): Promise<T> {
  for (let failures = 0; ; failures++) {
    try {
      return await poll();
    } catch (err) {
      const transient =
        err instanceof GeopartError && (err.code === 'STORAGE_ERROR' || err.code === 'REMOTE_ERROR');
      if (!transient || failures >= POLL_FAILURES || signal?.aborted) throw err;
      await pause(pollMs, signal);
    }
  }
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (err) {
    throw new GeopartError(
      'ABORTED',
      'stopped waiting for the remote job (it goes on running)',
      {},
      { cause: err },
    );
  }
}

/** `text` with `[label] ` before each line; `text` itself for a null label. */
function labelled(text: string, label: string | null): string {
  if (label === null || text === '') return text;
  return text.replace(/^(?=.)/gm, `[${label}] `);
}

/**
 * A job launched on EC2 or Batch (`RunResponse`): its id, and calls that look at its status
 * and log in S3 and at what runs it, wait for it, or cancel it.
 */
export class RunResponse {
  /** The job id: the name of its folder under the job prefix. */
  readonly jobId: string;
  /** Where the job runs. */
  readonly engine: RemoteEngine;
  /** The instance running an EC2 job (`i-...`), or null (always on Batch). */
  readonly instanceId: string | null;
  /** `s3://.../<jobId>/`: job.json, launch.json, status.json, log.txt. */
  readonly jobFolder: string;
  readonly #ref: RemoteJobRef;

  constructor(ref: RemoteJobRef) {
    this.jobId = ref.jobId;
    this.engine = ref.backend.engine;
    this.instanceId = ref.backend.instanceId;
    this.jobFolder = ref.urls.folder;
    this.#ref = ref;
  }

  /** The job's state from `status.json`, joined with what EC2 or Batch says of it. */
  async status(options: { readonly signal?: AbortSignal } = {}): Promise<RemoteJobStatus> {
    const { urls, backend, jobId } = this.#ref;
    // The compute side first: the job writes its final status before its machines stop, so
    // an ended machine read before a not-ended status means the job died without a word.
    const judge = await backend.observe(options.signal);
    const record = await readStatus(urls, options.signal);
    const seen = await judge(record);
    return {
      jobId,
      engine: backend.engine,
      instanceId: record?.instanceId ?? backend.instanceId,
      instanceState: seen.instanceState,
      state: seen.verdict?.state ?? record?.state ?? 'pending',
      startedAt: record?.startedAt ?? seen.startedAt ?? null,
      updatedAt: record?.updatedAt ?? null,
      error: seen.verdict ? seen.verdict.error : (record?.error ?? null),
      stages: seen.stages,
    };
  }

  /**
   * The whole log as it is in S3 now ('' before any was written). On Batch, every child's
   * log in stage order, each line labelled with the stage, the child and the attempt.
   */
  async logs(options: { readonly signal?: AbortSignal } = {}): Promise<string> {
    const decoder = new TextDecoder();
    let text = '';
    for (const log of await this.#ref.backend.logObjects(options.signal)) {
      text += labelled(decoder.decode((await readLog(log.url, 0, options.signal)).bytes), log.label);
    }
    return text;
  }

  /**
   * The log's lines, without line ends. Without `follow`, the lines there are now; with it,
   * new lines as the agent uploads them, until the job ends.
   */
  async *tail(options: TailOptions = {}): AsyncGenerator<string> {
    const { follow = false, pollMs = 5000, signal } = options;
    /** Per log object: bytes read, the decoder, the unfinished last line. */
    const read = new Map<
      string,
      { offset: number; decoder: InstanceType<typeof TextDecoder>; partial: string }
    >();
    for (;;) {
      // The agent uploads its last log before its final status: once the job has ended, the
      // next read has every line.
      const { ended, pieces } = await polled(
        async () => {
          const ended = !follow || END_STATES.has((await this.status({ signal })).state);
          const pieces = [];
          for (const log of await this.#ref.backend.logObjects(signal)) {
            const at = read.get(log.url)?.offset ?? 0;
            pieces.push({ log, ...(await readLog(log.url, at, signal)) });
          }
          return { ended, pieces };
        },
        pollMs,
        signal,
      );
      for (const { log, bytes, size } of pieces) {
        const r = read.get(log.url) ?? { offset: 0, decoder: new TextDecoder(), partial: '' };
        read.set(log.url, r);
        r.offset = size;
        r.partial += r.decoder.decode(bytes, { stream: true });
        const lines = r.partial.split('\n');
        r.partial = lines.pop() ?? '';
        if (ended && r.partial !== '') lines.push(r.partial);
        for (const line of lines) yield log.label === null ? line : `[${log.label}] ${line}`;
      }
      if (ended) return;
      await pause(pollMs, signal);
    }
  }

  /** Polls `status()` until the job has succeeded, failed or been cancelled; returns that status. */
  async wait(options: PollOptions = {}): Promise<RemoteJobStatus> {
    const { pollMs = 10_000, signal } = options;
    for (;;) {
      const status = await polled(() => this.status({ signal }), pollMs, signal);
      if (END_STATES.has(status.state)) return status;
      await pause(pollMs, signal);
    }
  }

  /**
   * Terminates the instance (on Batch: every job of the run) and marks the job `cancelled`. A job that has already ended keeps
   * its state; its status is returned as it is.
   */
  async cancel(options: { readonly signal?: AbortSignal } = {}): Promise<RemoteJobStatus> {
    const { urls, backend, jobId } = this.#ref;
    // The compute side's verdict first: a run found failed (and so recorded, on Batch) stays
    // failed, with its reason.
    const seen = await this.status(options);
    if (END_STATES.has(seen.state)) return seen;
    const before = await readStatus(urls, options.signal);
    await backend.terminate(options.signal);
    // The job may have ended while the instance was being terminated: its own end stands.
    const after = await readStatus(urls, options.signal);
    if (after && END_STATES.has(after.state)) return this.status(options);
    await writeStatus(
      urls,
      {
        state: 'cancelled',
        jobId,
        instanceId: backend.instanceId,
        startedAt: before?.startedAt ?? seen.startedAt ?? null,
        updatedAt: new Date().toISOString(),
        error: 'cancelled by the user',
      },
      options.signal,
    );
    return this.status(options);
  }
}
