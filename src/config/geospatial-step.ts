import type { Codec } from '../format/compression.js';
import { fromCamel, withDefaultType } from './camel.js';
import { GDALOpenConfig, type GDALOpenInit, gdalInitToJson } from './gdal-open.js';
import { parseConfig } from './issues.js';
import {
  type GeospatialStepJson,
  geospatialStepSchema,
  type PARQUET_GEO_TYPES,
  type PARTITIONING_METHODS,
} from './partition-schema.js';
import { PartitionJobStepConfig, type PartitionStepInit } from './partition-step.js';
import type { SPLIT_METHODS } from './plan-defaults.js';
import { defineFields } from './readonly.js';

/** The measure partition caps count: rows, polygon area (deg^2), line length (deg), vertices. */
export type PartitioningMethod = (typeof PARTITIONING_METHODS)[number];
/** Where a node is cut: measure-weighted mean of centroids, or the point halving the measure. */
export type SplitMethod = (typeof SPLIT_METHODS)[number];
/** Parquet's GEOMETRY logical type on the geometry column (`yes`) or not (`no`). */
export type ParquetGeoTypes = (typeof PARQUET_GEO_TYPES)[number];

/** Options of the ingestion step (camelCase; defaults as `fused.ingest` has them). */
export interface GeospatialPartitionInit extends PartitionStepInit {
  /** `rows` (default), `area`, `length` or `coords`. */
  readonly partitioningMethod?: PartitioningMethod;
  /** Chunks aimed at when the per-file cap is unset; a positive integer, default 500. */
  readonly targetNumChunks?: number;
  /** `mean` (default) or `median`. */
  readonly partitioningSplitMethod?: SplitMethod;
  /** Width/height ratio above which a node is cut across x; >= 1, default 2. */
  readonly partitioningMaxWidthRatio?: number;
  /**
   * `yes`: the geometry column also carries Parquet's GEOMETRY logical type and geospatial
   * statistics (format 2.11); `only`: the logical type without the GeoParquet `geo` metadata
   * and `bbox` covering; default `no`, as GDAL 3.12's `USE_PARQUET_GEO_TYPES`.
   */
  readonly parquetGeoTypes?: ParquetGeoTypes;
  /** Page compression of the data files: `zstd` (default), `snappy`, `gzip`, `lz4_raw` or `none`. */
  readonly compression?: Codec;
  /** The codec's level (zstd 1-22, default 1; gzip 1-9, default 6); null: the default. */
  readonly compressionLevel?: number | null;
  /** Target uncompressed size of a data page, bytes; default 1 MiB. */
  readonly dataPageSize?: number;
  /** Write the page index (ColumnIndex and OffsetIndex); default true. */
  readonly writePageIndex?: boolean;
  /** Dictionary-encode string columns where it pays; default true. */
  readonly useDictionary?: boolean;
  /** Height/width ratio above which a node is cut across y; >= 1, default 2. */
  readonly partitioningMaxHeightRatio?: number;
  /** Split an over-cap group of identical centroids by count; default true. */
  readonly splitIdenticalCentroids?: boolean;
  /** Polygons with a larger area (deg^2) are subdivided; default null (never). */
  readonly subdivideStart?: number | null;
  /** Subdivision stops at pieces of at most this area (deg^2); > 0, <= start; default = start. */
  readonly subdivideStop?: number | null;
  /** One row per part of a multi-part geometry; default false. */
  readonly explodeGeometries?: boolean;
  /** Repair every invalid polygon (GEOS MakeValid, as `ogr2ogr -makevalid`); default false. */
  readonly makeValid?: boolean;
  /**
   * Memory the ingest may use for its working data, as DuckDB's `memory_limit`: bytes or a
   * size such as "2GB" or "512MiB"; default "1GB". Above it, the work goes to disk.
   */
  readonly memoryLimit?: string | number;
  /** `[lon, lat]` column names to build points from; default null. */
  readonly lonlatCols?: readonly [string, string] | null;
  /**
   * Split rows that cross the antimeridian at ±180° into one row per side, as
   * `ogr2ogr -wrapdateline` cuts them; default true. False keeps them whole.
   */
  readonly splitAntimeridian?: boolean;
  /** Drop rows outside lon [-180, 180] / lat [-90, 90]; default true. */
  readonly dropOutOfBounds?: boolean;
  /** Attribute columns to keep; default null (all). */
  readonly loadColumns?: readonly string[] | null;
  /** Attribute columns to drop; default none. */
  readonly removeCols?: readonly string[];
  /** Only files ending with this are read from a directory or glob input; default null (all). */
  readonly fileSuffix?: string | null;
  /** A Parquet file of chunk boxes to assign rows to, instead of splitting; default null. */
  readonly partitioningSchemaInput?: string | null;
  /** How GDAL opens the input; default `{}`. */
  readonly gdalConfig?: GDALOpenConfig | GDALOpenInit;
}

