import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  GeospatialPartitionJobStepConfig,
  JobConfig,
  jobNameFromFile,
  loadJob,
  UdfJobStepConfig,
} from '../../src/config/index.js';
import { ConfigError, GeopartError } from '../../src/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'geopart-load-job-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `text` (or `value` as JSON) to `name` under the temp dir and returns its path. */
async function jobFile(name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return path;
}

async function loadError<E extends Error>(path: string, type: new (...args: never[]) => E): Promise<E> {
  const err = await loadJob(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as E;
}

/** A job file of a partition step and a UDF step (README.md, "Jobs and UDF steps"). */
const SPEC_EXAMPLE = `{"name": "counties", "metadata": {"owner": "gis"}, "steps": [
  {"type": "partition_geospatial", "input": "in/counties.gpkg", "output": "out/counties",
   "partitioning_method": "area", "partitioning_maximum_per_chunk": 5, "subdivide_start": 1,
   "gdal_config": {"layer": "counties", "open_options": {}}},
  {"type": "udf", "udf": {"module": "udfs/stats.mjs", "name": "default", "parameters": {"k": 3}},
   "input": [1, 2, 3], "output": "out/stats", "ignore_chunk_error": true}]}`;

describe('a job file of a partition step and a UDF step', () => {
  test('loads, with defaults filled and relative paths resolved against the file’s folder', async () => {
    const path = await jobFile('project/counties.json', SPEC_EXAMPLE);
    const base = join(dir, 'project');
    const job = await loadJob(path);
    expect(job).toBeInstanceOf(JobConfig);
    expect(job.name).toBe('counties');
    expect(job.metadata).toEqual({ owner: 'gis' });
    const [partition, udf] = job.steps;
    expect(partition).toBeInstanceOf(GeospatialPartitionJobStepConfig);
    expect(udf).toBeInstanceOf(UdfJobStepConfig);
    const p = partition as GeospatialPartitionJobStepConfig;
    expect(p.input).toBe(join(base, 'in/counties.gpkg'));
    expect(p.output).toBe(join(base, 'out/counties'));
    expect(p.partitioningMethod).toBe('area');
    expect(p.partitioningMaximumPerChunk).toBe(5);
    expect(p.subdivideStart).toBe(1);
    expect(p.subdivideStop).toBe(1);
    expect(p.targetNumChunks).toBe(500);
    expect(p.gdalConfig.layer).toBe('counties');
    const u = udf as UdfJobStepConfig;
    expect(u.udf).toEqual({ module: join(base, 'udfs/stats.mjs'), name: 'default', parameters: { k: 3 } });
    expect(u.input).toEqual([1, 2, 3]);
    expect(u.output).toBe(join(base, 'out/stats'));
    expect(u.ignoreChunkError).toBe(true);
  });
});

describe('path resolution', () => {
  test('resolves every relative path field and leaves URLs and absolute paths alone', async () => {
    const path = await jobFile('paths/job.json', {
      name: 'paths',
      steps: [
        {
          type: 'partition_geospatial',
          input: [
            'a.gpkg',
            './b/c.fgb',
            '../up.shp',
            's3://bucket/k.parquet',
            '/vsizip/x.zip/a.shp',
            '/abs/in.gpkg',
          ],
          output: 'table_name',
          output_metadata: 'meta/m.parquet',
          partitioning_schema_input: 'https://example.com/schema.parquet',
        },
        { type: 'udf', udf: 'file:///opt/udf.mjs', output: 's3://bucket/out' },
        { type: 'udf', udf: { module: '/abs/udf.mjs' }, output: '/abs/out' },
      ],
    });
    const base = join(dir, 'paths');
    const [p, u1, u2] = (await loadJob(path)).toJSON().steps;
    expect(p).toMatchObject({
      input: [
        join(base, 'a.gpkg'),
        join(base, 'b/c.fgb'),
        join(dir, 'up.shp'),
        's3://bucket/k.parquet',
        '/vsizip/x.zip/a.shp',
        '/abs/in.gpkg',
      ],
      output: join(base, 'table_name'),
      output_metadata: join(base, 'meta/m.parquet'),
      partitioning_schema_input: 'https://example.com/schema.parquet',
    });
    expect(u1).toMatchObject({ udf: { module: 'file:///opt/udf.mjs' }, output: 's3://bucket/out' });
    expect(u2).toMatchObject({ udf: { module: '/abs/udf.mjs' }, output: '/abs/out' });
  });

  test('a chunks_of reading an earlier step’s output resolves like that output; outputDir moves the tables, not the inputs', async () => {
    const path = await jobFile('tables/job.json', {
      name: 'tables',
      steps: [
        { type: 'partition_geospatial', input: 'in.fgb', output: 'out/t', output_metadata: 'out/m.parquet' },
        { type: 'udf', udf: 'u.mjs', input: { chunks_of: 'out/t' }, output: 'out/s' },
      ],
    });
    const [p, u] = (await loadJob(path)).toJSON().steps;
    expect(u).toMatchObject({ input: { chunks_of: join(dir, 'tables/out/t') } });
    const moved = join(dir, 'elsewhere');
    const [p2, u2] = (await loadJob(path, { outputDir: moved })).toJSON().steps;
    expect(p2).toMatchObject({
      input: join(dir, 'tables/in.fgb'),
      output: join(moved, 'out/t'),
      output_metadata: join(moved, 'out/m.parquet'),
    });
    expect(u2).toMatchObject({
      udf: { module: join(dir, 'tables/u.mjs') },
      input: { chunks_of: join(moved, 'out/t') },
      output: join(moved, 'out/s'),
    });
    expect(p).toMatchObject({ output: join(dir, 'tables/out/t') });
  });

  test('outputDir moves a chunks_of only when it names an earlier step’s table, however written', async () => {
    const path = await jobFile('reads/job.json', {
      name: 'reads',
      steps: [
        { type: 'partition_geospatial', input: 'in.fgb', output: 'out/t', output_metadata: 'out/m.parquet' },
        { type: 'udf', udf: 'u.mjs', input: { chunks_of: './out/t' }, output: 'out/a' },
        { type: 'udf', udf: 'u.mjs', input: { chunks_of: 'out/m.parquet' }, output: 'out/b' },
        { type: 'udf', udf: 'u.mjs', input: { chunks_of: 'out/t/_sample' }, output: 'out/c' },
        { type: 'udf', udf: 'u.mjs', input: { chunks_of: 'src-table' }, output: 'out/d' },
        { type: 'udf', udf: 'u.mjs', input: { chunks_of: 'out/e' }, output: 'out/e' },
      ],
    });
    const base = join(dir, 'reads');
    const moved = join(dir, 'moved');
    const steps = (await loadJob(path, { outputDir: moved })).toJSON().steps;
    expect(steps.slice(1).map((s) => (s as { input: unknown }).input)).toEqual([
      { chunks_of: join(moved, 'out/t') },
      { chunks_of: join(moved, 'out/m.parquet') },
      { chunks_of: join(moved, 'out/t/_sample') },
      // Not written by the job: an existing table beside the job file.
      { chunks_of: join(base, 'src-table') },
      // Its own output is not an earlier step's.
      { chunks_of: join(base, 'out/e') },
    ]);
    const plain = (await loadJob(path)).toJSON().steps;
    expect((plain[4] as { input: unknown }).input).toEqual({ chunks_of: join(base, 'src-table') });
  });

  test('a relative path to the job file itself resolves against the file’s folder, not the cwd', async () => {
    await jobFile('rel/job.json', {
      name: 'rel',
      steps: [{ type: 'partition_geospatial', input: 'in.gpkg' }],
    });
    const relative = join(dir, 'rel/job.json').replace(`${process.cwd()}/`, '');
    const job = await loadJob(relative);
    expect(job.steps[0]!.toJSON()).toMatchObject({ input: join(dir, 'rel/in.gpkg') });
  });
});

describe('errors', () => {
  test('name the file and the JSON path of the bad field', async () => {
    const path = await jobFile('bad-value.json', {
      name: 'j',
      steps: [{ type: 'partition_geospatial', input: 'x', partitioning_maximum_per_chunk: -5 }],
    });
    const err = await loadError(path, ConfigError);
    expect(err.message).toContain(path);
    expect(err.message).toContain(
      'steps[0].partitioning_maximum_per_chunk: got -5; expected a positive number or null',
    );
    expect(err.issues).toEqual([
      {
        path: 'steps[0].partitioning_maximum_per_chunk',
        message: 'got -5; expected a positive number or null',
      },
    ]);
  });

  test('an unknown key is named, with the field it probably meant', async () => {
    const path = await jobFile('typo.json', {
      name: 'j',
      steps: [
        { type: 'udf' },
        { type: 'partition_geospatial', input: 'x', partitioning_maximum_per_chunck: 5 },
      ],
    });
    const err = await loadError(path, ConfigError);
    expect(err.message).toContain(path);
    expect(err.issues).toEqual([
      {
        path: 'steps[1]',
        message:
          'unknown field "partitioning_maximum_per_chunck"; did you mean "partitioning_maximum_per_chunk"?',
      },
    ]);
  });

  test('malformed JSON gives the file, line and column', async () => {
    const path = await jobFile('broken.json', '{\n  "name": "j",\n  "steps": [}\n');
    const err = await loadError(path, GeopartError);
    expect(err.code).toBe('INVALID_JOB_FILE');
    expect(err.message).toMatch(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:13: not valid JSON`),
    );
    expect(err.context).toMatchObject({ file: path, line: 3, column: 13 });
  });

  test('truncated JSON points at its end', async () => {
    const path = await jobFile('truncated.json', '{"name": "j",\n "steps": [');
    const err = await loadError(path, GeopartError);
    expect(err.message).toContain(`${path}:2:12: not valid JSON`);
  });

  test.each([
    ['a trailing comma', '{"name": "j",}', 1, 14],
    ['garbage after the document', '{"name": "j"}\n\n  x', 3, 3],
    ['a bare word (n could start null; a cannot follow)', 'name: j', 1, 2],
    ['an empty file', '', 1, 1],
    ['a stray bracket on line 2', '{"steps": [\n  ]]}', 2, 4],
  ])('%s is located at its line and column', async (_what, text, line, column) => {
    const path = await jobFile('located.json', text);
    const err = await loadError(path, GeopartError);
    expect(err.message).toContain(`${path}:${line}:${column}: not valid JSON`);
    expect(err.context).toMatchObject({ line, column });
  });

  test('a missing file is an INVALID_JOB_FILE error naming it', async () => {
    const path = join(dir, 'nope.json');
    const err = await loadError(path, GeopartError);
    expect(err.code).toBe('INVALID_JOB_FILE');
    expect(err.message).toContain(`cannot read job file ${path}`);
  });

  test('a file that is not a job object says so', async () => {
    const err = await loadError(await jobFile('array.json', '[1]'), ConfigError);
    expect(err.message).toContain('got [1]; expected a job object');
  });
});

describe('a file holding a single step', () => {
  test('becomes a job named after the file', async () => {
    const path = await jobFile('steps/roads 2024.json', { type: 'partition_geospatial', input: 'roads.fgb' });
    const job = await loadJob(path);
    expect(job.name).toBe('roads_2024');
    expect(job.steps).toHaveLength(1);
    expect(job.steps[0]!.toJSON()).toMatchObject({ input: join(dir, 'steps/roads.fgb') });
  });

  test('reports errors by the step’s own paths', async () => {
    const path = await jobFile('step-bad.json', {
      type: 'udf',
      udf: { module: 'm.mjs', parameters: { output: 1 } },
    });
    const err = await loadError(path, ConfigError);
    expect(err.issues[0]?.path).toBe('udf.parameters.output');
    expect(err.message).toContain(path);
  });
});

test('a UTF-8 byte order mark is accepted', async () => {
  const path = await jobFile(
    'bom.json',
    `\uFEFF${JSON.stringify({ name: 'bom', steps: [{ type: 'udf' }] })}`,
  );
  expect((await loadJob(path)).name).toBe('bom');
});

test.each([
  ['counties.json', 'counties'],
  ['/a/b/roads.v2.json', 'roads.v2'],
  ['2024.json', 'job_2024'],
  ['my job!.json', 'my_job_'],
  ['job', 'job'],
])('jobNameFromFile(%j) is %j', (file, name) => {
  expect(jobNameFromFile(file)).toBe(name);
  expect(new JobConfig({ name: jobNameFromFile(file), steps: [new UdfJobStepConfig()] }).name).toBe(name);
});
