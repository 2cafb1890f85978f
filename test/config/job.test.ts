import { describe, expect, test } from 'vitest';
import {
  GeospatialPartitionJobStepConfig,
  ingest,
  JobConfig,
  type JobStep,
  stepFromJSON,
  UdfJobStepConfig,
} from '../../src/config/index.js';
import { expectIssue, got } from './helpers.js';

const NAME = 'expected a name matching ^[a-zA-Z][a-zA-Z0-9_.:-]*$';
const partition = () => ingest('in/counties.gpkg', 'out/counties', { partitioningMethod: 'area' });
const udf = () => new UdfJobStepConfig({ udf: 'udfs/stats.mjs', input: [1, 2, 3], output: 'out/stats' });
const make = (extra: object = {}) =>
  new JobConfig({ name: 'counties', steps: [partition(), udf()], ...extra });
const fromJSON = (extra: object = {}, path?: string) =>
  JobConfig.fromJSON({ name: 'counties', steps: [partition().toJSON(), udf().toJSON()], ...extra }, path);

describe('name', () => {
  test('is required', () => {
    expectIssue(() => new JobConfig({ steps: [udf()] } as never), 'name', 'missing', NAME);
    expectIssue(() => JobConfig.fromJSON({ steps: [] }), 'name', 'missing', NAME);
  });

  test.each(['counties', 'a', 'Job_2024.v1:nightly-run', 'x-'])('accepts %j', (name) => {
    expect(make({ name }).name).toBe(name);
    expect(fromJSON({ name }).toJSON().name).toBe(name);
  });

  test.each(['1job', '', 'has space', '_lead', 'ünï', 'a/b', 5])('refuses %j', (name) => {
    expectIssue(() => make({ name }), 'name', got(name), NAME);
    expectIssue(() => fromJSON({ name }, 'job'), 'job.name', got(name), NAME);
  });
});

describe('steps', () => {
  test('are kept in order, as the job’s own copies', () => {
    const steps: JobStep[] = [partition(), udf()];
    const job = new JobConfig({ name: 'j', steps });
    expect(job.steps.map((s) => s.toJSON())).toEqual(steps.map((s) => s.toJSON()));
    expect(job.steps[0]).toBeInstanceOf(GeospatialPartitionJobStepConfig);
    expect(job.steps[1]).toBeInstanceOf(UdfJobStepConfig);
    expect(job.steps[0]).not.toBe(steps[0]);
    steps[0]!.setOutput('changed', { inplace: true });
    expect(job.steps[0]!.output).toBe('out/counties');
  });

  test('are required and at least one', () => {
    expectIssue(
      () => new JobConfig({ name: 'j' } as never),
      'steps',
      'missing',
      'a non-empty array of steps',
    );
    expectIssue(
      () => new JobConfig({ name: 'j', steps: [] }),
      'steps',
      got([]),
      'a non-empty array of steps',
    );
    expectIssue(
      () => JobConfig.fromJSON({ name: 'j', steps: {} }),
      'steps',
      got({}),
      'a non-empty array of steps',
    );
  });

  test('must be step instances in the constructor', () => {
    expectIssue(
      () => new JobConfig({ name: 'j', steps: [udf(), { type: 'udf' } as never] }),
      'steps[1]',
      got({ type: 'udf' }),
      'expected a GeospatialPartitionJobStepConfig or UdfJobStepConfig',
    );
  });

  test('in JSON need a known type', () => {
    expectIssue(
      () => JobConfig.fromJSON({ name: 'j', steps: [{ type: 'partition' }] }),
      'steps[0].type',
      got('partition'),
      '"partition_geospatial" or "udf"',
    );
    expectIssue(() => JobConfig.fromJSON({ name: 'j', steps: [{ input: 'x' }] }), 'steps[0].type', 'missing');
    expectIssue(() => JobConfig.fromJSON({ name: 'j', steps: ['x'] }), 'steps[0]', got('x'), 'a step object');
  });

  test('report their fields by JSON path', () => {
    const bad = { ...partition().toJSON(), partitioning_maximum_per_chunk: -5 };
    expectIssue(
      () => JobConfig.fromJSON({ name: 'j', steps: [udf().toJSON(), bad] }),
      'steps[1].partitioning_maximum_per_chunk',
      'got -5; expected a positive number or null',
    );
  });

  test('may not share an output', () => {
    const twin = new UdfJobStepConfig({ udf: 'u.mjs', output: 'out/counties' });
    expectIssue(
      () => new JobConfig({ name: 'j', steps: [partition(), udf(), twin] }),
      'steps[2].output',
      'got "out/counties", which steps[0] also writes',
    );
    expect(
      new JobConfig({ name: 'j', steps: [new UdfJobStepConfig(), new UdfJobStepConfig()] }).steps,
    ).toHaveLength(2);
  });

  test('cannot be replaced or reordered', () => {
    const job = make();
    expect(() => (job.steps as JobStep[]).push(udf())).toThrow(TypeError);
    expect(() => {
      (job as { steps: unknown }).steps = [];
    }).toThrow(TypeError);
  });
});

