/**
 * `geopart remote batch-setup`: the job definition of Batch runs, printed with `--print` or
 * registered through the real Batch SDK on the fake Batch server, and refused before any request
 * when an option is bad.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { GeopartError } from '../../src/errors.js';
import { submitJob } from '../../src/remote/batch.js';
import { validateBatchOptions } from '../../src/remote/batch-options.js';
import { type BatchSetupOptions, jobDefinitionRequest, setupBatch } from '../../src/remote/batch-setup.js';
import { type FakeBatch, startBatch } from '../helpers/batch-server.js';
import { geopart, geopartAsync, ROOT } from '../helpers/cli.js';

const VERSION = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version;
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/geopart:0.1.0';
const JOB_ROLE = 'arn:aws:iam::123456789012:role/geopart-batch-job';
const EXEC_ROLE = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';

let batch: FakeBatch;

beforeAll(async () => {
  batch = await startBatch();
  // The fake server takes any signed request; the SDK wants some keys to sign with.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await batch?.stop();
});

/** The GeopartError `fn` throws. */
function thrown(fn: () => unknown): GeopartError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GeopartError) return err;
    throw err;
  }
  throw new Error('expected a GeopartError');
}

describe('jobDefinitionRequest', () => {
  test('by default: a container of 2 vCPUs and 4 GiB on EC2, named as runs look it up', () => {
    const request = jobDefinitionRequest({ image: IMAGE, jobRoleArn: JOB_ROLE }, VERSION);
    expect(request).toEqual({
      jobDefinitionName: 'geopart',
      type: 'container',
      platformCapabilities: ['EC2'],
      containerProperties: {
        image: IMAGE,
        command: ['geopart', '--help'],
        resourceRequirements: [
          { type: 'VCPU', value: '2' },
          { type: 'MEMORY', value: '4096' },
        ],
        jobRoleArn: JOB_ROLE,
      },
      retryStrategy: { attempts: 2 },
      propagateTags: true,
      tags: { 'geopart:version': VERSION },
    });
    // What a run submits with when not told otherwise: this definition, this many attempts.
    const run = validateBatchOptions({ engine: 'batch', jobQueue: 'q', tasks: 2 }, {});
    expect(request.jobDefinitionName).toBe(run.jobDefinition);
    expect(request.retryStrategy.attempts).toBe(run.attempts);
    expect(request).not.toHaveProperty('timeout');
  });

  test('on Fargate: its sizes, the execution role, the network', () => {
    const request = jobDefinitionRequest(
      {
        image: IMAGE,
        platform: 'FARGATE',
        vcpus: 0.5,
        memoryMiB: 2048,
        executionRoleArn: EXEC_ROLE,
        assignPublicIp: true,
        jobDefinition: 'geopart-fargate',
      },
      VERSION,
    );
    expect(request.jobDefinitionName).toBe('geopart-fargate');
    expect(request.platformCapabilities).toEqual(['FARGATE']);
    expect(request.containerProperties).toMatchObject({
      resourceRequirements: [
        { type: 'VCPU', value: '0.5' },
        { type: 'MEMORY', value: '2048' },
      ],
      executionRoleArn: EXEC_ROLE,
      networkConfiguration: { assignPublicIp: 'ENABLED' },
      fargatePlatformConfiguration: { platformVersion: 'LATEST' },
    });
    expect(request.containerProperties).not.toHaveProperty('jobRoleArn');
  });

  const fargate: BatchSetupOptions = { image: IMAGE, platform: 'FARGATE', executionRoleArn: EXEC_ROLE };
  test.each<[string, BatchSetupOptions, string, RegExp]>([
    ['a name with a revision', { image: IMAGE, jobDefinition: 'geopart:3' }, '--job-definition', /revision/],
    ['a name of 129 characters', { image: IMAGE, jobDefinition: 'a'.repeat(129) }, '--job-definition', /128/],
    ['an image with a space', { image: 'geopart latest' }, '--image', /image reference/],
    ['an empty image', { image: '' }, '--image', /image reference/],
    ['an unknown platform', { image: IMAGE, platform: 'K8S' as 'EC2' }, '--platform', /EC2 or FARGATE/],
    ['half a vCPU on EC2', { image: IMAGE, vcpus: 0.5 }, '--vcpus', /whole number from 1/],
    ['no vCPU', { image: IMAGE, vcpus: 0 }, '--vcpus', /whole number from 1/],
    ['3 vCPUs on Fargate', { ...fargate, vcpus: 3 }, '--vcpus', /Fargate takes 0\.25, 0\.5, 1, 2, 4, 8, 16/],
    ['too little memory on EC2', { image: IMAGE, memoryMiB: 64 }, '--memory', /at least 128/],
    ['a fraction of a MiB', { image: IMAGE, memoryMiB: 4096.5 }, '--memory', /whole MiB/],
    [
      'memory out of the vCPUs range on Fargate',
      { ...fargate, vcpus: 1, memoryMiB: 1024 },
      '--memory',
      /2048 to 8192 MiB in steps of 1024/,
    ],
    [
      '1536 MiB with 0.25 vCPU on Fargate',
      { ...fargate, vcpus: 0.25, memoryMiB: 1536 },
      '--memory',
      /512 to 2048/,
    ],
    [
      'a job role that is no role ARN',
      { image: IMAGE, jobRoleArn: 'geopart-role' },
      '--job-role-arn',
      /IAM role ARN/,
    ],
    [
      'an execution role of a user',
      { image: IMAGE, executionRoleArn: 'arn:aws:iam::123456789012:user/me' },
      '--execution-role-arn',
      /IAM role ARN/,
    ],
    [
      'Fargate without an execution role',
      { image: IMAGE, platform: 'FARGATE' },
      '--execution-role-arn',
      /Fargate needs an execution role/,
    ],
    ['a public IP on EC2', { image: IMAGE, assignPublicIp: true }, '--assign-public-ip', /Fargate option/],
  ])('refuses %s, naming the option', (_what, options, option, message) => {
    const err = thrown(() => jobDefinitionRequest(options, VERSION));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.context.option).toBe(option);
    expect(err.message).toMatch(message);
    expect(err.message.startsWith(`${option}: `)).toBe(true);
  });
});

