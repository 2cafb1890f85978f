import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import type { GeopartError } from '../../src/errors.js';
import { deleteObjects, getObject, putObject } from '../../src/io/s3.js';
import { attachRemoteJob } from '../../src/remote/attach.js';
import { jobUrls, readLog, type StatusRecord, writeStatus } from '../../src/remote/job-store.js';
import type { RunResponse } from '../../src/remote/run-response.js';
import { dataPath } from '../helpers/data.js';
import { type FakeEc2, startEc2 } from '../helpers/ec2-server.js';
import { type LocalS3, startS3 } from '../helpers/s3.js';

let s3: LocalS3;
let ec2: FakeEc2;
let input: string;

beforeAll(async () => {
  s3 = await startS3();
  ec2 = await startEc2();
  input = s3.url('in/countries.fgb');
  await putObject(input, readFileSync(dataPath('flatgeobuf/countries.fgb')));
});

afterAll(async () => {
  await ec2?.stop();
  await s3?.stop();
});

const prefix = () => s3.url('jobs');

async function launch(): Promise<RunResponse> {
  return ingest(input, s3.url('tables/c')).runRemote({
    jobPrefix: prefix(),
    ec2Endpoint: ec2.endpoint,
    region: 'us-east-1',
  });
}

function record(run: RunResponse, fields: Partial<StatusRecord>): StatusRecord {
  return {
    state: 'running',
    jobId: run.jobId,
    instanceId: run.instanceId,
    startedAt: '2025-01-01T00:00:00.000Z',
    updatedAt: new Date().toISOString(),
    error: null,
    ...fields,
  };
}

const urlsOf = (run: RunResponse) => jobUrls(prefix(), run.jobId);

describe('status', () => {
  test('joins status.json with the instance state', async () => {
    const run = await launch();
    expect(await run.status()).toMatchObject({
      jobId: run.jobId,
      instanceId: run.instanceId,
      instanceState: 'running',
      state: 'pending',
      startedAt: null,
      error: null,
    });
    await writeStatus(urlsOf(run), record(run, { state: 'running' }));
    expect(await run.status()).toMatchObject({ state: 'running', startedAt: '2025-01-01T00:00:00.000Z' });
  });

  test('an instance gone without a reported end is a failed job that says so', async () => {
    const run = await launch();
    ec2.instances.get(run.instanceId!)!.state = 'terminated';
    const status = await run.status();
    expect(status).toMatchObject({ state: 'failed', instanceState: 'terminated' });
    expect(status.error).toContain(
      `instance ${run.instanceId} is terminated but the job never reported an end`,
    );
    ec2.instances.delete(run.instanceId!);
    expect(await run.status()).toMatchObject({ state: 'failed', instanceState: 'not-found' });
  });

  test('an end reported before the instance went away stands', async () => {
    const run = await launch();
    await writeStatus(urlsOf(run), record(run, { state: 'succeeded' }));
    ec2.instances.get(run.instanceId!)!.state = 'terminated';
    expect(await run.status()).toMatchObject({
      state: 'succeeded',
      instanceState: 'terminated',
      error: null,
    });
  });
});

describe('logs, tail and wait', () => {
  test('logs() is the whole log; tail() its lines', async () => {
    const run = await launch();
    expect(await run.logs()).toBe('');
    await putObject(urlsOf(run).log, 'one\ntwo\nthr');
    expect(await run.logs()).toBe('one\ntwo\nthr');
    const lines: string[] = [];
    for await (const line of run.tail()) lines.push(line);
    expect(lines).toEqual(['one', 'two', 'thr']);
  });

  test('tail({ follow }) yields lines as the log grows, and ends with the job', async () => {
    const run = await launch();
    const urls = urlsOf(run);
    await writeStatus(urls, record(run, { state: 'running' }));
    await putObject(urls.log, 'first\nsecond ha');
    const seen: string[] = [];
    const done = (async () => {
      for await (const line of run.tail({ follow: true, pollMs: 20 })) seen.push(line);
    })();
    await expect.poll(() => seen, { timeout: 5000 }).toEqual(['first']);
    await putObject(urls.log, 'first\nsecond half\nthird ünïcode\n');
    await expect.poll(() => seen.length, { timeout: 5000 }).toBe(3);
    await putObject(urls.log, 'first\nsecond half\nthird ünïcode\nlast, unfinished');
    await writeStatus(urls, record(run, { state: 'failed', error: 'boom' }));
    await done;
    expect(seen).toEqual(['first', 'second half', 'third ünïcode', 'last, unfinished']);
  });

  test('wait() polls until the job ends, and stops on a signal', async () => {
    const run = await launch();
    const urls = urlsOf(run);
    const controller = new AbortController();
    const stopped = run.wait({ pollMs: 20, signal: controller.signal });
    controller.abort();
    const err = await stopped.catch((e: unknown) => e);
    expect((err as GeopartError).code).toBe('ABORTED');

    const waited = run.wait({ pollMs: 20 });
    setTimeout(() => void writeStatus(urls, record(run, { state: 'succeeded' })), 100);
    expect(await waited).toMatchObject({ state: 'succeeded', jobId: run.jobId });
  });
});

