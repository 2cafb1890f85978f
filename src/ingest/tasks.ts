/**
 * The tasks an ingest runs on its worker pool (`createPool(INGEST_TASKS)`), by name in the
 * task map {@link tasks}. Every task catches its own errors and returns them as `{ failed: WireError }`, since
 * structured clone would drop the error class and its code.
 */
import { unlinkSync } from 'node:fs';
import type { RecordBatch } from 'apache-arrow';
import { type BatchParts, batchFromParts, schemaFromMessage } from '../arrow/batch-parts.js';
import { wkbColumnFromData } from '../arrow/binary.js';
import { concatBatches } from '../arrow/concat.js';
import { conformBatch } from '../arrow/conform.js';
import { rowBytes } from '../arrow/row-bytes.js';
import { takeRows } from '../arrow/take.js';
import { toWire } from '../errors.js';
import { GEOMETRY_COLUMN } from '../io/source.js';
import { takeRowsMulti } from '../io/take-multi.js';
import { type TaskFailure, taskModule } from '../pool/task-map.js';
import { buffersOf, movable } from '../pool/transfer.js';
import { type ScanOptions, scanBatch } from '../scan/scan-batch.js';
import {
  type Piece,
  PieceReader,
  type ShuffleIndex,
  type ShuffleLayout,
  writeShuffle,
} from '../scan/shuffle.js';
import {
  batchFromBytes,
  batchToBytes,
  keySpillPath,
  readSpill,
  writeKeySpill,
  writeSpill,
} from '../scan/spill.js';
import { chunkStats } from '../write/chunk-stats.js';
import { type WriteOptions, writeGeoParquetFile } from '../write/geoparquet-writer.js';
import { withByteSpans } from './chunk-metadata.js';

/**
 * This module, as `createPool` takes it; the pool's `run` is typed by {@link tasks}. Its URL is
 * spelled from its folder's parent, so that it names this module from the command line's
 * single-file build in dist/bundle/ as well (scripts/bundle.mjs).
 */
export const INGEST_TASKS = taskModule<typeof tasks>(new URL('../ingest/tasks.js', import.meta.url));

/**
 * Input of {@link scan}: one batch, as its buffers (arrow/batch-parts.ts: the reader's own
 * moved, others copied), or as Arrow IPC bytes (moved) for a slice of a batch or a schema
 * that cannot travel as parts.
 */
export interface ScanTask {
  readonly input: { readonly parts: BatchParts } | { readonly ipc: Uint8Array };
  readonly batchId: number;
  /** Where to spill the scanned rows. */
  readonly spillPath: string;
  /** Whether to spill the keys beside them (needed only when the keys outgrow the memory budget). */
  readonly spillKeys: boolean;
  readonly options: ScanOptions;
}

/** Output of {@link scan}: the batch's key columns (moved back) and counts. */
export interface ScanTaskResult {
  readonly batchId: number;
  readonly rows: number;
  /** Bytes written to the spill. */
  readonly spillBytes: number;
  /** Whether the keys were spilled beside the rows. */
  readonly keysSpilled: boolean;
  readonly cx: Float64Array;
  readonly cy: Float64Array;
  readonly measure: Float64Array;
  readonly bounds: Float64Array;
  readonly rowsCrossingAntimeridian: number;
  readonly rowsAddedByAntimeridian: number;
  readonly droppedOutOfBounds: number;
  readonly droppedNoGeometry: number;
  readonly subdividedRows: number;
  readonly rowsAddedBySubdivision: number;
  readonly rowsMadeValid: number;
}

