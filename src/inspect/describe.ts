/**
 * `geopart info`'s description of an input: Parquet and GeoParquet (picked by name, as `ingest`
 * picks its reader) by geopart's Parquet reader, everything else by GDAL.
 */
import { type DatasetInfo, type DescribeOptions, describeGdalDataset } from '../io/gdal.js';
import { isParquetPath } from '../io/read-inputs.js';
import { describeParquet } from './parquet-info.js';

export type { DatasetInfo, DescribeOptions, FieldInfo, LayerInfo } from '../io/gdal.js';

/**
 * Describes a vector dataset: its driver and, per layer, geometry type, feature count, CRS,
 * extent and fields. A path or URL ending in `.parquet`, `.geoparquet` or `.pq` is read as
 * `ingest` reads it (see {@link describeParquet}); any other goes through GDAL.
 */
export function describeDataset(path: string, options: DescribeOptions = {}): Promise<DatasetInfo> {
  return isParquetPath(path) ? describeParquet(path, options) : describeGdalDataset(path, options);
}
