import { describe, expect, test } from 'vitest';
import { GeospatialPartitionJobStepConfig, UdfJobStepConfig } from '../../src/config/index.js';
import { configError, expectIssue, got } from './helpers.js';

const geo = () =>
  new GeospatialPartitionJobStepConfig({ input: 'in.gpkg', output: 'before', metadata: { k: 1 } });

describe('setOutput: table or URL', () => {
  test.each([
    ['s3://bucket/prefix/table', 's3://bucket/prefix/table'],
    ['https://example.com/t', 'https://example.com/t'],
    ['out/counties', 'out/counties'],
    ['/abs/out', '/abs/out'],
    ['./here', './here'],
    ['..', '..'],
    ['/vsis3/bucket/t', '/vsis3/bucket/t'],
    ['counties', 'counties'],
    ['roads_2024.v2-final', 'roads_2024.v2-final'],
    ['_private', '_private'],
  ])('%s sets output %s', (tableOrUrl, output) => {
    expect(geo().setOutput(tableOrUrl).output).toBe(output);
  });

  test.each(['bad name', 'tab\tle', 'ü', '-leading-dash', 'a:b'])('refuses the table name %j', (name) => {
    expectIssue(
      () => geo().setOutput(name),
      'table_or_url',
      got(name),
      'a table name matching ^[A-Za-z0-9_][A-Za-z0-9_.-]*$',
    );
  });

  test('an explicit table must be a table name, not a path', () => {
    expectIssue(
      () => geo().setOutput(undefined, { table: 'a/b' }),
      'table',
      got('a/b'),
      'a table name matching',
    );
    expect(geo().setOutput(undefined, { table: 'plain' }).output).toBe('plain');
  });

  test('url overrides table', () => {
    expect(geo().setOutput(undefined, { table: 'tbl', url: 's3://b/u' }).output).toBe('s3://b/u');
  });

  test('an explicit url is any non-empty path or URL', () => {
    expect(geo().setOutput(undefined, { url: 'relative-without-slash' }).output).toBe(
      'relative-without-slash',
    );
    expectIssue(() => geo().setOutput(undefined, { url: '' }), 'url', got(''), 'a path or URL');
  });

  test('the first argument together with table or url is refused', () => {
    expectIssue(() => geo().setOutput('a', { url: 's3://b/k' }), 'table_or_url', 'give the output once');
    expectIssue(() => geo().setOutput('a', { table: 'b' }), 'table_or_url', 'give the output once');
  });

  test('null clears the output; nothing given keeps it', () => {
    expect(geo().setOutput(null).output).toBeNull();
    expect(geo().setOutput().output).toBe('before');
    expect(geo().setOutput(undefined, { overwrite: true }).output).toBe('before');
  });

  test('unknown options are refused with a suggestion', () => {
    expectIssue(
      () => geo().setOutput('t', { inPlace: true } as never),
      '',
      'unknown field "inPlace"',
      'did you mean "inplace"?',
    );
  });
});

describe('setOutput: overwrite', () => {
  test('given sets it, undefined keeps it', () => {
    const on = geo().setOutput('t', { overwrite: true });
    expect(on.overwrite).toBe(true);
    expect(on.setOutput('u').overwrite).toBe(true);
    expect(on.setOutput('u', { overwrite: false }).overwrite).toBe(false);
  });

  test('must be a boolean', () => {
    expectIssue(
      () => geo().setOutput('t', { overwrite: 'yes' as never }),
      'overwrite',
      got('yes'),
      'true or false',
    );
  });
});

describe.each([
  ['partition_geospatial', geo],
  ['udf', () => new UdfJobStepConfig({ output: 'before', udf: 'm.mjs', metadata: { k: 1 } })],
] as const)('setOutput copy vs inplace on a %s step', (_kind, make) => {
  test('inplace: false (default) returns a new object and leaves the original untouched', () => {
    const original = make();
    const before = original.toJSON();
    const copy = original.setOutput('s3://b/new', { overwrite: true });
    expect(copy).not.toBe(original);
    expect(copy).toBeInstanceOf(original.constructor);
    expect(copy.output).toBe('s3://b/new');
    expect(copy.overwrite).toBe(true);
    expect(original.toJSON()).toEqual(before);
    expect({ ...copy.toJSON(), output: 'before', overwrite: false }).toEqual(before);
  });

  test('the copy is as read-only as the original', () => {
    const copy = make().setOutput('t');
    expect(() => {
      (copy as { output: unknown }).output = 'x';
    }).toThrow(TypeError);
  });

  test('inplace: true changes and returns the same object', () => {
    const original = make();
    const same = original.setOutput('other', { inplace: true, overwrite: true });
    expect(same).toBe(original);
    expect(original.output).toBe('other');
    expect(original.overwrite).toBe(true);
    expect(() => {
      (original as { output: unknown }).output = 'x';
    }).toThrow(TypeError);
  });

  test('an invalid change throws and changes nothing, in place or not', () => {
    const original = make();
    const before = original.toJSON();
    configError(() => original.setOutput('bad name'));
    configError(() => original.setOutput('bad name', { inplace: true }));
    expect(original.toJSON()).toEqual(before);
  });

  test('inplace must be a boolean', () => {
    expectIssue(() => make().setOutput('t', { inplace: 1 as never }), 'inplace', got(1), 'true or false');
  });
});
