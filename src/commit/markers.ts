/**
 * Commit markers: the file whose presence says an output folder or prefix is complete. It is
 * written last; a reader refuses a folder without it.
 */

/** The commit marker of a table (it also holds the chunk metadata). */
export const TABLE_MARKER = '_sample';

/**
 * The commit marker of other outputs (the results of a UDF step): an empty file, written
 * last, as Hadoop and Spark jobs do.
 */
export const SUCCESS_MARKER = '_SUCCESS';

/** Every marker an output of geopart may have; an overwrite removes any of them first. */
export const COMMIT_MARKERS: readonly string[] = [TABLE_MARKER, SUCCESS_MARKER];
