/**
 * The shuffle and write stages of an ingest (docs/ARCHITECTURE.md, "One ingest"). The plan
 * places every row in a chunk of a file; here the spilled rows get there with I/O linear in
 * the data:
 *
 * 1. Each file's chunks are cut into write units: runs of whole chunks of about `unitBytes`
 *    of spilled rows (a unit is never smaller than one chunk), `taskBytes` of the memory limit.
 * 2. Shuffle: consecutive spilled batches are grouped (about `taskBytes` each); a task reads a
 *    group once and writes its rows into one shuffle file, grouped by unit and in final order
 *    within each, then removes the group's spill files.
 * 3. Write: a task per output file reads, unit by unit, only that unit's pieces of the shuffle
 *    files, merges them (a unit in one piece is used as it is) and streams the rows to the
 *    Parquet writer, so memory holds one unit, never a whole file.
 */
import { join } from 'node:path';
import type { Plan } from '../partition/plan.js';
import type { WorkerPool } from '../pool/pool.js';
import { buffersOf } from '../pool/transfer.js';
import { piecesOf, type ShuffleIndex, type ShuffleLayout } from '../scan/shuffle.js';
import { spillPath } from '../scan/spill.js';
import { eachBounded } from '../util/bounded.js';
import type { IngestTasks, WriteTask, WriteTaskResult, WriteUnit } from './tasks.js';

/**
 * Spilled bytes one task takes at once (a shuffle group, a write unit), out of `memoryLimit`:
 * a task holds its input decoded, a gathered copy and its encoded output, a few times its
 * spilled size, and `threads` tasks run at once.
 */
export function taskBytes(memoryLimit: number, threads: number): number {
  return Math.max(1, Math.floor(memoryLimit / (8 * threads)));
}

/** A write unit: chunks `[c0, c1)` of file `file`, which are `plan.order[k0..k1)`. */
export interface Unit {
  readonly file: number;
  readonly c0: number;
  readonly c1: number;
  readonly k0: number;
  readonly k1: number;
}

/**
 * Cuts each file's chunks into runs of at most `maxRows` rows (a chunk larger than that is a
 * unit of its own). Units are in file order, then chunk order; every file has at least one.
 */
export function planUnits(plan: Plan, maxRows: number): Unit[] {
  const { chunks } = plan;
  const units: Unit[] = [];
  let c = 0;
  for (let f = 0; f < plan.numFiles; f++) {
    let c0 = c;
    let rows = 0;
    while (c < chunks.length && chunks.fileId[c] === f) {
      const n = chunks.numRows[c]!;
      if (c > c0 && rows + n > maxRows) {
        units.push({ file: f, c0, c1: c, k0: chunks.start[c0]!, k1: chunks.start[c]! });
        c0 = c;
        rows = 0;
      }
      rows += n;
      c++;
    }
    if (c > c0) units.push({ file: f, c0, c1: c, k0: chunks.start[c0]!, k1: chunks.end[c - 1]! });
  }
  return units;
}

/** Consecutive batches `[b0, b1)` of at most `maxBytes` spilled bytes each (at least one batch). */
export function planGroups(spillBytes: Float64Array, maxBytes: number): [number, number][] {
  const groups: [number, number][] = [];
  let b0 = 0;
  let bytes = 0;
  for (let b = 0; b < spillBytes.length; b++) {
    if (b > b0 && bytes + spillBytes[b]! > maxBytes) {
      groups.push([b0, b]);
      b0 = b;
      bytes = 0;
    }
    bytes += spillBytes[b]!;
  }
  if (spillBytes.length > b0) groups.push([b0, spillBytes.length]);
  return groups;
}

/**
 * The layout of each shuffle group (whose rows start at `groupStart[g]`, ascending; the
 * last group ends at `rows`): its rows in final order, that is in plan order, grouped by
 * unit. One pass over the plan's order; the layouts together hold one entry per row.
 */
