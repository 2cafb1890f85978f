import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  GeospatialPartitionJobStepConfig,
  JobConfig,
  loadJob,
  PARTITIONING_METHODS,
  SPLIT_METHODS,
  SYSTEM_PARAMETER_NAMES,
  UdfJobStepConfig,
} from '../../src/config/index.js';

/**
 * Random valid jobs in their JSON form, with optional fields sometimes left out. Every path is
 * absolute or a URL, so loading the job from any folder leaves them as they are.
 */

const noNul = (s: string) => !s.includes('\0');
const text = (minLength = 0) => fc.string({ minLength, maxLength: 12 }).filter(noNul);
const json = fc.jsonValue({ maxDepth: 2 });
const positive = fc.double({ min: Number.MIN_VALUE, max: 1e15, noNaN: true, noDefaultInfinity: true });
const location = fc.oneof(
  fc.stringMatching(/^\/[a-z0-9_]{1,8}(\/[a-zA-Z0-9_. -]{1,10}){0,3}$/),
  fc.stringMatching(/^s3:\/\/[a-z0-9-]{3,12}\/[a-zA-Z0-9_/.-]{1,20}$/),
  fc.stringMatching(/^\/vsi(zip|curl|s3)\/[a-z0-9/._-]{1,20}$/),
  fc.stringMatching(/^https:\/\/[a-z]{1,10}\.com\/[a-z0-9/._-]{0,20}$/),
);
const orNull = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const columns = fc.uniqueArray(text(1), { maxLength: 4 });

const maxima = fc.oneof(
  fc.constant({}),
  fc.record({ partitioning_maximum_per_file: orNull(positive) }),
  fc.record({ partitioning_maximum_per_chunk: orNull(positive) }),
  fc.tuple(positive, positive).map(([a, b]) => ({
    partitioning_maximum_per_file: Math.max(a, b),
    partitioning_maximum_per_chunk: Math.min(a, b),
  })),
);

const subdivision = fc.oneof(
  fc.constant({}),
  fc.record({ subdivide_start: orNull(positive) }),
  fc
    .tuple(positive, positive)
    .map(([a, b]) => ({ subdivide_start: Math.max(a, b), subdivide_stop: Math.min(a, b) })),
);

const optionName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,15}$/);
const gdalConfig = (allowCoordinateOptions: boolean) =>
  fc.record(
    {
      open_options: fc
        .uniqueArray(
          fc.tuple(
            optionName.filter((k) => allowCoordinateOptions || !/^[XY]_POSSIBLE_NAMES$/i.test(k)),
            fc.oneof(text(), fc.integer(), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true })),
          ),
          { selector: ([k]) => k.toUpperCase(), maxLength: 4 },
        )
        .map((entries) => Object.fromEntries(entries)),
      layer: orNull(fc.oneof(text(1), fc.nat())),
    },
    { requiredKeys: [] },
  );

const lonlatCols = fc.uniqueArray(text(1), { minLength: 2, maxLength: 2 });
const coordinates = fc.oneof(
  fc.constant({}),
  fc.record({ gdal_config: gdalConfig(true) }),
  fc.record(
    { lonlat_cols: orNull(lonlatCols), gdal_config: gdalConfig(false) },
    { requiredKeys: ['lonlat_cols'] },
  ),
);

const stepBase = {
  metadata: json,
  ignore_chunk_error: fc.boolean(),
  output: orNull(location),
  overwrite: fc.boolean(),
};

const partitionStep = fc
  .tuple(
    fc.record(
      {
        type: fc.constant('partition_geospatial' as const),
        ...stepBase,
        input: fc.oneof(location, fc.array(location, { minLength: 1, maxLength: 3 })),
        output_metadata: orNull(location),
        partitioning_method: fc.constantFrom(...PARTITIONING_METHODS),
        target_num_chunks: fc.integer({ min: 1, max: 1_000_000 }),
        partitioning_split_method: fc.constantFrom(...SPLIT_METHODS),
        partitioning_max_width_ratio: fc.double({ min: 1, max: 1e6, noNaN: true, noDefaultInfinity: true }),
        partitioning_max_height_ratio: fc.double({ min: 1, max: 1e6, noNaN: true, noDefaultInfinity: true }),
        split_identical_centroids: fc.boolean(),
        explode_geometries: fc.boolean(),
        make_valid: fc.boolean(),
        drop_out_of_bounds: fc.boolean(),
        load_columns: orNull(columns),
        remove_cols: columns,
        file_suffix: orNull(text(1)),
        partitioning_schema_input: orNull(location),
      },
      { requiredKeys: ['type', 'input'] },
    ),
    maxima,
    subdivision,
    coordinates,
  )
  .map(([base, ...rest]) => Object.assign({}, base, ...rest) as Record<string, unknown>);