const TYPE = 'partition_geospatial';
const jsonSchema = withDefaultType(TYPE, geospatialStepSchema);
const initSchema = fromCamel(jsonSchema, { gdal_config: gdalInitToJson });

/**
 * The ingestion step: reads vector data with GDAL (or Parquet) and writes it as a spatially
 * partitioned GeoParquet table. Area is in deg^2 and length in degrees (WGS84).
 */
export class GeospatialPartitionJobStepConfig extends PartitionJobStepConfig {
  /** The measure the caps count: `rows`, `area` (deg^2), `length` (deg) or `coords` (vertices). */
  declare readonly partitioningMethod: PartitioningMethod;
  /** The number of chunks aimed at when `partitioningMaximumPerFile` is unset. */
  declare readonly targetNumChunks: number;
  /** `mean`: cut at the measure-weighted mean of centroids; `median`: at the point halving the measure. */
  declare readonly partitioningSplitMethod: SplitMethod;
  /** A node wider than this times its height is cut across x (>= 1). */
  declare readonly partitioningMaxWidthRatio: number;
  /** `yes`: the geometry column carries Parquet's GEOMETRY logical type and geospatial statistics. */
  declare readonly parquetGeoTypes: ParquetGeoTypes;
  /** Page compression of the data files. */
  declare readonly compression: Codec;
  /** The codec's level; null: the codec's default. */
  declare readonly compressionLevel: number | null;
  /** Target uncompressed size of a data page, bytes. */
  declare readonly dataPageSize: number;
  /** The page index is written. */
  declare readonly writePageIndex: boolean;
  /** String columns are dictionary-encoded where it pays. */
  declare readonly useDictionary: boolean;
  /** A node taller than this times its width is cut across y (>= 1). */
  declare readonly partitioningMaxHeightRatio: number;
  /** Split a group of rows with one identical centroid that exceeds a cap, by count; false keeps it whole. */
  declare readonly splitIdenticalCentroids: boolean;
  /** Polygons whose area exceeds this (deg^2) are cut into pieces; null: no subdivision. */
  declare readonly subdivideStart: number | null;
  /** Subdivision goes on until each piece is at most this area (deg^2); equals the start when not given. */
  declare readonly subdivideStop: number | null;
  /** A multi-part geometry becomes one row per part. */
  declare readonly explodeGeometries: boolean;
  /** Every polygon GEOS finds invalid is repaired (subdivision repairs those it cuts in any case). */
  declare readonly makeValid: boolean;
  declare readonly memoryLimit: string | number;
  /** `[lon, lat]` column names that build point geometries (Parquet and CSV), or null. */
  declare readonly lonlatCols: readonly [string, string] | null;
  /** Rows that cross the antimeridian are split at ±180° into one row per side. */
  declare readonly splitAntimeridian: boolean;
  /** Drop (and count) rows whose geometry lies outside lon [-180, 180] / lat [-90, 90]. */
  declare readonly dropOutOfBounds: boolean;
  /** Attribute columns to keep; null keeps all. */
  declare readonly loadColumns: readonly string[] | null;
  /** Attribute columns to drop. */
  declare readonly removeCols: readonly string[];
  /** Only files whose name ends with this are read from a directory or glob input; null: all. */
  declare readonly fileSuffix: string | null;
  /** A Parquet file of chunk boxes (`file_id, chunk_id, bbox_*`) that rows are assigned to, or null. */
  declare readonly partitioningSchemaInput: string | null;
  /** How GDAL opens the input. */
  declare readonly gdalConfig: GDALOpenConfig;

