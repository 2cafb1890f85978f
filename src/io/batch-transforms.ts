/**
 * Per-batch input options applied as batches stream: `explode_geometries` and
 * `drop_out_of_bounds`. Both work on the WKB buffers and copy attribute columns by index.
 */
import type { RecordBatch } from 'apache-arrow';
import { binaryDataFromWkb, wkbColumnFromData } from '../arrow/binary.js';
import { filterRows, takeRowsReplacing } from '../arrow/take.js';
import { wkbBounds } from '../geometry/bounds.js';
import { explodeWkb } from '../geometry/explode.js';
import { outOfBoundsMask } from '../geometry/out-of-bounds.js';
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

/** The batch without rows that have a coordinate outside lon [-180,180] / lat [-90,90], and how many went. */
export function dropOutOfBounds(batch: RecordBatch): { batch: RecordBatch; dropped: number } {
  const g = geometryIndex(batch);
  const mask = outOfBoundsMask(wkbBounds(wkbColumnFromData(batch.data.children[g]!)));
  let dropped = 0;
  for (let i = 0; i < mask.length; i++) {
    dropped += mask[i]!;
    mask[i] = mask[i]! ^ 1;
  }
  return { batch: dropped === 0 ? batch : filterRows(batch, mask), dropped };
}