const udfStep = fc
  .record(
    {
      type: fc.constant('udf' as const),
      ...stepBase,
      udf: orNull(
        fc.record(
          {
            module: location,
            name: fc.oneof(fc.constant('default'), fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,10}$/)),
            parameters: fc.dictionary(
              text().filter((k) => !(SYSTEM_PARAMETER_NAMES as readonly string[]).includes(k)),
              json,
              { maxKeys: 4 },
            ),
          },
          { requiredKeys: ['module'] },
        ),
      ),
      input: orNull(fc.array(json, { minLength: 1, maxLength: 4 })),
    },
    { requiredKeys: ['type'] },
  )
  .map((step) => step as Record<string, unknown>);

/** Steps' outputs are made distinct, as a job requires. */
const jobJson = fc
  .record(
    {
      name: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_.:-]{0,20}$/),
      steps: fc.array(fc.oneof(partitionStep, udfStep), { minLength: 1, maxLength: 4 }),
      metadata: json,
    },
    { requiredKeys: ['name', 'steps'] },
  )
  .map((job) => ({
    ...job,
    steps: job.steps.map((s, i) =>
      typeof s.output === 'string' ? { ...s, output: `${s.output}/step${i}` } : s,
    ),
  }));

/** What JSON makes of a value (-0 becomes 0, and so on). */
const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** `toJSON()` keeps every field the generator gave (gdal option values are stored as text). */
function expectFieldsKept(given: Record<string, unknown>, kept: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(given)) {
    if (key === 'gdal_config') continue;
    if (key === 'udf' && value !== null) {
      expect(kept.udf).toEqual({ name: 'default', parameters: {}, ...(viaJson(value) as object) });
    } else {
      expect(kept[key], key).toEqual(viaJson(value));
    }
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'geopart-roundtrip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a random valid job survives JSON.stringify and JobConfig.fromJSON unchanged', () => {
  fc.assert(
    fc.property(jobJson, (given) => {
      const job = JobConfig.fromJSON(given);
      const json = job.toJSON();
      const again = JobConfig.fromJSON(JSON.parse(JSON.stringify(json)));
      expect(again.toJSON()).toEqual(json);
      expect(again).toEqual(job);
      expect(json.name).toBe(given.name);
      expect(json.metadata).toEqual(viaJson(given.metadata ?? null));
      given.steps.forEach((step, i) => {
        expectFieldsKept(step, json.steps[i] as unknown as Record<string, unknown>);
      });
    }),
    { numRuns: 200 },
  );
});

test('a random valid job survives a trip through a job file and loadJob', async () => {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(jobJson, async (given) => {
      const json = JobConfig.fromJSON(given).toJSON();
      const path = join(dir, `job-${n++}.json`);
      await writeFile(path, JSON.stringify(json));
      expect((await loadJob(path)).toJSON()).toEqual(json);
    }),
    { numRuns: 60 },
  );
});

/** The camelCase options equivalent to a step's JSON form. */
function toInit(step: Record<string, unknown>): Record<string, unknown> {
  const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const init: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(step)) {
    if (key === 'type') continue;
    if (key === 'gdal_config') {
      const { open_options, layer } = value as { open_options?: unknown; layer?: unknown };
      init.gdalConfig = {
        ...(open_options !== undefined && { openOptions: open_options }),
        ...(layer !== undefined && { layer }),
      };
    } else {
      init[camel(key)] = value;
    }
  }
  return init;
}

test('camelCase options build the same step as its JSON form', () => {
  fc.assert(
    fc.property(fc.oneof(partitionStep, udfStep), (step) => {
      const built =
        step.type === 'udf'
          ? new UdfJobStepConfig(toInit(step))
          : new GeospatialPartitionJobStepConfig(toInit(step) as never);
      const read =
        step.type === 'udf'
          ? UdfJobStepConfig.fromJSON(step)
          : GeospatialPartitionJobStepConfig.fromJSON(step);
      expect(built.toJSON()).toEqual(read.toJSON());
    }),
    { numRuns: 200 },
  );
});