  /** Validates `init`, throwing a ConfigError that names every bad field by its job-file name. */
  constructor(init: GeospatialPartitionInit) {
    super(parseConfig(initSchema, init));
  }

  /**
   * Validates the JSON form (snake_case names; `type` may be omitted). `path` prefixes error paths,
   * e.g. `steps[0]`.
   */
  static fromJSON(value: unknown, path = ''): GeospatialPartitionJobStepConfig {
    const step: GeospatialPartitionJobStepConfig = Object.create(GeospatialPartitionJobStepConfig.prototype);
    step.load(parseConfig(jsonSchema, value, path));
    return step;
  }

  protected override validate(json: unknown): GeospatialStepJson {
    return parseConfig(jsonSchema, json);
  }

  protected override load(json: GeospatialStepJson): void {
    super.load(json);
    defineFields(this, {
      partitioningMethod: json.partitioning_method,
      targetNumChunks: json.target_num_chunks,
      partitioningSplitMethod: json.partitioning_split_method,
      partitioningMaxWidthRatio: json.partitioning_max_width_ratio,
      parquetGeoTypes: json.parquet_geo_types,
      compression: json.compression,
      compressionLevel: json.compression_level,
      dataPageSize: json.data_page_size,
      writePageIndex: json.write_page_index,
      useDictionary: json.use_dictionary,
      partitioningMaxHeightRatio: json.partitioning_max_height_ratio,
      splitIdenticalCentroids: json.split_identical_centroids,
      subdivideStart: json.subdivide_start,
      subdivideStop: json.subdivide_stop,
      explodeGeometries: json.explode_geometries,
      makeValid: json.make_valid,
      memoryLimit: json.memory_limit,
      lonlatCols: json.lonlat_cols,
      splitAntimeridian: json.split_antimeridian,
      dropOutOfBounds: json.drop_out_of_bounds,
      loadColumns: json.load_columns,
      removeCols: json.remove_cols,
      fileSuffix: json.file_suffix,
      partitioningSchemaInput: json.partitioning_schema_input,
      gdalConfig: GDALOpenConfig.fromJSON(json.gdal_config),
    });
  }

  /** The job-file (snake_case) JSON form, `type: "partition_geospatial"`, every field present. */
  toJSON(): GeospatialStepJson {
    return {
      type: TYPE,
      ...this.partitionJSON(),
      partitioning_method: this.partitioningMethod,
      target_num_chunks: this.targetNumChunks,
      partitioning_split_method: this.partitioningSplitMethod,
      partitioning_max_width_ratio: this.partitioningMaxWidthRatio,
      parquet_geo_types: this.parquetGeoTypes,
      compression: this.compression,
      compression_level: this.compressionLevel,
      data_page_size: this.dataPageSize,
      write_page_index: this.writePageIndex,
      use_dictionary: this.useDictionary,
      partitioning_max_height_ratio: this.partitioningMaxHeightRatio,
      split_identical_centroids: this.splitIdenticalCentroids,
      subdivide_start: this.subdivideStart,
      subdivide_stop: this.subdivideStop,
      explode_geometries: this.explodeGeometries,
      make_valid: this.makeValid,
      memory_limit: this.memoryLimit,
      lonlat_cols: this.lonlatCols === null ? null : [this.lonlatCols[0], this.lonlatCols[1]],
      split_antimeridian: this.splitAntimeridian,
      drop_out_of_bounds: this.dropOutOfBounds,
      load_columns: this.loadColumns === null ? null : [...this.loadColumns],
      remove_cols: [...this.removeCols],
      file_suffix: this.fileSuffix,
      partitioning_schema_input: this.partitioningSchemaInput,
      gdal_config: this.gdalConfig.toJSON(),
    };
  }
}
