/**
 * The public shapes of the table reader: boxes, chunks, read options and the opened table.
 */
import type { Table } from 'apache-arrow';

/** `[minx, miny, maxx, maxy]` in degrees of longitude/latitude (EPSG:4326). */
export type BBox = readonly [minx: number, miny: number, maxx: number, maxy: number];

/** One chunk of a table: one Parquet row group of one data file. */
export interface ChunkInfo {
  /** Index of the data file in {@link GeoTable.files}. */
  readonly fileId: number;
  /** Index of the row group within its file. */
  readonly chunkId: number;
  /** Box of the chunk's geometries (degrees). */
  readonly bbox: BBox;
  /** Rows in the chunk. */
  readonly numRows: number;
  /** Vertices in the chunk, null when unknown (files not written by geopart). */
  readonly numCoords: number | null;
  /** Sum of polygon areas (deg^2), null when unknown. */
  readonly sumArea: number | null;
  /** Sum of line lengths (degrees), null when unknown. */
  readonly sumLength: number | null;
  /** Data file path or URL. */
  readonly url: string;
}

/** Options of {@link GeoTable.read}; everything optional. */
export interface TableReadOptions {
  /** Rows whose box intersects this box (boundary touching counts); default: every row. */
  readonly bbox?: BBox;
  /** Columns to return, default all (names as in the file, e.g. 'geometry', 'bbox', attributes). */
  readonly columns?: readonly string[];
  /** Test rows by exact geometry intersection with `bbox`, not only their bbox. */
  readonly exact?: boolean;
  readonly signal?: AbortSignal;
}

/** Cumulative I/O counters of an opened table. */
export interface TableStats {
  /** Row groups (chunks) read by {@link GeoTable.read}. */
  rowGroupsRead: number;
  /** Bytes fetched from storage, metadata included. */
  bytesRead: number;
}

/** An opened table: its chunk metadata in memory, its data files read on demand. */
export interface GeoTable {
  /** What was opened. */
  readonly url: string;
  /** Data file paths/URLs, by file_id. */
  readonly files: readonly string[];
  /** Name of the primary geometry column (`geometry` in tables geopart writes). */
  readonly geometryColumn: string;
  /**
   * Encoding of that column: `WKB`, or a GeoArrow native encoding (`point`, `linestring`,
   * `polygon`, `multipoint`, `multilinestring`, `multipolygon`) in files of other writers.
   */
  readonly geometryEncoding: string;
  /** Box of the whole table (degrees), null when unknown or empty. */
  readonly bbox: BBox | null;
  /** The parsed `geopart:report` when present. */
  readonly report: Record<string, unknown> | null;
  /** I/O counters, cumulative. */
  readonly stats: TableStats;
  /** Every chunk, or those whose box intersects `bbox` (touching counts), ordered by fileId, chunkId. */
  chunks(bbox?: BBox): ChunkInfo[];
  /**
   * The rows of the chunks that intersect `options.bbox`, filtered to those that intersect it.
   * The result's schema metadata is that of the data files; for a geopart table, `_sample`'s
   * `geo` and `geopart:report` entries (when `_sample` has rows), so it does not depend on which
   * files a box touches.
   */
  read(options?: TableReadOptions): Promise<Table>;
  /**
   * Every row of one chunk (row group `chunkId` of data file `fileId`), in file order: what a
   * UDF over a table's chunks reads. A chunk the table lacks is an `INVALID_ARGUMENT` error.
   */
  readChunk(
    fileId: number,
    chunkId: number,
    options?: Pick<TableReadOptions, 'columns' | 'signal'>,
  ): Promise<Table>;
  /** Releases open files; the table cannot be read afterwards. */
  close(): Promise<void>;
}
