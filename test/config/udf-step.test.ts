import { describe, expect, test } from 'vitest';
import { SYSTEM_PARAMETER_NAMES, UdfJobStepConfig } from '../../src/config/index.js';
import { configError, expectIssue, got } from './helpers.js';

const INPUT = 'expected a non-empty array of JSON values, or null to run once without input';
const UDF = 'expected a UDF: {"module": path, "name": export, "parameters": {...}}, a module path, or null';

describe('udf', () => {
  test('defaults to null', () => {
    expect(new UdfJobStepConfig().udf).toBeNull();
    expect(UdfJobStepConfig.fromJSON({}).toJSON().udf).toBeNull();
  });

  test.each([
    [{ module: 'udfs/stats.mjs' }, { module: 'udfs/stats.mjs', name: 'default', parameters: {} }],
    ['udfs/stats.mjs', { module: 'udfs/stats.mjs', name: 'default', parameters: {} }],
    [
      { module: 'file:///abs/m.mjs', name: 'summarize', parameters: { k: 3, opts: { deep: [1, null] } } },
      { module: 'file:///abs/m.mjs', name: 'summarize', parameters: { k: 3, opts: { deep: [1, null] } } },
    ],
    [
      { module: 'm.mjs', name: '$run_2' },
      { module: 'm.mjs', name: '$run_2', parameters: {} },
    ],
    [null, null],
  ])('accepts %j', (udf, expected) => {
    expect(new UdfJobStepConfig({ udf }).udf).toEqual(expected);
    expect(UdfJobStepConfig.fromJSON({ udf }).toJSON().udf).toEqual(expected);
  });

  test.each([
    ['a number', 5, 'udf', [got(5), UDF]],
    ['an array', ['m.mjs'], 'udf', [UDF]],
    ['an empty module', { module: '' }, 'udf.module', [got(''), 'expected a path or URL of an ES module']],
    ['no module', { name: 'x' }, 'udf.module', ['missing', 'a path or URL of an ES module']],
    [
      'a bad export name',
      { module: 'm.mjs', name: '1st' },
      'udf.name',
      [got('1st'), '"default" or the name of a named export'],
    ],
    [
      'parameters that are not an object',
      { module: 'm.mjs', parameters: [1] },
      'udf.parameters',
      [got([1]), 'an object of JSON parameter values'],
    ],
    [
      'a non-JSON parameter',
      { module: 'm.mjs', parameters: { f: () => 1 } },
      'udf.parameters.f',
      ['got a function'],
    ],
    [
      'a misspelt field',
      { module: 'm.mjs', nmae: 'x' },
      'udf',
      ['unknown field "nmae"', 'did you mean "name"?'],
    ],
  ])('refuses %s', (_what, udf, path, says) => {
    expectIssue(() => new UdfJobStepConfig({ udf: udf as never }), path, ...says);
    expectIssue(() => UdfJobStepConfig.fromJSON({ udf }, 'steps[1]'), `steps[1].${path}`, ...says);
  });

  test.each(SYSTEM_PARAMETER_NAMES)(
    'refuses the system parameter %s, saying the engine supplies it',
    (name) => {
      const issue = expectIssue(
        () => new UdfJobStepConfig({ udf: { module: 'm.mjs', parameters: { k: 1, [name]: 'x' } } }),
        `udf.parameters.${name}`,
        `"${name}" is a system parameter`,
        'the engine supplies it',
      );
      expect(issue.message).toContain('output, context');
    },
  );

  test('SYSTEM_PARAMETER_NAMES is output and context, read-only', () => {
    expect(SYSTEM_PARAMETER_NAMES).toEqual(['output', 'context']);
  });
});

