/**
 * The flags of `geopart ingest`, one row each: parser, config field and usage line. A new
 * ingest option needs one row here (and its field in config/).
 */
import type { GDALOpenInit } from '../config/gdal-open.js';
import type { IngestOptions } from '../config/ingest.js';
import { DEFAULT_MEMORY_LIMIT } from '../config/memory-size.js';
import { PLAN_DEFAULTS, SPLIT_METHODS } from '../config/plan-defaults.js';
import { GeopartError } from '../errors.js';
import { type Flag, listFlag, numberFlag, parseKeyValues, parseLayer, turnsOff } from './flags.js';

/** A field of {@link IngestOptions} a flag sets; `gdalConfig.x` sets a field of `gdalConfig`. */
export type IngestField = keyof IngestOptions | `gdalConfig.${keyof GDALOpenInit & string}`;

function lonlatFlag(value: string | undefined, flag: string): string[] | undefined {
  const cols = listFlag(value);
  if (cols && cols.length !== 2) {
    throw new GeopartError('INVALID_ARGUMENT', `${flag} ${JSON.stringify(value)}: expected LON,LAT`, {
      option: flag,
    });
  }
  return cols;
}

const OUTPUT = 'Output';
const PARTITIONING = 'Partitioning';
const INPUT = 'Input';
const RUNNING = 'Running';

