import { z } from 'zod';
import { CODEC_LEVELS, CODECS, DEFAULT_COMPRESSION } from '../format/compression.js';
import {
  columnList,
  flag,
  type JobStepJson,
  jobStepShape,
  location,
  locationOrNull,
  nonEmptyString,
  positiveOrNull,
  strictObject,
} from './fields.js';
import { expects } from './issues.js';
import { showValue } from './json.js';
import { DEFAULT_MEMORY_LIMIT, MIN_MEMORY_LIMIT, parseMemorySize } from './memory-size.js';
import { MIN_AXIS_RATIO, PLAN_DEFAULTS, SPLIT_METHODS } from './plan-defaults.js';

/**
 * The job-file form (snake_case names) of the ingestion step and its GDAL settings. The
 * classes validate through these; `toJSON()` gives back exactly what they output.
 */

/** Measures a partition cap can count: rows, polygon area (deg^2), line length (deg), vertices. */
export const PARTITIONING_METHODS = ['rows', 'area', 'length', 'coords'] as const;
/**
 * The modes of GDAL 3.12's `USE_PARQUET_GEO_TYPES`: the data files' geometry column carries
 * the GeoParquet 1.1 metadata and covering only (`no`, the default, as GDAL's), also Parquet's
 * GEOMETRY logical type with geospatial statistics (`yes`), or the logical type only, without
 * `geo` metadata or covering column (`only`).
 */
export const PARQUET_GEO_TYPES = ['no', 'yes', 'only'] as const;

/** GDAL option lists are `NAME=VALUE` strings, so a name cannot hold `=`. */
const OPTION_NAME = /^[^=\0]+$/;

/** GDAL's options that name the CSV coordinate columns, which `lonlat_cols` also does. */
const COORDINATE_OPTIONS = ['X_POSSIBLE_NAMES', 'Y_POSSIBLE_NAMES'];

function partitionShape() {
  const inputAllowed = 'a path or URL (non-empty string), or a non-empty array of them';
  return {
    ...jobStepShape(),
    // Zod reports a union through the member that came closest, so every member names the whole field.
    input: z.union(
      [location(inputAllowed), z.array(location(), expects(inputAllowed)).min(1)],
      expects(inputAllowed),
    ),
    output_metadata: locationOrNull(),
    partitioning_maximum_per_file: positiveOrNull('a positive number or null'),
    partitioning_maximum_per_chunk: positiveOrNull('a positive number or null'),
  };
}

/** GDAL takes booleans as YES/NO; numbers are written as JavaScript prints them. */
function optionValue(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'YES' : 'NO';
  return String(value);
}

function openOptionsSchema() {
  const valueAllowed = expects('an option value: a string, a finite number or a boolean');
  const value = z.union(
    [z.string(valueAllowed).regex(/^[^\0]*$/), z.number(valueAllowed), z.boolean(valueAllowed)],
    valueAllowed,
  );
  const allowed = expects('an object of GDAL open options, {"NAME": "value"}');
  return z
    .record(z.string().regex(OPTION_NAME), value.transform(optionValue), {
      error: (iss) =>
        iss.code === 'invalid_key'
          ? `got the option name ${showValue(iss.input)}; expected a non-empty name without "="`
          : allowed.error(iss),
    })
    .superRefine((options, ctx) => {
      // GDAL looks option names up case-insensitively: two spellings would silently pick one.
      const seen = new Map<string, string>();
      for (const key of Object.keys(options)) {
        const other = seen.get(key.toUpperCase());
        if (other !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `names the same GDAL option as ${JSON.stringify(other)} (option names ignore case); keep one`,
          });
        }
        seen.set(key.toUpperCase(), key);
      }
    })
    .default({});
}

const LAYER_ALLOWED =
  'a layer name (non-empty string), a layer index (integer >= 0), or null for the only layer';

/** The snake_case schema of {@link GDALOpenConfig}. */
export const gdalOpenSchema = strictObject(
  {
    open_options: openOptionsSchema(),
    layer: z
      .union(
        [nonEmptyString(LAYER_ALLOWED), z.number(expects(LAYER_ALLOWED)).int().nonnegative()],
        expects(LAYER_ALLOWED),
      )
      .nullable()
      .default(null),
  },
  'an object with open_options and layer',
);

/** A memory size: bytes, or a string with a unit ("2GB", "512MiB"), at least 1 MiB. */
function memoryLimit() {
  const allowed = `a memory size such as "2GB" or "512MiB" (or a number of bytes), at least ${MIN_MEMORY_LIMIT} bytes`;
  return z
    .union([z.string(expects(allowed)), z.number(expects(allowed))], expects(allowed))
    .refine((v) => (parseMemorySize(v) ?? 0) >= MIN_MEMORY_LIMIT, {
      error: (iss) => `got ${showValue(iss.input)}; expected ${allowed}`,
    })
    .default(DEFAULT_MEMORY_LIMIT);
}

/** A cut-axis ratio, at least {@link MIN_AXIS_RATIO}. */
function ratio(fallback: number) {
  return z
    .number(expects(`a finite number >= ${MIN_AXIS_RATIO}`))
    .min(MIN_AXIS_RATIO)
    .default(fallback);
}

