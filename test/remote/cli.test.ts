import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { putObject } from '../../src/io/s3.js';
import { jobUrls, type StatusRecord, writeStatus } from '../../src/remote/job-store.js';
import { geopartAsync } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { type FakeEc2, startEc2 } from '../helpers/ec2-server.js';
import { type LocalS3, startS3 } from '../helpers/s3.js';

let s3: LocalS3;
let ec2: FakeEc2;
let tmp: string;
let jobFile: string;

/** Runs the built CLI without blocking this process, which serves the EC2 API. */
async function geopart(args: readonly string[], onStdout?: (all: string) => void) {
  const env = { ...process.env, AWS_ENDPOINT_URL_EC2: ec2.endpoint, GEOPART_JOB_PREFIX: s3.url('jobs') };
  const r = await geopartAsync(args, { cwd: tmp, env, onStdout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  s3 = await startS3();
  ec2 = await startEc2();
  tmp = await mkdtemp(join(tmpdir(), 'geopart-remote-cli-'));
  const input = s3.url('in/countries.fgb');
  await putObject(input, readFileSync(dataPath('flatgeobuf/countries.fgb')));
  jobFile = join(tmp, 'countries.json');
  const step = { type: 'partition_geospatial', input, output: s3.url('tables/countries') };
  await writeFile(jobFile, JSON.stringify({ name: 'countries', steps: [step] }));
});

afterAll(async () => {
  await ec2?.stop();
  await s3?.stop();
  await rm(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  ec2.requests.length = 0;
});

function status(jobId: string, instanceId: string, fields: Partial<StatusRecord>): StatusRecord {
  return {
    state: 'running',
    jobId,
    instanceId,
    startedAt: null,
    updatedAt: new Date().toISOString(),
    error: null,
    ...fields,
  };
}

async function launch(): Promise<{ jobId: string; instanceId: string }> {
  const r = await geopart(['remote', 'run', jobFile, '--region', 'us-east-1', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { jobId: string; instanceId: string };
}

describe('geopart remote', () => {
  test('run launches with the flags given, and status reports the job', async () => {
    const r = await geopart([
      'remote',
      'run',
      jobFile,
      '--instance-type',
      'm5.2xlarge',
      '--region',
      'us-west-2',
      '--disk-size-gb',
      '40',
      '--env',
      'A=1',
      '--env',
      'B=two words',
      '--install-spec',
      'https://example.org/geopart.tgz',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [, jobId, instanceId] = /^launched job (\S+) on instance (i-\w+)\n/.exec(r.stdout) ?? [];
    expect(jobId).toMatch(/^countries-/);
    const p = ec2.requests.find((q) => q.action === 'RunInstances')!.params;
    expect(p).toMatchObject({ InstanceType: 'm5.2xlarge', 'BlockDeviceMapping.1.Ebs.VolumeSize': '40' });
    const userData = Buffer.from(p.UserData!, 'base64').toString();
    expect(userData).toContain("export B='two words'");
    expect(userData).toContain("export GEOPART_INSTALL_SPEC='https://example.org/geopart.tgz'\n");

    const s = await geopart(['remote', 'status', jobId!]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain(`job      ${jobId}\nstate    pending\ninstance ${instanceId} (running)\n`);
    const j = await geopart(['remote', 'status', jobId!, '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({
      jobId,
      instanceId,
      state: 'pending',
      instanceState: 'running',
    });
  });

  test('logs prints the log, and --follow until the job ends', async () => {
    const { jobId, instanceId } = await launch();
    const urls = jobUrls(s3.url('jobs'), jobId);
    await putObject(urls.log, 'line one\nline two\n');
    const r = await geopart(['remote', 'logs', jobId]);
    expect(r.stdout).toBe('line one\nline two\n');

    await writeStatus(urls, status(jobId, instanceId, { state: 'running' }));
    let finished = false;
    const follow = geopart(['remote', 'logs', jobId, '--follow', '--poll', '0.05'], (out) => {
      if (!finished && out.includes('line two')) {
        finished = true;
        void putObject(urls.log, 'line one\nline two\nline three\n').then(() =>
          writeStatus(urls, status(jobId, instanceId, { state: 'succeeded' })),
        );
      }
    });
    const f = await follow;
    expect(f.code, f.stderr).toBe(0);
    expect(f.stdout).toBe('line one\nline two\nline three\n');
  });

  test('run --wait prints the log as it grows and exits with the job', async () => {
    let written = false;
    const r = await geopart(
      ['remote', 'run', jobFile, '--region', 'us-east-1', '--wait', '--poll', '0.05'],
      (out) => {
        const m = /^launched job (\S+) on instance (i-\w+)/.exec(out);
        if (!m || written) return;
        written = true;
        const urls = jobUrls(s3.url('jobs'), m[1]!);
        void putObject(urls.log, 'working\n').then(() =>
          writeStatus(urls, status(m[1]!, m[2]!, { state: 'failed', error: 'out of memory' })),
        );
      },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('working\n');
    expect(r.stdout).toMatch(/state {4}failed\n[\s\S]*error {4}out of memory\n$/);
  });

  test('cancel terminates the instance', async () => {
    const { jobId, instanceId } = await launch();
    ec2.requests.length = 0;
    const r = await geopart(['remote', 'cancel', jobId]);
    expect(r.code, r.stderr).toBe(0);
    expect(ec2.requests.find((q) => q.action === 'TerminateInstances')?.params['InstanceId.1']).toBe(
      instanceId,
    );
    expect(r.stdout).toContain('state    cancelled\n');
    expect(r.stdout).toContain(`instance ${instanceId} (terminated)`);
  });

  test('refuses a bad instance type before any request, and says what is allowed', async () => {
    const r = await geopart([
      'remote',
      'run',
      jobFile,
      '--region',
      'us-east-1',
      '--instance-type',
      't2.micro',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('instance_type: got "t2.micro"; expected one of m5.large');
    expect(ec2.requests).toEqual([]);
  });

  test('help, an unknown subcommand and an unknown job', async () => {
    const help = await geopart(['help', 'remote']);
    expect(help.stdout).toContain('Usage: geopart remote run JOB.json');
    const bad = await geopart(['remote', 'start', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'unknown remote command "start"; expected run, status, logs, cancel or batch-setup',
    );
    const missing = await geopart(['remote', 'status', 'nope-20250101T000000Z-abcdef']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no remote job nope-20250101T000000Z-abcdef under');
  });
});