describe('readLog', () => {
  test('never moves a follower back, even when the log is missing for a moment', async () => {
    const urls = jobUrls(prefix(), 'log-20250101T000000Z-000003');
    await putObject(urls.log, 'one\ntwo\n');
    expect(await readLog(urls.log, 0)).toMatchObject({ size: 8 });
    expect(new TextDecoder().decode((await readLog(urls.log, 4)).bytes)).toBe('two\n');
    await deleteObjects([urls.log]);
    expect(await readLog(urls.log, 8)).toMatchObject({ size: 8 });
    expect((await readLog(urls.log, 8)).bytes.length).toBe(0);
  });
});

describe('cancel', () => {
  test('terminates the instance and records the job as cancelled', async () => {
    const run = await launch();
    await writeStatus(urlsOf(run), record(run, { state: 'running' }));
    ec2.requests.length = 0;
    const status = await run.cancel();
    const terminate = ec2.requests.find((r) => r.action === 'TerminateInstances');
    expect(terminate?.params['InstanceId.1']).toBe(run.instanceId);
    expect(status).toMatchObject({
      state: 'cancelled',
      instanceState: 'terminated',
      error: 'cancelled by the user',
    });
    const stored = JSON.parse(new TextDecoder().decode(await getObject(urlsOf(run).status)));
    expect(stored).toMatchObject({ state: 'cancelled', startedAt: '2025-01-01T00:00:00.000Z' });
  });

  test('a job that ends while its instance is being terminated keeps its own end', async () => {
    const run = await launch();
    await writeStatus(urlsOf(run), record(run, { state: 'running' }));
    ec2.beforeAnswer = async (action) => {
      if (action === 'TerminateInstances')
        await writeStatus(urlsOf(run), record(run, { state: 'succeeded' }));
    };
    try {
      expect((await run.cancel()).state).toBe('succeeded');
    } finally {
      ec2.beforeAnswer = null;
    }
    const stored = JSON.parse(new TextDecoder().decode(await getObject(urlsOf(run).status)));
    expect(stored.state).toBe('succeeded');
  });

  test('a job that has ended keeps its state and its instance is left alone', async () => {
    const run = await launch();
    await writeStatus(urlsOf(run), record(run, { state: 'succeeded' }));
    ec2.requests.length = 0;
    expect((await run.cancel()).state).toBe('succeeded');
    expect(ec2.requests.map((r) => r.action)).not.toContain('TerminateInstances');
  });
});

describe('attachRemoteJob', () => {
  test('finds a job by id under the prefix, with its instance and region', async () => {
    const run = await launch();
    await writeStatus(urlsOf(run), record(run, { state: 'running' }));
    const again = await attachRemoteJob(run.jobId, { jobPrefix: prefix(), ec2Endpoint: ec2.endpoint });
    expect(again.instanceId).toBe(run.instanceId);
    expect(await again.status()).toEqual(await run.status());
  });

  test('an unknown id or a malformed one is a clear error', async () => {
    const err = await attachRemoteJob('nope-20250101T000000Z-abcdef', { jobPrefix: prefix() }).catch(
      (e: unknown) => e,
    );
    expect((err as GeopartError).code).toBe('JOB_NOT_FOUND');
    expect((err as Error).message).toContain(`no remote job nope-20250101T000000Z-abcdef under ${prefix()}/`);
    await expect(attachRemoteJob('../etc', { jobPrefix: prefix() })).rejects.toThrow(
      'job id "../etc" is not valid',
    );
  });
});
