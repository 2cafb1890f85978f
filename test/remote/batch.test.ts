/**
 * UDF steps on AWS Batch, on this machine: the real Batch SDK talks to the fake Batch server
 * (test/helpers/batch-server.ts), which runs every child as a real `geopart` process against
 * s3rver, as a Batch compute environment would run the job definition's container.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { JobConfig } from '../../src/config/job.js';
import { UdfJobStepConfig } from '../../src/config/udf-step.js';
import { GeopartError } from '../../src/errors.js';
import { deleteObjects, getObject, listObjects, putObject } from '../../src/io/s3.js';
import { runBatchChild } from '../../src/remote/batch-child.js';
import type { BatchRunRemoteOptions } from '../../src/remote/batch-options.js';
import { attachBatch } from '../../src/remote/batch-run.js';
import type { BatchLaunchRecord } from '../../src/remote/batch-store.js';
import { type JobUrls, jobUrls, readStatus, writeStatus } from '../../src/remote/job-store.js';
import { attachJob } from '../../src/remote/launch.js';
import type { RunResponse } from '../../src/remote/run-response.js';
import { type FakeBatch, registerTestDefinition, startBatch } from '../helpers/batch-server.js';
import { geopartAsync, ROOT } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { type LocalS3, startS3 } from '../helpers/s3.js';

let s3: LocalS3;
let batch: FakeBatch;
let tmp: string;
let table: string;
let options: BatchRunRemoteOptions;

const CHUNK_STATS = join(ROOT, 'fixtures/jobs/chunk-stats.mjs');
const CASES = fileURLToPath(new URL('../udf/modules/cases.mjs', import.meta.url));

beforeAll(async () => {
  s3 = await startS3();
  batch = await startBatch();
  tmp = await mkdtemp(join(tmpdir(), 'geopart-batch-'));
  await registerTestDefinition(batch);
  // A real table to run over: the Natural Earth countries, in chunks of at most 20 rows.
  const input = s3.url('in/countries.fgb');
  await putObject(input, readFileSync(dataPath('flatgeobuf/countries.fgb')));
  table = s3.url('tables/countries');
  await ingest(input, table, { partitioningMaximumPerFile: 60, partitioningMaximumPerChunk: 20 }).runLocal({
    threads: 2,
  });
  await putObject(s3.url('udf/chunk-stats.mjs'), readFileSync(CHUNK_STATS));
  await putObject(s3.url('udf/cases.mjs'), readFileSync(CASES));
  options = {
    engine: 'batch',
    jobQueue: 'geopart-queue',
    tasks: 3,
    jobPrefix: s3.url('jobs'),
    batchEndpoint: batch.endpoint,
    region: 'us-east-1',
  };
}, 120_000);

afterAll(async () => {
  await batch?.stop();
  await s3?.stop();
  await rm(tmp, { recursive: true, force: true });
});

function chunkStats(module: string, output: string): JobConfig {
  const step = new UdfJobStepConfig({
    udf: { module, name: 'default', parameters: { geometry_column: 'geometry' } },
    input: { chunksOf: table },
    output,
    timeoutSeconds: 60,
  });
  return new JobConfig({ name: 'chunk-stats', steps: [step] });
}

function tenfold(output: string, parameters: object, input: number[], ignoreChunkError = false): JobConfig {
  const step = new UdfJobStepConfig({
    udf: { module: s3.url('udf/cases.mjs'), name: 'tenfold', parameters: parameters as never },
    input,
    output,
    ignoreChunkError,
  });
  return new JobConfig({ name: 'tenfold', steps: [step] });
}

/** Every object under `prefix`, by name relative to it, with its bytes. */
async function objects(prefix: string): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  for (const o of await listObjects(`${prefix}/`))
    found.set(o.url.slice(prefix.length + 1), await getObject(o.url));
  return found;
}

const submits = () => batch.requests.filter((r) => r.operation === 'SubmitJob').map((r) => r.body);