/** Scans one batch, spills its rows and returns its keys. */
export function scan(task: ScanTask): ScanTaskResult | TaskFailure {
  try {
    const ipc = 'ipc' in task.input ? task.input.ipc : null;
    const input = ipc ? batchFromBytes(ipc) : batchFromParts((task.input as { parts: BatchParts }).parts);
    const scanned = scanBatch(input, task.options);
    // An unchanged batch that came as IPC is spilled as those bytes, without serialising it again.
    const spilled = ipc && scanned.batch === input ? ipc : batchToBytes(scanned.batch);
    writeSpill(task.spillPath, spilled);
    const { cx, cy, measure, bounds } = scanned.keys;
    if (task.spillKeys) writeKeySpill(keySpillPath(task.spillPath), scanned.keys);
    const result: ScanTaskResult = {
      batchId: task.batchId,
      rows: scanned.batch.numRows,
      spillBytes: spilled.length,
      keysSpilled: task.spillKeys,
      cx,
      cy,
      measure,
      bounds,
      rowsCrossingAntimeridian: scanned.rowsCrossingAntimeridian,
      rowsAddedByAntimeridian: scanned.rowsAddedByAntimeridian,
      droppedOutOfBounds: scanned.droppedOutOfBounds,
      droppedNoGeometry: scanned.droppedNoGeometry,
      subdividedRows: scanned.subdividedRows,
      rowsAddedBySubdivision: scanned.rowsAddedBySubdivision,
      rowsMadeValid: scanned.rowsMadeValid,
    };
    return movable(result, buffersOf([cx, cy, measure, bounds]));
  } catch (err) {
    return { failed: toWire(err) };
  }
}

/** Input of {@link shuffle}: consecutive spilled batches and where their rows go. */
export interface ShuffleTask {
  readonly spills: readonly string[];
  /** The batches' rows in final order, grouped by write unit. */
  readonly layout: ShuffleLayout;
  readonly path: string;
  /** An Arrow IPC schema message the batches are conformed to (`ShuffleGroup.schema`). */
  readonly schema?: Uint8Array;
}

/** Reads a group of spilled batches once, writes their rows grouped by unit, removes the spills. */
export function shuffle(task: ShuffleTask): ShuffleIndex | TaskFailure {
  try {
    const schema = task.schema ? schemaFromMessage(task.schema) : null;
    const batches = task.spills.map((path) => {
      const batch = readSpill(path);
      return schema ? conformBatch(batch, schema) : batch;
    });
    const index = writeShuffle(task.path, batches, task.layout);
    for (const path of task.spills) unlinkSync(path);
    return movable(index, buffersOf([index.dest, index.offset, index.bytes, index.rows]));
  } catch (err) {
    return { failed: toWire(err) };
  }
}

/** One write unit of a file: its rows (row indices, in final order), its chunks, its pieces. */
export interface WriteUnit {
  readonly rows: Int32Array;
  /** Rows per chunk, in order; each becomes one row group. */
  readonly chunkSizes: readonly number[];
  /** The unit's rows in the shuffle files, in file order, each piece's rows in final order. */
  readonly pieces: readonly Piece[];
}

/** Input of {@link write}: one output file, as its write units in order. */
export interface WriteTask {
  readonly path: string;
  readonly units: readonly WriteUnit[];
  /** Rows of the file (the units' rows summed). */
  readonly rows: number;
  readonly keyValueMetadata: Readonly<Record<string, string>>;
  /** How many rows to return as a sample. */
  readonly sampleRows: number;
  /** Most bytes of row data (see arrow/row-bytes.ts) the sample may hold. */
  readonly sampleBytes: number;
  /** The writer's options (ingest/settings.ts `write`). */
  readonly writeOptions: Pick<
    WriteOptions,
    'geoTypes' | 'compression' | 'pageBytes' | 'pageIndex' | 'dictionary'
  >;
}

/** Output of {@link write}. */
export interface WriteTaskResult {
  readonly bytes: number;
  /** `[numCoords, sumArea, sumLength, byteOffset, byteLength]` per chunk, flattened (chunk-metadata.ts). */
  readonly stats: Float64Array;
  /** Evenly spaced sample rows of the file, as Arrow IPC bytes (empty when none asked). */
  readonly sample: Uint8Array;
  /** The file's Parquet schema and codec (geoparquet-writer.ts `parquetLayout`). */
  readonly layout: string;
}

/**
 * The rows of a unit in final order. Each piece holds the unit's rows of one shuffle file
 * (a range of row indices) in final order, so the unit is a merge of the pieces: row
 * `rows[j]` is the next unread row of the piece whose range holds it. One piece is the unit.
 */
