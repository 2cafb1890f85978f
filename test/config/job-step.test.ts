import { describe, expect, test } from 'vitest';
import {
  GeospatialPartitionJobStepConfig,
  JobStepConfig,
  PartitionJobStepConfig,
  UdfJobStepConfig,
} from '../../src/config/index.js';
import { expectIssue, got } from './helpers.js';

/** The two concrete step kinds, each built from its minimal options plus `extra`. */
const kinds = [
  {
    kind: 'partition_geospatial',
    make: (extra: object) => new GeospatialPartitionJobStepConfig({ input: 'in.gpkg', ...extra }),
    fromJSON: (extra: object, path?: string) =>
      GeospatialPartitionJobStepConfig.fromJSON(
        { type: 'partition_geospatial', input: 'in.gpkg', ...extra },
        path,
      ),
  },
  {
    kind: 'udf',
    make: (extra: object) => new UdfJobStepConfig({ ...extra }),
    fromJSON: (extra: object, path?: string) => UdfJobStepConfig.fromJSON({ type: 'udf', ...extra }, path),
  },
] as const;

interface FieldCase {
  readonly field: string;
  readonly prop: 'metadata' | 'ignoreChunkError' | 'output' | 'overwrite';
  readonly default: unknown;
  readonly valid: readonly unknown[];
  readonly invalid: readonly { value: unknown; path: string; says: readonly string[] }[];
}

/** Fields of JobStepConfig: seed name, property, default, valid values and invalid ones. */
const fields: readonly FieldCase[] = [
  {
    field: 'metadata',
    prop: 'metadata',
    default: null,
    valid: [{ owner: 'gis', tags: ['a', 'b'], n: 1.5, nested: { x: null, ok: true } }, 'text', 3, [1, [2]]],
    invalid: [
      { value: () => 1, path: 'metadata', says: ['got a function', 'expected a JSON value'] },
      { value: { a: { b: 10n } }, path: 'metadata.a.b', says: ['10n (a BigInt)', 'JSON has no BigInt'] },
      { value: { n: Number.NaN }, path: 'metadata.n', says: ['got NaN', 'JSON numbers must be finite'] },
    ],
  },
  {
    field: 'ignore_chunk_error',
    prop: 'ignoreChunkError',
    default: false,
    valid: [true, false],
    invalid: [{ value: 'yes', path: 'ignore_chunk_error', says: [got('yes'), 'expected true or false'] }],
  },
  {
    field: 'output',
    prop: 'output',
    default: null,
    valid: ['out/table', 's3://bucket/table', 'table', null],
    invalid: [
      { value: '', path: 'output', says: [got(''), 'expected a path or URL (non-empty string) or null'] },
      { value: 5, path: 'output', says: [got(5), 'expected a path or URL (non-empty string) or null'] },
    ],
  },
  {
    field: 'overwrite',
    prop: 'overwrite',
    default: false,
    valid: [true],
    invalid: [{ value: 1, path: 'overwrite', says: [got(1), 'expected true or false'] }],
  },
];