describe('refused before any request', () => {
  const refused = async (job: JobConfig, extra: Partial<BatchRunRemoteOptions>) => {
    const before = batch.requests.length;
    const err = await job.runRemote({ ...options, ...extra } as BatchRunRemoteOptions).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GeopartError);
    expect(batch.requests.length).toBe(before);
    expect(await listObjects(s3.url('refused-jobs/'))).toEqual([]);
    return err as GeopartError;
  };
  const good = () => tenfold(s3.url('out/refused'), {}, [1, 2]);
  let prefix: { jobPrefix: string };
  beforeAll(() => {
    prefix = { jobPrefix: s3.url('refused-jobs') };
  });

  test('a queue name Batch would refuse', async () => {
    const err = await refused(good(), { ...prefix, jobQueue: 'my queue!' });
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toMatch(/job_queue: got "my queue!"; expected a job queue name \(1 to 128 letters/);
    expect((await refused(good(), { ...prefix, jobQueue: 'q'.repeat(129) })).message).toContain('job_queue');
  });

  test('tasks out of 1..10,000', async () => {
    for (const tasks of [0, 10_001, 2.5]) {
      const err = await refused(good(), { ...prefix, tasks });
      expect(err.message).toContain(
        `tasks: got ${tasks}; expected a whole number of children from 1 to 10,000 (--tasks)`,
      );
    }
  });

  test('a local output, a local input, a local module', async () => {
    const local = await refused(tenfold(join(tmp, 'out'), {}, [1]), prefix);
    expect(local.message).toMatch(/steps\[0\]\.output: ".*out" is not an s3:\/\/ URL/);
    const step = new UdfJobStepConfig({
      udf: { module: CASES, name: 'tenfold' },
      input: { chunksOf: join(tmp, 'table') },
      output: s3.url('out/x'),
    });
    const err = await refused(new JobConfig({ name: 'local', steps: [step] }), prefix);
    expect(err.message).toContain('steps[0].udf.module');
    expect(err.message).toContain('steps[0].input.chunks_of');
  });

  test('an additionalEnv value with a newline, and an EC2 option', async () => {
    const err = await refused(good(), { ...prefix, additionalEnv: ['NOTE=two\nlines'] });
    expect(err.message).toContain(
      'additional_env[0]: the entry for NOTE (value not shown): entries may not contain a newline',
    );
    const ec2 = await refused(good(), { ...prefix, instanceType: 'm5.large' } as never);
    expect(ec2.message).toContain(
      "instance_type: an EC2 option; on Batch the job queue's compute environment decides it",
    );
  });

  test("additionalEnv naming a variable geopart sets for the children, or one of Batch's own", async () => {
    for (const name of ['GEOPART_ENV_NAMES', 'GEOPART_JOB_ID', 'AWS_ENDPOINT_URL_S3', 'AWS_REGION']) {
      const err = await refused(good(), { ...prefix, additionalEnv: ['TOKEN=s3cret', `${name}=x`] });
      expect(err.code).toBe('INVALID_CONFIG');
      expect(err.message).toContain(
        `additional_env[1]: the entry for ${name} (value not shown): ${name} is set by`,
      );
      expect(err.message).not.toContain('s3cret');
    }
    const batchOwn = await refused(good(), { ...prefix, additionalEnv: ['AWS_BATCH_JOB_ID=1'] });
    expect(batchOwn.message).toContain(
      "additional_env[0]: AWS_BATCH_JOB_ID: names starting with AWS_BATCH are Batch's own",
    );
  });

  test('on the command line: a bad queue and tasks out of range exit 1 with the option named', async () => {
    const file = join(tmp, 'tenfold.json');
    await writeFile(file, JSON.stringify(good().toJSON()));
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL_BATCH: batch.endpoint,
      GEOPART_JOB_PREFIX: s3.url('refused-jobs'),
    };
    const before = batch.requests.length;
    const queue = await geopartAsync(['remote', 'run', file, '--batch-queue', 'bad/queue', '--tasks', '3'], {
      cwd: tmp,
      env,
    });
    expect(queue.status).toBe(1);
    expect(queue.stderr).toContain('job_queue: got "bad/queue"');
    const tasks = await geopartAsync(['remote', 'run', file, '--batch-queue', 'q', '--tasks', '10001'], {
      cwd: tmp,
      env,
    });
    expect(tasks.status).toBe(1);
    expect(tasks.stderr).toContain('tasks: got 10001');
    const writers = await geopartAsync(
      ['remote', 'run', file, '--batch-queue', 'q', '--tasks', '2', '--write-tasks', '0'],
      { cwd: tmp, env },
    );
    expect(writers.status).toBe(1);
    expect(writers.stderr).toContain(
      'write_tasks: got 0; expected a whole number of children from 1 to 10,000',
    );
    const alone = await geopartAsync(['remote', 'run', file, '--write-tasks', '2'], { cwd: tmp, env });
    expect(alone.status).toBe(2);
    expect(alone.stderr).toContain('--write-tasks is a Batch flag: give --batch-queue Q too');
    const ec2 = await geopartAsync(
      ['remote', 'run', file, '--batch-queue', 'q', '--tasks', '2', '--instance-type', 'm5.large'],
      {
        cwd: tmp,
        env,
      },
    );
    expect(ec2.status).toBe(2);
    expect(ec2.stderr).toContain('--instance-type is an EC2 flag');
    expect(batch.requests.length).toBe(before);
  });
});

