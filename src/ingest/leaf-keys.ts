/**
 * The key files of the leaves of an out-of-core plan (ingest/plan-stage.ts): every row of a
 * leaf, its table row index and its seven keys, in column blocks.
 */
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { type KeyTable, keyTableBytes, keyTableOver } from '../partition/key-table.js';
import type { PlanOptions, ResolvedCaps } from '../partition/options.js';
import { checkKeys, type Plan, planWithCaps } from '../partition/plan.js';
import { ReadBuffer } from '../scan/spill.js';

/** Rows of a leaf's key file: the row index and the seven keys, float64 each. */
export const LEAF_COLUMNS = 8;
/** Rows a leaf's writer gathers before a write. */
const LEAF_BUFFER_ROWS = 4096;

/**
 * Appends rows of keys to one leaf's file, a block of {@link LEAF_BUFFER_ROWS} rows at a time.
 * A block is stored column by column (the row indices, then the seven keys), so a reader
 * copies whole columns; every block is full but the last.
 */
export class LeafWriter {
  private readonly buffer = new Float64Array(LEAF_BUFFER_ROWS * LEAF_COLUMNS);
  private fill = 0;
  private fd: number | null = null;
  /** Rows added so far. */
  rows = 0;

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
    this.rows++;
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
export class LeafReader {
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

/** How long a thread keeps its leaf buffers after its last leaf (ms). */
const KEEP_BUFFERS_MS = 100;

let reader: LeafReader | null = null;
let lastUse = 0;
let watching = false;

/**
 * The thread's leaf reader. Its buffers serve one leaf after another (fresh memory is dear to
 * touch), and are let go once the thread has planned no leaf for {@link KEEP_BUFFERS_MS}, so
 * they do not outlive the plan stage.
 */
function threadReader(): LeafReader {
  reader ??= new LeafReader(new ReadBuffer());
  lastUse = performance.now();
  const check = () => {
    const idle = performance.now() - lastUse;
    if (idle < KEEP_BUFFERS_MS) setTimeout(check, KEEP_BUFFERS_MS - idle).unref();
    else {
      reader = null;
      watching = false;
    }
  };
  if (!watching) {
    watching = true;
    setTimeout(check, KEEP_BUFFERS_MS).unref();
  }
  return reader;
}

/**
 * Plans one leaf exactly from its key file, with the caps of the whole table, and removes the
 * file. The plan's `order` holds table row indices.
 */
export function planLeafFile(
  path: string,
  options: PlanOptions,
  caps: ResolvedCaps,
  level: 'files' | 'chunks',
): Plan {
  const { keys, rows } = threadReader().read(path);
  unlinkSync(path);
  checkKeys(keys);
  const plan = planWithCaps(keys, options, caps, level);
  const { order } = plan;
  for (let k = 0; k < order.length; k++) order[k] = rows[order[k]!]!;
  return plan;
}
