/**
 * An ingest spread over machines (docs/ARCHITECTURE.md, "An ingest on Batch"): the local stages,
 * cut where what one stage leaves is files another machine can pick up. Scans of shares of the
 * input files (`scan-stage.ts` with a share) leave their spilled batches and keys; the plan
 * gathers every share's keys in share order, so that it sees the rows of a local run in the same
 * order and makes the same plan, and lays out the shuffle of each share's batches; shuffles and
 * writes run as locally (`write-stage.ts`). The functions here work on local folders: moving
 * the files between machines is the caller's.
 */
import { GeopartError } from '../errors.js';
import type { Plan } from '../partition/plan.js';
import type { ShuffleLayout } from '../scan/shuffle.js';
import { keySpillPath, readKeySpill, spillPath, writeKeySpill } from '../scan/spill.js';
import { KeyTableBuilder } from './key-table-builder.js';
import { planStage } from './plan-stage.js';
import type { IngestCounts } from './report.js';
import { ingestCounts, type ScanCounts } from './run-ingest.js';
import type { IngestSettings } from './settings.js';
import { planGroups, planUnits, shuffleLayouts, taskBytes, type Unit, unitRowsFor } from './write-stage.js';

/** What one share's scan left, besides its spilled files. */
export interface ShareScan {
  /** First row of each of its batches, within the share (one more entry than batches). */
  readonly batchStart: Float64Array;
  /** Bytes spilled for each of its batches. */
  readonly spillBytes: Float64Array;
}

/** The scan counts of the whole input from those of its shares (each share sees every file). */
export function sumScanCounts(shares: readonly ScanCounts[]): ScanCounts {
  const sum = (k: keyof ScanCounts) => shares.reduce((n, s) => n + s[k], 0);
  return {
    inputFiles: shares[0]?.inputFiles ?? 0,
    rowsRead: sum('rowsRead'),
    rowsAddedByExplode: sum('rowsAddedByExplode'),
    rowsCrossingAntimeridian: sum('rowsCrossingAntimeridian'),
    rowsAddedByAntimeridian: sum('rowsAddedByAntimeridian'),
    rowsDroppedOutOfBounds: sum('rowsDroppedOutOfBounds'),
    rowsDroppedNoGeometry: sum('rowsDroppedNoGeometry'),
    rowsSubdivided: sum('rowsSubdivided'),
    rowsAddedBySubdivision: sum('rowsAddedBySubdivision'),
    rowsMadeValid: sum('rowsMadeValid'),
  };
}

/** One shuffle task of a share: its batches `[b0, b1)` (numbered within the share). */
export interface SpreadGroup {
  readonly share: number;
  readonly b0: number;
  readonly b1: number;
  /** Spilled bytes of the batches. */
  readonly bytes: number;
  readonly layout: ShuffleLayout;
}

/** The plan of a spread ingest and the layout of its shuffle. */
export interface SpreadPlan {
  readonly plan: Plan;
  readonly counts: IngestCounts;
  /** The write units, which are the shuffle's destinations. */
  readonly units: readonly Unit[];
  /** Every share's shuffle groups, share by share, in row order. */
  readonly groups: readonly SpreadGroup[];
}

/**
 * Plans the rows of every share, whose keys are in `spillDir` under the batch ids of the whole
 * input (`spillPath(spillDir, b)` beside `.keys`: share after share, in share order): the same
 * plan as a local run's, since the keys come in the same order. Cuts each share's batches into
 * shuffle groups of the size a local run on `threads` threads gives.
 */
export async function planShares(
  settings: IngestSettings,
  shares: readonly ShareScan[],
  scanCounts: ScanCounts,
  spillDir: string,
  threads: number,
): Promise<SpreadPlan> {
  const batchRows = shares.flatMap((s) =>
    Array.from(s.spillBytes, (_, b) => s.batchStart[b + 1]! - s.batchStart[b]!),
  );
  const rows = batchRows.reduce((a, n) => a + n, 0);
  const keys = new KeyTableBuilder(rows, settings.planBudgetRows, (batchId, k) =>
    writeKeySpill(keySpillPath(spillPath(spillDir, batchId)), k),
  );
  const spillBytes = shares.flatMap((s) => Array.from(s.spillBytes));
  for (const [b, n] of batchRows.entries()) {
    const k = readKeySpill(keySpillPath(spillPath(spillDir, b)));
    if (k.cx.length !== n) {
      throw new GeopartError(
        'INTERNAL',
        `batch ${b} of the whole input: ${k.cx.length} keys spilled for its ${n} rows; run the step again`,
        { batch: b },
      );
    }
    keys.addSpilled(b, k, spillBytes[b]!);
  }
  const batchStart = Float64Array.from(keys.batchStart);
  const plan = await planStage(settings, keys, spillDir, batchStart);
  const counts = ingestCounts(settings, scanCounts, plan);

  const task = taskBytes(settings.memoryLimit, threads);
  const spilled = spillBytes.reduce((a, b) => a + b, 0);
  const units = planUnits(plan, unitRowsFor(rows, spilled, task));
  const groups: Omit<SpreadGroup, 'layout'>[] = [];
  const starts: number[] = [];
  let firstBatch = 0;
  for (const [share, s] of shares.entries()) {
    const shareBytes = s.spillBytes.reduce((a, b) => a + b, 0);
    for (const [b0, b1] of planGroups(s.spillBytes, Math.min(task, Math.ceil(shareBytes / threads)))) {
      groups.push({ share, b0, b1, bytes: s.spillBytes.subarray(b0, b1).reduce((a, b) => a + b, 0) });
      starts.push(batchStart[firstBatch + b0]!);
    }
    firstBatch += s.spillBytes.length;
  }
  const layouts = shuffleLayouts(plan, units, starts, rows);
  return { plan, counts, units, groups: groups.map((g, i) => ({ ...g, layout: layouts[i]! })) };
}