test("a UDF step over a table's chunks, spread over 3 children, gives the files of a local run", async () => {
  const local = s3.url('out/chunk-stats-local');
  const remote = s3.url('out/chunk-stats-batch');
  const report = await chunkStats(CHUNK_STATS, local).runLocal({ threads: 2 });
  const run = await chunkStats(s3.url('udf/chunk-stats.mjs'), remote).runRemote({
    ...options,
    attempts: 3,
    childTimeoutSeconds: 600,
    additionalEnv: ['GREETING=hello'],
  });
  expect(run.engine).toBe('batch');
  const status = await run.wait({ pollMs: 200 });
  expect(status, await run.logs()).toMatchObject({ state: 'succeeded', engine: 'batch', error: null });

  const mine = await objects(local);
  const theirs = await objects(remote);
  expect(report.steps[0]).toMatchObject({ files: mine.size - 1 });
  expect(mine.size).toBeGreaterThan(4);
  expect([...theirs.keys()].sort()).toEqual([...mine.keys()].sort());
  for (const [name, bytes] of mine)
    expect(Buffer.compare(Buffer.from(theirs.get(name)!), Buffer.from(bytes)), name).toBe(0);
  // The work files are gone once published.
  expect(await listObjects(`${run.jobFolder}work/`)).toEqual([]);

  // An array job of 3 children, then the commit with a plain dependency on it.
  const [array, commit] = submits().slice(-2);
  expect(array).toMatchObject({
    jobQueue: 'geopart-queue',
    jobDefinition: 'geopart',
    arrayProperties: { size: 3 },
    retryStrategy: { attempts: 3 },
    timeout: { attemptDurationSeconds: 600 },
    containerOverrides: {
      command: ['geopart', 'remote', 'batch-child', `${run.jobFolder}run.json`, '--stage', 'step0-udf'],
    },
  });
  expect(array.dependsOn).toBeUndefined();
  const env = Object.fromEntries(
    array.containerOverrides.environment.map((e: { name: string; value: string }) => [e.name, e.value]),
  );
  expect(env).toMatchObject({
    GREETING: 'hello',
    GEOPART_ENV_NAMES: 'GREETING',
    GEOPART_JOB_ID: run.jobId,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
  });
  const arrayId = [...batch.jobs.values()].find((j) => j.jobName === array.jobName && j.size === 3)!.jobId;
  expect(commit).toMatchObject({ dependsOn: [{ jobId: arrayId }], retryStrategy: { attempts: 3 } });
  expect(commit.arrayProperties).toBeUndefined();
  // The commit job has no per-child time limit: its time goes with the whole output.
  expect(commit.timeout).toBeUndefined();
  expect(commit.containerOverrides.command.at(-1)).toBe('step0-commit');

  // The commit job marks the run succeeded just before its process ends.
  await batch.idle();
  expect((await run.status()).stages).toEqual([
    expect.objectContaining({
      name: 'step0-udf',
      status: 'SUCCEEDED',
      size: 3,
      succeeded: 3,
      failed: 0,
      running: 0,
    }),
    expect.objectContaining({ name: 'step0-commit', status: 'SUCCEEDED', size: 1, succeeded: 1 }),
  ]);
  // Each child's log, read from S3, its lines labelled with stage, child and attempt.
  const log = await run.logs();
  for (const k of [0, 1, 2]) expect(log).toContain(`[step0-udf ${k}.1] `);
  expect(log).toMatch(/\[step0-commit 0\.1\] .*geopart batch child: job .*, stage step0-commit/);
  expect(log).toContain('job environment: GREETING (values not shown)');
}, 180_000);