export function shuffleLayouts(
  plan: Plan,
  units: readonly Unit[],
  groupStart: readonly number[],
  rows: number,
): (ShuffleLayout | null)[] {
  const G = groupStart.length;
  const bound = [...groupStart, rows];
  const order = Array.from({ length: G }, (_, g) => new Int32Array(bound[g + 1]! - bound[g]!));
  const fill = new Int32Array(G);
  const dest: number[][] = Array.from({ length: G }, () => []);
  const count: number[][] = Array.from({ length: G }, () => []);
  // The groups the current unit has rows in, and where its rows start in each.
  const unitOf = new Int32Array(G).fill(-1);
  const startOf = new Int32Array(G);
  const touched: number[] = [];
  for (const [u, unit] of units.entries()) {
    touched.length = 0;
    for (let k = unit.k0; k < unit.k1; k++) {
      const row = plan.order[k]!;
      // The last group starting at or before the row.
      let lo = 0;
      let hi = G - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (bound[mid]! <= row) lo = mid;
        else hi = mid - 1;
      }
      if (unitOf[lo] !== u) {
        unitOf[lo] = u;
        startOf[lo] = fill[lo]!;
        touched.push(lo);
      }
      order[lo]![fill[lo]!++] = row - bound[lo]!;
    }
    for (const g of touched) {
      dest[g]!.push(u);
      count[g]!.push(fill[g]! - startOf[g]!);
    }
  }
  return order.map((o, g) => ({
    rowStart: bound[g]!,
    order: o,
    dest: Int32Array.from(dest[g]!),
    count: Int32Array.from(count[g]!),
  }));
}

/** A write unit as a write task takes it, less its pieces: its rows in final order and its chunks. */
export interface UnitRows {
  /** The unit's index in the plan's units (its destination in the shuffle files). */
  readonly unit: number;
  readonly rows: Int32Array;
  readonly chunkSizes: readonly number[];
}

/** One output file's write units, in order. */
export interface FileUnits {
  readonly file: number;
  readonly units: readonly UnitRows[];
}

/** Rows of a write unit: about `taskBytes` of spilled rows, at the table's mean spilled row size. */
export function unitRowsFor(rows: number, spilled: number, taskBytes: number): number {
  const bytesPerRow = rows > 0 ? spilled / rows : 1;
  return Math.max(1, Math.floor(taskBytes / bytesPerRow));
}

/**
 * A file's units, each unit's rows copied out of the plan's order when asked for, so that only
 * the files being written hold a copy.
 */
export function fileUnitsOf(plan: Plan, units: readonly Unit[]): (file: number) => FileUnits {
  const ofFile: number[][] = Array.from({ length: plan.numFiles }, () => []);
  for (const [u, unit] of units.entries()) ofFile[unit.file]!.push(u);
  return (file) => ({
    file,
    units: ofFile[file]!.map((u) => {
      const unit = units[u]!;
      return {
        unit: u,
        rows: plan.order.slice(unit.k0, unit.k1),
        chunkSizes: Array.from(plan.chunks.numRows.subarray(unit.c0, unit.c1)),
      };
    }),
  });
}

/** One shuffle task: spilled batches, where their rows go, and the shuffle file to write. */
export interface ShuffleGroup {
  readonly spills: readonly string[];
  readonly layout: ShuffleLayout;
  readonly path: string;
  /** Spilled bytes of the group, for progress. */
  readonly bytes: number;
  /**
   * The schema (an Arrow IPC schema message) the batches are conformed to, when they were
   * scanned with another (a share's, `io/read-inputs.ts` `openInputs`); absent: as spilled.
   */
  readonly schema?: Uint8Array;
}

/**
 * Runs the shuffle tasks, `threads` at a time; returns each group's index, in group order.
 * Each group's layout moves to its task (the caller's arrays are detached).
 */
export async function runShuffle(
  pool: WorkerPool<IngestTasks>,
  groups: readonly ShuffleGroup[],
  threads: number,
  signal?: AbortSignal,
  onShuffled?: (groupsDone: number, groups: number, bytes: number) => void,
): Promise<ShuffleIndex[]> {
  const indexes = new Array<ShuffleIndex>(groups.length);
  let shuffled = 0;
  let shuffledBytes = 0;
  await eachBounded(groups.length, threads, async (g) => {
    const { spills, layout, path, bytes, schema } = groups[g]!;
    indexes[g] = await pool.run(
      'shuffle',
      { spills, layout, path, ...(schema ? { schema } : {}) },
      buffersOf([layout.order, layout.dest, layout.count]),
      signal,
    );
    shuffledBytes += bytes;
    onShuffled?.(++shuffled, groups.length, shuffledBytes);
  });
  return indexes;
}

