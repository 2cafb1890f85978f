import { describe, expect, test } from 'vitest';
import { GDALOpenConfig, GeospatialPartitionJobStepConfig } from '../../src/config/index.js';
import { expectIssue, got } from './helpers.js';

type Step = GeospatialPartitionJobStepConfig;
const make = (extra: object) => new GeospatialPartitionJobStepConfig({ input: 'in.gpkg', ...extra });
const fromJSON = (extra: object, path?: string) =>
  GeospatialPartitionJobStepConfig.fromJSON(
    { type: 'partition_geospatial', input: 'in.gpkg', ...extra },
    path,
  );

interface Invalid {
  readonly value: unknown;
  /** Path of the issue relative to the step; the field itself when omitted. */
  readonly path?: string;
  readonly says: readonly string[];
}
interface FieldCase {
  readonly field: string;
  readonly prop: keyof Step;
  readonly default: unknown;
  readonly valid: readonly unknown[];
  readonly invalid: readonly Invalid[];
  /** Other fields a valid or invalid value needs beside it (seed names / camelCase names). */
  readonly with?: { json: object; init: object };
}

const POSITIVE = 'expected a positive number or null';
const AREA = 'expected a positive area in deg^2, or null';
const PATH_OR_NULL = 'expected a path or URL (non-empty string) or null';
const INPUT = 'expected a path or URL (non-empty string), or a non-empty array of them';