describe.each(kinds)('JobStepConfig fields on a $kind step', ({ make, fromJSON }) => {
  describe.each(fields)('$field', ({ field, prop, default: dflt, valid, invalid }) => {
    test('defaults', () => {
      expect(make({})[prop]).toEqual(dflt);
      expect((make({}).toJSON() as Record<string, unknown>)[field]).toEqual(dflt);
    });
    test.each(valid.map((value) => ({ value })))('accepts $value', ({ value }) => {
      expect(make({ [prop]: value })[prop]).toEqual(value);
      expect(fromJSON({ [field]: value })[prop]).toEqual(value);
    });
    test.each(invalid)('refuses $value', ({ value, path, says }) => {
      expectIssue(() => make({ [prop]: value }), path, ...says);
      expectIssue(() => fromJSON({ [field]: value }, 'steps[0]'), `steps[0].${path}`, ...says);
    });
  });

  test('fields are read-only and hold frozen values', () => {
    const step = make({ metadata: { tags: ['a'] } });
    expect(() => {
      (step as { output: unknown }).output = 'elsewhere';
    }).toThrow(TypeError);
    expect(() => (step.metadata as { tags: string[] }).tags.push('b')).toThrow(TypeError);
    expect(step.output).toBeNull();
  });

  test('keeps its own copy of the metadata it was given', () => {
    const metadata = { tags: ['a'] };
    const step = make({ metadata });
    metadata.tags.push('b');
    expect(step.metadata).toEqual({ tags: ['a'] });
    expect(Object.isFrozen(metadata)).toBe(false);
  });

  test('toJSON returns a fresh, mutable copy', () => {
    const step = make({ metadata: { tags: ['a'] } });
    const json = step.toJSON() as unknown as { metadata: { tags: string[] } };
    json.metadata.tags.push('b');
    expect(step.metadata).toEqual({ tags: ['a'] });
  });

  test('refuses snake_case option names, which belong to JSON', () => {
    expectIssue(
      () => make({ ignore_chunk_error: true }),
      'ignore_chunk_error',
      'camelCase',
      'ignoreChunkError',
    );
  });

  test('refuses an unknown option with a suggestion', () => {
    expectIssue(
      () => make({ ignoreChunkErorr: true }),
      '',
      'unknown field "ignore_chunk_erorr"',
      'did you mean "ignore_chunk_error"?',
    );
  });

  test('refuses an unknown JSON field with a suggestion', () => {
    expectIssue(
      () => fromJSON({ overwrit: true }, 'steps[1]'),
      'steps[1]',
      'unknown field "overwrit"',
      'did you mean "overwrite"?',
    );
  });

  test('runs locally and remotely', () => {
    const step = make({}) as unknown as Record<string, unknown>;
    expect(typeof step.runRemote).toBe('function');
    expect(typeof step.runLocal).toBe('function');
  });
});

describe('base classes', () => {
  test('PartitionJobStepConfig cannot be instantiated directly', () => {
    const Base = PartitionJobStepConfig as unknown as new (init: object) => unknown;
    expect(() => new Base({ input: 'in.gpkg' })).toThrow(/PartitionJobStepConfig is a base class/);
  });

  test('JobStepConfig cannot be instantiated directly', () => {
    const Base = JobStepConfig as unknown as new (init: object) => unknown;
    expect(() => new Base({})).toThrow(/JobStepConfig is a base class/);
  });

  test('both concrete steps are JobStepConfigs; only the ingestion step is a PartitionJobStepConfig', () => {
    const geo = new GeospatialPartitionJobStepConfig({ input: 'in.gpkg' });
    const udf = new UdfJobStepConfig();
    expect(geo).toBeInstanceOf(PartitionJobStepConfig);
    expect(geo).toBeInstanceOf(JobStepConfig);
    expect(udf).toBeInstanceOf(JobStepConfig);
    expect(udf).not.toBeInstanceOf(PartitionJobStepConfig);
  });

  test('fromJSON refuses a step of the other type', () => {
    expectIssue(
      () => UdfJobStepConfig.fromJSON({ type: 'partition_geospatial' }),
      'type',
      got('partition_geospatial'),
      '"udf"',
    );
    expectIssue(
      () => GeospatialPartitionJobStepConfig.fromJSON({ type: 'udf', input: 'x' }),
      'type',
      got('udf'),
      '"partition_geospatial"',
    );
  });

  test('fromJSON refuses a value that is not an object', () => {
    expectIssue(() => UdfJobStepConfig.fromJSON([1]), '', got([1]), 'expected a udf step object');
    expectIssue(
      () => GeospatialPartitionJobStepConfig.fromJSON('in.gpkg', 'steps[2]'),
      'steps[2]',
      got('in.gpkg'),
      'expected a partition_geospatial step object',
    );
  });
});
