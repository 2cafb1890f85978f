import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { JobConfig } from '../../src/config/job.js';
import { UdfJobStepConfig } from '../../src/config/udf-step.js';
import { getObject, listObjects, putObject } from '../../src/io/s3.js';
import { runAgent } from '../../src/remote/agent.js';
import { JobLog, maskSecrets, secretMasks } from '../../src/remote/job-log.js';
import { jobUrls, readStatus, writeJson, writeStatus } from '../../src/remote/job-store.js';
import { ROOT } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { type LocalS3, startS3 } from '../helpers/s3.js';

let s3: LocalS3;

beforeAll(async () => {
  s3 = await startS3();
});

afterAll(async () => {
  await s3?.stop();
});

const text = async (url: string) => new TextDecoder().decode(await getObject(url));

describe('secret masking', () => {
  const env = {
    TOKEN: 'abcd1234',
    LONG: 'abcd1234-and-more',
    SHORT: 'on',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI',
  };

  test('masks the named variables and AWS credentials, longest value first, not short ones', () => {
    const masks = secretMasks(['TOKEN', 'LONG', 'SHORT', 'UNSET'], env);
    expect(masks.map(([, p]) => p)).toEqual([
      '<LONG hidden>',
      '<AWS_SECRET_ACCESS_KEY hidden>',
      '<TOKEN hidden>',
    ]);
    expect(maskSecrets('t=abcd1234 l=abcd1234-and-more k=wJalrXUtnFEMI on', masks)).toBe(
      't=<TOKEN hidden> l=<LONG hidden> k=<AWS_SECRET_ACCESS_KEY hidden> on',
    );
  });

  test('a value split across two writes is still masked, and the log uploads whole', async () => {
    const url = s3.url('logs/masked.txt');
    const echoed: string[] = [];
    const log = new JobLog(url, secretMasks(['TOKEN'], env), (t) => echoed.push(t));
    log.write('token is abcd');
    log.write('1234 and\nnext line without end');
    await log.upload();
    expect(await text(url)).toBe('token is <TOKEN hidden> and\n');
    await log.flush();
    expect(await text(url)).toBe('token is <TOKEN hidden> and\nnext line without end\n');
    expect(echoed.join('')).toBe('token is <TOKEN hidden> and\nnext line without end\n');
  });
});

test('the agent runs an ingest and a UDF over its chunks that imports geopart and apache-arrow', async () => {
  const input = s3.url('in/countries.fgb');
  await putObject(input, await readFile(dataPath('flatgeobuf/countries.fgb')));
  // A downloaded module resolves geopart and its dependencies through the linked packages;
  // the Table check proves it got the same apache-arrow as geopart.
  const module = s3.url('udfs/chunk-rows.mjs');
  await putObject(
    module,
    [
      "import { openTable } from 'geopart';",
      "import { Table } from 'apache-arrow';",
      'export default async function chunkRows({ context }) {',
      '  const { table, file_id, chunk_id } = context.input;',
      '  const t = await openTable(table);',
      "  const rows = await t.readChunk(file_id, chunk_id, { columns: ['geometry'] });",
      '  await t.close();',
      "  if (!(rows instanceof Table)) throw new Error('another copy of apache-arrow');",
      '  return [{ file_id, chunk_id, num_rows: rows.numRows }];',
      '}',
      '',
    ].join('\n'),
  );
  const table = s3.url('tables/countries');
  const job = new JobConfig({
    name: 'countries-chunks',
    steps: [
      ingest(input, table, { targetNumChunks: 12 }),
      new UdfJobStepConfig({ udf: module, input: { chunksOf: table }, output: s3.url('tables/chunk-rows') }),
    ],
  });
  const jobId = 'countries-chunks-20250101T000000Z-000002';
  const urls = jobUrls(s3.url('jobs'), jobId);
  await writeJson(urls.job, job.toJSON());
  const code = await runAgent(urls.job, {
    cli: `${ROOT}bin/geopart.js`,
    env: { ...process.env, GEOPART_INSTANCE_ID: 'i-0000000000000000b' },
    uploadIntervalMs: 100,
  });
  expect(code, await text(urls.log)).toBe(0);
  expect(await readStatus(urls)).toMatchObject({ state: 'succeeded' });
  const objects = (await listObjects(s3.url('tables/chunk-rows'))).map((o) => o.url);
  expect(objects.at(-1)).toMatch(/\/_SUCCESS$/);
  const dir = mkdtempSync(join(tmpdir(), 'geopart-agent-'));
  try {
    for (const url of objects.filter((u) => u.endsWith('.parquet'))) {
      writeFileSync(join(dir, url.split('/').at(-1)!), await getObject(url));
    }
    const [row] = await query(
      `SELECT count(*)::INT AS chunks, sum(num_rows)::INT AS rows FROM read_parquet(${lit(join(dir, '*.parquet'))})`,
    );
    expect(row).toEqual({ chunks: objects.length - 1, rows: 181 }); // 179 countries, Russia and Fiji split at the antimeridian into one row per side.
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

test('the agent runs a UDF fetched from S3, and a cancel stops it and stays', async () => {
  // The UDF says it started, then waits far longer than the test.
  const module = s3.url('udfs/slow.mjs');
  await putObject(
    module,
    "export default async function slow() { console.log('udf started'); await new Promise((r) => setTimeout(r, 120000)); return []; }\n",
  );
  const job = new JobConfig({
    name: 'slow',
    steps: [new UdfJobStepConfig({ udf: module, input: [1], output: s3.url('tables/slow') })],
  });
  const jobId = 'slow-20250101T000000Z-000001';
  const urls = jobUrls(s3.url('jobs'), jobId);
  await writeJson(urls.job, job.toJSON());

  const started = Date.now();
  const agent = runAgent(urls.job, {
    cli: `${ROOT}bin/geopart.js`,
    env: { ...process.env, GEOPART_INSTANCE_ID: 'i-0000000000000000a' },
    uploadIntervalMs: 100,
  });
  await expect.poll(async () => (await readStatus(urls))?.state, { timeout: 10_000 }).toBe('running');
  await expect
    .poll(() => text(urls.log).catch(() => ''), { timeout: 30_000, interval: 100 })
    .toContain('udf started');
  const running = await readStatus(urls);
  await writeStatus(urls, { ...running!, state: 'cancelled', error: 'cancelled by the user' });

  expect(await agent).toBe(130);
  expect(Date.now() - started).toBeLessThan(60_000);
  expect(await readStatus(urls)).toMatchObject({ state: 'cancelled', instanceId: 'i-0000000000000000a' });
  const log = await text(urls.log);
  expect(log).toContain('the job was cancelled; stopping it');
  expect(log).toMatch(/job cancelled\n$/);
});