describe('metadata', () => {
  test('defaults to null', () => {
    expect(make().metadata).toBeNull();
    expect(make().toJSON().metadata).toBeNull();
  });

  test('accepts any JSON value', () => {
    expect(make({ metadata: { owner: 'gis', n: [1, 2] } }).metadata).toEqual({ owner: 'gis', n: [1, 2] });
    expect(fromJSON({ metadata: 'note' }).metadata).toBe('note');
  });

  test.each([
    ['a function', { f: () => 1 }, 'metadata.f', ['got a function']],
    ['a BigInt', 5n, 'metadata', ['5n (a BigInt)']],
    ['NaN', [Number.NaN], 'metadata[0]', ['got NaN']],
    ['a Map', new Map(), 'metadata', ['got a Map instance', 'class instances']],
  ])('refuses %s', (_what, metadata, path, says) => {
    expectIssue(() => make({ metadata }), path, ...says);
  });

  test('refuses a cycle', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expectIssue(() => make({ metadata: cyclic }), 'metadata.self.back', 'circular reference');
  });
});

test('unknown fields are refused, camelCase options too', () => {
  expectIssue(() => fromJSON({ nme: 'x' }), '', 'unknown field "nme"', 'did you mean "name"?');
  expectIssue(() => make({ stepz: [] }), '', 'unknown field "stepz"', 'did you mean "steps"?');
});

test('toJSON is the seed form, and fromJSON reads it back exactly', () => {
  const job = make({ metadata: { owner: 'gis' } });
  const json = job.toJSON();
  expect(json.steps.map((s) => s.type)).toEqual(['partition_geospatial', 'udf']);
  expect(json).toMatchObject({ name: 'counties', metadata: { owner: 'gis' } });
  const again = JobConfig.fromJSON(JSON.parse(JSON.stringify(json)));
  expect(again.toJSON()).toEqual(json);
  expect(again).toEqual(job);
});

test('runs remotely and locally', () => {
  expect(typeof make().runRemote).toBe('function');
  expect(typeof make().runLocal).toBe('function');
});

describe('stepFromJSON', () => {
  test('chooses the class by type', () => {
    expect(stepFromJSON({ type: 'udf', udf: 'm.mjs' })).toBeInstanceOf(UdfJobStepConfig);
    expect(stepFromJSON({ type: 'partition_geospatial', input: 'x' })).toBeInstanceOf(
      GeospatialPartitionJobStepConfig,
    );
    expect(stepFromJSON(partition().toJSON()).toJSON()).toEqual(partition().toJSON());
  });

  test('needs a known type, and reports fields under the given path', () => {
    expectIssue(() => stepFromJSON({ input: 'x' }), 'type', 'missing', '"partition_geospatial" or "udf"');
    expectIssue(() => stepFromJSON({ type: 'udf', input: [] }, 'steps[3]'), 'steps[3].input', got([]));
  });
});