function gatherUnit(unit: WriteUnit, reader: PieceReader): RecordBatch {
  const parts = unit.pieces.map((p) => reader.read(p));
  const m = unit.rows.length;
  const held = parts.reduce((s, p) => s + p.numRows, 0);
  if (held !== m) throw new Error(`write unit: the shuffle holds ${held} of its ${m} rows`);
  if (parts.length === 1) return parts[0]!;
  const batchOf = new Int32Array(m);
  const rowOf = new Int32Array(m);
  const next = new Int32Array(parts.length);
  const { pieces } = unit;
  for (let j = 0; j < m; j++) {
    const row = unit.rows[j]!;
    // The last piece starting at or before the row (pieces are in ascending, disjoint ranges).
    let lo = 0;
    let hi = pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pieces[mid]!.rowStart <= row) lo = mid;
      else hi = mid - 1;
    }
    const p = lo;
    if (row < pieces[p]!.rowStart || row >= pieces[p]!.rowEnd) {
      throw new Error(`write unit: row ${row} is in none of its shuffle pieces`);
    }
    batchOf[j] = p;
    rowOf[j] = next[p]!++;
  }
  for (const [p, part] of parts.entries()) {
    if (next[p] !== part.numRows)
      throw new Error(`write unit: piece ${p} holds ${part.numRows} rows, ${next[p]} wanted`);
  }
  return takeRowsMulti(parts, batchOf, rowOf);
}

/**
 * Writes one output file as GeoParquet, one row group per chunk, gathering its rows from the
 * shuffle unit by unit: the writer draws the next unit only when it needs its rows.
 */
export async function write(task: WriteTask): Promise<WriteTaskResult | TaskFailure> {
  // Each shuffle file opened once for the whole file's units.
  const reader = new PieceReader();
  try {
    const n = task.rows;
    const k = Math.min(n, Math.max(0, task.sampleRows));
    const stats: Float64Array[] = [];
    const samples: RecordBatch[] = [];
    let next = 0; // the next sample's index i: row floor(i * n / k)
    let before = 0;
    let sampleBytes = 0;
    const take = (batch: RecordBatch, unit: WriteUnit): RecordBatch => {
      const wkb = wkbColumnFromData(batch.getChild(GEOMETRY_COLUMN)!.data[0]!);
      stats.push(chunkStats(wkb, unit.chunkSizes));
      const picked: number[] = [];
      for (; next < k && Math.floor((next * n) / k) < before + batch.numRows; next++) {
        const row = Math.floor((next * n) / k) - before;
        // A row that would take the sample past its byte budget is left out.
        const size = rowBytes(batch, row);
        if (sampleBytes + size > task.sampleBytes) continue;
        sampleBytes += size;
        picked.push(row);
      }
      if (picked.length > 0) samples.push(takeRows(batch, Int32Array.from(picked)));
      before += batch.numRows;
      return batch;
    };
    const first = task.units.length > 0 ? take(gatherUnit(task.units[0]!, reader), task.units[0]!) : null;
    async function* batches(): AsyncGenerator<RecordBatch> {
      if (first === null) return;
      yield first;
      for (const unit of task.units.slice(1)) yield take(gatherUnit(unit, reader), unit);
    }
    const result = await writeGeoParquetFile(
      task.path,
      {
        batches: batches(),
        schema: first?.schema,
        rowGroupSizes: task.units.flatMap((u) => u.chunkSizes),
        keyValueMetadata: task.keyValueMetadata,
      },
      task.writeOptions,
    );
    const measures = new Float64Array(stats.reduce((a, s) => a + s.length, 0));
    for (let i = 0, at = 0; i < stats.length; at += stats[i]!.length, i++) measures.set(stats[i]!, at);
    const allStats = withByteSpans(measures, result.rowGroups);
    const sample = samples.length > 0 ? batchToBytes(concatBatches(samples)) : new Uint8Array(0);
    return movable(
      { bytes: result.bytes, stats: allStats, sample, layout: result.layout },
      buffersOf([allStats, sample]),
    );
  } catch (err) {
    return { failed: toWire(err) };
  } finally {
    reader.close();
  }
}

/** The task map the workers run (pool/pool.ts): each task under the name the pool runs it by. */
export const tasks = { scan, shuffle, write } as const;

/** The type of {@link tasks}, which types an ingest pool's `run`. */
export type IngestTasks = typeof tasks;
