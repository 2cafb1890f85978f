/**
 * The scan stage of an ingest: streams the inputs, sends batches to the pool to be scanned
 * and spilled, and collects their keys into the key table.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { batchToParts, needsIpc } from '../arrow/batch-parts.js';
import { type InputShare, openInputs } from '../io/read-inputs.js';
import { GEOMETRY_COLUMN } from '../io/source.js';
import type { WorkerPool } from '../pool/pool.js';
import { batchToBytes, keySpillPath, spillPath, writeKeySpill } from '../scan/spill.js';
import { eachOf } from '../util/bounded.js';
import { KeyTableBuilder } from './key-table-builder.js';
import type { IngestRunOptions, IngestSettings } from './settings.js';
import type { IngestTasks, ScanTask } from './tasks.js';

/** Geometry bytes per scan task: big polygons are spread over the pool, not scanned by one worker. */
const SCAN_TASK_BYTES = 4 << 20;

/** Cuts a batch into consecutive slices of at most {@link SCAN_TASK_BYTES} of WKB (at least one row each). */
function slicesForScan(batch: RecordBatch): RecordBatch[] {
  const g = batch.getChild(GEOMETRY_COLUMN)?.data[0];
  const offsets = g?.valueOffsets as Int32Array | undefined;
  if (!offsets || offsets[batch.numRows]! - offsets[0]! <= SCAN_TASK_BYTES) return [batch];
  const out: RecordBatch[] = [];
  let start = 0;
  for (let i = 1; i <= batch.numRows; i++) {
    if (i === batch.numRows || offsets[i + 1]! - offsets[start]! > SCAN_TASK_BYTES) {
      out.push(batch.slice(start, i));
      start = i;
    }
  }
  return out;
}

/** What the scan stage hands to the plan. */
export interface ScanOutcome {
  /**
   * The key table; the plan stage takes it and sets this to null so it can be freed. Null for
   * a share, whose keys are all spilled for the plan elsewhere to gather.
   */
  keys: KeyTableBuilder | null;
  /** First row of each scanned batch in the key table (one more entry than batches). */
  readonly batchStart: Float64Array;
  /** Bytes spilled for each scanned batch. */
  readonly spillBytes: Float64Array;
  readonly rowsDroppedNoGeometry: number;
  readonly rowsSubdivided: number;
  readonly rowsMadeValid: number;
  readonly rowsAddedBySubdivision: number;
  readonly schema: Schema;
  /**
   * The expanded input files, in order, their pieces in all, and the pieces read
   * (`io/read-inputs.ts` `openInputs`).
   */
  readonly files: readonly string[];
  readonly pieces: number;
  readonly piecesRead: readonly [number, number];
  /** Each column's first file, and the files opened (`InputSet`). */
  readonly columnFiles: readonly string[];
  readonly opened: number;
  readonly inputFiles: number;
  readonly rowsRead: number;
  readonly rowsAddedByExplode: number;
  readonly rowsCrossingAntimeridian: number;
  readonly rowsAddedByAntimeridian: number;
  readonly rowsDroppedOutOfBounds: number;
}

/**
 * Runs the scan stage (see the module comment). With `share`, only the share's pieces are read
 * and every batch's keys are spilled; batch ids count from 0 within the share.
 */
