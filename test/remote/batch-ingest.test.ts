/**
 * Ingest steps on AWS Batch, on this machine: the real Batch SDK talks to the fake Batch server
 * (test/helpers/batch-server.ts), which runs every child as a real `geopart` process against
 * s3rver. The table a run on Batch writes must be the bytes of a local run's.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { JobConfig } from '../../src/config/job.js';
import { UdfJobStepConfig } from '../../src/config/udf-step.js';
import { GeopartError } from '../../src/errors.js';
import { getObject, listObjects, putObject } from '../../src/io/s3.js';
import type { BatchRunRemoteOptions } from '../../src/remote/batch-options.js';
import { jobUrls, readStatus } from '../../src/remote/job-store.js';
import { type FakeBatch, registerTestDefinition, startBatch } from '../helpers/batch-server.js';
import { ROOT } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { query } from '../helpers/duckdb.js';
import { type LocalS3, startS3 } from '../helpers/s3.js';

let s3: LocalS3;
let batch: FakeBatch;
let tmp: string;
let options: BatchRunRemoteOptions;

const CHUNK_STATS = join(ROOT, 'fixtures/jobs/chunk-stats.mjs');
/** Five real files of different columns and geometry types, unioned by name as locally. */
const INPUTS = [
  'flatgeobuf/countries.fgb',
  'geoarrow/natural-earth_cities.fgb',
  'geoarrow/quadrangles_100k.fgb',
  'flatgeobuf/poly00.fgb',
  'geoarrow/example-crs_vermont-4326.fgb',
];
let inputs: string[];