describe('input', () => {
  test('defaults to null (run once without input)', () => {
    expect(new UdfJobStepConfig().input).toBeNull();
    expect(UdfJobStepConfig.fromJSON({}).toJSON().input).toBeNull();
  });

  test.each([[[1, 2, 3]], [['a', { b: [true, null] }, 2.5]], [[null]], [null]])('accepts %j', (input) => {
    expect(new UdfJobStepConfig({ input }).input).toEqual(input);
    expect(UdfJobStepConfig.fromJSON({ input }).toJSON().input).toEqual(input);
  });

  test.each([
    ['an empty array', [], 'input', [got([]), INPUT]],
    ['a number', 5, 'input', [got(5), INPUT]],
    ['an object other than chunks_of', { a: 1 }, 'input', ['unknown field "a"']],
    ['a string', 'a', 'input', [got('a'), INPUT]],
    ['undefined inside', [1, undefined], 'input[1]', ['got undefined', 'JSON has no undefined']],
    ['a hole', Object.assign(new Array(3), { 0: 1, 2: 3 }), 'input[1]', ['got undefined']],
    ['a BigInt inside', [{ n: 1n }], 'input[0].n', ['1n (a BigInt)']],
  ])('refuses %s', (_what, input, path, says) => {
    expectIssue(() => new UdfJobStepConfig({ input: input as never }), path, ...says);
    expectIssue(() => UdfJobStepConfig.fromJSON({ input }), path, ...says);
  });

  test('takes the chunks of a table: {"chunks_of": table} in JSON, { chunksOf } in code', () => {
    const fromJson = UdfJobStepConfig.fromJSON({ input: { chunks_of: 'out/table' } });
    expect(fromJson.input).toEqual({ chunksOf: 'out/table' });
    expect(fromJson.toJSON().input).toEqual({ chunks_of: 'out/table' });
    const made = new UdfJobStepConfig({ input: { chunksOf: 's3://b/t' } });
    expect(made.toJSON().input).toEqual({ chunks_of: 's3://b/t' });
    expect(made.setInput([1]).input).toEqual([1]);
    expect(new UdfJobStepConfig({ input: [1] }).setInput({ chunksOf: 't' }).toJSON().input).toEqual({
      chunks_of: 't',
    });
  });

  test.each([
    ['an empty table', { chunks_of: '' }, 'input.chunks_of', [got(''), 'a table path or URL']],
    ['a number', { chunks_of: 3 }, 'input.chunks_of', [got(3), 'a table path or URL']],
    ['a misspelt key', { chunk_of: 't' }, 'input', ['unknown field "chunk_of"', 'did you mean "chunks_of"?']],
  ])('refuses chunks_of with %s', (_what, input, path, says) => {
    expectIssue(() => UdfJobStepConfig.fromJSON({ input }), path, ...says);
  });
});

describe('timeout_seconds', () => {
  test('defaults to null (no limit) and takes a positive number of seconds', () => {
    expect(new UdfJobStepConfig().timeoutSeconds).toBeNull();
    expect(new UdfJobStepConfig({ timeoutSeconds: 2.5 }).toJSON().timeout_seconds).toBe(2.5);
    expect(UdfJobStepConfig.fromJSON({ timeout_seconds: 30 }).timeoutSeconds).toBe(30);
  });

  test.each([0, -1, 'ten', 1e9, Number.POSITIVE_INFINITY])('refuses %s', (value) => {
    const says = 'a number of seconds in (0, 2147483], or null for no limit';
    expectIssue(() => UdfJobStepConfig.fromJSON({ timeout_seconds: value }), 'timeout_seconds', says);
    expectIssue(() => new UdfJobStepConfig({ timeoutSeconds: value as never }), 'timeout_seconds', says);
  });
});

describe('setInput', () => {
  const make = () => new UdfJobStepConfig({ udf: 'm.mjs', input: [1] });

  test('returns a validated copy and leaves the original untouched', () => {
    const original = make();
    const copy = original.setInput([{ a: 1 }, 2]);
    expect(copy).not.toBe(original);
    expect(copy).toBeInstanceOf(UdfJobStepConfig);
    expect(copy.input).toEqual([{ a: 1 }, 2]);
    expect(copy.udf).toEqual(original.udf);
    expect(original.input).toEqual([1]);
  });

  test('inplace: true changes and returns the same object', () => {
    const original = make();
    expect(original.setInput(null, { inplace: true })).toBe(original);
    expect(original.input).toBeNull();
  });

  test('an invalid input throws and changes nothing', () => {
    const original = make();
    expectIssue(() => original.setInput([], { inplace: true }), 'input', INPUT);
    expectIssue(() => original.setInput(undefined as never), 'input', 'got undefined', INPUT);
    expectIssue(() => original.setInput([() => 1] as never), 'input[0]', 'got a function');
    expect(original.input).toEqual([1]);
  });

  test('the step keeps its own frozen copy of the inputs', () => {
    const inputs = [{ a: 1 }];
    const step = make().setInput(inputs);
    inputs[0]!.a = 2;
    expect(step.input).toEqual([{ a: 1 }]);
    expect(() => (step.input as unknown[]).push(3)).toThrow(TypeError);
  });

  test('refuses unknown options', () => {
    expectIssue(() => make().setInput([1], { inPlace: true } as never), '', 'did you mean "inplace"?');
  });
});

