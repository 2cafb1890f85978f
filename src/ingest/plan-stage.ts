/**
 * The plan stage of an ingest (docs/ARCHITECTURE.md, "One ingest"). When every key fit the
 * memory budget the keys are planned in memory, as `partition/plan.ts` does. Otherwise the top
 * of the plan is cut on the sample of the keys (`partition/sample-plan.ts`), the spilled keys
 * are read once and each row is written to the file of its leaf, and the leaves, each small
 * enough to hold, are planned on the pool (`ingest/leaf-keys.ts`).
 */
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { GeopartError } from '../errors.js';
import { allocKeyTable, type KeyTable } from '../partition/key-table.js';
import { resolveCaps, resolvePlanOptions } from '../partition/options.js';
import { type Plan, plan as planPartitions } from '../partition/plan.js';
import { readSchemaBoxes } from '../partition/read-schema-boxes.js';
import { leafOf, PlanAssembler, planSample } from '../partition/sample-plan.js';
import { planFromBoxes } from '../partition/schema-plan.js';
import type { WorkerPool } from '../pool/pool.js';
import { keySpillPath, ReadBuffer, readKeySpill, spillPath } from '../scan/spill.js';
import type { KeyTableBuilder } from './key-table-builder.js';
import { LeafWriter } from './leaf-keys.js';
import type { IngestSettings } from './settings.js';
import type { IngestTasks } from './tasks.js';

/**
 * Plans the scanned keys (`keys`, which lets go of them: the write stage needs only the plan).
 * `batchStart` gives the first row of each spilled batch, whose keys are beside it in `spillDir`.
 */
export async function planStage(
  settings: IngestSettings,
  keys: KeyTableBuilder,
  spillDir: string,
  batchStart: Float64Array,
  pool: WorkerPool<IngestTasks>,
): Promise<Plan> {
  if (keys.length > 0x7fffffff) {
    throw new GeopartError(
      'INVALID_CONFIG',
      `${keys.length} rows exceed one ingest's limit of 2^31-1; split the input`,
    );
  }
  if (keys.complete) {
    const table = keys.finish();
    if (settings.schemaInput !== null)
      return planFromBoxes(table, await readSchemaBoxes(settings.schemaInput));
    return planPartitions(table, settings.plan);
  }
  if (settings.schemaInput !== null) {
    // Boxes given by a file need every key at once: read them all back.
    return planFromBoxes(readAllKeys(spillDir, batchStart), await readSchemaBoxes(settings.schemaInput));
  }
  return planOutOfCore(settings, keys, spillDir, batchStart, pool);
}

function readAllKeys(spillDir: string, batchStart: Float64Array): KeyTable {
  const n = batchStart[batchStart.length - 1]!;
  const table = allocKeyTable(n);
  for (let b = 0; b + 1 < batchStart.length; b++) {
    const k = readKeySpill(keySpillPath(spillPath(spillDir, b)));
    const at = batchStart[b]!;
    table.cx.set(k.cx, at);
    table.cy.set(k.cy, at);
    table.measure.set(k.measure, at);
    for (let i = 0; i < k.cx.length; i++) {
      table.minx[at + i] = k.bounds[4 * i]!;
      table.miny[at + i] = k.bounds[4 * i + 1]!;
      table.maxx[at + i] = k.bounds[4 * i + 2]!;
      table.maxy[at + i] = k.bounds[4 * i + 3]!;
    }
  }
  return table;
}

async function planOutOfCore(
  settings: IngestSettings,
  keys: KeyTableBuilder,
  spillDir: string,
  batchStart: Float64Array,
  pool: WorkerPool<IngestTasks>,
): Promise<Plan> {
  const opts = resolvePlanOptions(settings.plan);
  const rows = keys.length;
  const total = keys.total;
  const caps = resolveCaps(total, opts);
  const sample = keys.finishSample();
  const top = planSample(sample.keys, opts, caps, rows, total, settings.planBudgetRows);

  // Every row to its leaf's file, reading each batch's keys once.
  const writers = top.leaves.map((_, i) => new LeafWriter(join(spillDir, `leaf-${i}.keys`)));
  const scratch = new ReadBuffer();
  for (let b = 0; b + 1 < batchStart.length; b++) {
    const path = keySpillPath(spillPath(spillDir, b));
    const k = readKeySpill(path, scratch);
    const first = batchStart[b]!;
    for (let i = 0; i < k.cx.length; i++) writers[leafOf(top, k.cx[i]!, k.cy[i]!)]!.add(first + i, k, i);
    unlinkSync(path);
  }
  for (const w of writers) w.close();

  // The leaves are planned on the pool, several at once while their rows together stay within
  // twice the planner's budget (half the memory limit: the scan is over and the write has not
  // begun; one leaf alone may exceed it, as the sample only estimates its size). They are added
  // to the plan in leaf order, so the plan is the same whatever the number of threads.
  const assembler = new PlanAssembler(rows, caps);
  const plans: (Promise<Plan> | null)[] = top.leaves.map(() => null);
  const inFlightRows = 2 * settings.planBudgetRows;
  let next = 0;
  let held = 0;
  const dispatch = () => {
    while (next < writers.length && (held === 0 || held + writers[next]!.rows <= inFlightRows)) {
      const i = next++;
      held += writers[i]!.rows;
      const p = pool.run('planLeaf', {
        path: writers[i]!.path,
        options: opts,
        caps,
        level: top.leaves[i]!.level,
      });
      // Awaited in turn below; a failure while an earlier leaf is awaited is not unhandled.
      p.catch(() => undefined);
      plans[i] = p;
    }
  };
  for (const [i, leaf] of top.leaves.entries()) {
    dispatch();
    const plan = await plans[i]!;
    plans[i] = null;
    assembler.add(leaf, plan);
    held -= writers[i]!.rows;
  }
  return assembler.finish();
}
