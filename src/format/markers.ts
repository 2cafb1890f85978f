/**
 * Marker files of geopart's outputs (docs/FORMAT.md, "Commit and overwrite"): the file whose
 * presence says an output folder or prefix is complete. It is written last; a reader refuses a
 * folder without it.
 */

/** The commit marker of a table: sample rows, the chunk table and the format version. */
export const TABLE_MARKER = '_sample';

/**
 * The commit marker of other outputs (the results of a UDF step): an empty file, written
 * last, as Hadoop and Spark jobs do.
 */
export const SUCCESS_MARKER = '_SUCCESS';

/** Every marker an output of geopart may have; an overwrite removes any of them first. */
export const COMMIT_MARKERS: readonly string[] = [TABLE_MARKER, SUCCESS_MARKER];

/** The name of data file `fileId` of a table, inside the table folder (`0.parquet`, ...). */
export function dataFileName(fileId: number): string {
  return `${fileId}.parquet`;
}
