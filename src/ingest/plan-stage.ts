/**
 * The plan stage of an ingest (docs/ARCHITECTURE.md, "One ingest"). When every key fit the
 * memory budget the keys are planned in memory, as `partition/plan.ts` does. Otherwise the top
 * of the plan is cut on the sample of the keys (`partition/sample-plan.ts`), the spilled keys
 * are read once and each row is written to the file of its leaf, and the leaves are planned
 * one at a time, each small enough to hold.
 */
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { GeopartError } from '../errors.js';
import { allocKeyTable, type KeyTable, keyTableBytes, keyTableOver } from '../partition/key-table.js';
import { resolveCaps, resolvePlanOptions } from '../partition/options.js';
import { checkKeys, type Plan, plan as planPartitions, planWithCaps } from '../partition/plan.js';
import { leafOf, PlanAssembler, planSample } from '../partition/sample-plan.js';
import { planFromBoxes, type SchemaBoxes } from '../partition/schema-plan.js';
import { keySpillPath, ReadBuffer, readKeySpill, spillPath } from '../scan/spill.js';
import type { KeyTableBuilder } from './key-table-builder.js';
import type { IngestSettings } from './settings.js';

/** Rows of a leaf's key file: the row index and the seven keys, float64 each. */
const LEAF_COLUMNS = 8;
/** Rows a leaf's writer gathers before a write. */
const LEAF_BUFFER_ROWS = 4096;

/**
 * The boxes of a `partitioning_schema_input` file. Its reader (parquet-wasm) is loaded only for
 * a schema-driven plan, so that other ingests do not pay its start-up.
 */
async function schemaBoxes(path: string): Promise<SchemaBoxes> {
  const { readSchemaBoxes } = await import('../partition/read-schema-boxes.js');
  return readSchemaBoxes(path);
}

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
    if (settings.schemaInput !== null) return planFromBoxes(table, await schemaBoxes(settings.schemaInput));
    return planPartitions(table, settings.plan);
  }
  if (settings.schemaInput !== null) {
    // Boxes given by a file need every key at once: read them all back.
    return planFromBoxes(readAllKeys(spillDir, batchStart), await schemaBoxes(settings.schemaInput));
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

/**
 * Appends rows of keys to one leaf's file, a block of {@link LEAF_BUFFER_ROWS} rows at a time.
 * A block is stored column by column (the row indices, then the seven keys), so a reader
 * copies whole columns; every block is full but the last.
 */
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
    const o = this.fill;
    const buf = this.buffer;
    const B = LEAF_BUFFER_ROWS;
    buf[o] = row;
    buf[B + o] = k.cx[i]!;
    buf[2 * B + o] = k.cy[i]!;
    buf[3 * B + o] = k.measure[i]!;
    buf[4 * B + o] = k.bounds[4 * i]!;
    buf[5 * B + o] = k.bounds[4 * i + 1]!;
    buf[6 * B + o] = k.bounds[4 * i + 2]!;
    buf[7 * B + o] = k.bounds[4 * i + 3]!;
    if (++this.fill === B) this.flush();
  }

  flush(): void {
    this.fd ??= openSync(this.path, 'w');
    const n = this.fill;
    if (n < LEAF_BUFFER_ROWS) {
      // The last block: its columns closed up to its rows.
      for (let c = 1; c < LEAF_COLUMNS; c++)
        this.buffer.copyWithin(c * n, c * LEAF_BUFFER_ROWS, c * LEAF_BUFFER_ROWS + n);
    }
    writeSync(this.fd, new Uint8Array(this.buffer.buffer, 0, n * LEAF_COLUMNS * 8));
    this.fill = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd!);
  }
}

/**
 * Reads leaves back one after another into one table buffer, grown when a leaf does not fit, so
 * that the leaves together touch no more fresh memory than the largest of them.
 */
class LeafReader {
  private readonly scratch: ReadBuffer;
  private keyBuffer = new ArrayBuffer(0);
  private rowBuffer = new ArrayBuffer(0);

  constructor(scratch: ReadBuffer) {
    this.scratch = scratch;
  }

  /** A leaf's keys and the table row of each (valid until the next read). */
  read(path: string): { keys: KeyTable; rows: Int32Array } {
    const all = this.scratch.readFloat64(path);
    const n = all.length / LEAF_COLUMNS;
    if (keyTableBytes(n) > this.keyBuffer.byteLength) {
      this.keyBuffer = new ArrayBuffer(keyTableBytes(n));
      this.rowBuffer = new ArrayBuffer(4 * n);
    }
    return readLeaf(all, keyTableOver(this.keyBuffer, n), new Int32Array(this.rowBuffer, 0, n));
  }
}

/** Fills `keys` and `rows` from a leaf file's values `all`. */
function readLeaf(all: Float64Array, keys: KeyTable, rows: Int32Array): { keys: KeyTable; rows: Int32Array } {
  const n = keys.length;
  const cols = [keys.cx, keys.cy, keys.measure, keys.minx, keys.miny, keys.maxx, keys.maxy];
  for (let at = 0; at < n; at += LEAF_BUFFER_ROWS) {
    const m = Math.min(LEAF_BUFFER_ROWS, n - at);
    const block = all.subarray(at * LEAF_COLUMNS, (at + m) * LEAF_COLUMNS);
    rows.set(block.subarray(0, m), at);
    for (let c = 0; c < 7; c++) cols[c]!.set(block.subarray((c + 1) * m, (c + 2) * m), at);
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
  const scratch = new ReadBuffer();
  for (let b = 0; b + 1 < batchStart.length; b++) {
    const path = keySpillPath(spillPath(spillDir, b));
    const k = readKeySpill(path, scratch);
    const first = batchStart[b]!;
    for (let i = 0; i < k.cx.length; i++) writers[leafOf(top, k.cx[i]!, k.cy[i]!)]!.add(first + i, k, i);
    unlinkSync(path);
  }
  for (const w of writers) w.close();

  const assembler = new PlanAssembler(rows, caps);
  const leaves = new LeafReader(scratch);
  for (const [i, leaf] of top.leaves.entries()) {
    const { keys: leafKeys, rows: rowIds } = leaves.read(writers[i]!.path);
    unlinkSync(writers[i]!.path);
    checkKeys(leafKeys);
    assembler.add(leaf, planWithCaps(leafKeys, opts, caps, leaf.level), rowIds);
  }
  return assembler.finish();
}