test('with ignore_chunk_error, failed inputs are recorded and the step commits', async () => {
  const output = s3.url('out/tenfold-ignored');
  const run = await tenfold(output, { fail_on: 4 }, [1, 2, 3, 4, 5, 6], true).runRemote({
    ...options,
    tasks: 2,
    // A value of the job's own environment is masked in the recorded failures too.
    additionalEnv: ['WORDING=not allowed'],
  });
  const status = await run.wait({ pollMs: 200 });
  expect(status.state, await run.logs()).toBe('succeeded');
  expect([...(await objects(output)).keys()].sort()).toEqual([
    '0.parquet',
    '1.parquet',
    '2.parquet',
    '4.parquet',
    '5.parquet',
    '_SUCCESS',
  ]);
  const commit = JSON.parse(
    new TextDecoder().decode(await getObject(`${run.jobFolder}children/step0-commit/0.json`)),
  );
  expect(commit.report).toMatchObject({ inputs: 6, done: 5, files: 5 });
  expect(commit.report.failed).toEqual([
    {
      inputIndex: 3,
      input: '4',
      code: 'UDF_FAILED',
      message: `UDF ${s3.url('udf/cases.mjs')}#tenfold threw RangeError: input 4 is <WORDING hidden>`,
    },
  ]);
  const share = new TextDecoder().decode(await getObject(`${run.jobFolder}children/step0-udf/1.json`));
  expect(share).toContain('input 4 is <WORDING hidden>');
  expect(share).not.toContain('not allowed');
}, 180_000);

test('one task is a single job, without an array, told no index', async () => {
  const output = s3.url('out/tenfold-single');
  const run = await tenfold(output, {}, [1, 2, 3]).runRemote({ ...options, tasks: 1 });
  expect((await run.wait({ pollMs: 200 })).state, await run.logs()).toBe('succeeded');
  const [single] = submits().slice(-2);
  expect(single.arrayProperties).toBeUndefined();
  expect([...(await objects(output)).keys()].sort()).toEqual([
    '0.parquet',
    '1.parquet',
    '2.parquet',
    '_SUCCESS',
  ]);
}, 120_000);

