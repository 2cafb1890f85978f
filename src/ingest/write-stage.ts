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

/** What the write stage needs besides the plan. */
export interface WriteStageInput {
  readonly plan: Plan;
  readonly spillDir: string;
  /** First row of each spilled batch (one more entry than batches). */
  readonly batchStart: Float64Array;
  readonly spillBytes: Float64Array;
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
  /** Spilled bytes of a write unit and of a shuffle group (see {@link taskBytes}). */
  readonly taskBytes: number;
  /** After each shuffle group: groups done, groups, spilled bytes shuffled so far. */
  readonly onShuffled?: (groupsDone: number, groups: number, bytes: number) => void;
  /** After each file: files written, files, bytes written so far. */
  readonly onFileWritten?: (filesWritten: number, files: number, bytes: number) => void;
}

/** Runs the shuffle, then the write; returns each file's result, in file order. */
export async function shuffleAndWrite(
  pool: WorkerPool<IngestTasks>,
  input: WriteStageInput,
): Promise<WriteTaskResult[]> {
  const { plan, batchStart, spillBytes } = input;
  const rows = plan.order.length;
  const spilled = spillBytes.reduce((a, b) => a + b, 0);
  const bytesPerRow = rows > 0 ? spilled / rows : 1;
  const unitRows = Math.max(1, Math.floor(input.taskBytes / bytesPerRow));
  const units = planUnits(plan, unitRows);

  // Groups of at most a task's bytes, and at least one per thread, so that every thread shuffles.
  const groups = planGroups(spillBytes, Math.min(input.taskBytes, Math.ceil(spilled / input.threads)));
  const layouts = shuffleLayouts(
    plan,
    units,
    groups.map(([b0]) => batchStart[b0]!),
    rows,
  );
  const indexes = new Array<ShuffleIndex>(groups.length);
  let shuffled = 0;
  let shuffledBytes = 0;
  await eachBounded(groups.length, input.threads, async (g) => {
    const [b0, b1] = groups[g]!;
    const layout = layouts[g]!;
    layouts[g] = null; // its arrays move to the task
    const spills = Array.from({ length: b1 - b0 }, (_, i) => spillPath(input.spillDir, b0 + i));
    indexes[g] = await pool.run(
      'shuffle',
      { spills, layout, path: join(input.spillDir, `shuffle-${g}.arrow`) },
      buffersOf([layout.order, layout.dest, layout.count]),
      input.signal,
    );
    for (let b = b0; b < b1; b++) shuffledBytes += spillBytes[b]!;
    input.onShuffled?.(++shuffled, groups.length, shuffledBytes);
  });

  const unitsOfFile: number[][] = Array.from({ length: plan.numFiles }, () => []);
  for (const [u, unit] of units.entries()) unitsOfFile[unit.file]!.push(u);
  const written = new Array<WriteTaskResult>(plan.numFiles);
  let filesWritten = 0;
  let bytesWritten = 0;
  await eachBounded(plan.numFiles, input.threads, async (f) => {
    const fileUnits: WriteUnit[] = [];
    const transfer: ArrayBuffer[] = [];
    let fileRows = 0;
    for (const u of unitsOfFile[f]!) {
      const unit = units[u]!;
      const unitRowIds = plan.order.slice(unit.k0, unit.k1);
      transfer.push(unitRowIds.buffer);
      fileUnits.push({
        rows: unitRowIds,
        chunkSizes: Array.from(plan.chunks.numRows.subarray(unit.c0, unit.c1)),
        pieces: piecesOf(indexes, u),
      });
      fileRows += unit.k1 - unit.k0;
    }
    written[f] = await pool.run(
      'write',
      {
        path: join(input.dir, input.fileName(f)),
        units: fileUnits,
        rows: fileRows,
        keyValueMetadata: input.keyValueMetadata,
        sampleRows: input.sampleRows,
        sampleBytes: input.sampleBytes,
        writeOptions: input.writeOptions ?? {},
      },
      transfer,
      input.signal,
    );
    bytesWritten += written[f].bytes;
    input.onFileWritten?.(++filesWritten, plan.numFiles, bytesWritten);
  });
  return written;
}