/** Every field the ingestion step adds to JobStepConfig (whose fields job-step.test.ts covers). */
const fields: readonly FieldCase[] = [
  {
    field: 'input',
    prop: 'input',
    default: 'in.gpkg',
    valid: ['roads.fgb', ['a.gpkg', 'b.gpkg'], 's3://bucket/data/*.parquet', '/vsizip/data.zip/a.shp'],
    invalid: [
      { value: '', says: [got(''), INPUT] },
      { value: [], says: [got([]), INPUT] },
      { value: 5, says: [got(5), INPUT] },
      { value: ['a.gpkg', ''], path: 'input[1]', says: [got(''), 'a path or URL'] },
    ],
  },
  {
    field: 'output_metadata',
    prop: 'outputMetadata',
    default: null,
    valid: ['out/meta.parquet', 's3://b/meta.parquet'],
    invalid: [{ value: '', says: [got(''), PATH_OR_NULL] }],
  },
  {
    field: 'partitioning_maximum_per_file',
    prop: 'partitioningMaximumPerFile',
    default: null,
    valid: [1000, 0.25, null],
    invalid: [
      { value: -5, says: [got(-5), POSITIVE] },
      { value: 0, says: [got(0), POSITIVE] },
      { value: Number.POSITIVE_INFINITY, says: ['got Infinity', POSITIVE] },
      { value: '100', says: [got('100'), POSITIVE] },
    ],
  },
  {
    field: 'partitioning_maximum_per_chunk',
    prop: 'partitioningMaximumPerChunk',
    default: null,
    valid: [100, 0.5, null],
    invalid: [
      { value: -5, says: [got(-5), POSITIVE] },
      { value: Number.NaN, says: ['got NaN', POSITIVE] },
    ],
  },
  {
    field: 'partitioning_method',
    prop: 'partitioningMethod',
    default: 'rows',
    valid: ['rows', 'area', 'length', 'coords'],
    invalid: [
      { value: 'volume', says: [got('volume'), 'expected one of "rows", "area", "length", "coords"'] },
    ],
  },
  {
    field: 'target_num_chunks',
    prop: 'targetNumChunks',
    default: 500,
    valid: [1, 20, 100_000],
    invalid: [
      { value: 0, says: [got(0), 'expected a positive integer'] },
      { value: 2.5, says: [got(2.5), 'expected a positive integer'] },
      { value: -1, says: [got(-1), 'expected a positive integer'] },
    ],
  },
  {
    field: 'partitioning_split_method',
    prop: 'partitioningSplitMethod',
    default: 'mean',
    valid: ['mean', 'median', 'compact'],
    invalid: [{ value: 'mode', says: [got('mode'), 'expected "mean", "median" or "compact"'] }],
  },
  ...((['partitioning_max_width_ratio', 'partitioning_max_height_ratio'] as const).map((field) => ({
    field,
    prop:
      field === 'partitioning_max_width_ratio' ? 'partitioningMaxWidthRatio' : 'partitioningMaxHeightRatio',
    default: 2,
    valid: [1, 3.5, 10],
    invalid: [
      { value: 0.5, says: [got(0.5), 'expected a finite number >= 1'] },
      { value: 0, says: [got(0), 'expected a finite number >= 1'] },
      { value: Number.POSITIVE_INFINITY, says: ['got Infinity', 'expected a finite number >= 1'] },
    ],
  })) satisfies readonly FieldCase[]),
  {
    field: 'split_identical_centroids',
    prop: 'splitIdenticalCentroids',
    default: true,
    valid: [false],
    invalid: [{ value: null, says: [got(null), 'expected true or false'] }],
  },
  {
    field: 'subdivide_start',
    prop: 'subdivideStart',
    default: null,
    valid: [1, 0.001, null],
    invalid: [
      { value: 0, says: [got(0), AREA] },
      { value: -1, says: [got(-1), AREA] },
    ],
  },
  {
    field: 'subdivide_stop',
    prop: 'subdivideStop',
    default: null,
    valid: [1, 0.5],
    invalid: [
      { value: 0, says: [got(0), AREA] },
      { value: 'small', says: [got('small'), AREA] },
    ],
    with: { json: { subdivide_start: 1 }, init: { subdivideStart: 1 } },
  },
  {
    field: 'explode_geometries',
    prop: 'explodeGeometries',
    default: false,
    valid: [true],
    invalid: [{ value: 'true', says: [got('true'), 'expected true or false'] }],
  },
  {
    field: 'make_valid',
    prop: 'makeValid',
    default: false,
    valid: [true],
    invalid: [{ value: 1, says: [got(1), 'expected true or false'] }],
  },
  {
    field: 'memory_limit',
    prop: 'memoryLimit',
    default: '1GB',
    valid: ['2GB', '512 MiB', '1.5gb', 2 ** 30, '1048576'],
    invalid: [
      { value: 'lots', says: [got('lots'), 'expected a memory size such as "2GB"'] },
      { value: '2 parsecs', says: [got('2 parsecs'), 'expected a memory size'] },
      { value: 1000, says: [got(1000), 'at least 1048576 bytes'] },
      { value: '1KB', says: [got('1KB'), 'at least 1048576 bytes'] },
      { value: true, says: [got(true), 'a memory size'] },
    ],
  },
  {
    field: 'lonlat_cols',
    prop: 'lonlatCols',
    default: null,
    valid: [['lon', 'lat'], ['x', 'y'], null],
    invalid: [
      {
        value: ['x', 'x'],
        says: [got(['x', 'x']), 'expected two distinct column names [lon, lat], or null'],
      },
      { value: ['lon'], says: [got(['lon']), 'two distinct column names'] },
      { value: ['a', 'b', 'c'], says: [got(['a', 'b', 'c']), 'two distinct column names'] },
      { value: 'lon,lat', says: [got('lon,lat'), 'two distinct column names'] },
      { value: ['', 'lat'], path: 'lonlat_cols[0]', says: [got(''), 'a column name (non-empty string)'] },
    ],
  },
  {
    field: 'drop_out_of_bounds',
    prop: 'dropOutOfBounds',
    default: true,
    valid: [false],
    invalid: [{ value: 0, says: [got(0), 'expected true or false'] }],
  },
  {
    field: 'load_columns',
    prop: 'loadColumns',
    default: null,
    valid: [['name', 'pop'], [], null],
    invalid: [
      { value: 'name', says: [got('name'), 'expected an array of column names, or null for all columns'] },
      { value: ['a', 'a'], path: 'load_columns[1]', says: [got('a'), 'list each column once'] },
      { value: [1], path: 'load_columns[0]', says: [got(1), 'a column name (non-empty string)'] },
    ],
  },
  {
    field: 'remove_cols',
    prop: 'removeCols',
    default: [],
    valid: [['tmp'], []],
    invalid: [
      { value: null, says: [got(null), 'expected an array of column names'] },
      { value: ['x', 'y', 'x'], path: 'remove_cols[2]', says: ['list each column once'] },
    ],
  },
  {
    field: 'file_suffix',
    prop: 'fileSuffix',
    default: null,
    valid: ['.gpkg', '.parquet', null],
    invalid: [
      { value: '', says: [got(''), 'expected a non-empty file name suffix such as ".gpkg", or null'] },
    ],
  },
  {
    field: 'partitioning_schema_input',
    prop: 'partitioningSchemaInput',
    default: null,
    valid: ['old/_metadata.parquet', null],
    invalid: [{ value: 3, says: [got(3), PATH_OR_NULL] }],
  },
];