test("on the command line: run --batch-queue --wait follows every child's log to the end", async () => {
  const file = join(tmp, 'tenfold-cli.json');
  await writeFile(file, JSON.stringify(tenfold(s3.url('out/tenfold-cli'), {}, [1, 2, 3, 4]).toJSON()));
  const env = { ...process.env, AWS_ENDPOINT_URL_BATCH: batch.endpoint, GEOPART_JOB_PREFIX: s3.url('jobs') };
  const args = [
    'remote',
    'run',
    file,
    '--batch-queue',
    'geopart-queue',
    '--tasks',
    '2',
    '--wait',
    '--poll',
    '0.2',
  ];
  const r = await geopartAsync(args, { cwd: tmp, env });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^launched job tenfold-\S+ on AWS Batch queue geopart-queue$/m);
  expect(r.stdout).toMatch(/^\[step0-udf 0\.1\] .*stage step0-udf, child 0 of 2, attempt 1$/m);
  expect(r.stdout).toMatch(/^\[step0-udf 1\.1\] udf -> .*: 2\/2 inputs done, 2 files, 2 rows/m);
  expect(r.stdout).toMatch(/^\[step0-commit 0\.1\] .*step0-commit 0: done$/m);
  expect(r.stdout).toMatch(/^state +succeeded$/m);
  expect([...(await objects(s3.url('out/tenfold-cli'))).keys()]).toContain('_SUCCESS');
}, 120_000);

test('a child that keeps failing fails the run: no _SUCCESS, and status names the stage, child and reason', async () => {
  const output = s3.url('out/tenfold-failing');
  const run = await tenfold(output, { fail_on: 4 }, [1, 2, 3, 4, 5, 6]).runRemote({
    ...options,
    attempts: 2,
  });
  const status = await run.wait({ pollMs: 200 });
  expect(status.state).toBe('failed');
  // Inputs 3 and 4 are the share of child 1 of 3; it failed both its attempts.
  expect(status.error).toContain(
    'stage step0-udf failed: child 1 of 3 failed (attempt 2) [Essential container in task exited, exit code 1]',
  );
  expect(status.error).toContain(
    `input 3 4 failed: UDF ${s3.url('udf/cases.mjs')}#tenfold threw RangeError: input 4 is not allowed`,
  );
  expect(status.stages).toEqual([
    expect.objectContaining({ name: 'step0-udf', status: 'FAILED', succeeded: 2, failed: 1 }),
    expect.objectContaining({ name: 'step0-commit', status: 'FAILED', succeeded: 0 }),
  ]);
  const child = [...batch.jobs.values()].find(
    (j) => j.jobId.endsWith(':1') && j.environment.GEOPART_JOB_ID === run.jobId,
  )!;
  expect(child.attempts.map((a) => a.exitCode)).toEqual([1, 1]);
  expect(await listObjects(`${output}/`)).toEqual([]);

  // The verdict is saved in status.json, with its reason; a cancel afterwards leaves it as it is.
  const saved = JSON.parse(new TextDecoder().decode(await getObject(`${run.jobFolder}status.json`)));
  expect(saved).toMatchObject({ state: 'failed', error: status.error });
  const terminations = batch.requests.filter((r) => r.operation === 'TerminateJob').length;
  expect(await run.cancel()).toMatchObject({ state: 'failed', error: status.error });
  expect(batch.requests.filter((r) => r.operation === 'TerminateJob').length).toBe(terminations);
  expect(JSON.parse(new TextDecoder().decode(await getObject(`${run.jobFolder}status.json`)))).toMatchObject({
    state: 'failed',
    error: status.error,
  });

  const env = { ...process.env, GEOPART_JOB_PREFIX: s3.url('jobs') };
  const cli = await geopartAsync(['remote', 'status', run.jobId], { cwd: tmp, env });
  expect(cli.status).toBe(0);
  expect(cli.stdout).toMatch(/^state +failed$/m);
  expect(cli.stdout).toMatch(/^stage +step0-udf FAILED: 2 succeeded, 1 failed, 0 running, 0 pending of 3$/m);
  expect(cli.stdout).toMatch(/^error +stage step0-udf failed: child 1 of 3/m);
}, 180_000);

