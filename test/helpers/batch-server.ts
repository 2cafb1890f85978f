/**
 * A small AWS Batch-compatible server on the loopback interface for tests. It speaks Batch's
 * REST-JSON API (`POST /v1/submitjob`, `/v1/describejobs`, `/v1/listjobs`, `/v1/terminatejob`,
 * `/v1/registerjobdefinition`) as `@aws-sdk/client-batch` sends it, records every request, and
 * runs each job as Batch would: every child of an array job as a real process, with the job
 * definition's command and environment under the submission's overrides,
 * `AWS_BATCH_JOB_ID`, `AWS_BATCH_JOB_ATTEMPT` and (in arrays) `AWS_BATCH_JOB_ARRAY_INDEX` set,
 * after its dependencies (plain, or `N_TO_N` child by child), retried up to `retryStrategy.attempts`,
 * killed past `timeout.attemptDurationSeconds`. A command starting with `geopart` runs this
 * checkout's `bin/geopart.js`. At most `slots` children run at once (default 2).
 *
 * ```ts
 * const batch = await startBatch();
 * // new BatchClient({ endpoint: batch.endpoint, region: 'us-east-1' }) ...
 * batch.requests; // [{ operation: 'SubmitJob', body: { jobName: ..., arrayProperties: { size: 3 } } }]
 * await batch.stop();
 * ```
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BatchClient, RegisterJobDefinitionCommand } from '@aws-sdk/client-batch';
import { ROOT } from './cli.js';
import { listenOnLoopback } from './loopback.js';

/** One request as the server received it. */
export interface BatchRequest {
  /** `SubmitJob`, `DescribeJobs`, ... */
  readonly operation: string;
  // biome-ignore lint/suspicious/noExplicitAny: the JSON as sent
  readonly body: any;
}

/** One attempt of a job that ran. */
export interface FakeAttempt {
  readonly exitCode: number | null;
  readonly reason: string | null;
  readonly statusReason: string;
  /** What the process printed. */
  readonly output: string;
}

/** A job or a child of an array job. */
export interface FakeJob {
  readonly jobId: string;
  readonly jobName: string;
  readonly jobQueue: string;
  readonly jobDefinition: string;
  status: string;
  statusReason: string | null;
  /** Array size (a parent), or null. */
  readonly size: number | null;
  /** Index in its array (a child), or null. */
  readonly index: number | null;
  readonly parent: FakeJob | null;
  readonly children: FakeJob[];
  readonly dependsOn: readonly { jobId: string; type?: string }[];
  readonly command: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly maxAttempts: number;
  readonly timeoutSeconds: number | null;
  readonly attempts: FakeAttempt[];
  /** When its first attempt started (ms since 1970), or null. */
  startedAt: number | null;
  process: ChildProcess | null;
}

/** A running fake Batch server. */
export interface FakeBatch {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** Every request, in order. */
  readonly requests: BatchRequest[];
  /** Every job and child, by id. */
  readonly jobs: Map<string, FakeJob>;
  /**
   * Awaited before each request is answered (a test's look at the world between two requests);
   * null: none.
   */
  beforeAnswer: ((operation: string, body: BatchRequest['body']) => Promise<void>) | null;
  /**
   * Awaited before a child's process starts (the job is RUNNING meanwhile): a test's change to
   * the world between two children; null: none.
   */
  beforeStart: ((job: FakeJob) => Promise<void>) | null;
  /** Resolves once every job has ended (succeeded or failed) and every process has closed. */
  idle(): Promise<void>;
  /** Kills what runs and stops the server. */
  stop(): Promise<void>;
}

/** A job definition as registered. */
interface Definition {
  readonly name: string;
  readonly revision: number;
  readonly command: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
}

class BatchFault extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const ENDED = new Set(['SUCCEEDED', 'FAILED']);
const ACCOUNT = '123456789012';

function pairs(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of (list ?? []) as { name: string; value: string }[]) out[e.name] = e.value;
  return out;
}

/** What the processes of the jobs see besides the job's own environment. */
function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG'];
  return Object.fromEntries(
    keep.flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]!]])),
  );
}

