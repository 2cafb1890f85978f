/**
 * The fake Batch server itself, through the real SDK: arrays, N_TO_N dependencies, retries and
 * attempt timeouts behave as Batch documents them, so the run tests can trust what it reports.
 */
import {
  BatchClient,
  DescribeJobsCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
} from '@aws-sdk/client-batch';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type FakeBatch, startBatch } from '../helpers/batch-server.js';

let batch: FakeBatch;
let client: BatchClient;

beforeAll(async () => {
  batch = await startBatch();
  client = new BatchClient({
    endpoint: batch.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await client.send(
    new RegisterJobDefinitionCommand({
      jobDefinitionName: 'node',
      type: 'container',
      containerProperties: { image: 'node', command: [process.execPath, '-e', 'process.exit(0)'] },
    }),
  );
});

afterAll(async () => {
  client?.destroy();
  await batch?.stop();
});

const node = (script: string) => [process.execPath, '-e', script];

async function submit(input: Record<string, unknown>): Promise<string> {
  const out = await client.send(
    new SubmitJobCommand({ jobName: 'j', jobQueue: 'q', jobDefinition: 'node', ...input } as never),
  );
  return out.jobId!;
}

test('array children see their index; N_TO_N ties child i to child i; a failed dependency fails', async () => {
  // Child i exits with code i: child 0 succeeds, child 1 fails.
  const first = await submit({
    arrayProperties: { size: 2 },
    containerOverrides: { command: node('process.exit(Number(process.env.AWS_BATCH_JOB_ARRAY_INDEX))') },
  });
  const second = await submit({
    arrayProperties: { size: 2 },
    dependsOn: [{ jobId: first, type: 'N_TO_N' }],
  });
  const after = await submit({ dependsOn: [{ jobId: first }] });
  await batch.idle();
  const out = await client.send(new DescribeJobsCommand({ jobs: [first, second, after] }));
  const [a, b, c] = out.jobs!;
  expect(a).toMatchObject({
    status: 'FAILED',
    arrayProperties: { size: 2, statusSummary: { SUCCEEDED: 1, FAILED: 1 } },
  });
  expect(b).toMatchObject({
    status: 'FAILED',
    arrayProperties: { statusSummary: { SUCCEEDED: 1, FAILED: 1 } },
  });
  expect(batch.jobs.get(`${second}:0`)!.attempts).toHaveLength(1);
  expect(batch.jobs.get(`${second}:1`)).toMatchObject({
    status: 'FAILED',
    statusReason: 'Dependent Job failed',
    attempts: [],
  });
  expect(c).toMatchObject({ status: 'FAILED', statusReason: 'Dependent Job failed' });
});

test('a failing job is retried up to its attempts; an attempt past its timeout is killed', async () => {
  const failing = await submit({
    retryStrategy: { attempts: 3 },
    containerOverrides: { command: node('process.exit(3)') },
  });
  const slow = await submit({
    retryStrategy: { attempts: 2 },
    timeout: { attemptDurationSeconds: 1 },
    containerOverrides: { command: node('setTimeout(() => {}, 60000)') },
  });
  await batch.idle();
  expect(batch.jobs.get(failing)!.attempts.map((a) => a.exitCode)).toEqual([3, 3, 3]);
  const killed = batch.jobs.get(slow)!;
  expect(killed.status).toBe('FAILED');
  expect(killed.attempts.map((a) => [a.reason, a.statusReason])).toEqual([
    ['killed by SIGKILL', 'Job attempt duration exceeded timeout'],
    ['killed by SIGKILL', 'Job attempt duration exceeded timeout'],
  ]);
});
