/**
 * Key-value metadata keys of the Parquet footers geopart writes and reads (docs/FORMAT.md,
 * "Key-value metadata").
 */

/** GeoParquet 1.1.0 metadata (JSON) of every data file and of `_sample`. */
export const GEO_KEY = 'geo';

/** The chunk table, a Parquet file encoded as base64, in `_sample`. */
export const CHUNK_TABLE_KEY = 'fused:_metadata';

/** The table format version (a decimal integer as a string), in `_sample`. */
export const FORMAT_VERSION_KEY = 'fused:format_version';

/** The ingest report's counts (JSON), in every file of a table. */
export const REPORT_KEY = 'geopart:report';

/** Where the table of an `output_metadata` file is, relative to that file's folder. */
export const TABLE_KEY = 'geopart:table';