/** The environment of a `geopart` process that talks to the fake Batch server. */
function cliEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_ENDPOINT_URL_BATCH: batch.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
}

describe('on the fake Batch server', () => {
  const settings = () => ({ region: 'us-east-1', endpoint: batch.endpoint });

  test('registers the definition as built, a new revision each time, and runs can submit with it', async () => {
    const options: BatchSetupOptions = { image: IMAGE, jobRoleArn: JOB_ROLE, jobDefinition: 'geopart-setup' };
    const first = await setupBatch(settings(), options, VERSION);
    expect(first).toEqual({
      name: 'geopart-setup',
      revision: 1,
      arn: 'arn:aws:batch:us-east-1:123456789012:job-definition/geopart-setup:1',
    });
    const sent = batch.requests.filter((r) => r.operation === 'RegisterJobDefinition');
    expect(sent.at(-1)!.body).toEqual(jobDefinitionRequest(options, VERSION));
    expect((await setupBatch(settings(), options, VERSION)).revision).toBe(2);
    // A submission names the definition by name, as a run does; the fake server runs its command.
    const id = await submitJob(settings(), {
      name: 'setup-check',
      jobQueue: 'q',
      jobDefinition: 'geopart-setup',
      arraySize: null,
      dependsOn: [],
      command: ['geopart', '--help'],
      environment: {},
      attempts: 1,
      timeoutSeconds: null,
      tags: {},
    });
    await batch.idle();
    expect(batch.jobs.get(id)).toMatchObject({ status: 'SUCCEEDED', jobDefinition: 'geopart-setup:2' });
  });

  test('geopart remote batch-setup registers through AWS_ENDPOINT_URL_BATCH', async () => {
    const before = batch.requests.length;
    const r = await geopartAsync(
      [
        'remote',
        'batch-setup',
        '--image',
        IMAGE,
        '--job-definition',
        'geopart-cli',
        '--vcpus',
        '4',
        '--memory',
        '8192',
        '--json',
      ],
      {
        cwd: ROOT,
        env: cliEnv(),
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      name: 'geopart-cli',
      revision: 1,
      arn: 'arn:aws:batch:us-east-1:123456789012:job-definition/geopart-cli:1',
    });
    const sent = batch.requests.slice(before);
    expect(sent.map((s) => s.operation)).toEqual(['RegisterJobDefinition']);
    expect(sent[0]!.body).toEqual(
      jobDefinitionRequest(
        { image: IMAGE, jobDefinition: 'geopart-cli', vcpus: 4, memoryMiB: 8192 },
        VERSION,
      ),
    );
  });

  test.each([
    [['--vcpus', 'two'], '--vcpus'],
    [['--memory', '4g'], '--memory'],
    [['--platform', 'FARGATE'], '--execution-role-arn'],
    [['--job-role-arn', 'my-role'], '--job-role-arn'],
  ])('refuses %j before any request, exit code 2', async (flags, option) => {
    const before = batch.requests.length;
    const r = await geopartAsync(['remote', 'batch-setup', '--image', IMAGE, ...flags], {
      cwd: ROOT,
      env: cliEnv(),
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${option}: `);
    expect(batch.requests.length).toBe(before);
  });
});

describe('geopart remote batch-setup --print', () => {
  test('prints the request as JSON and sends nothing, with no region or credentials', () => {
    const r = geopart([
      'remote',
      'batch-setup',
      '--print',
      '--image',
      IMAGE,
      '--platform',
      'fargate',
      '--vcpus',
      '0.25',
      '--memory',
      '512',
      '--execution-role-arn',
      EXEC_ROLE,
      '--job-role-arn',
      JOB_ROLE,
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(
      jobDefinitionRequest(
        {
          image: IMAGE,
          platform: 'FARGATE',
          vcpus: 0.25,
          memoryMiB: 512,
          executionRoleArn: EXEC_ROLE,
          jobRoleArn: JOB_ROLE,
        },
        VERSION,
      ),
    );
  });

  test('needs --image', () => {
    const r = geopart(['remote', 'batch-setup', '--print']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('needs --image IMAGE');
  });
});
