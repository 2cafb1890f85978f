/**
 * The whole remote path on this machine: a job is launched against the local EC2 and S3
 * servers, and the user data EC2 received is run with bash, as cloud-init would run it, with
 * the install step skipped and `geopart` on the PATH pointing at this checkout's build.
 */
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { JobConfig } from '../../src/config/job.js';
import { getObject, listObjects, putObject } from '../../src/io/s3.js';
import type { RunResponse } from '../../src/remote/run-response.js';
import { ROOT } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { type FakeEc2, startEc2 } from '../helpers/ec2-server.js';
import { ogrFeatures } from '../helpers/ogr.js';
import { type LocalS3, startS3 } from '../helpers/s3.js';

let s3: LocalS3;
let ec2: FakeEc2;
let tmp: string;
let shimDir: string;

beforeAll(async () => {
  s3 = await startS3();
  ec2 = await startEc2();
  tmp = await mkdtemp(join(tmpdir(), 'geopart-bootstrap-'));
  shimDir = join(tmp, 'bin');
  await mkdir(shimDir);
  // What `npm install -g geopart` would put on the PATH, pointing at this checkout's build.
  writeFileSync(
    join(shimDir, 'geopart'),
    `#!/bin/sh\nexec '${process.execPath}' '${ROOT}bin/geopart.js' "$@"\n`,
  );
  chmodSync(join(shimDir, 'geopart'), 0o755);
});

afterAll(async () => {
  await ec2?.stop();
  await s3?.stop();
  await rm(tmp, { recursive: true, force: true });
});

const SECRET = 'not-a-real-token-3f9a';

/** Runs the user data of the last RunInstances with bash, as the instance would. */
async function runUserData(run: RunResponse, name: string): Promise<{ code: number | null; output: string }> {
  const launch = ec2.requests.filter((r) => r.action === 'RunInstances').at(-1)!;
  const script = join(tmp, `${name}.sh`);
  await writeFile(script, Buffer.from(launch.params.UserData!, 'base64'));
  const child = spawn('bash', [script], {
    cwd: tmp,
    env: {
      ...process.env,
      PATH: `${shimDir}:${process.env.PATH}`,
      GEOPART_SKIP_INSTALL: '1',
      GEOPART_NO_SHUTDOWN: '1',
      GEOPART_INSTANCE_ID: run.instanceId!,
      GEOPART_BOOTSTRAP_LOG: join(tmp, `${name}.log`),
      GEOPART_LOG_INTERVAL_MS: '200',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const code = await new Promise<number | null>((ok) => child.once('close', ok));
  return { code, output };
}

test('the user data, run by bash, runs the job into S3 and reports it', async () => {
  const input = s3.url('in/countries.fgb');
  await putObject(input, readFileSync(dataPath('flatgeobuf/countries.fgb')));
  const output = s3.url('tables/countries');
  const job = new JobConfig({
    name: 'countries',
    steps: [ingest(input, output, { partitioningMaximumPerFile: 60, partitioningMaximumPerChunk: 20 })],
  });
  const run = await job.runRemote({
    jobPrefix: s3.url('jobs'),
    ec2Endpoint: ec2.endpoint,
    region: 'us-east-1',
    instanceType: 'm5.xlarge',
    additionalEnv: [`SERVICE_TOKEN=${SECRET}`],
  });

  const { code, output: consoleText } = await runUserData(run, 'countries');
  expect(code, consoleText).toBe(0);

  const status = await run.wait({ pollMs: 50 });
  expect(status).toMatchObject({ state: 'succeeded', instanceId: run.instanceId, error: null });
  expect(status.startedAt).not.toBeNull();

  const log = await run.logs();
  expect(log).toContain(`geopart bootstrap: job ${run.jobId}`);
  expect(log).toContain(`geopart agent: job ${run.jobId} on ${run.instanceId}`);
  expect(log).toContain('job environment: SERVICE_TOKEN (values not shown)');
  expect(log).toMatch(/job succeeded\n$/);
  expect(log).not.toContain(SECRET);
  expect(consoleText).not.toContain(SECRET);

  // The table, downloaded from S3 and read by DuckDB, holds every feature of the input.
  const objects = await listObjects(`${output}/`);
  const names = objects.map((o) => o.url.slice(output.length + 1));
  expect(names).toContain('_sample');
  const local = join(tmp, 'countries-table');
  await mkdir(local);
  for (const o of objects) {
    await writeFile(join(local, o.url.slice(output.length + 1)), await getObject(o.url));
  }
  const dataFiles = names.filter((n) => /^\d+\.parquet$/.test(n));
  expect(dataFiles.length).toBeGreaterThan(1);
  const [row] = await query(`SELECT count(*) AS n FROM read_parquet(${lit(`${local}/*.parquet`)})`);
  // Russia and Fiji are split at the antimeridian into one row per side.
  expect(row!.n).toBe(ogrFeatures(dataPath('flatgeobuf/countries.fgb')).length + 2);
});

test('a job that fails on the instance reports failed, with the reason', async () => {
  const job = new JobConfig({
    name: 'broken',
    steps: [ingest(s3.url('in/not-a-dataset.fgb'), s3.url('tables/broken'))],
  });
  await putObject(s3.url('in/not-a-dataset.fgb'), 'this is not a FlatGeobuf file\n');
  const run = await job.runRemote({
    jobPrefix: s3.url('jobs'),
    ec2Endpoint: ec2.endpoint,
    region: 'us-east-1',
  });
  const { code } = await runUserData(run, 'broken');
  expect(code).not.toBe(0);
  const status = await run.status();
  expect(status.state).toBe('failed');
  expect(status.error).toContain('not-a-dataset.fgb');
  expect(await run.logs()).toMatch(/job failed\n$/);
  expect((await listObjects(s3.url('tables/broken/'))).map((o) => o.url)).not.toContain(
    s3.url('tables/broken/_sample'),
  );
});
