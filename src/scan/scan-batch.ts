/**
 * The scan of one batch: split rows at the antimeridian, drop rows out of bounds or without
 * geometry, repair and subdivide polygons, and compute the key-table columns (bbox, centroid,
 * measure) of the rows that remain. Pure: no I/O.
 */
import type { RecordBatch } from 'apache-arrow';
import { binaryDataFromWkb, wkbColumnFromData } from '../arrow/binary.js';
import { filterRows, replaceColumn, takeRowsReplacing } from '../arrow/take.js';
import { wkbBounds } from '../geometry/bounds.js';
import { type MeasureMethod, rowCentroidsAndMeasures } from '../geometry/row-keys.js';
import { makeValidColumn, subdivideWkbColumn } from '../geometry/subdivide-wkb.js';
import { dropOutOfBounds, splitAntimeridianBatch } from '../io/batch-transforms.js';
import { makeValidWkb } from '../io/native.js';
import { GEOMETRY_COLUMN } from '../io/source.js';

/** What the scan of a batch needs from the job config. */
export interface ScanOptions {
  /** Split rows that cross the antimeridian into one row per side (`split_antimeridian`). */
  readonly splitAntimeridian: boolean;
  /** Drop rows outside lon [-180,180] / lat [-90,90] (`drop_out_of_bounds`). */
  readonly dropOutOfBounds: boolean;
  readonly method: MeasureMethod;
  /** Polygons above this area (deg^2) are subdivided; null: no subdivision. */
  readonly subdivideStart: number | null;
  /** Largest piece area (deg^2); defaults to `subdivideStart`. */
  readonly subdivideStop: number | null;
  /** Repair every polygonal row GEOS finds invalid, before anything else. */
  readonly makeValid: boolean;
}

/** Key columns of the scanned rows, in row order (degrees; measure in the method's unit). */
export interface BatchKeys {
  readonly cx: Float64Array;
  readonly cy: Float64Array;
  readonly measure: Float64Array;
  /** Row boxes, `[xmin, ymin, xmax, ymax]` per row. */
  readonly bounds: Float64Array;
}

/** The scanned batch, its keys and what the scan did. */
export interface ScannedBatch {
  readonly batch: RecordBatch;
  readonly keys: BatchKeys;
  /** Rows that crossed the antimeridian, and rows their split added. */
  readonly rowsCrossingAntimeridian: number;
  readonly rowsAddedByAntimeridian: number;
  /** Rows dropped for a coordinate out of bounds. */
  readonly droppedOutOfBounds: number;
  /** Rows dropped because their geometry is null or empty. */
  readonly droppedNoGeometry: number;
  /** Input rows cut into pieces by subdivision. */
  readonly subdividedRows: number;
  /** Rows added by subdivision (pieces minus the rows they replaced). */
  readonly rowsAddedBySubdivision: number;
  /** Rows found invalid (GEOS) and repaired. */
  readonly rowsMadeValid: number;
}

function geometryIndex(batch: RecordBatch): number {
  return batch.schema.fields.findIndex((f) => f.name === GEOMETRY_COLUMN);
}

/** Scans one batch (see the module comment). */
export function scanBatch(input: RecordBatch, options: ScanOptions): ScannedBatch {
  const g = geometryIndex(input);
  let batch = input;
  let bounds = wkbBounds(wkbColumnFromData(batch.data.children[g]!));

  // As the read path would (io/read-inputs.ts): the split first, so a row reaching past 180
  // that is cut there is in bounds after.
  let crossing = 0;
  let addedByAntimeridian = 0;
  if (options.splitAntimeridian) {
    const before = batch.numRows;
    const r = splitAntimeridianBatch(batch, bounds);
    crossing = r.crossing;
    addedByAntimeridian = r.batch.numRows - before;
    batch = r.batch;
    bounds = r.bounds;
  }
  let droppedOutOfBounds = 0;
  if (options.dropOutOfBounds) {
    const r = dropOutOfBounds(batch, bounds);
    droppedOutOfBounds = r.dropped;
    if (r.dropped > 0) {
      batch = r.batch;
      bounds = wkbBounds(wkbColumnFromData(batch.data.children[g]!));
    }
  }

  // Rows without geometry cannot be placed in space: drop and count them.
  const n0 = batch.numRows;
  const keep = new Uint8Array(n0);
  let kept = 0;
  for (let i = 0; i < n0; i++) {
    const ok = Number.isNaN(bounds[4 * i]) ? 0 : 1;
    keep[i] = ok;
    kept += ok;
  }
  if (kept < n0) {
    batch = filterRows(batch, keep);
    bounds = wkbBounds(wkbColumnFromData(batch.data.children[g]!));
  }

  let subdividedRows = 0;
  let rowsAdded = 0;
  let rowsMadeValid = 0;
  if (options.makeValid) {
    const wkb = wkbColumnFromData(batch.data.children[g]!);
    const r = makeValidColumn(wkb, makeValidWkb);
    if (r.wkb !== wkb) {
      batch = replaceColumn(batch, g, binaryDataFromWkb(r.wkb));
      bounds = wkbBounds(r.wkb);
      rowsMadeValid = r.repairedRows;
    }
  }
  if (options.subdivideStart !== null) {
    const wkb = wkbColumnFromData(batch.data.children[g]!);
    const r = subdivideWkbColumn(
      wkb,
      options.subdivideStart,
      options.subdivideStop ?? options.subdivideStart,
    );
    if (r.wkb !== wkb) {
      rowsAdded = r.parentRow.length - batch.numRows;
      batch = takeRowsReplacing(batch, r.parentRow, g, binaryDataFromWkb(r.wkb));
      bounds = wkbBounds(r.wkb);
      subdividedRows = r.subdividedRows;
    }
  }

  const { cx, cy, measure } = rowCentroidsAndMeasures(
    wkbColumnFromData(batch.data.children[g]!),
    options.method,
  );
  for (let i = 0; i < cx.length; i++) {
    // A geometry with coordinates but no defined centroid (e.g. only empty parts survived):
    // place it at its box centre.
    if (!Number.isFinite(cx[i]!) || !Number.isFinite(cy[i]!)) {
      cx[i] = (bounds[4 * i]! + bounds[4 * i + 2]!) / 2;
      cy[i] = (bounds[4 * i + 1]! + bounds[4 * i + 3]!) / 2;
    }
  }
  return {
    batch,
    keys: { cx, cy, measure, bounds },
    rowsCrossingAntimeridian: crossing,
    rowsAddedByAntimeridian: addedByAntimeridian,
    droppedOutOfBounds,
    droppedNoGeometry: n0 - kept,
    subdividedRows,
    rowsAddedBySubdivision: rowsAdded,
    rowsMadeValid,
  };
}