/** What {@link writeFiles} needs besides the files' units and the shuffle's indexes. */
export interface WriteFilesInput {
  /** The folder the data files go to, and each file's name. */
  readonly dir: string;
  readonly fileName: (file: number) => string;
  readonly keyValueMetadata: Readonly<Record<string, string>>;
  /** Sample rows to take from each file. */
  readonly sampleRows: number;
  /** Most bytes of row data each file's sample may hold. */
  readonly sampleBytes: number;
  /** The writer's options. */
  readonly writeOptions?: WriteTask['writeOptions'];
  readonly threads: number;
  readonly signal?: AbortSignal;
  /** After each file: files written, files, bytes written so far. */
  readonly onFileWritten?: (filesWritten: number, files: number, bytes: number) => void;
}

/**
 * Writes `count` files, the `i`th with the units `fileUnits(i)` gives (asked for as its task
 * starts), from the shuffle files `indexes` index, `threads` at a time; returns each file's
 * result, in order. The units' row arrays move to the tasks.
 */
export async function writeFiles(
  pool: WorkerPool<IngestTasks>,
  count: number,
  fileUnits: (i: number) => FileUnits,
  indexes: readonly ShuffleIndex[],
  input: WriteFilesInput,
): Promise<WriteTaskResult[]> {
  const written = new Array<WriteTaskResult>(count);
  let filesWritten = 0;
  let bytesWritten = 0;
  await eachBounded(count, input.threads, async (i) => {
    const { file, units } = fileUnits(i);
    const writeUnits: WriteUnit[] = units.map((u) => ({
      rows: u.rows,
      chunkSizes: u.chunkSizes,
      pieces: piecesOf(indexes, u.unit),
    }));
    written[i] = await pool.run(
      'write',
      {
        path: join(input.dir, input.fileName(file)),
        units: writeUnits,
        rows: units.reduce((n, u) => n + u.rows.length, 0),
        keyValueMetadata: input.keyValueMetadata,
        sampleRows: input.sampleRows,
        sampleBytes: input.sampleBytes,
        writeOptions: input.writeOptions ?? {},
      },
      units.map((u) => u.rows.buffer as ArrayBuffer),
      input.signal,
    );
    bytesWritten += written[i].bytes;
    input.onFileWritten?.(++filesWritten, count, bytesWritten);
  });
  return written;
}

/** What the write stage needs besides the plan. */
export interface WriteStageInput extends WriteFilesInput {
  readonly plan: Plan;
  readonly spillDir: string;
  /** First row of each spilled batch (one more entry than batches). */
  readonly batchStart: Float64Array;
  readonly spillBytes: Float64Array;
  /** Spilled bytes of a write unit and of a shuffle group (see {@link taskBytes}). */
  readonly taskBytes: number;
  /** After each shuffle group: groups done, groups, spilled bytes shuffled so far. */
  readonly onShuffled?: (groupsDone: number, groups: number, bytes: number) => void;
}

/** Runs the shuffle, then the write; returns each file's result, in file order. */
export async function shuffleAndWrite(
  pool: WorkerPool<IngestTasks>,
  input: WriteStageInput,
): Promise<WriteTaskResult[]> {
  const { plan, batchStart, spillBytes } = input;
  const rows = plan.order.length;
  const spilled = spillBytes.reduce((a, b) => a + b, 0);
  const units = planUnits(plan, unitRowsFor(rows, spilled, input.taskBytes));

  // Groups of at most a task's bytes, and at least one per thread, so that every thread shuffles.
  const groups = planGroups(spillBytes, Math.min(input.taskBytes, Math.ceil(spilled / input.threads)));
  const layouts = shuffleLayouts(
    plan,
    units,
    groups.map(([b0]) => batchStart[b0]!),
    rows,
  );
  const indexes = await runShuffle(
    pool,
    groups.map(([b0, b1], g) => ({
      spills: Array.from({ length: b1 - b0 }, (_, i) => spillPath(input.spillDir, b0 + i)),
      layout: layouts[g]!,
      path: join(input.spillDir, `shuffle-${g}.arrow`),
      bytes: spillBytes.subarray(b0, b1).reduce((a, b) => a + b, 0),
    })),
    input.threads,
    input.signal,
    input.onShuffled,
  );
  layouts.fill(null);
  return writeFiles(pool, plan.numFiles, fileUnitsOf(plan, units), indexes, input);
}
