/**
 * Per-batch input options applied as batches stream: `explode_geometries`,
 * `split_antimeridian` and `drop_out_of_bounds` (or, when rows out of bounds are kept, the check that their coordinates
 * are finite). They work on the WKB buffers and copy attribute columns by index.
 */
import type { RecordBatch } from 'apache-arrow';
import { binaryDataFromWkb, wkbColumnFromData } from '../arrow/binary.js';
import { filterRows, takeRowsReplacing } from '../arrow/take.js';
import { GeopartError } from '../errors.js';
import { splitAntimeridian } from '../geometry/antimeridian.js';
import { wkbBounds } from '../geometry/bounds.js';
import { explodeWkb } from '../geometry/explode.js';
import { firstNonFinite } from '../geometry/non-finite.js';
import { BOUNDS_TOLERANCE, outOfBoundsMask } from '../geometry/out-of-bounds.js';
import { GEOMETRY_COLUMN } from './source.js';

function geometryIndex(batch: RecordBatch): number {
  return batch.schema.fields.findIndex((f) => f.name === GEOMETRY_COLUMN);
}

/**
 * One row per part of every multi-part geometry; the attributes of the row are repeated on
 * each of its parts. Returns the batch unchanged when no row has several parts.
 */
export function explodeBatch(batch: RecordBatch): RecordBatch {
  const g = geometryIndex(batch);
  const wkb = wkbColumnFromData(batch.data.children[g]!);
  const exploded = explodeWkb(wkb);
  if (exploded.wkb === wkb) return batch;
  return takeRowsReplacing(batch, exploded.parentRow, g, binaryDataFromWkb(exploded.wkb));
}

/** The row boxes of the batch's geometry column (`wkbBounds`). */
export function batchBounds(batch: RecordBatch): Float64Array {
  return wkbBounds(wkbColumnFromData(batch.data.children[geometryIndex(batch)]!));
}

/**
 * The batch with every row that crosses the antimeridian split into one row per side
 * (geometry/antimeridian.ts), its row boxes (`bounds` when nothing changed), and how many rows
 * crossed.
 */
export function splitAntimeridianBatch(
  batch: RecordBatch,
  bounds: Float64Array,
): { batch: RecordBatch; bounds: Float64Array; crossing: number } {
  const g = geometryIndex(batch);
  const wkb = wkbColumnFromData(batch.data.children[g]!);
  const r = splitAntimeridian(wkb, bounds);
  if (r.wkb === wkb) return { batch, bounds, crossing: 0 };
  return {
    batch: takeRowsReplacing(batch, r.parentRow, g, binaryDataFromWkb(r.wkb)),
    bounds: wkbBounds(r.wkb),
    crossing: r.crossingRows,
  };
}

/**
 * The batch without rows that have a coordinate outside lon [-180,180] / lat [-90,90] by more
 * than {@link BOUNDS_TOLERANCE} degrees, and how many went. Kept rows keep their coordinates.
 * `bounds` are its row boxes when known.
 */
export function dropOutOfBounds(
  batch: RecordBatch,
  bounds: Float64Array = batchBounds(batch),
): { batch: RecordBatch; dropped: number } {
  const mask = outOfBoundsMask(bounds, BOUNDS_TOLERANCE);
  let dropped = 0;
  for (let i = 0; i < mask.length; i++) {
    dropped += mask[i]!;
    mask[i] = mask[i]! ^ 1;
  }
  return { batch: dropped === 0 ? batch : filterRows(batch, mask), dropped };
}

/**
 * Throws CORRUPT_INPUT naming `file` and the file row (`rowsBefore` plus the batch row) when a
 * row has a coordinate that is not a finite number. Used when out-of-bounds rows are kept: such
 * a row cannot be placed in any partition, and dropping it would go against keeping every row.
 */
export function checkFinite(batch: RecordBatch, file: string, rowsBefore: number): void {
  const bad = firstNonFinite(wkbColumnFromData(batch.data.children[geometryIndex(batch)]!));
  if (bad === null) return;
  const row = rowsBefore + bad.row;
  throw new GeopartError(
    'CORRUPT_INPUT',
    `${file}, row ${row}: coordinate (${bad.x}, ${bad.y}) is not a finite number, so the row cannot be ` +
      'placed in a partition; fix or remove the row, or leave out --keep-out-of-bounds ' +
      '(drop_out_of_bounds: true) to drop such rows and count them',
    { file, row },
  );
}