/** Every flag of `geopart ingest`, in the order of its usage text. */
export const INGEST_FLAGS: readonly Flag<IngestField>[] = [
  {
    flag: 'output',
    short: 'o',
    type: 'string',
    arg: 'OUT',
    group: OUTPUT,
    help: 'the table folder to write',
  },
  {
    flag: 'output-metadata',
    type: 'string',
    arg: 'P',
    field: 'outputMetadata',
    group: OUTPUT,
    help: 'also write the chunk table as its own GeoParquet file',
  },
  {
    flag: 'overwrite',
    type: 'boolean',
    field: 'overwrite',
    group: OUTPUT,
    help: 'replace OUT if it exists (the old table stays readable until the new one is done)',
  },
  {
    flag: 'parquet-geo-types',
    type: 'string',
    arg: 'no|yes|only',
    field: 'parquetGeoTypes',
    group: OUTPUT,
    help: "yes: Parquet's GEOMETRY type and geospatial statistics too; only: without geo metadata and bbox (default no, as GDAL 3.12)",
  },
  {
    flag: 'compression',
    type: 'string',
    arg: 'zstd|snappy|gzip|lz4_raw|none',
    field: 'compression',
    group: OUTPUT,
    help: 'page compression of the data files (default zstd)',
  },
  {
    flag: 'compression-level',
    type: 'string',
    arg: 'N',
    field: 'compressionLevel',
    parse: numberFlag,
    group: OUTPUT,
    help: "the codec's level: zstd 1-22 (default 1), gzip 1-9 (default 6)",
  },
  {
    flag: 'data-page-size',
    type: 'string',
    arg: 'BYTES',
    field: 'dataPageSize',
    parse: numberFlag,
    group: OUTPUT,
    help: 'target uncompressed size of a data page (default 1048576)',
  },
  {
    flag: 'no-page-index',
    type: 'boolean',
    field: 'writePageIndex',
    parse: turnsOff,
    group: OUTPUT,
    help: 'write no page index (ColumnIndex/OffsetIndex)',
  },
  {
    flag: 'no-dictionary',
    type: 'boolean',
    field: 'useDictionary',
    parse: turnsOff,
    group: OUTPUT,
    help: 'write every string column PLAIN (default: dictionary where it pays)',
  },
  { flag: 'json', type: 'boolean', group: OUTPUT, help: 'print the report as JSON' },
  {
    flag: 'method',
    type: 'string',
    arg: 'rows|area|length|coords',
    field: 'partitioningMethod',
    group: PARTITIONING,
    help: 'what the caps measure (default rows)',
  },
  {
    flag: 'max-per-file',
    type: 'string',
    arg: 'N',
    field: 'partitioningMaximumPerFile',
    parse: numberFlag,
    group: PARTITIONING,
    help: 'cap per file (default: total/10)',
  },
  {
    flag: 'max-per-chunk',
    type: 'string',
    arg: 'N',
    field: 'partitioningMaximumPerChunk',
    parse: numberFlag,
    group: PARTITIONING,
    help: 'cap per chunk (default: total/target-chunks, or total/100 with --max-per-file)',
  },
  {
    flag: 'target-chunks',
    type: 'string',
    arg: 'N',
    field: 'targetNumChunks',
    parse: numberFlag,
    group: PARTITIONING,
    help: `chunks aimed at when --max-per-file is unset (default ${PLAN_DEFAULTS.targetNumChunks})`,
  },
  {
    flag: 'split-method',
    type: 'string',
    arg: SPLIT_METHODS.join('|'),
    field: 'partitioningSplitMethod',
    group: PARTITIONING,
    help: `where a node is cut (default ${PLAN_DEFAULTS.splitMethod})`,
  },
  {
    flag: 'max-width-ratio',
    type: 'string',
    arg: 'R',
    field: 'partitioningMaxWidthRatio',
    parse: numberFlag,
    group: PARTITIONING,
    label: '--max-width-ratio R, --max-height-ratio R',
    help: `cut across the long side past this ratio (default ${PLAN_DEFAULTS.maxWidthRatio})`,
  },
  // Listed on the line of --max-width-ratio.
  {
    flag: 'max-height-ratio',
    type: 'string',
    arg: 'R',
    field: 'partitioningMaxHeightRatio',
    parse: numberFlag,
  },
  {
    flag: 'no-split-identical-centroids',
    type: 'boolean',
    field: 'splitIdenticalCentroids',
    parse: turnsOff,
    group: PARTITIONING,
    help: 'keep a group of rows with one centroid whole, even over a cap',
  },
  {
    flag: 'schema-input',
    type: 'string',
    arg: 'F',
    field: 'partitioningSchemaInput',
    group: PARTITIONING,
    help: "place rows in the boxes of an earlier table's chunk metadata",
  },
  {
    flag: 'subdivide-start',
    type: 'string',
    arg: 'A',
    field: 'subdivideStart',
    parse: numberFlag,
    group: PARTITIONING,
    help: 'cut polygons larger than A deg^2 ...',
  },
  {
    flag: 'subdivide-stop',
    type: 'string',
    arg: 'A',
    field: 'subdivideStop',
    parse: numberFlag,
    group: PARTITIONING,
    help: '... into pieces of at most A deg^2 (default: the start)',
  },
  {
    flag: 'layer',
    type: 'string',
    arg: 'NAME',
    field: 'gdalConfig.layer',
    parse: parseLayer,
    group: INPUT,
    help: 'the layer to read (name or 0-based index)',
  },
  {
    flag: 'oo',
    type: 'string',
    multiple: true,
    arg: 'KEY=VALUE',
    field: 'gdalConfig.openOptions',
    parse: parseKeyValues,
    group: INPUT,
    help: 'GDAL open option, repeatable (as in ogr2ogr)',
  },
  {
    flag: 'lonlat',
    type: 'string',
    arg: 'LON,LAT',
    field: 'lonlatCols',
    parse: lonlatFlag,
    group: INPUT,
    help: 'build points from two columns (CSV, Parquet)',
  },
  {
    flag: 'columns',
    type: 'string',
    arg: 'a,b',
    field: 'loadColumns',
    parse: listFlag,
    group: INPUT,
    help: 'keep only these attribute columns',
  },
  {
    flag: 'drop-columns',
    type: 'string',
    arg: 'a,b',
    field: 'removeCols',
    parse: listFlag,
    group: INPUT,
    help: 'drop these attribute columns',
  },
  {
    flag: 'explode',
    type: 'boolean',
    field: 'explodeGeometries',
    group: INPUT,
    help: 'one row per part of multi-part geometries',
  },
  {
    flag: 'make-valid',
    type: 'boolean',
    field: 'makeValid',
    group: INPUT,
    help: 'repair invalid polygons (GEOS MakeValid, as ogr2ogr -makevalid)',
  },
  {
    flag: 'keep-antimeridian',
    type: 'boolean',
    field: 'splitAntimeridian',
    parse: turnsOff,
    group: INPUT,
    help: 'keep rows that cross the antimeridian whole (default: one row per side)',
  },
  {
    flag: 'keep-out-of-bounds',
    type: 'boolean',
    field: 'dropOutOfBounds',
    parse: turnsOff,
    group: INPUT,
    help: 'keep rows outside lon [-180,180] / lat [-90,90]',
  },
  {
    flag: 'file-suffix',
    type: 'string',
    arg: 'S',
    field: 'fileSuffix',
    group: INPUT,
    help: 'with a folder input, read only files ending in S',
  },
  {
    flag: 'threads',
    type: 'string',
    arg: 'N',
    group: RUNNING,
    help: 'worker threads (default: one per core)',
  },
  {
    flag: 'memory-limit',
    type: 'string',
    arg: 'SIZE',
    field: 'memoryLimit',
    group: RUNNING,
    help: `memory for working data, e.g. 2GB or 512MiB; beyond it work goes to disk (default ${DEFAULT_MEMORY_LIMIT})`,
  },
  { flag: 'help', short: 'h', type: 'boolean' },
];