test('cancel terminates every job of the run', async () => {
  const output = s3.url('out/sleepy');
  const step = new UdfJobStepConfig({
    udf: { module: s3.url('udf/cases.mjs'), name: 'sleepy', parameters: { ms: 120_000 } },
    input: [1, 2, 3, 4],
    output,
  });
  const run = await new JobConfig({ name: 'sleepy', steps: [step] }).runRemote({ ...options, tasks: 4 });
  const mine = () => [...batch.jobs.values()].filter((j) => j.environment.GEOPART_JOB_ID === run.jobId);
  // Once a child says it runs.
  await expect
    .poll(async () => (await listObjects(`${run.jobFolder}children/step0-udf/`)).length, {
      timeout: 60_000,
      interval: 20,
    })
    .toBeGreaterThan(0);

  const status = await run.cancel();
  expect(status.state).toBe('cancelled');
  const parents = mine()
    .filter((j) => j.index === null)
    .map((j) => j.jobId);
  expect(parents).toHaveLength(2);
  const terminated = batch.requests.filter((r) => r.operation === 'TerminateJob').map((r) => r.body.jobId);
  expect(terminated.sort()).toEqual([...parents].sort());
  await batch.idle();
  for (const j of mine()) expect(j.status, j.jobId).toBe('FAILED');
  expect(mine().every((j) => j.process === null)).toBe(true);
  expect((await run.status()).state).toBe('cancelled');
  expect(await listObjects(`${output}/`)).toEqual([]);
  // The children that had started were stopped by SIGTERM: each recorded itself failed, saying why.
  const records = await listObjects(`${run.jobFolder}children/step0-udf/`);
  expect(records.length).toBeGreaterThan(0);
  for (const o of records) {
    const r = JSON.parse(new TextDecoder().decode(await getObject(o.url)));
    expect(r).toMatchObject({ state: 'failed' });
    expect(r.error).toMatch(/^interrupted by SIGTERM: Batch terminated the job, or its attempt timed out/);
  }
}, 120_000);

test('status and cancel, attached while the run is being submitted, find every job; terminate tries them all', async () => {
  const step = new UdfJobStepConfig({
    udf: { module: s3.url('udf/cases.mjs'), name: 'sleepy', parameters: { ms: 120_000 } },
    input: [1, 2],
    output: s3.url('out/sleepy-attached'),
  });
  let seen: string[] | null = null;
  let attached: RunResponse | null = null;
  batch.beforeAnswer = async (operation, body) => {
    if (operation !== 'SubmitJob' || !String(body.jobName).endsWith('-step0-commit')) return;
    // Between the array's submission and the commit's: the run as another process finds it.
    const env = body.containerOverrides.environment as { name: string; value: string }[];
    const jobId = env.find((e) => e.name === 'GEOPART_JOB_ID')!.value;
    const launch = JSON.parse(
      new TextDecoder().decode(await getObject(`${s3.url('jobs')}/${jobId}/launch.json`)),
    ) as BatchLaunchRecord;
    seen = Object.keys(launch.jobs);
    attached = await attachJob(jobId, { jobPrefix: s3.url('jobs') });
  };
  let run: RunResponse;
  try {
    run = await new JobConfig({ name: 'sleepy-attached', steps: [step] }).runRemote({ ...options, tasks: 2 });
  } finally {
    batch.beforeAnswer = null;
  }
  expect(seen).toEqual(['step0-udf']);
  const parents = [...batch.jobs.values()]
    .filter((j) => j.environment.GEOPART_JOB_ID === run.jobId && j.index === null)
    .map((j) => j.jobId);
  expect(parents).toHaveLength(2);
  const before = batch.requests.length;
  expect((await attached!.cancel()).state).toBe('cancelled');
  const terminated = () =>
    batch.requests
      .slice(before)
      .filter((r) => r.operation === 'TerminateJob')
      .map((r) => r.body.jobId as string);
  expect(terminated().sort()).toEqual([...parents].sort());

  // One job Batch refuses to terminate does not keep the others from being tried.
  const urls = jobUrls(s3.url('jobs'), run.jobId);
  const launch = JSON.parse(new TextDecoder().decode(await getObject(urls.launch))) as BatchLaunchRecord;
  const commitId = launch.jobs['step0-commit']!;
  const backend = await attachBatch(urls, {
    ...launch,
    jobs: { 'step0-udf': 'no-such-job', 'step0-commit': commitId },
  });
  const mark = batch.requests.length;
  const err = await backend.terminate().then(
    () => null,
    (e: unknown) => e as GeopartError,
  );
  expect(err?.code).toBe('REMOTE_ERROR');
  expect(err?.message).toContain('could not terminate 1 of 2 job(s)');
  expect(err?.message).toContain('step0-udf (no-such-job)');
  expect(
    batch.requests
      .slice(mark)
      .filter((r) => r.operation === 'TerminateJob')
      .map((r) => r.body.jobId)
      .sort(),
  ).toEqual(['no-such-job', commitId].sort());
  await batch.idle();
}, 120_000);

