import { fileURLToPath, pathToFileURL } from 'node:url';
import { DataType, Table } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { UdfJobStepConfig } from '../../src/config/index.js';
import { GeopartError } from '../../src/errors.js';
import { decodeWkb } from '../helpers/wkb-codec.js';

const CASES = fileURLToPath(new URL('./modules/cases.mjs', import.meta.url));

function step(name: string, init: Record<string, unknown> = {}) {
  return new UdfJobStepConfig({ udf: { module: CASES, name }, ...init });
}

async function rejection(promise: Promise<unknown>): Promise<GeopartError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GeopartError);
  return err as GeopartError;
}

describe('UdfJobStepConfig.runLocal', () => {
  test('calls the UDF with one object: its parameters, context and output', async () => {
    const s = new UdfJobStepConfig({
      udf: { module: CASES, name: 'echo', parameters: { k: 3, deep: { a: [1] } } },
      input: [{ id: 7 }, { id: 8 }],
      output: '/tmp/out/stats',
    });
    const [row] = (await s.runLocal()) as Record<string, unknown>[];
    expect(row).toEqual({
      parameters: { k: 3, deep: { a: [1] } },
      job_name: null,
      step_index: 0,
      input_index: 0,
      input: { id: 7 },
      output: '/tmp/out/stats/0.parquet',
    });
  });

  test('runs on the sample when one is given, null included', async () => {
    const s = step('echo', { input: [1, 2] });
    expect(((await s.runLocal({ x: 1 })) as { input: unknown }[])[0]!.input).toEqual({ x: 1 });
    expect(((await s.runLocal(null)) as { input: unknown }[])[0]!.input).toBeNull();
  });

  test('a step without input runs on null; without output, output is null', async () => {
    const [row] = (await step('echo').runLocal()) as Record<string, unknown>[];
    expect(row).toMatchObject({ input: null, output: null });
  });

  test('awaits an async UDF and returns its value as it is', async () => {
    expect(await step('tenfold', { input: [4] }).runLocal()).toEqual([{ value: 40 }]);
  });

  test('accepts a file:// URL as module', async () => {
    const s = new UdfJobStepConfig({ udf: { module: pathToFileURL(CASES).href, name: 'returnsNumber' } });
    expect(await s.runLocal()).toBe(42);
  });

  test("a UDF's Error keeps its message, with the UDF named", async () => {
    const err = await rejection(
      step('tenfold', { udf: { module: CASES, name: 'tenfold', parameters: { fail_on: 3 } } }).runLocal(3),
    );
    expect(err.code).toBe('UDF_FAILED');
    expect(err.message).toContain(`${CASES}#tenfold threw RangeError: input 3 is not allowed`);
  });

  test('a thrown string is reported as such', async () => {
    const err = await rejection(step('throwsString').runLocal());
    expect(err.code).toBe('UDF_FAILED');
    expect(err.message).toContain('threw a string (not an Error): "plain string failure"');
  });

  test('a never-resolving UDF is stopped by the timeout', async () => {
    const t0 = performance.now();
    const err = await rejection(step('neverResolves').runLocal(null, { timeoutSeconds: 0.3 }));
    expect(err.code).toBe('UDF_TIMEOUT');
    expect(err.message).toContain('did not finish within 0.3 s');
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  test('names the module and export, listing the exports, when the export is missing or not a function', async () => {
    const missing = await rejection(step('nope').runLocal());
    expect(missing.code).toBe('INVALID_UDF');
    expect(missing.message).toContain(`UDF module ${CASES} has no export "nope"`);
    expect(missing.message).toMatch(/its exports: .*echo \(function\).*notAFunction \(number\)/);
    const notFn = await rejection(step('notAFunction').runLocal());
    expect(notFn.message).toContain('an export that is a number, not a function: "notAFunction"');
  });

  test('a missing module is named', async () => {
    const s = new UdfJobStepConfig({ udf: '/nonexistent/udf.mjs' });
    const err = await rejection(s.runLocal());
    expect(err.code).toBe('INVALID_UDF');
    expect(err.message).toContain('UDF module /nonexistent/udf.mjs not found');
  });

  test('without a UDF it says so', async () => {
    const err = await rejection(new UdfJobStepConfig().runLocal());
    expect(err.message).toContain('udf: not set');
  });
});

describe('validateOutput', () => {
  test('records become an Arrow table with inferred types', async () => {
    const table = await step('records').runLocal('x', { validateOutput: true });
    expect(table).toBeInstanceOf(Table);
    expect(table.numRows).toBe(2);
    expect(table.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['name', 'Utf8'],
      ['n', 'Float64'],
      ['ok', 'Bool'],
      ['input', 'Utf8'],
    ]);
    expect(table.getChild('n')!.toArray()).toEqual(Float64Array.from([1, 2.5]));
  });

  test('an Arrow table is returned as it is', async () => {
    const table = await step('arrowTable').runLocal(null, { validateOutput: true });
    expect(table.schema.fields.map((f) => String(f.type))).toEqual(['Int32', 'Float64']);
    expect([...table.getChild('id')!]).toEqual([1, 2, 3]);
  });

  test('a FeatureCollection becomes properties plus WKB geometry', async () => {
    const table = await step('featureCollection').runLocal(null, { validateOutput: true });
    expect(table.schema.fields.map((f) => f.name)).toEqual(['name', 'geometry']);
    expect(DataType.isBinary(table.schema.fields[1]!.type)).toBe(true);
    const square = decodeWkb(table.getChild('geometry')!.get(0) as Uint8Array);
    expect(square.type).toBe(3);
    expect(square.rings).toEqual([
      [
        [0, 0],
        [2, 0],
        [2, 2],
        [0, 2],
        [0, 0],
      ],
    ]);
    expect(decodeWkb(table.getChild('geometry')!.get(1) as Uint8Array).coords).toEqual([[5, 6]]);
  });

  test.each([
    ['returnsNumber', 'the UDF returned 42; a UDF must return an apache-arrow Table'],
    ['returnsFunction', 'a function (functions cannot be serialized)'],
    ['returnsCycle', 'cyclic objects cannot be serialized'],
    ['returnsMap', 'a Map instance (class instances other than Arrow tables cannot be serialized)'],
    ['returnsSymbolCell', 'result[0].a is a symbol (Symbol(s)), which cannot be serialized'],
    ['bigintOverflow', 'result[0].b is the bigint 18446744073709551616n, outside the Int64 range'],
    ['invalidDate', 'result[0].d is an invalid Date'],
  ])('%s is refused, saying what was returned and what is allowed', async (name, says) => {
    const err = await rejection(step(name).runLocal(null, { validateOutput: true }));
    expect(err.code).toBe('INVALID_UDF_OUTPUT');
    expect(err.message).toContain(says);
  });

  test('without validateOutput any value comes back untouched', async () => {
    const fn = await step('returnsFunction').runLocal();
    expect(typeof fn).toBe('function');
  });
});
