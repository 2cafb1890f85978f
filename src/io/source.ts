import type { RecordBatch, Schema } from 'apache-arrow';

/** Name of the geometry column in every batch a {@link Source} yields: the table's geometry column. */
export { GEOMETRY_COLUMN } from '../format/columns.js';

/** What a source knows about its layer before any row is read. */
export interface SourceInfo {
  /** The path or URL the source was opened from, as the user gave it. */
  readonly path: string;
  /** Layer name (the file's base name for single-layer formats such as Parquet). */
  readonly layer: string;
  /** Feature count when the format knows it cheaply, else null. */
  readonly featureCount: number | null;
  /** The layer CRS as given by the file (WKT or PROJJSON), or null when it has none. */
  readonly crs: string | null;
  /**
   * Rows of each part the source can read on its own (a Parquet file's row groups), each part's
   * batches the same whether read alone or with the others; absent when the source reads as one
   * piece.
   */
  readonly partRows?: readonly number[];
}

/**
 * One input layer, read as Arrow record batches.
 *
 * Every batch has the layer's attribute columns (after column selection) and a
 * `geometry` column of ISO WKB (Binary) in EPSG:4326, longitude/latitude order.
 * Batches are bounded in size; reading never materialises the whole layer.
 */
export interface Source {
  readonly info: SourceInfo;
  /** The schema of every batch: the attribute columns, then `geometry` (Binary, WKB). */
  readonly schema: Schema;
  /**
   * Streams the layer, or only its parts `[first, end)` (see {@link SourceInfo.partRows}; a source
   * without parts ignores `parts`). Iterating twice is not supported.
   */
  batches(signal?: AbortSignal, parts?: readonly [number, number]): AsyncIterable<RecordBatch>;
  /** Releases the underlying file handles. Safe to call twice. */
  close(): void;
}