describe('retries and leftovers of the children and the commit', () => {
  const output = () => s3.url('out/tenfold-retried');
  let run: RunResponse;
  let urls: JobUrls;
  let published: Map<string, Uint8Array>;
  const text = async (url: string) => JSON.parse(new TextDecoder().decode(await getObject(url)));
  const child = (stage: string, index: number | null, attempt: number) =>
    runBatchChild(`${run.jobFolder}run.json`, {
      stage,
      uploadIntervalMs: 60_000,
      env: {
        AWS_BATCH_JOB_ATTEMPT: String(attempt),
        ...(index === null ? {} : { AWS_BATCH_JOB_ARRAY_INDEX: String(index) }),
      },
    });
  const commitRecord = () => `${run.jobFolder}children/step0-commit/0.json`;
  const work = (name: string) => `${run.jobFolder}work/step0/${name}`;
  const names = async (prefix: string) => [...(await objects(prefix)).keys()].sort();

  beforeAll(async () => {
    // Input 4 fails and is recorded: child 1 of 2 (inputs 2 and 3) writes only 2.parquet.
    const step = new UdfJobStepConfig({
      udf: { module: s3.url('udf/cases.mjs'), name: 'tenfold', parameters: { fail_on: 4 } },
      input: [1, 2, 3, 4],
      output: output(),
      ignoreChunkError: true,
      overwrite: true,
    });
    run = await new JobConfig({ name: 'tenfold-retried', steps: [step] }).runRemote({ ...options, tasks: 2 });
    expect((await run.wait({ pollMs: 200 })).state, await run.logs()).toBe('succeeded');
    await batch.idle();
    urls = jobUrls(s3.url('jobs'), run.jobId);
    published = await objects(output());
    expect([...published.keys()].sort()).toEqual(['0.parquet', '1.parquet', '2.parquet', '_SUCCESS']);
  }, 120_000);

  test("a child's retry deletes its share's files of an earlier attempt; the commit publishes exactly the listed files", async () => {
    // An earlier attempt of child 1 wrote 3.parquet; some other leftover lies in the folder too.
    await putObject(work('3.parquet'), 'stale');
    await putObject(work('9.parquet'), 'stale');
    expect(await child('step0-udf', 1, 2)).toBe(0);
    expect(await child('step0-udf', 0, 2)).toBe(0);
    expect(await names(`${run.jobFolder}work/step0`)).toEqual([
      '0.parquet',
      '1.parquet',
      '2.parquet',
      '9.parquet',
    ]);
    expect(await text(`${run.jobFolder}children/step0-udf/1.json`)).toMatchObject({
      state: 'succeeded',
      attempt: 2,
      files: ['2.parquet'],
      inputs: 4,
    });
    // A new commit (its earlier record gone) publishes the listed files only, and cleans up.
    await putObject(commitRecord(), '{}');
    expect(await child('step0-commit', null, 1)).toBe(0);
    expect(await names(output())).toEqual(['0.parquet', '1.parquet', '2.parquet', '_SUCCESS']);
    for (const [name, bytes] of published) {
      if (name !== '_SUCCESS')
        expect(Buffer.from((await objects(output())).get(name)!)).toEqual(Buffer.from(bytes));
    }
    expect(await listObjects(`${run.jobFolder}work/`)).toEqual([]);
    expect(await text(commitRecord())).toMatchObject({ state: 'succeeded', published: true });
  }, 120_000);

  test('a commit retried after it published only cleans up and marks the run succeeded', async () => {
    // The attempt published, then failed (its work files deleted, the status not written).
    const record = await text(commitRecord());
    await putObject(commitRecord(), JSON.stringify({ ...record, state: 'failed', error: 'network down' }));
    await writeStatus(urls, {
      state: 'running',
      jobId: run.jobId,
      instanceId: null,
      startedAt: null,
      updatedAt: '',
      error: null,
    });
    expect(await child('step0-commit', null, 2)).toBe(0);
    expect(await readStatus(urls)).toMatchObject({ state: 'succeeded' });
    expect(await names(output())).toEqual(['0.parquet', '1.parquet', '2.parquet', '_SUCCESS']);
    expect(await text(commitRecord())).toMatchObject({
      state: 'succeeded',
      attempt: 2,
      report: { files: 3 },
    });
  }, 60_000);

  test('a commit killed while publishing: its retry removes exactly what it uploaded, then publishes', async () => {
    // Killed after two files, before the marker: the work files are still there.
    const targets = ['0.parquet', '1.parquet', '2.parquet', '_SUCCESS'].map((n) => `${output()}/${n}`);
    const killed = async () => {
      for (const name of ['0.parquet', '1.parquet', '2.parquet'])
        await putObject(work(name), published.get(name)!);
      await deleteObjects([`${output()}/_SUCCESS`, `${output()}/2.parquet`]);
      const record = await text(commitRecord());
      await putObject(
        commitRecord(),
        JSON.stringify({ ...record, state: 'running', report: null, published: false, publishing: targets }),
      );
    };
    // Something geopart did not write lies at the output too: it stays, and the retry refuses, naming the output.
    await killed();
    await putObject(`${output()}/notes.txt`, 'mine');
    expect(await child('step0-commit', null, 2)).toBe(1);
    expect(await names(output())).toEqual(['notes.txt']);
    expect((await text(commitRecord())).error).toContain(
      `output ${output()} holds 1 object(s) but no _SUCCESS`,
    );
    await deleteObjects([`${output()}/notes.txt`]);

    await killed();
    expect(await child('step0-commit', null, 3)).toBe(0);
    const now = await objects(output());
    expect([...now.keys()].sort()).toEqual(['0.parquet', '1.parquet', '2.parquet', '_SUCCESS']);
    for (const [name, bytes] of published) expect(Buffer.from(now.get(name)!)).toEqual(Buffer.from(bytes));
    expect(await listObjects(`${run.jobFolder}work/`)).toEqual([]);
    expect(await text(commitRecord())).toMatchObject({ state: 'succeeded', published: true });
  }, 60_000);

  test('children that found different numbers of inputs: the commit refuses', async () => {
    for (const name of ['0.parquet', '1.parquet', '2.parquet'])
      await putObject(work(name), published.get(name)!);
    const one = `${run.jobFolder}children/step0-udf/1.json`;
    await putObject(one, JSON.stringify({ ...(await text(one)), inputs: 5 }));
    await putObject(commitRecord(), '{}');
    expect(await child('step0-commit', null, 1)).toBe(1);
    expect((await text(commitRecord())).error).toContain(
      "stage step0-udf: the children found different numbers of inputs (child 0: 4, child 1: 5); the step's inputs changed during the run",
    );
  }, 60_000);
});