export async function scanStage(
  settings: IngestSettings,
  pool: WorkerPool<IngestTasks>,
  spillDir: string,
  options: IngestRunOptions,
  share?: InputShare,
): Promise<ScanOutcome> {
  const inputs = await openInputs(
    {
      ...settings.read,
      onWarning: options.onWarning,
    },
    share,
  );
  const scanOptions = settings.scan;
  // A share keeps no keys (they are spilled), only each batch's rows and spilled bytes.
  const builder =
    share === undefined
      ? new KeyTableBuilder(inputs.featureCount ?? 0, settings.planBudgetRows, (batchId, keys) =>
          writeKeySpill(keySpillPath(spillPath(spillDir, batchId)), keys),
        )
      : null;
  const shareRows: number[] = [];
  const shareBytes: number[] = [];
  // Input rows sent to be scanned so far: past the budget the scans spill their keys too.
  let rowsSent = 0;
  let rowsCrossingAntimeridian = 0;
  let rowsAddedByAntimeridian = 0;
  let rowsDroppedOutOfBounds = 0;
  let rowsDroppedNoGeometry = 0;
  let rowsSubdivided = 0;
  let rowsMadeValid = 0;
  let rowsAddedBySubdivision = 0;
  let rowsScanned = 0;
  let spilled = 0;
  // Each batch (or slice), and whether it is a whole batch (not one of several slices).
  async function* scanBatches(): AsyncGenerator<[RecordBatch, boolean]> {
    for await (const { batch } of inputs.batches(options.signal)) {
      const slices = slicesForScan(batch);
      for (const s of slices) yield [s, slices.length === 1];
    }
  }
  // Bounded read-ahead: memory holds a few batches, not the input.
  await eachOf(scanBatches(), 2 * pool.threads, async ([batch, whole], batchId) => {
    const rows = batch.numRows;
    let input: ScanTask['input'];
    let transfer: ArrayBuffer[];
    // A slice goes as IPC, which copies only its rows (a sliced batch keeps its parent's
    // whole buffers); so does a schema that cannot travel as parts.
    if (!whole || needsIpc(batch.schema)) {
      const ipc = batchToBytes(batch);
      [input, transfer] = [{ ipc }, [ipc.buffer as ArrayBuffer]];
    } else {
      const p = batchToParts(batch);
      [input, transfer] = [{ parts: p.parts }, p.transfer];
    }
    rowsSent += rows;
    // The keys are spilled once they may not all fit (the scan can add rows, by subdivision
    // or the antimeridian split: the builder spills what the scans did not, should the table
    // still outgrow the budget).
    const spillKeys = builder === null || !builder.complete || rowsSent > settings.planBudgetRows;
    const r = await pool.run(
      'scan',
      { input, batchId, spillPath: spillPath(spillDir, batchId), spillKeys, options: scanOptions },
      transfer,
      options.signal,
    );
    if (builder === null) {
      shareRows[batchId] = r.rows;
      shareBytes[batchId] = r.spillBytes;
    } else builder.add(r);
    rowsCrossingAntimeridian += r.rowsCrossingAntimeridian;
    rowsAddedByAntimeridian += r.rowsAddedByAntimeridian;
    rowsDroppedOutOfBounds += r.droppedOutOfBounds;
    rowsDroppedNoGeometry += r.droppedNoGeometry;
    rowsSubdivided += r.subdividedRows;
    rowsMadeValid += r.rowsMadeValid;
    rowsAddedBySubdivision += r.rowsAddedBySubdivision;
    rowsScanned += rows;
    spilled += r.spillBytes;
    options.onProgress?.({
      stage: 'scan',
      rowsScanned,
      filesWritten: 0,
      files: 0,
      done: rowsScanned,
      total: inputs.featureCount ?? 0,
      bytes: spilled,
    });
  });
  const batchStart = new Float64Array(shareRows.length + 1);
  for (const [b, n] of shareRows.entries()) batchStart[b + 1] = batchStart[b]! + n;
  return {
    keys: builder,
    batchStart: builder === null ? batchStart : Float64Array.from(builder.batchStart),
    spillBytes: Float64Array.from(builder === null ? shareBytes : builder.spillBytes),
    rowsDroppedNoGeometry,
    rowsSubdivided,
    rowsMadeValid,
    rowsAddedBySubdivision,
    schema: inputs.schema,
    files: inputs.files,
    pieces: inputs.pieceCount,
    piecesRead: inputs.pieces,
    columnFiles: inputs.columnFiles,
    opened: inputs.opened,
    inputFiles: inputs.files.length,
    rowsRead: inputs.stats.rowsRead,
    rowsAddedByExplode: inputs.stats.rowsAddedByExplode,
    rowsCrossingAntimeridian,
    rowsAddedByAntimeridian,
    rowsDroppedOutOfBounds,
  };
}