describe.each(fields)('$field', ({ field, prop, default: dflt, valid, invalid, with: extra }) => {
  const init = extra?.init ?? {};
  const json = extra?.json ?? {};
  test('defaults', () => {
    expect(make({})[prop]).toEqual(dflt);
    expect((make({}).toJSON() as Record<string, unknown>)[field]).toEqual(dflt);
  });
  test.each(valid.map((value) => ({ value })))('accepts $value', ({ value }) => {
    expect(make({ ...init, [prop]: value })[prop]).toEqual(value);
    expect(fromJSON({ ...json, [field]: value })[prop]).toEqual(value);
    expect((fromJSON({ ...json, [field]: value }).toJSON() as Record<string, unknown>)[field]).toEqual(value);
  });
  test.each(invalid)('refuses $value', ({ value, path, says }) => {
    expectIssue(() => make({ ...init, [prop]: value }), path ?? field, ...says);
    expectIssue(
      () => fromJSON({ ...json, [field]: value }, 'steps[0]'),
      `steps[0].${path ?? field}`,
      ...says,
    );
  });
});

describe('gdal_config', () => {
  test('defaults to no open options and the only layer', () => {
    const step = make({});
    expect(step.gdalConfig).toBeInstanceOf(GDALOpenConfig);
    expect(step.gdalConfig.toJSON()).toEqual({ open_options: {}, layer: null });
    expect(step.toJSON().gdal_config).toEqual({ open_options: {}, layer: null });
  });

  test('accepts camelCase options, an instance, or the JSON form', () => {
    const expected = { open_options: { HEADERS: 'YES' }, layer: 'roads' };
    expect(
      make({ gdalConfig: { openOptions: { HEADERS: 'YES' }, layer: 'roads' } }).toJSON().gdal_config,
    ).toEqual(expected);
    const instance = new GDALOpenConfig({ openOptions: { HEADERS: 'YES' }, layer: 'roads' });
    expect(make({ gdalConfig: instance }).toJSON().gdal_config).toEqual(expected);
    expect(fromJSON({ gdal_config: expected }).toJSON().gdal_config).toEqual(expected);
    expect(fromJSON({ gdal_config: { layer: 2 } }).gdalConfig.layer).toBe(2);
  });

  test('refuses a non-object and reports nested fields by their JSON path', () => {
    expectIssue(
      () => fromJSON({ gdal_config: 'x' }),
      'gdal_config',
      got('x'),
      'an object with open_options and layer',
    );
    expectIssue(
      () => make({ gdalConfig: { layer: -1 } }),
      'gdal_config.layer',
      got(-1),
      'a layer index (integer >= 0)',
    );
    expectIssue(
      () => fromJSON({ gdal_config: { open_options: { 'A=B': 'x' } } }, 'steps[0]'),
      'steps[0].gdal_config.open_options["A=B"]',
      'without "="',
    );
    expectIssue(
      () => make({ gdalConfig: { open_options: {} } }),
      'gdal_config.open_options',
      'camelCase',
      'openOptions',
    );
    expectIssue(
      () => fromJSON({ gdal_config: { layers: 1 } }),
      'gdal_config',
      'unknown field "layers"',
      'did you mean "layer"?',
    );
  });
});

