/**
 * The schema of the chunk table (docs/FORMAT.md, "The chunk table"): one row per chunk with its
 * file, box and sums, plus the box as a polygon `geometry`. Readers use it to fetch only the
 * chunks a box touches.
 */

/** Parquet physical type of a chunk-table column, as geopart writes it. */
export type ChunkColumnType = 'int32' | 'int64' | 'float64' | 'binary';

/** One column of the chunk table. */
export interface ChunkColumn {
  readonly name: string;
  readonly type: ChunkColumnType;
  /** A reader refuses a chunk table without it; the others may be missing (tables of other tools). */
  readonly required: boolean;
}

/** The columns of the chunk table, in order; none is nullable. */
export const CHUNK_TABLE_SCHEMA: readonly ChunkColumn[] = [
  { name: 'file_id', type: 'int32', required: true },
  { name: 'chunk_id', type: 'int32', required: true },
  { name: 'bbox_minx', type: 'float64', required: true },
  { name: 'bbox_miny', type: 'float64', required: true },
  { name: 'bbox_maxx', type: 'float64', required: true },
  { name: 'bbox_maxy', type: 'float64', required: true },
  { name: 'num_rows', type: 'int64', required: true },
  { name: 'num_coords', type: 'int64', required: false },
  { name: 'sum_area', type: 'float64', required: false },
  { name: 'sum_length', type: 'float64', required: false },
  { name: 'byte_offset', type: 'int64', required: false },
  { name: 'byte_length', type: 'int64', required: false },
  { name: 'geometry', type: 'binary', required: false },
];

/** Column names of the chunk table, in order. */
export const CHUNK_TABLE_COLUMNS: readonly string[] = CHUNK_TABLE_SCHEMA.map((c) => c.name);

/** The columns a chunk table must have. */
export const CHUNK_TABLE_REQUIRED: readonly string[] = CHUNK_TABLE_SCHEMA.filter((c) => c.required).map(
  (c) => c.name,
);
