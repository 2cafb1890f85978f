import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { JobConfig, UdfJobStepConfig, type UdfStepInit } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';
import type { JobRunOptions } from '../../src/job/run-job.js';
import type { UdfStepReport } from '../../src/udf/report.js';
import { lit, query } from '../helpers/duckdb.js';
import { failure } from '../helpers/outputs.js';
import { decodeWkb } from '../helpers/wkb-codec.js';

const CASES = fileURLToPath(new URL('./modules/cases.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'geopart-udf-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A fresh output folder under the test's temporary folder. */
function outDir(): string {
  return join(root, `run${n++}`, 'out');
}

function udfJob(
  name: string,
  init: Omit<UdfStepInit, 'udf'> & { parameters?: Record<string, never> | object } = {},
) {
  const { parameters, ...rest } = init;
  const step = new UdfJobStepConfig({
    udf: { module: CASES, name, parameters: (parameters ?? {}) as never },
    output: outDir(),
    ...rest,
  });
  return new JobConfig({ name: 'udf-test', steps: [step] });
}

async function run(job: JobConfig, options: JobRunOptions = {}): Promise<UdfStepReport> {
  const report = await job.runLocal({ threads: 2, ...options });
  return report.steps[0] as UdfStepReport;
}

/** Nothing at the output, and no staging folder beside it. */
function expectNothingCommitted(output: string): void {
  expect(existsSync(output)).toBe(false);
  expect(readdirSync(join(output, '..'))).toEqual([]);
}

describe('results', () => {
  test('one Parquet file per input, named by input index, read back by DuckDB', async () => {
    const job = udfJob('tenfold', { input: [1, 2, 3] });
    const r = await run(job);
    expect(r).toMatchObject({ inputs: 3, done: 3, skipped: 0, failed: [], files: 3, rowsWritten: 3 });
    expect(r.schema).toEqual([{ name: 'value', type: 'Float64', nullable: true }]);
    const out = job.steps[0]!.output!;
    expect(readdirSync(out).sort()).toEqual(['0.parquet', '1.parquet', '2.parquet', '_SUCCESS']);
    const rows = await query(
      `SELECT parse_filename(filename) AS f, value FROM read_parquet(${lit(join(out, '*.parquet'))}, filename = true) ORDER BY f`,
    );
    expect(rows).toEqual([
      { f: '0.parquet', value: 10 },
      { f: '1.parquet', value: 20 },
      { f: '2.parquet', value: 30 },
    ]);
  });

  test('the UDF gets its parameters, the job context and where its result goes', async () => {
    const job = udfJob('echo', { input: [{ id: 'a' }, { id: 'b' }], parameters: { k: 3 } });
    await run(job);
    const out = job.steps[0]!.output!;
    const rows = await query(
      `SELECT parameters, job_name, step_index, input_index, input, output FROM read_parquet(${lit(join(out, '*.parquet'))}) ORDER BY input_index`,
    );
    expect(rows).toEqual([
      {
        parameters: '{"k":3}',
        job_name: 'udf-test',
        step_index: 0,
        input_index: 0,
        input: '{"id":"a"}',
        output: join(out, '0.parquet'),
      },
      {
        parameters: '{"k":3}',
        job_name: 'udf-test',
        step_index: 0,
        input_index: 1,
        input: '{"id":"b"}',
        output: join(out, '1.parquet'),
      },
    ]);
  });

  test('a FeatureCollection is written as GeoParquet: WKB geometry, bbox covering, geo metadata', async () => {
    const job = udfJob('featureCollection');
    const r = await run(job);
    expect(r).toMatchObject({ files: 1, rowsWritten: 2 });
    const file = join(job.steps[0]!.output!, '0.parquet');
    const rows = await query(
      `SELECT name, geometry, bbox.xmin AS x0, bbox.ymax AS y1 FROM read_parquet(${lit(file)}) ORDER BY name`,
    );
    expect(rows.map((row) => [row.name, row.x0, row.y1])).toEqual([
      ['point', 5, 6],
      ['square', 0, 2],
    ]);
    const square = rows[1]!.geometry as { bytes: Uint8Array } | Uint8Array;
    const bytes = square instanceof Uint8Array ? square : square.bytes;
    expect(decodeWkb(bytes).type).toBe(3);
    const [kv] = await query(
      `SELECT decode(value) AS geo FROM parquet_kv_metadata(${lit(file)}) WHERE decode(key) = 'geo'`,
    );
    expect(JSON.parse(kv!.geo as string).columns.geometry.geometry_types).toEqual(['Point', 'Polygon']);
  });

  test('a step without input runs once, on null', async () => {
    const job = udfJob('echo');
    const r = await run(job);
    expect(r).toMatchObject({ inputs: 1, done: 1, files: 1 });
    const [row] = await query(
      `SELECT input_index, input FROM read_parquet(${lit(join(job.steps[0]!.output!, '0.parquet'))})`,
    );
    expect(row).toEqual({ input_index: 0, input: null });
  });

  test('null results write nothing and are counted as skipped', async () => {
    const job = udfJob('sleepy', { input: [1, 2], parameters: { ms: 1 } });
    const r = await run(job);
    expect(r).toMatchObject({ inputs: 2, done: 2, skipped: 2, files: 0, rowsWritten: 0, schema: null });
    expect(readdirSync(job.steps[0]!.output!)).toEqual(['_SUCCESS']);
  });

  test('a `__proto__` key of JSON-parsed records becomes a column DuckDB reads', async () => {
    const job = udfJob('protoKey');
    const r = await run(job);
    expect(r.schema?.map((c) => c.name)).toEqual(['__proto__', 'n']);
    const rows = await query(
      `SELECT "__proto__" AS p, n FROM read_parquet(${lit(join(job.steps[0]!.output!, '0.parquet'))}) ORDER BY n`,
    );
    expect(rows).toEqual([
      { p: 'p', n: 1 },
      { p: null, n: 2 },
    ]);
  });

  test('a column all null in one input is reported nullable, and the warning names the differing types', async () => {
    const job = udfJob('nullOnFirst', { input: [0, 1, 2] });
    const warnings: string[] = [];
    const r = await run(job, { onWarning: (w) => warnings.push(w) });
    expect(r.schema).toEqual([
      { name: 'a', type: 'Null', nullable: true },
      { name: 'n', type: 'Float64', nullable: true },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('column a: Null in input 0, Utf8 in inputs 1, 2');
    expect(warnings[0]).not.toContain('column n');
    expect(warnings[0]).toContain('return an Arrow table with explicit column types');
    // The files do disagree: DuckDB reads each alone, and all of them only by name.
    const files = lit(join(job.steps[0]!.output!, '*.parquet'));
    const rows = await query(`SELECT a, n FROM read_parquet(${files}, union_by_name = true) ORDER BY n`);
    expect(rows).toEqual([
      { a: null, n: 0 },
      { a: 'x1', n: 1 },
      { a: 'x2', n: 2 },
    ]);
  });

  test('results with the same columns give no warning', async () => {
    const warnings: string[] = [];
    await run(udfJob('tenfold', { input: [1, 2, 3] }), { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
  });

  test('an existing output is refused unless overwrite', async () => {
    const job = udfJob('tenfold', { input: [1] });
    await run(job);
    const err = await failure(run(job));
    expect(err.code).toBe('OUTPUT_EXISTS');
    const again = new JobConfig({
      name: 'again',
      steps: [job.steps[0]!.setOutput(undefined, { overwrite: true })],
    });
    expect((await run(again)).files).toBe(1);
  });
});

describe('failures', () => {
  test('a failing input fails the step, naming the input; other inputs stop; nothing is committed', async () => {
    const job = udfJob('tenfold', { input: [1, 2, 3, 4, 5, 6, 7, 8], parameters: { fail_on: 2 } });
    const err = await failure(run(job));
    expect(err.code).toBe('UDF_FAILED');
    expect(err.message).toContain('input 1 2 failed');
    expect(err.message).toContain('threw RangeError: input 2 is not allowed');
    expect(err.context).toMatchObject({ inputIndex: 1, input: '2' });
    expectNothingCommitted(job.steps[0]!.output!);
  });

  test('with ignoreChunkError the failure is recorded and the others are written', async () => {
    const job = udfJob('tenfold', {
      input: [1, 2, 3, 4],
      parameters: { fail_on: 2 },
      ignoreChunkError: true,
    });
    const warnings: string[] = [];
    const r = await run(job, { onWarning: (w) => warnings.push(w) });
    expect(r).toMatchObject({ inputs: 4, done: 3, files: 3, rowsWritten: 3 });
    expect(r.failed).toEqual([
      {
        inputIndex: 1,
        input: '2',
        code: 'UDF_FAILED',
        message: expect.stringContaining('input 2 is not allowed'),
      },
    ]);
    expect(warnings.some((w) => w.includes('input 1 2 failed'))).toBe(true);
    const rows = await query(
      `SELECT value FROM read_parquet(${lit(join(job.steps[0]!.output!, '*.parquet'))}) ORDER BY value`,
    );
    expect(rows.map((row) => row.value)).toEqual([10, 30, 40]);
  });

  test('a thrown string names the input and says what was thrown', async () => {
    const job = udfJob('throwsString', { input: [{ tile: 5 }] });
    const err = await failure(run(job));
    expect(err.message).toContain('input 0 {"tile":5} failed');
    expect(err.message).toContain('threw a string (not an Error): "plain string failure"');
  });

  test.each([
    ['returnsFunction', 'a function (functions cannot be serialized)'],
    ['returnsCycle', 'cyclic objects cannot be serialized'],
    ['returnsMap', 'a Map instance'],
    ['returnsSymbolCell', 'is a symbol'],
    ['returnsNumber', 'the UDF returned 42'],
    ['bigintOverflow', 'result[0].b is the bigint 18446744073709551616n, outside the Int64 range'],
    ['invalidDate', 'result[0].d is an invalid Date'],
  ])('%s: a result that cannot be written names the input', async (name, says) => {
    const job = udfJob(name, { input: ['first'] });
    const err = await failure(run(job));
    expect(err.code).toBe('INVALID_UDF_OUTPUT');
    expect(err.message).toContain('input 0 "first" failed');
    expect(err.message).toContain(says);
    expectNothingCommitted(job.steps[0]!.output!);
  });

  test.each([
    ['syncLoop', 'a synchronous endless loop'],
    ['neverResolves', 'a promise that never settles'],
  ])('%s (%s) is stopped by the timeout', async (name) => {
    const job = udfJob(name, { input: [1, 2], timeoutSeconds: 0.5 });
    const t0 = performance.now();
    const err = await failure(run(job));
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(err.code).toBe('UDF_TIMEOUT');
    expect(err.message).toMatch(/input [01] [12] failed: UDF .*did not finish within 0.5 s/);
    expectNothingCommitted(job.steps[0]!.output!);
  });

  test('after a worker is stopped by the timeout, the other inputs still run (ignoreChunkError)', async () => {
    const job = udfJob('loopOn', { input: [1, 2, 3], parameters: { loop_on: 2 }, ignoreChunkError: true });
    // The limit is far above what inputs 1 and 3 need, so a busy machine cannot make them late.
    const r = await run(job, { threads: 1, timeoutSeconds: 5 });
    expect(r.failed.map((f) => [f.inputIndex, f.code])).toEqual([[1, 'UDF_TIMEOUT']]);
    expect(readdirSync(job.steps[0]!.output!).sort()).toEqual(['0.parquet', '2.parquet', '_SUCCESS']);
  });
});

describe('before running', () => {
  test('a system parameter set by the user is refused', () => {
    const json = {
      name: 'sys',
      steps: [{ type: 'udf', udf: { module: CASES, name: 'echo', parameters: { context: 1 } }, output: 'o' }],
    };
    const err = (() => {
      try {
        JobConfig.fromJSON(json);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues[0]).toMatchObject({ path: 'steps[0].udf.parameters.context' });
    expect((err as ConfigError).message).toContain('"context" is a system parameter');
  });

  test('an invalid job name is refused', () => {
    expect(() => JobConfig.fromJSON({ name: '1 job', steps: [{ type: 'udf' }] })).toThrow(
      /name: got "1 job"; expected a name matching/,
    );
  });

  test('a UDF step without a UDF, or without output, is refused unless ignored', async () => {
    const job = new JobConfig({ name: 'bare', steps: [new UdfJobStepConfig({ input: [1] })] });
    const err = await failure(job.runLocal());
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.path)).toEqual(['steps[0].udf', 'steps[0].output']);
    const report = await job.runLocal({ ignoreNoUdf: true, ignoreNoOutput: true });
    expect(report.steps).toEqual([{ type: 'skipped', step: 'udf', reason: 'no UDF set' }]);
  });

  test('without output (ignoreNoOutput) results are checked but not written', async () => {
    const job = udfJob('tenfold', { input: [1, 2], output: null });
    const r = await run(job, { ignoreNoOutput: true });
    expect(r).toMatchObject({ output: null, done: 2, files: 0, rowsWritten: 0 });
    expect(r.schema).toEqual([{ name: 'value', type: 'Float64', nullable: true }]);
    const bad = udfJob('returnsMap', { output: null });
    expect((await failure(run(bad, { ignoreNoOutput: true }))).code).toBe('INVALID_UDF_OUTPUT');
  });

  test('missing local inputs are found before anything runs', async () => {
    const step = new UdfJobStepConfig({
      udf: join(root, 'missing.mjs'),
      output: outDir(),
      input: { chunksOf: join(root, 'no-table') },
    });
    const job = new JobConfig({ name: 'missing', steps: [step] });
    const err = await failure(job.runLocal());
    expect(err.code).toBe('INPUT_NOT_FOUND');
    expect(err.message).toContain(`steps[0].udf.module: ${join(root, 'missing.mjs')} does not exist`);
    expect(err.message).toContain(`steps[0].input.chunks_of: ${join(root, 'no-table')} does not exist`);
  });

  test('a later step whose output exists is refused before any step runs, naming the step and the fix', async () => {
    const first = outDir();
    const later = outDir();
    mkdirSync(later, { recursive: true });
    const steps = [
      new UdfJobStepConfig({ udf: { module: CASES, name: 'tenfold' }, input: [1], output: first }),
      new UdfJobStepConfig({ udf: { module: CASES, name: 'tenfold' }, input: [2], output: later }),
    ];
    const err = await failure(new JobConfig({ name: 'later', steps }).runLocal({ threads: 1 }));
    expect(err.code).toBe('OUTPUT_EXISTS');
    expect(err.message).toContain(`steps[1].output: ${later} already exists`);
    expect(err.message).toContain('Set "overwrite": true on the step in the job file');
    expect(err.message).not.toContain('steps[0]');
    expect(existsSync(first)).toBe(false);
    // With overwrite the same job runs, and replaces the later output.
    const again = [steps[0]!, steps[1]!.setOutput(undefined, { overwrite: true })];
    const report = await new JobConfig({ name: 'later', steps: again }).runLocal({ threads: 1 });
    expect(report.steps.map((r) => (r as UdfStepReport).files)).toEqual([1, 1]);
    expect(readdirSync(later).sort()).toEqual(['0.parquet', '_SUCCESS']);
  });

  test('a step writing an earlier step’s output under another spelling is refused up front unless it overwrites', async () => {
    const out = outDir();
    const step = (output: string) =>
      new UdfJobStepConfig({ udf: { module: CASES, name: 'tenfold' }, input: [1], output });
    // The job config refuses the same string twice; a trailing slash names the same folder.
    const job = new JobConfig({ name: 'twice', steps: [step(out), step(`${out}/`)] });
    const err = await failure(job.runLocal({ threads: 1 }));
    expect(err.code).toBe('OUTPUT_EXISTS');
    expect(err.message).toContain(`steps[1].output: ${out}/ is also the output of steps[0]`);
    expect(existsSync(out)).toBe(false);
    const overwrites = step(`${out}/`).setOutput(undefined, { overwrite: true });
    const report = await new JobConfig({ name: 'twice', steps: [step(out), overwrites] }).runLocal({
      threads: 1,
    });
    expect(report.steps).toHaveLength(2);
  });

  test('an error raised while a UDF step runs names the step', async () => {
    // A folder that is not a table: its chunk list cannot be read when step 1 starts.
    const notATable = join(root, `not-a-table-${n++}`);
    mkdirSync(notATable, { recursive: true });
    const steps = [
      new UdfJobStepConfig({ udf: { module: CASES, name: 'tenfold' }, input: [1], output: outDir() }),
      new UdfJobStepConfig({
        udf: { module: CASES, name: 'tenfold' },
        input: { chunksOf: notATable },
        output: outDir(),
      }),
    ];
    const err = await failure(new JobConfig({ name: 'named', steps }).runLocal({ threads: 1 }));
    expect(err.message.startsWith(`step 1 (udf ${CASES}#tenfold): `)).toBe(true);
    expect(err.message).toContain(notATable);
  });

  test('with validateInputs false, a missing module fails when the step runs, named', async () => {
    const step = new UdfJobStepConfig({ udf: join(root, 'missing.mjs'), output: outDir() });
    const err = await failure(
      new JobConfig({ name: 'late', steps: [step] }).runLocal({ validateInputs: false }),
    );
    expect(err.code).toBe('INVALID_UDF');
    expect(err.message).toContain('missing.mjs not found');
    expectNothingCommitted(step.output!);
  });
});

test('inputs run in parallel: with 2 threads, two inputs are running at the same time', async () => {
  // No clock: each input waits until both have started, which only two concurrent runs can do.
  const dir = mkdtempSync(join(tmpdir(), 'geopart-rendezvous-'));
  try {
    const job = udfJob('rendezvous', { input: [1, 2], parameters: { dir, count: 2, give_up_ms: 60_000 } });
    const r = await run(job, { threads: 2 });
    expect(r.failed).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['started-1', 'started-2']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