const geospatialObject = strictObject(
  {
    type: z.literal('partition_geospatial', expects('"partition_geospatial"')),
    ...partitionShape(),
    partitioning_method: z
      .enum(PARTITIONING_METHODS, expects('one of "rows", "area", "length", "coords"'))
      .default('rows'),
    target_num_chunks: z
      .number(expects('a positive integer'))
      .int()
      .positive()
      .default(PLAN_DEFAULTS.targetNumChunks),
    partitioning_split_method: z
      .enum(SPLIT_METHODS, expects('"mean", "median" or "compact"'))
      .default(PLAN_DEFAULTS.splitMethod),
    parquet_geo_types: z.enum(PARQUET_GEO_TYPES, expects('"no", "yes" or "only"')).default('no'),
    compression: z
      .enum(CODECS, expects('"zstd", "snappy", "gzip", "lz4_raw" or "none"'))
      .default(DEFAULT_COMPRESSION.codec),
    data_page_size: z
      .number(expects('a page size in bytes, a positive integer'))
      .int()
      .positive()
      .default(1 << 20),
    write_page_index: flag(true),
    use_dictionary: flag(true),
    compression_level: z
      .number(expects("an integer level, or null for the codec's default"))
      .int()
      .nullable()
      .default(null),
    partitioning_max_width_ratio: ratio(PLAN_DEFAULTS.maxWidthRatio),
    partitioning_max_height_ratio: ratio(PLAN_DEFAULTS.maxHeightRatio),
    split_identical_centroids: flag(PLAN_DEFAULTS.splitIdenticalCentroids),
    subdivide_start: positiveOrNull('a positive area in deg^2, or null'),
    subdivide_stop: positiveOrNull('a positive area in deg^2, or null'),
    explode_geometries: flag(false),
    make_valid: flag(false),
    memory_limit: memoryLimit(),
    lonlat_cols: z
      .tuple(
        [
          nonEmptyString('a column name (non-empty string)'),
          nonEmptyString('a column name (non-empty string)'),
        ],
        expects('two distinct column names [lon, lat], or null'),
      )
      .refine(([lon, lat]) => lon !== lat)
      .nullable()
      .default(null),
    split_antimeridian: flag(true),
    drop_out_of_bounds: flag(true),
    load_columns: columnList('an array of column names, or null for all columns').nullable().default(null),
    remove_cols: columnList('an array of column names').default([]),
    file_suffix: nonEmptyString('a non-empty file name suffix such as ".gpkg", or null')
      .nullable()
      .default(null),
    partitioning_schema_input: locationOrNull(),
    gdal_config: gdalOpenSchema.prefault({}),
  },
  'a partition_geospatial step object',
);

type GeospatialObject = z.output<typeof geospatialObject>;

function checkGeospatial(v: GeospatialObject, ctx: z.RefinementCtx): void {
  const level = v.compression_level;
  const range = CODEC_LEVELS[v.compression];
  if (level !== null && (range === undefined || level < range[0] || level > range[1])) {
    ctx.addIssue({
      code: 'custom',
      path: ['compression_level'],
      message:
        range === undefined
          ? `got ${level} with compression "${v.compression}", which takes no level; leave compression_level out`
          : `got ${level} with compression "${v.compression}"; its levels are ${range[0]} to ${range[1]}`,
    });
  }
  const perFile = v.partitioning_maximum_per_file;
  const perChunk = v.partitioning_maximum_per_chunk;
  if (perFile !== null && perChunk !== null && perChunk > perFile) {
    ctx.addIssue({
      code: 'custom',
      path: ['partitioning_maximum_per_chunk'],
      message:
        `got ${perChunk} with partitioning_maximum_per_file ${perFile}; partitioning_maximum_per_chunk ` +
        'must be <= partitioning_maximum_per_file (a chunk is part of one file)',
    });
  }
  const { subdivide_start: start, subdivide_stop: stop } = v;
  if (stop !== null && start === null) {
    ctx.addIssue({
      code: 'custom',
      path: ['subdivide_stop'],
      message:
        `got ${stop} without subdivide_start; set subdivide_start too ` +
        '(subdivide_start alone means subdivide_stop = subdivide_start)',
    });
  } else if (stop !== null && start !== null && stop > start) {
    ctx.addIssue({
      code: 'custom',
      path: ['subdivide_stop'],
      message: `got ${stop} with subdivide_start ${start}; subdivide_stop must be > 0 and <= subdivide_start`,
    });
  }
  if (v.lonlat_cols !== null) {
    const clash = Object.keys(v.gdal_config.open_options).find((k) =>
      COORDINATE_OPTIONS.includes(k.toUpperCase()),
    );
    if (clash !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['lonlat_cols'],
        message:
          `got ${showValue(v.lonlat_cols)} with gdal_config.open_options.${clash}; name the coordinate ` +
          'columns one way only: lonlat_cols, or the X_POSSIBLE_NAMES/Y_POSSIBLE_NAMES open options',
      });
    }
  }
}

/** The snake_case schema of a `partition_geospatial` step; `type` is required. */
export const geospatialStepSchema = geospatialObject
  .superRefine(checkGeospatial)
  .transform((v) => ({ ...v, subdivide_stop: v.subdivide_stop ?? v.subdivide_start }));

/** A `partition_geospatial` step as JSON, every field present. */
export type GeospatialStepJson = z.output<typeof geospatialStepSchema>;
/** The fields every partition step has, as JSON. */
export type PartitionStepJson = JobStepJson &
  Pick<
    GeospatialStepJson,
    'input' | 'output_metadata' | 'partitioning_maximum_per_file' | 'partitioning_maximum_per_chunk'
  >;
/** GDAL open settings as JSON. */
export type GdalOpenJson = z.output<typeof gdalOpenSchema>;