describe('cross-field rules', () => {
  test('a per-chunk cap above the per-file cap is refused; equal or below is fine', () => {
    expectIssue(
      () => make({ partitioningMaximumPerFile: 5, partitioningMaximumPerChunk: 10 }),
      'partitioning_maximum_per_chunk',
      'got 10 with partitioning_maximum_per_file 5',
      'must be <= partitioning_maximum_per_file',
    );
    expect(
      make({ partitioningMaximumPerFile: 5, partitioningMaximumPerChunk: 5 }).partitioningMaximumPerChunk,
    ).toBe(5);
    expect(make({ partitioningMaximumPerChunk: 10 }).partitioningMaximumPerChunk).toBe(10);
    expectIssue(
      () =>
        fromJSON({ partitioning_maximum_per_file: 5, partitioning_maximum_per_chunk: 5.000001 }, 'steps[0]'),
      'steps[0].partitioning_maximum_per_chunk',
      'got 5.000001 with partitioning_maximum_per_file 5',
    );
  });

  test('subdivide_start alone means subdivide_stop = subdivide_start', () => {
    const step = make({ subdivideStart: 3 });
    expect(step.subdivideStop).toBe(3);
    expect(step.toJSON()).toMatchObject({ subdivide_start: 3, subdivide_stop: 3 });
    expect(fromJSON({ subdivide_start: 0.5 }).subdivideStop).toBe(0.5);
  });

  test('subdivide_stop alone is refused', () => {
    expectIssue(
      () => make({ subdivideStop: 4 }),
      'subdivide_stop',
      'got 4 without subdivide_start',
      'set subdivide_start too',
    );
    expectIssue(
      () => fromJSON({ subdivide_stop: 4 }, 'steps[0]'),
      'steps[0].subdivide_stop',
      'without subdivide_start',
    );
  });

  test('subdivide_stop above subdivide_start is refused', () => {
    expectIssue(
      () => make({ subdivideStart: 1, subdivideStop: 4 }),
      'subdivide_stop',
      'got 4 with subdivide_start 1; subdivide_stop must be > 0 and <= subdivide_start',
    );
    expect(make({ subdivideStart: 4, subdivideStop: 4 }).subdivideStop).toBe(4);
  });

  test.each(['X_POSSIBLE_NAMES', 'Y_POSSIBLE_NAMES', 'x_possible_names', 'Y_Possible_Names'])(
    'lonlat_cols together with the %s open option is refused',
    (option) => {
      expectIssue(
        () => make({ lonlatCols: ['lon', 'lat'], gdalConfig: { openOptions: { [option]: 'lon' } } }),
        'lonlat_cols',
        `got ["lon","lat"] with gdal_config.open_options.${option}`,
        'one way only',
      );
    },
  );

  test('either way of naming coordinate columns alone is fine', () => {
    expect(
      make({ lonlatCols: ['lon', 'lat'], gdalConfig: { openOptions: { HEADERS: 'YES' } } }).lonlatCols,
    ).toEqual(['lon', 'lat']);
    const viaGdal = make({
      gdalConfig: { openOptions: { X_POSSIBLE_NAMES: 'lon', Y_POSSIBLE_NAMES: 'lat' } },
    });
    expect(viaGdal.gdalConfig.openOptions).toEqual({ X_POSSIBLE_NAMES: 'lon', Y_POSSIBLE_NAMES: 'lat' });
  });

  test('several problems are reported together', () => {
    expectIssue(
      () => make({ targetNumChunks: 0, partitioningMethod: 'x' as never }),
      'target_num_chunks',
      'positive integer',
    );
    expectIssue(
      () => make({ targetNumChunks: 0, partitioningMethod: 'x' as never }),
      'partitioning_method',
      'one of',
    );
  });
});

test('input is required', () => {
  expectIssue(() => new GeospatialPartitionJobStepConfig({} as never), 'input', `missing; ${INPUT}`);
  expectIssue(() => GeospatialPartitionJobStepConfig.fromJSON({}, 'steps[4]'), 'steps[4].input', 'missing');
});

test('the caller’s arrays are copied, the step’s are frozen', () => {
  const input = ['a.gpkg', 'b.gpkg'];
  const step = make({ input, loadColumns: ['x'] });
  input.push('c.gpkg');
  expect(step.input).toEqual(['a.gpkg', 'b.gpkg']);
  expect(() => (step.loadColumns as string[]).push('y')).toThrow(TypeError);
  expect(Object.isFrozen(step.gdalConfig)).toBe(true);
});

test('fromJSON accepts a step without type, and round-trips toJSON exactly', () => {
  const step = GeospatialPartitionJobStepConfig.fromJSON({ input: ['a', 'b'], partitioning_method: 'area' });
  expect(step.partitioningMethod).toBe('area');
  const again = GeospatialPartitionJobStepConfig.fromJSON(JSON.parse(JSON.stringify(step.toJSON())));
  expect(again.toJSON()).toEqual(step.toJSON());
  expect(again).toEqual(step);
});
