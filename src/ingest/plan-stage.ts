/**
 * The plan stage of an ingest (docs/ARCHITECTURE.md, "One ingest"). When every key fit the
 * memory budget the keys are planned in memory, as `partition/plan.ts` does. Otherwise the top
 * of the plan is cut on the sample of the keys (`partition/sample-plan.ts`), the spilled keys
 * are read once and each row is written to the file of its leaf, and the leaves are planned
 * one at a time, each small enough to hold.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { GeopartError } from '../errors.js';
import { allocKeyTable, type KeyTable } from '../partition/key-table.js';
import { resolveCaps, resolvePlanOptions } from '../partition/options.js';
import { checkKeys, type Plan, plan as planPartitions, planWithCaps } from '../partition/plan.js';
import { readSchemaBoxes } from '../partition/read-schema-boxes.js';
import { leafOf, PlanAssembler, planSample } from '../partition/sample-plan.js';
import { planFromBoxes } from '../partition/schema-plan.js';
import { keySpillPath, readKeySpill, spillPath } from '../scan/spill.js';
import type { KeyTableBuilder } from './key-table-builder.js';
import type { IngestSettings } from './settings.js';

/** Rows of a leaf's key file: the row index and the seven keys, float64 each. */
const LEAF_COLUMNS = 8;
/** Rows a leaf's writer gathers before a write. */
const LEAF_BUFFER_ROWS = 4096;

/**
 * Plans the scanned keys (`keys`, which lets go of them: the write stage needs only the plan).
 * `batchStart` gives the first row of each spilled batch, whose keys are beside it in `spillDir`.
 */
export async function planStage(
  settings: IngestSettings,
  keys: KeyTableBuilder,
  spillDir: string,
  batchStart: Float64Array,
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
  return planOutOfCore(settings, keys, spillDir, batchStart);
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

/** Appends rows of keys to one leaf's file, a buffer at a time. */
class LeafWriter {
  private readonly buffer = new Float64Array(LEAF_BUFFER_ROWS * LEAF_COLUMNS);
  private fill = 0;
  private fd: number | null = null;

  constructor(readonly path: string) {}

  add(
    row: number,
    k: { cx: Float64Array; cy: Float64Array; measure: Float64Array; bounds: Float64Array },
    i: number,
  ): void {
    const o = this.fill * LEAF_COLUMNS;
    const buf = this.buffer;
    buf[o] = row;
    buf[o + 1] = k.cx[i]!;
    buf[o + 2] = k.cy[i]!;
    buf[o + 3] = k.measure[i]!;
    buf[o + 4] = k.bounds[4 * i]!;
    buf[o + 5] = k.bounds[4 * i + 1]!;
    buf[o + 6] = k.bounds[4 * i + 2]!;
    buf[o + 7] = k.bounds[4 * i + 3]!;
    if (++this.fill === LEAF_BUFFER_ROWS) this.flush();
  }

  flush(): void {
    this.fd ??= openSync(this.path, 'w');
    writeSync(this.fd, new Uint8Array(this.buffer.buffer, 0, this.fill * LEAF_COLUMNS * 8));
    this.fill = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd!);
  }
}

/** A leaf's keys, read back from its file, and the table row of each. */
function readLeaf(path: string): { keys: KeyTable; rows: Int32Array } {
  const bytes = readFileSync(path);
  const all = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const n = all.length / LEAF_COLUMNS;
  const keys = allocKeyTable(n);
  const rows = new Int32Array(n);
  const cols = [keys.cx, keys.cy, keys.measure, keys.minx, keys.miny, keys.maxx, keys.maxy];
  for (let i = 0, o = 0; i < n; i++, o += LEAF_COLUMNS) {
    rows[i] = all[o]!;
    for (let c = 0; c < 7; c++) cols[c]![i] = all[o + 1 + c]!;
  }
  return { keys, rows };
}

function planOutOfCore(
  settings: IngestSettings,
  keys: KeyTableBuilder,
  spillDir: string,
  batchStart: Float64Array,
): Plan {
  const opts = resolvePlanOptions(settings.plan);
  const rows = keys.length;
  const total = keys.total;
  const caps = resolveCaps(total, opts);
  const sample = keys.finishSample();
  const top = planSample(sample.keys, opts, caps, rows, total, settings.planBudgetRows);

  // Every row to its leaf's file, reading each batch's keys once.
  const writers = top.leaves.map((_, i) => new LeafWriter(join(spillDir, `leaf-${i}.keys`)));
  for (let b = 0; b + 1 < batchStart.length; b++) {
    const path = keySpillPath(spillPath(spillDir, b));
    const k = readKeySpill(path);
    const first = batchStart[b]!;
    for (let i = 0; i < k.cx.length; i++) writers[leafOf(top, k.cx[i]!, k.cy[i]!)]!.add(first + i, k, i);
    unlinkSync(path);
  }
  for (const w of writers) w.close();

  const assembler = new PlanAssembler(rows, caps);
  for (const [i, leaf] of top.leaves.entries()) {
    const { keys: leafKeys, rows: rowIds } = readLeaf(writers[i]!.path);
    unlinkSync(writers[i]!.path);
    checkKeys(leafKeys);
    assembler.add(leaf, planWithCaps(leafKeys, opts, caps, leaf.level), rowIds);
  }
  return assembler.finish();
}