beforeAll(async () => {
  s3 = await startS3();
  batch = await startBatch({ slots: 4 });
  tmp = await mkdtemp(join(tmpdir(), 'geopart-batch-ingest-'));
  await registerTestDefinition(batch);
  inputs = [];
  for (const path of INPUTS) {
    const url = s3.url(`in/${path.split('/').pop()}`);
    await putObject(url, readFileSync(dataPath(path)));
    inputs.push(url);
  }
  await putObject(s3.url('udf/chunk-stats.mjs'), readFileSync(CHUNK_STATS));
  options = {
    engine: 'batch',
    jobQueue: 'geopart-queue',
    tasks: 4,
    writeTasks: 3,
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

/** An ingest of `input` into `table`, then chunk statistics over the table's chunks into `stats`. */
function twoSteps(input: string[], table: string, stats: string, module: string): JobConfig {
  return new JobConfig({
    name: 'ingest-then-stats',
    steps: [
      ingest(input, table, { partitioningMaximumPerFile: 300, partitioningMaximumPerChunk: 60 }),
      new UdfJobStepConfig({
        udf: { module, name: 'default', parameters: { geometry_column: 'geometry' } },
        input: { chunksOf: table },
        output: stats,
      }),
    ],
  });
}

/** Every object under `prefix`, by name relative to it, with its bytes. */
async function objects(prefix: string): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  for (const o of await listObjects(`${prefix}/`))
    found.set(o.url.slice(prefix.length + 1), await getObject(o.url));
  return found;
}

function expectSameObjects(theirs: Map<string, Uint8Array>, mine: Map<string, Uint8Array>): void {
  expect([...theirs.keys()].sort()).toEqual([...mine.keys()].sort());
  for (const [name, bytes] of mine)
    expect(Buffer.compare(Buffer.from(theirs.get(name)!), Buffer.from(bytes)), name).toBe(0);
}

const submitsOf = (jobId: string) =>
  batch.requests
    .filter((r) => r.operation === 'SubmitJob')
    .map((r) => r.body)
    .filter((b) => b.containerOverrides.environment.some((e: { value: string }) => e.value === jobId));

describe('an ingest and a UDF over its chunks, on 4 scan and 3 write children', () => {
  let local: { table: Map<string, Uint8Array>; stats: Map<string, Uint8Array> };

  beforeAll(async () => {
    const job = twoSteps(inputs, s3.url('local/table'), s3.url('local/stats'), CHUNK_STATS);
    await job.runLocal({ threads: 2 });
    local = { table: await objects(s3.url('local/table')), stats: await objects(s3.url('local/stats')) };
    // Several files of several chunks each: every write child has files to write.
    expect(local.table.size).toBeGreaterThan(6);
  }, 120_000);

  test('gives the bytes of a local run; DuckDB reads the rows; the work files go', async () => {
    const table = s3.url('batch/table');
    const stats = s3.url('batch/stats');
    const launched = Date.now();
    const run = await twoSteps(inputs, table, stats, s3.url('udf/chunk-stats.mjs')).runRemote({
      ...options,
      attempts: 2,
      childTimeoutSeconds: 600,
      additionalEnv: ['GREETING=hello'],
    });
    const status = await run.wait({ pollMs: 200 });
    expect(status, await run.logs()).toMatchObject({ state: 'succeeded', engine: 'batch', error: null });
    // The run started when its first job did, by Batch's clock.
    const started = Date.parse(status.startedAt!);
    expect(started).toBeGreaterThanOrEqual(launched);
    expect(started).toBeLessThanOrEqual(Date.parse(status.updatedAt!));
    expectSameObjects(await objects(table), local.table);
    expectSameObjects(await objects(stats), local.stats);
    expect(await listObjects(`${run.jobFolder}work/`)).toEqual([]);

    // DuckDB reads the table downloaded from S3, with every row of the inputs.
    const dir = join(tmp, 'batch-table');
    await rm(dir, { recursive: true, force: true });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir);
    for (const [name, bytes] of await objects(table))
      if (name.endsWith('.parquet')) await writeFile(join(dir, name), bytes);
    const report = JSON.parse(
      new TextDecoder().decode(await getObject(`${run.jobFolder}children/step0-commit/0.json`)),
    ).report;
    const [{ n }] = (await query(
      `SELECT count(*)::INTEGER AS n FROM read_parquet('${dir}/*.parquet', union_by_name = true)`,
    )) as [{ n: number }];
    expect(n).toBe(report.rowsWritten);
    expect(report).toMatchObject({ inputFiles: 5, rowsRead: 2242, rowsWritten: 2244 });

    // The stages, in order, each with a plain dependency on the one before.
    const sent = submitsOf(run.jobId);
    const stages = [
      'step0-scan',
      'step0-plan',
      'step0-shuffle',
      'step0-write',
      'step0-commit',
      'step1-udf',
      'step1-commit',
    ];
    expect(sent.map((b) => b.containerOverrides.command.at(-1))).toEqual(stages);
    expect(sent.map((b) => b.arrayProperties?.size ?? 1)).toEqual([4, 1, 4, 3, 1, 4, 1]);
    const ids = stages.map(
      (s) =>
        [...batch.jobs.values()].find(
          (j) => j.jobName.endsWith(s) && j.environment.GEOPART_JOB_ID === run.jobId && j.index === null,
        )!.jobId,
    );
    expect(sent[0].dependsOn).toBeUndefined();
    for (let k = 1; k < sent.length; k++) expect(sent[k].dependsOn).toEqual([{ jobId: ids[k - 1] }]);
    for (const b of sent) {
      expect(b.retryStrategy).toEqual({ attempts: 2 });
      const env = Object.fromEntries(
        b.containerOverrides.environment.map((e: { name: string; value: string }) => [e.name, e.value]),
      );
      expect(env).toMatchObject({
        GREETING: 'hello',
        GEOPART_JOB_ID: run.jobId,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
      });
    }
    // The plan and the commits run once for the whole step: no per-child time limit.
    expect(sent.map((b) => b.timeout?.attemptDurationSeconds ?? null)).toEqual([
      600,
      null,
      600,
      600,
      null,
      600,
      null,
    ]);

    await batch.idle();
    expect((await run.status()).stages?.map((s) => [s.name, s.status, s.size, s.succeeded])).toEqual(
      stages.map((s, k) => [s, 'SUCCEEDED', [4, 1, 4, 3, 1, 4, 1][k], [4, 1, 4, 3, 1, 4, 1][k]]),
    );
    const log = await run.logs();
    // Each child opened only its own inputs (5 files, one piece each, over 4 children).
    expect(log).toMatch(
      /\[step0-scan 3\.1\] scan: \d+ rows \(2 of 5 input files opened\) in [\d.]+ s; [\d.]+ MB read from S3, [\d.]+ MB written to it/,
    );
    for (const c of [0, 1, 2])
      expect(log).toMatch(
        new RegExp(`\\[step0-scan ${c}\\.1\\] scan: \\d+ rows \\(1 of 5 input files opened\\)`),
      );
    expect(log).toMatch(/\[step0-commit 0\.1\] wrote s3:\/\/.*batch\/table: 2,244 rows in \d+ files/);
  }, 300_000);

  test('a scan child killed mid-run is retried, and the table is still the bytes of a local run', async () => {
    const table = s3.url('killed/table');
    const stats = s3.url('killed/stats');
    const run = await twoSteps(inputs, table, stats, s3.url('udf/chunk-stats.mjs')).runRemote({
      ...options,
      attempts: 2,
    });
    // Child 1 of the scan, once it has said it runs.
    const record = `${run.jobFolder}children/step0-scan/1.json`;
    await expect
      .poll(async () => (await listObjects(record)).length, { timeout: 60_000, interval: 20 })
      .toBe(1);
    const child = [...batch.jobs.values()].find(
      (j) => j.environment.GEOPART_JOB_ID === run.jobId && j.jobName.endsWith('step0-scan') && j.index === 1,
    )!;
    expect(child.process).not.toBeNull();
    child.process!.kill('SIGKILL');
    const status = await run.wait({ pollMs: 200 });
    expect(status.state, await run.logs()).toBe('succeeded');
    expect(child.attempts.map((a) => a.reason)).toEqual(['killed by SIGKILL', null]);
    expectSameObjects(await objects(table), local.table);
    expectSameObjects(await objects(stats), local.stats);
  }, 300_000);
});

/**
 * Ingests `input` locally and on Batch (with `extra` options) into `<name>/local` and
 * `<name>/batch` with the caps `[per file, per chunk]`, checks that the tables are the same
 * bytes, and returns the Batch run's log.
 */
async function sameAsLocal(
  name: string,
  input: string[],
  [perFile, perChunk]: [number, number],
  extra: Partial<BatchRunRemoteOptions>,
): Promise<string> {
  const step = (output: string) =>
    ingest(input, output, { partitioningMaximumPerFile: perFile, partitioningMaximumPerChunk: perChunk });
  await new JobConfig({ name: `${name}-local`, steps: [step(s3.url(`${name}/local`))] }).runLocal({
    threads: 2,
  });
  const run = await new JobConfig({
    name: `${name}-batch`,
    steps: [step(s3.url(`${name}/batch`))],
  }).runRemote({
    ...options,
    ...extra,
  });
  expect((await run.wait({ pollMs: 200 })).state, await run.logs()).toBe('succeeded');
  expectSameObjects(await objects(s3.url(`${name}/batch`)), await objects(s3.url(`${name}/local`)));
  return run.logs();
}

test('eight files over 2 scan children: each opens only its own 4, and the table is the bytes of a local run', async () => {
  // Files of different columns on either side of the split: the plan unions the shares' schemas.
  // A folder of their own: GDAL keeps the listing of a folder it has read.
  const eight: string[] = [];
  for (const [i, path] of [...INPUTS, ...INPUTS.slice(0, 3)].entries()) {
    const url = s3.url(`eight-in/${i}-${path.split('/').pop()}`);
    await putObject(url, readFileSync(dataPath(path)));
    eight.push(url);
  }
  const log = await sameAsLocal('eight', eight, [500, 100], { tasks: 2, writeTasks: 2 });
  for (const c of [0, 1])
    expect(log).toMatch(
      new RegExp(`\\[step0-scan ${c}\\.1\\] scan: [1-9][\\d,]* rows \\(4 of 8 input files opened\\)`),
    );
}, 300_000);

test('a column of two types in two shares fails the plan, naming both files', async () => {
  const folder = s3.url('clash-in/');
  for (let i = 0; i < 8; i++) {
    const v = i < 4 ? i : `s${i}`;
    const features = [
      { type: 'Feature', properties: { v }, geometry: { type: 'Point', coordinates: [i, i] } },
    ];
    await putObject(`${folder}${i}.geojson`, JSON.stringify({ type: 'FeatureCollection', features }));
  }
  const run = await new JobConfig({
    name: 'clash',
    steps: [ingest(`${folder}*.geojson`, s3.url('clash-out/t'))],
  }).runRemote({
    ...options,
    tasks: 2,
  });
  const status = await run.wait({ pollMs: 200 });
  expect(status.state).toBe('failed');
  expect(status.error).toContain('stage step0-plan failed');
  expect(status.error).toMatch(/column v is .* in .*clash-in\/0\.geojson but .* in .*clash-in\/4\.geojson/);
}, 300_000);

test('one Parquet file is shared by its row groups over 4 scan children: the bytes of a local run', async () => {
  // A file of many row groups: a data file of a table geopart wrote, one row group per chunk.
  const dir = join(tmp, 'one-file');
  await ingest(INPUTS.map(dataPath), dir, {
    partitioningMaximumPerFile: 5000,
    partitioningMaximumPerChunk: 100,
  }).runLocal({
    threads: 2,
  });
  const one = s3.url('in/one.parquet');
  await putObject(one, readFileSync(join(dir, '0.parquet')));
  const log = await sameAsLocal('one', [one], [400, 80], { writeTasks: 2 });
  // Every scan child read a share of the file's row groups.
  for (const c of [0, 1, 2, 3])
    expect(log).toMatch(new RegExp(`\\[step0-scan ${c}\\.1\\] scan: [1-9]\\d* rows`));
}, 300_000);

test('scan children that keep failing fail the run: no _sample; status names stage, child, reason and the work folder', async () => {
  // The last input is cut short, and its features cannot be read: the child whose share it is
  // (each of 4 inputs is one child's) fails, twice.
  const cut = s3.url('in/cut.fgb');
  await putObject(cut, readFileSync(dataPath('flatgeobuf/countries.fgb')).subarray(0, 150_000));
  const table = s3.url('failing/table');
  const job = new JobConfig({ name: 'failing', steps: [ingest([...inputs.slice(0, 3), cut], table)] });
  const run = await job.runRemote({ ...options, attempts: 2 });
  const status = await run.wait({ pollMs: 200 });
  expect(status.state).toBe('failed');
  // The failure is recorded with the run's start.
  expect((await readStatus(jobUrls(options.jobPrefix!, run.jobId)))?.startedAt).toBe(status.startedAt);
  expect(Number.isNaN(Date.parse(status.startedAt!))).toBe(false);
  expect(status.error).toContain('stage step0-scan failed: child 3 of 4 failed (attempt 2)');
  expect(status.error).toContain(`${cut}`);
  expect(status.error).toContain('Unexpected I/O failure: reading feature');
  expect(status.error).toContain(`the step's work files are kept under ${run.jobFolder}work/step0/`);
  expect(await listObjects(`${table}/`)).toEqual([]);
  expect(status.stages?.map((s) => [s.name, s.status])).toEqual([
    ['step0-scan', 'FAILED'],
    ['step0-plan', 'FAILED'],
    ['step0-shuffle', 'FAILED'],
    ['step0-write', 'FAILED'],
    ['step0-commit', 'FAILED'],
  ]);
}, 300_000);

test('an input folder that gains a file between scan children fails the plan, which names the change', async () => {
  const folder = s3.url('changing/');
  for (const path of INPUTS.slice(0, 2))
    await putObject(`${folder}${path.split('/').pop()}`, readFileSync(dataPath(path)));
  // Scan child 1 starts once child 0 has scanned and summed up its share, and after a file is added.
  batch.beforeStart = async (job) => {
    if (job.environment.MARK !== 'changing' || !job.jobName.endsWith('step0-scan') || job.index !== 1) return;
    const summary = `${jobUrls(options.jobPrefix!, job.environment.GEOPART_JOB_ID!).folder}work/step0/scan/0.pack`;
    await expect
      .poll(async () => (await listObjects(summary)).length, {
        timeout: 60_000,
        interval: 20,
      })
      .toBe(1);
    await putObject(`${folder}zz-late.fgb`, readFileSync(dataPath(INPUTS[2]!)));
  };
  try {
    const table = s3.url('changing-out/table');
    const run = await new JobConfig({ name: 'changing', steps: [ingest(folder, table)] }).runRemote({
      ...options,
      additionalEnv: ['MARK=changing'],
    });
    const status = await run.wait({ pollMs: 200 });
    expect(status.state).toBe('failed');
    expect(status.error).toContain('stage step0-plan failed');
    expect(status.error).toContain('scan children 0 and 1 found different inputs');
    expect(status.error).toContain("the step's inputs changed during the run");
    expect(await listObjects(`${table}/`)).toEqual([]);
  } finally {
    batch.beforeStart = null;
  }
}, 300_000);

test('an ingest is refused before any request: a local input or output, write tasks out of range', async () => {
  const refused = async (job: JobConfig, extra: Partial<BatchRunRemoteOptions> = {}) => {
    const before = batch.requests.length;
    const err = await job
      .runRemote({ ...options, jobPrefix: s3.url('refused-jobs'), ...extra } as BatchRunRemoteOptions)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(GeopartError);
    expect(batch.requests.length).toBe(before);
    expect(await listObjects(s3.url('refused-jobs/'))).toEqual([]);
    return (err as GeopartError).message;
  };
  const one = (input: string, output: string) =>
    new JobConfig({ name: 'refused', steps: [ingest(input, output)] });
  expect(await refused(one(dataPath(INPUTS[0]!), s3.url('refused/t')))).toMatch(
    /steps\[0\]\.input: ".*countries\.fgb" is a local path; the instance cannot read local files/,
  );
  expect(await refused(one(inputs[0]!, join(tmp, 'local-table')))).toContain(
    'is not an s3:// URL; a remote job can only write to S3',
  );
  for (const writeTasks of [0, 10_001, 1.5])
    expect(await refused(one(inputs[0]!, s3.url('refused/t')), { writeTasks })).toContain(
      `write_tasks: got ${writeTasks}; expected a whole number of children from 1 to 10,000 (--write-tasks)`,
    );
}, 60_000);

test('cancel terminates every job of an ingest', async () => {
  const run = await twoSteps(
    inputs,
    s3.url('cancelled/table'),
    s3.url('cancelled/stats'),
    s3.url('udf/chunk-stats.mjs'),
  ).runRemote(options);
  const mine = () => [...batch.jobs.values()].filter((j) => j.environment.GEOPART_JOB_ID === run.jobId);
  // Once a scan child says it runs.
  const records = () => listObjects(`${run.jobFolder}children/step0-scan/`);
  await expect
    .poll(async () => (await records()).length, { timeout: 60_000, interval: 20 })
    .toBeGreaterThan(0);
  expect((await run.cancel()).state).toBe('cancelled');
  const parents = mine()
    .filter((j) => j.index === null)
    .map((j) => j.jobId);
  expect(parents).toHaveLength(7);
  const terminated = batch.requests.filter((r) => r.operation === 'TerminateJob').map((r) => r.body.jobId);
  for (const id of parents) expect(terminated).toContain(id);
  await batch.idle();
  for (const j of mine()) expect(j.status, j.jobId).toBe('FAILED');
  expect(await listObjects(s3.url('cancelled/'))).toEqual([]);
  // No child is left saying it runs: each finished, or recorded itself stopped (SIGTERM).
  const seen = await Promise.all(
    (await records()).map(async (o) => JSON.parse(new TextDecoder().decode(await getObject(o.url)))),
  );
  for (const r of seen) {
    if (r.state === 'succeeded') continue;
    expect(r.state).toBe('failed');
    expect(r.error).toMatch(/^interrupted by SIGTERM: Batch terminated the job, or its attempt timed out/);
  }
}, 120_000);