/** Starts the server on 127.0.0.1 on a free port. */
export async function startBatch(options: { readonly slots?: number } = {}): Promise<FakeBatch> {
  const slots = options.slots ?? 2;
  const requests: BatchRequest[] = [];
  const jobs = new Map<string, FakeJob>();
  const definitions = new Map<string, Definition[]>();
  let running = 0;
  let waiters: (() => void)[] = [];

  const definition = (ref: string): Definition => {
    const name = ref.replace(/^arn:[^/]+\//, '');
    const [base, rev] = name.split(':');
    const revisions = definitions.get(base!) ?? [];
    const found = rev === undefined ? revisions.at(-1) : revisions.find((d) => d.revision === Number(rev));
    if (!found) throw new BatchFault('ClientException', `Job definition ${ref} does not exist`);
    return found;
  };

  /** The parent's status from its children's. */
  const rollUp = (parent: FakeJob) => {
    const kids = parent.children;
    if (kids.every((k) => ENDED.has(k.status))) {
      const failed = kids.some((k) => k.status === 'FAILED');
      parent.status = failed ? 'FAILED' : 'SUCCEEDED';
      if (failed) parent.statusReason ??= 'Array Child Job failed';
    } else if (kids.some((k) => k.status === 'RUNNING' || k.status === 'STARTING')) parent.status = 'RUNNING';
    else if (kids.some((k) => k.status === 'RUNNABLE')) parent.status = 'RUNNABLE';
    else parent.status = 'PENDING';
  };

  /** Whether a unit may run: 'go', 'wait' or 'fail' on its dependencies. */
  const ready = (unit: FakeJob): 'go' | 'wait' | 'fail' => {
    const deps = unit.parent ? unit.parent.dependsOn : unit.dependsOn;
    for (const d of deps) {
      let on = jobs.get(d.jobId);
      if (on === undefined) return 'fail';
      if (d.type === 'N_TO_N' && unit.index !== null) on = on.children[unit.index] ?? on;
      if (on.status === 'FAILED') return 'fail';
      if (on.status !== 'SUCCEEDED') return 'wait';
    }
    return 'go';
  };

  const units = () => [...jobs.values()].filter((j) => j.size === null);

  /** Every job ended and every process closed (a terminated child is FAILED before it closes). */
  const quiet = () => [...jobs.values()].every((j) => ENDED.has(j.status) && j.process === null);

  const settle = () => {
    for (const j of jobs.values()) if (j.size !== null) rollUp(j);
    if (quiet()) {
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    }
  };

  const pump = () => {
    let changed = true;
    while (changed) {
      changed = false;
      settle();
      for (const u of units()) {
        if (u.status !== 'PENDING' && u.status !== 'SUBMITTED') continue;
        const r = ready(u);
        if (r === 'fail') {
          u.status = 'FAILED';
          u.statusReason = 'Dependent Job failed';
          changed = true;
        } else if (r === 'go') {
          u.status = 'RUNNABLE';
          changed = true;
        } else u.status = 'PENDING';
      }
    }
    for (const u of units()) {
      if (running >= slots) break;
      if (u.status === 'RUNNABLE') start(u);
    }
    settle();
  };

  const start = (unit: FakeJob) => {
    running++;
    unit.status = 'RUNNING';
    unit.startedAt ??= Date.now();
    const hook = fake.beforeStart;
    if (hook === null) spawnChild(unit);
    else void hook(unit).then(() => spawnChild(unit));
  };

  const spawnChild = (unit: FakeJob) => {
    const attempt = unit.attempts.length + 1;
    const [cmd, ...args] = unit.command;
    const argv = cmd === 'geopart' ? [`${ROOT}bin/geopart.js`, ...args] : args;
    const env: Record<string, string> = {
      ...baseEnv(),
      ...unit.environment,
      AWS_BATCH_JOB_ID: unit.jobId,
      AWS_BATCH_JOB_ATTEMPT: String(attempt),
      AWS_BATCH_JQ_NAME: unit.jobQueue,
      AWS_BATCH_CE_NAME: 'fake-compute-environment',
      ...(unit.index === null ? {} : { AWS_BATCH_JOB_ARRAY_INDEX: String(unit.index) }),
    };
    const child = spawn(cmd === 'geopart' ? process.execPath : cmd!, argv, {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    unit.process = child;
    let output = '';
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    let timedOut = false;
    const timer =
      unit.timeoutSeconds === null
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, unit.timeoutSeconds * 1000);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running--;
      unit.process = null;
      const terminated = unit.status === 'FAILED';
      const statusReason = terminated
        ? (unit.statusReason ?? 'terminated')
        : timedOut
          ? 'Job attempt duration exceeded timeout'
          : 'Essential container in task exited';
      unit.attempts.push({
        exitCode: code,
        reason: signal === null ? null : `killed by ${signal}`,
        statusReason,
        output,
      });
      if (!terminated) {
        if (code === 0) {
          unit.status = 'SUCCEEDED';
          unit.statusReason = statusReason;
        } else if (unit.attempts.length < unit.maxAttempts) {
          unit.status = 'RUNNABLE';
        } else {
          unit.status = 'FAILED';
          unit.statusReason = statusReason;
        }
      }
      pump();
    });
  };

  const newJob = (
    fields: Omit<FakeJob, 'status' | 'statusReason' | 'children' | 'attempts' | 'startedAt' | 'process'>,
  ): FakeJob => {
    const job: FakeJob = {
      ...fields,
      status: 'SUBMITTED',
      statusReason: null,
      children: [],
      attempts: [],
      startedAt: null,
      process: null,
    };
    jobs.set(job.jobId, job);
    return job;
  };

  /** When a job started; an array job, when its first child did. */
  const startedAt = (j: FakeJob): number | undefined => {
    const starts = (j.size === null ? [j] : j.children).flatMap((c) => c.startedAt ?? []);
    return starts.length === 0 ? undefined : Math.min(...starts);
  };

  const detail = (j: FakeJob) => {
    const last = j.attempts.at(-1);
    return {
      jobArn: `arn:aws:batch:us-east-1:${ACCOUNT}:job/${j.jobId}`,
      jobName: j.jobName,
      jobId: j.jobId,
      jobQueue: j.jobQueue,
      status: j.status,
      statusReason: j.statusReason ?? undefined,
      createdAt: 1,
      startedAt: startedAt(j),
      jobDefinition: j.jobDefinition,
      dependsOn: j.dependsOn,
      attempts: j.attempts.map((a) => ({
        container: { exitCode: a.exitCode ?? undefined, reason: a.reason ?? undefined },
        statusReason: a.statusReason,
      })),
      container: {
        command: j.command,
        environment: Object.entries(j.environment).map(([name, value]) => ({ name, value })),
        exitCode: last?.exitCode ?? undefined,
        reason: last?.reason ?? undefined,
      },
      ...(j.size !== null
        ? {
            arrayProperties: {
              size: j.size,
              statusSummary: Object.fromEntries(
                ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED'].map(
                  (s) => [s, j.children.filter((c) => c.status === s).length],
                ),
              ),
            },
          }
        : j.index !== null
          ? { arrayProperties: { index: j.index } }
          : {}),
    };
  };

  // biome-ignore lint/suspicious/noExplicitAny: the JSON as sent
  const answer = (operation: string, body: any): unknown => {
    switch (operation) {
      case 'RegisterJobDefinition': {
        const name = String(body.jobDefinitionName);
        const revisions = definitions.get(name) ?? [];
        const revision = revisions.length + 1;
        revisions.push({
          name,
          revision,
          command: body.containerProperties?.command ?? [],
          environment: pairs(body.containerProperties?.environment),
        });
        definitions.set(name, revisions);
        return {
          jobDefinitionName: name,
          jobDefinitionArn: `arn:aws:batch:us-east-1:${ACCOUNT}:job-definition/${name}:${revision}`,
          revision,
        };
      }
      case 'SubmitJob': {
        const def = definition(String(body.jobDefinition));
        for (const d of body.dependsOn ?? []) {
          if (!jobs.has(d.jobId))
            throw new BatchFault('ClientException', `Dependency ${d.jobId} does not exist`);
        }
        const size = body.arrayProperties?.size ?? null;
        if (size !== null && (size < 2 || size > 10_000)) {
          throw new BatchFault('ClientException', 'Array size must be between 2 and 10000');
        }
        const fields = {
          jobName: String(body.jobName),
          jobQueue: String(body.jobQueue),
          jobDefinition: `${def.name}:${def.revision}`,
          dependsOn: body.dependsOn ?? [],
          command: body.containerOverrides?.command ?? def.command,
          environment: { ...def.environment, ...pairs(body.containerOverrides?.environment) },
          maxAttempts: body.retryStrategy?.attempts ?? 1,
          timeoutSeconds: body.timeout?.attemptDurationSeconds ?? null,
        };
        const parent = newJob({ ...fields, jobId: randomUUID(), size, index: null, parent: null });
        for (let i = 0; i < (size ?? 0); i++) {
          parent.children.push(
            newJob({ ...fields, jobId: `${parent.jobId}:${i}`, size: null, index: i, parent, dependsOn: [] }),
          );
        }
        setImmediate(pump);
        return {
          jobArn: `arn:aws:batch:us-east-1:${ACCOUNT}:job/${parent.jobId}`,
          jobName: parent.jobName,
          jobId: parent.jobId,
        };
      }
      case 'DescribeJobs':
        return {
          jobs: (body.jobs as string[]).flatMap((id) => (jobs.has(id) ? [detail(jobs.get(id)!)] : [])),
        };
      case 'ListJobs': {
        const parent = jobs.get(String(body.arrayJobId ?? ''));
        const pool = parent
          ? parent.children
          : [...jobs.values()].filter((j) => j.jobQueue === body.jobQueue);
        const list = pool.filter((j) => body.jobStatus === undefined || j.status === body.jobStatus);
        return {
          jobSummaryList: list.map((j) => {
            const d = detail(j);
            return {
              jobId: d.jobId,
              jobName: d.jobName,
              status: d.status,
              statusReason: d.statusReason,
              createdAt: 1,
              arrayProperties: j.index === null ? undefined : { index: j.index },
              container: { exitCode: d.container.exitCode, reason: d.container.reason },
            };
          }),
        };
      }
      case 'TerminateJob': {
        const job = jobs.get(String(body.jobId));
        if (!job) throw new BatchFault('ClientException', `Job ${body.jobId} does not exist`);
        for (const u of job.size === null ? [job] : job.children) {
          if (ENDED.has(u.status)) continue;
          u.status = 'FAILED';
          u.statusReason = String(body.reason ?? 'terminated');
          u.process?.kill('SIGTERM');
        }
        setImmediate(pump);
        return {};
      }
      default:
        throw new BatchFault('ClientException', `unknown operation ${operation}`);
    }
  };

  const OPERATIONS: Readonly<Record<string, string>> = {
    '/v1/submitjob': 'SubmitJob',
    '/v1/describejobs': 'DescribeJobs',
    '/v1/listjobs': 'ListJobs',
    '/v1/terminatejob': 'TerminateJob',
    '/v1/registerjobdefinition': 'RegisterJobDefinition',
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const operation = OPERATIONS[(req.url ?? '').split('?')[0]!] ?? `unknown ${req.url}`;
    const body = text === '' ? {} : JSON.parse(text);
    requests.push({ operation, body });
    try {
      await fake.beforeAnswer?.(operation, body);
      const out = answer(operation, body);
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify(out));
    } catch (err) {
      const fault = err instanceof BatchFault ? err : new BatchFault('ServerException', String(err));
      res.writeHead(fault.type === 'ServerException' ? 500 : 400, {
        'content-type': 'application/json',
        'x-amzn-errortype': fault.type,
      });
      res.end(JSON.stringify({ message: fault.message }));
    }
  };

  const server = await listenOnLoopback(handle);
  const fake: FakeBatch = {
    beforeAnswer: null,
    beforeStart: null,
    endpoint: server.endpoint,
    requests,
    jobs,
    idle: () => (quiet() ? Promise.resolve() : new Promise<void>((ok) => waiters.push(ok))),
    async stop() {
      for (const j of jobs.values()) j.process?.kill('SIGKILL');
      await server.stop();
    },
  };
  return fake;
}

/**
 * Registers the job definition `geopart` a compute environment would run: its environment
 * carries s3rver's keys, where on AWS the job role gives the container its credentials.
 */
export async function registerTestDefinition(batch: FakeBatch): Promise<void> {
  const client = new BatchClient({ endpoint: batch.endpoint, region: 'us-east-1' });
  try {
    await client.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: 'geopart',
        type: 'container',
        containerProperties: {
          image: 'geopart:test',
          command: ['geopart', '--help'],
          environment: [
            { name: 'AWS_ACCESS_KEY_ID', value: 'S3RVER' },
            { name: 'AWS_SECRET_ACCESS_KEY', value: 'S3RVER' },
            { name: 'GEOPART_LOG_INTERVAL_MS', value: '200' },
          ],
        },
      }),
    );
  } finally {
    client.destroy();
  }
}
