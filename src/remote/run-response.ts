import { setTimeout as sleep } from 'node:timers/promises';
import { GeopartError } from '../errors.js';
import { type Ec2Settings, type InstanceState, instanceState, terminateInstance } from './ec2.js';
import { END_STATES, type JobState, type JobUrls, readLog, readStatus, writeStatus } from './job-store.js';

/** What `status()` reports: the job's own record joined with its instance's state. */
export interface RemoteJobStatus {
  readonly jobId: string;
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
  readonly instanceId: string | null;
  readonly urls: JobUrls;
  readonly ec2: Ec2Settings;
}

const ENDED_INSTANCE: ReadonlySet<InstanceState> = new Set([
  'shutting-down',
  'terminated',
  'stopped',
  'not-found',
]);

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

/**
 * A job launched on EC2 (`RunResponse`): its id, and calls that look at its status
 * and log in S3 and its instance in EC2, wait for it, or cancel it.
 */
export class RunResponse {
  /** The job id: the name of its folder under the job prefix. */
  readonly jobId: string;
  /** The instance running the job (`i-...`), or null. */
  readonly instanceId: string | null;
  /** `s3://.../<jobId>/`: job.json, launch.json, status.json, log.txt. */
  readonly jobFolder: string;
  readonly #ref: RemoteJobRef;

  constructor(ref: RemoteJobRef) {
    this.jobId = ref.jobId;
    this.instanceId = ref.instanceId;
    this.jobFolder = ref.urls.folder;
    this.#ref = ref;
  }

  /** The job's state from `status.json` and its instance's from EC2. */
  async status(options: { readonly signal?: AbortSignal } = {}): Promise<RemoteJobStatus> {
    const { urls, ec2, instanceId, jobId } = this.#ref;
    // The instance first: the agent writes its final status before the machine shuts down, so
    // an ended instance read before a not-ended status means the job died without a word.
    const instance = instanceId === null ? null : await instanceState(ec2, instanceId, options.signal);
    const record = await readStatus(urls, options.signal);
    let state: JobState = record?.state ?? 'pending';
    let error = record?.error ?? null;
    if (!END_STATES.has(state) && (instance === null || ENDED_INSTANCE.has(instance))) {
      state = 'failed';
      error =
        instance === null
          ? 'the job has no instance: the launch failed'
          : `instance ${instanceId} is ${instance} but the job never reported an end; ` +
            `see its log (geopart remote logs ${jobId}) and the instance's console output`;
    }
    return {
      jobId,
      instanceId: record?.instanceId ?? instanceId,
      instanceState: instance,
      state,
      startedAt: record?.startedAt ?? null,
      updatedAt: record?.updatedAt ?? null,
      error,
    };
  }

  /** The whole log as it is in S3 now ('' before the agent wrote any). */
  async logs(options: { readonly signal?: AbortSignal } = {}): Promise<string> {
    return new TextDecoder().decode((await readLog(this.#ref.urls, 0, options.signal)).bytes);
  }

  /**
   * The log's lines, without line ends. Without `follow`, the lines there are now; with it,
   * new lines as the agent uploads them, until the job ends.
   */
  async *tail(options: TailOptions = {}): AsyncGenerator<string> {
    const { follow = false, pollMs = 5000, signal } = options;
    const decoder = new TextDecoder();
    let offset = 0;
    let partial = '';
    for (;;) {
      // The agent uploads its last log before its final status: once the job has ended, the
      // next read has every line.
      const { ended, bytes, size } = await polled(
        async () => {
          const ended = !follow || END_STATES.has((await this.status({ signal })).state);
          return { ended, ...(await readLog(this.#ref.urls, offset, signal)) };
        },
        pollMs,
        signal,
      );
      offset = size;
      partial += decoder.decode(bytes, { stream: true });
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      yield* lines;
      if (ended) {
        if (partial !== '') yield partial;
        return;
      }
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
   * Terminates the instance and marks the job `cancelled`. A job that has already ended keeps
   * its state; its status is returned as it is.
   */
  async cancel(options: { readonly signal?: AbortSignal } = {}): Promise<RemoteJobStatus> {
    const { urls, ec2, instanceId, jobId } = this.#ref;
    const before = await readStatus(urls, options.signal);
    if (before && END_STATES.has(before.state)) return this.status(options);
    if (instanceId !== null) await terminateInstance(ec2, instanceId, options.signal);
    // The job may have ended while the instance was being terminated: its own end stands.
    const after = await readStatus(urls, options.signal);
    if (after && END_STATES.has(after.state)) return this.status(options);
    await writeStatus(
      urls,
      {
        state: 'cancelled',
        jobId,
        instanceId,
        startedAt: before?.startedAt ?? null,
        updatedAt: new Date().toISOString(),
        error: 'cancelled by the user',
      },
      options.signal,
    );
    return this.status(options);
  }
}