describe('setUdf', () => {
  const make = () => new UdfJobStepConfig({ udf: { module: 'old.mjs', parameters: { a: 1 } }, input: [1] });

  test('a module path selects its default export with no parameters', () => {
    expect(make().setUdf('new.mjs').udf).toEqual({ module: 'new.mjs', name: 'default', parameters: {} });
  });

  test('parameters are merged over the UDF’s own', () => {
    const step = make().setUdf({ module: 'n.mjs', name: 'f', parameters: { a: 1, b: 2 } }, { b: 3, c: 4 });
    expect(step.udf).toEqual({ module: 'n.mjs', name: 'f', parameters: { a: 1, b: 3, c: 4 } });
  });

  test('replaceParameters drops the UDF’s own parameters', () => {
    const step = make().setUdf(
      { module: 'n.mjs', parameters: { a: 1, b: 2 } },
      { c: 4 },
      { replaceParameters: true },
    );
    expect(step.udf?.parameters).toEqual({ c: 4 });
  });

  test('no parameters keeps the UDF’s own', () => {
    expect(make().setUdf({ module: 'n.mjs', parameters: { a: 9 } }).udf?.parameters).toEqual({ a: 9 });
  });

  test('null removes the UDF; parameters without a UDF are refused', () => {
    expect(make().setUdf(null).udf).toBeNull();
    expectIssue(() => make().setUdf(null, { a: 1 }), 'parameters', 'parameters need a udf');
  });

  test('copy vs inplace', () => {
    const original = make();
    const before = original.toJSON();
    const copy = original.setUdf('n.mjs');
    expect(copy).not.toBe(original);
    expect(original.toJSON()).toEqual(before);
    expect(copy.input).toEqual([1]);
    const same = original.setUdf('n.mjs', { z: 1 }, { inplace: true });
    expect(same).toBe(original);
    expect(original.udf).toEqual({ module: 'n.mjs', name: 'default', parameters: { z: 1 } });
  });

  test('a system parameter given through parameters is refused, and nothing changes', () => {
    const original = make();
    const before = original.toJSON();
    expectIssue(
      () => original.setUdf('n.mjs', { context: 1 }, { inplace: true }),
      'udf.parameters.context',
      'system parameter',
    );
    expectIssue(
      () => original.setUdf({ module: 'n.mjs', parameters: { output: 1 } }),
      'udf.parameters.output',
      'engine supplies',
    );
    expect(original.toJSON()).toEqual(before);
  });

  test('refuses a bad UDF and bad options', () => {
    expectIssue(() => make().setUdf(3 as never), 'udf', got(3));
    expectIssue(
      () => make().setUdf('m.mjs', 'k=1' as never),
      'parameters',
      got('k=1'),
      'an object of JSON parameter values',
    );
    expectIssue(
      () => make().setUdf('m.mjs', {}, { replace: true } as never),
      '',
      'did you mean "replace_parameters"?',
    );
    expect(configError(() => make().setUdf('m.mjs', {}, { inplace: 'no' as never })).issues[0]?.path).toBe(
      'inplace',
    );
  });
});

test('fromJSON accepts a step without type and round-trips toJSON exactly', () => {
  const step = UdfJobStepConfig.fromJSON({ udf: 'm.mjs', input: [1, 'a'], metadata: { x: [1] } });
  const again = UdfJobStepConfig.fromJSON(JSON.parse(JSON.stringify(step.toJSON())));
  expect(again.toJSON()).toEqual(step.toJSON());
  expect(again).toEqual(step);
});
