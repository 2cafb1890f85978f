/**
 * The tasks an ingest runs on its worker pool (`createPool(INGEST_TASKS)`), by name in the
 * task map {@link tasks}. Every task catches its own errors and returns them as `{ failed: WireError }`, since
 * structured clone would drop the error class and its code.
 */
import { wkbColumnFromData } from '../arrow/binary.js';
import { takeRows } from '../arrow/take.js';
import { toWire } from '../errors.js';
import { GEOMETRY_COLUMN } from '../io/source.js';
import { type TaskFailure, taskModule } from '../pool/task-map.js';
import { buffersOf, movable } from '../pool/transfer.js';
import { gatherRows } from '../scan/gather.js';
import { type ScanOptions, scanBatch } from '../scan/scan-batch.js';
import { batchFromBytes, batchToBytes, readSpill, spillPath, writeSpill } from '../scan/spill.js';
import { chunkStats } from '../write/chunk-stats.js';
import { writeGeoParquetFile } from '../write/geoparquet-writer.js';

/** This module, as `createPool` takes it; the pool's `run` is typed by {@link tasks}. */
export const INGEST_TASKS = taskModule<typeof tasks>(new URL(import.meta.url));

/** Input of {@link scan}: one batch as Arrow IPC bytes (moved, not copied). */
export interface ScanTask {
  readonly bytes: Uint8Array;
  readonly batchId: number;
  /** Where to spill the scanned rows. */
  readonly spillPath: string;
  readonly options: ScanOptions;
}

/** Output of {@link scan}: the batch's key columns (moved back) and counts. */
export interface ScanTaskResult {
  readonly batchId: number;
  readonly rows: number;
  readonly cx: Float64Array;
  readonly cy: Float64Array;
  readonly measure: Float64Array;
  readonly bounds: Float64Array;
  readonly droppedNoGeometry: number;
  readonly subdividedRows: number;
  readonly rowsAddedBySubdivision: number;
}

/** Scans one batch, spills its rows and returns its keys. */
export function scan(task: ScanTask): ScanTaskResult | TaskFailure {
  try {
    const input = batchFromBytes(task.bytes);
    const scanned = scanBatch(input, task.options);
    // An unchanged batch is spilled as the bytes it came in, without serialising it again.
    writeSpill(task.spillPath, scanned.batch === input ? task.bytes : batchToBytes(scanned.batch));
    const { cx, cy, measure, bounds } = scanned.keys;
    const result: ScanTaskResult = {
      batchId: task.batchId,
      rows: scanned.batch.numRows,
      cx,
      cy,
      measure,
      bounds,
      droppedNoGeometry: scanned.droppedNoGeometry,
      subdividedRows: scanned.subdividedRows,
      rowsAddedBySubdivision: scanned.rowsAddedBySubdivision,
    };
    return movable(result, buffersOf([cx, cy, measure, bounds]));
  } catch (err) {
    return { failed: toWire(err) };
  }
}

/** Input of {@link write}: the rows of one output file, by spilled batch and row, in final order. */
export interface WriteTask {
  readonly spillDir: string;
  readonly batchOf: Int32Array;
  readonly rowOf: Int32Array;
  /** Rows per chunk, in order; each becomes one row group. */
  readonly chunkSizes: readonly number[];
  readonly path: string;
  readonly keyValueMetadata: Readonly<Record<string, string>>;
  /** How many rows to return as a sample. */
  readonly sampleRows: number;
}

/** Output of {@link write}. */
export interface WriteTaskResult {
  readonly bytes: number;
  /** `[numCoords, sumArea, sumLength]` per chunk, flattened. */
  readonly stats: Float64Array;
  /** Evenly spaced sample rows of the file, as Arrow IPC bytes (empty when none asked). */
  readonly sample: Uint8Array;
}

/** Gathers one output file's rows from the spill and writes it as GeoParquet, one row group per chunk. */
export async function write(task: WriteTask): Promise<WriteTaskResult | TaskFailure> {
  try {
    const batch = gatherRows(task.batchOf, task.rowOf, (id) => readSpill(spillPath(task.spillDir, id)));
    const result = await writeGeoParquetFile(task.path, {
      batches: [batch],
      rowGroupSizes: task.chunkSizes,
      keyValueMetadata: task.keyValueMetadata,
    });
    const wkb = wkbColumnFromData(batch.getChild(GEOMETRY_COLUMN)!.data[0]!);
    const stats = chunkStats(wkb, task.chunkSizes);
    let sample: Uint8Array = new Uint8Array(0);
    const n = batch.numRows;
    if (task.sampleRows > 0 && n > 0) {
      const k = Math.min(n, task.sampleRows);
      const rows = new Int32Array(k);
      for (let i = 0; i < k; i++) rows[i] = Math.floor((i * n) / k);
      sample = batchToBytes(takeRows(batch, rows));
    }
    return movable({ bytes: result.bytes, stats, sample }, buffersOf([stats, sample]));
  } catch (err) {
    return { failed: toWire(err) };
  }
}

/** The task map the workers run (pool/pool.ts): each task under the name the pool runs it by. */
export const tasks = { scan, write } as const;

/** The type of {@link tasks}, which types an ingest pool's `run`. */
export type IngestTasks = typeof tasks;
