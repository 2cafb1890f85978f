/**
 * Collects the keys of scanned batches into one key table as they arrive, in batch order,
 * so the per-batch key arrays can be dropped at once: memory holds the table plus the few
 * batches in flight, not the table twice. Past `maxRows` rows it keeps a sample instead: the
 * `maxRows` rows whose row index hashes lowest, the same rows whatever order the batches
 * arrive in or however many threads scan them.
 */
import { allocKeyTable, type KeyTable } from '../partition/key-table.js';
import type { BatchKeys } from '../scan/spill.js';
import type { ScanTaskResult } from './tasks.js';

const COLUMNS = ['cx', 'cy', 'measure', 'minx', 'miny', 'maxx', 'maxy'] as const;

/** Builds a {@link KeyTable} from scan results given in any order. */
export class KeyTableBuilder {
  private cols: Record<(typeof COLUMNS)[number], Float64Array>;
  private capacity: number;
  private rows = 0;
  private next = 0;
  private readonly waiting = new Map<number, ScanTaskResult>();
  /** First row of each batch, in batch order; one more entry than batches appended. */
  readonly batchStart: number[] = [0];
  /** Bytes spilled for each batch, in batch order. */
  readonly spillBytes: number[] = [];
  /** Sum of the measure over every row, in row order. */
  total = 0;
  /**
   * In sample mode: the row index and the row's hash of each filled slot (the first `filled`),
   * and the largest hash a row may have to enter (every row's hash is distinct, see
   * {@link hashRow}). Slots hold candidates; when they run out, the `maxRows` of lowest hash
   * are kept and the bar drops to the highest of them.
   */
  private rowOfSlot: Int32Array | null = null;
  private hashOfSlot: Uint32Array | null = null;
  private filled = 0;
  private bar = 0xffffffff;

  /** Per batch appended: whether its keys are on disk (the scan spilled them, or {@link spill} did). */
  private readonly keysOnDisk: boolean[] = [];

  /**
   * `capacityHint`: expected rows (e.g. the inputs' feature count); the table grows past it.
   * `maxRows`: rows kept at most; past it the table is a sample.
   * `spill`: writes a batch's keys to disk. Once the table turns into a sample, every batch's
   * keys must be on disk for the plan to read back: the builder then spills, from its own
   * columns, the keys of the batches before that whose scan did not, and from then on the keys of
   * each such batch as it is added.
   */
  constructor(
    capacityHint = 0,
    private readonly maxRows = Number.POSITIVE_INFINITY,
    private readonly spill: (batchId: number, keys: BatchKeys) => void = () => {
      throw new Error('key table: a batch without spilled keys, and no way to spill them');
    },
  ) {
    if (!(maxRows >= 1)) throw new RangeError(`KeyTableBuilder: maxRows must be >= 1, got ${maxRows}`);
    this.capacity = Math.min(Math.max(1024, capacityHint), maxRows);
    this.cols = this.alloc(this.capacity);
  }

  /** Rows added so far (all of them, sampled or not). */
  get length(): number {
    return this.rows;
  }

  /** True while every row is kept. */
  get complete(): boolean {
    return this.rowOfSlot === null;
  }

  private alloc(n: number): Record<(typeof COLUMNS)[number], Float64Array> {
    return Object.fromEntries(COLUMNS.map((c) => [c, new Float64Array(n)])) as Record<
      (typeof COLUMNS)[number],
      Float64Array
    >;
  }

  /** Adds the keys of batch `batchId`, already spilled (by a scan elsewhere), with its spilled bytes. */
  addSpilled(batchId: number, keys: BatchKeys, spillBytes: number): void {
    this.add({
      batchId,
      rows: keys.cx.length,
      spillBytes,
      keysSpilled: true,
      ...keys,
      rowsCrossingAntimeridian: 0,
      rowsAddedByAntimeridian: 0,
      droppedOutOfBounds: 0,
      droppedNoGeometry: 0,
      subdividedRows: 0,
      rowsAddedBySubdivision: 0,
      rowsMadeValid: 0,
    });
  }

  /** Adds the result of batch `r.batchId`; batches are appended in id order. */
  add(r: ScanTaskResult): void {
    this.waiting.set(r.batchId, r);
    for (let w = this.waiting.get(this.next); w; w = this.waiting.get(this.next)) {
      this.waiting.delete(this.next);
      this.append(w);
      this.next++;
    }
  }

  private append(r: ScanTaskResult): void {
    // Summed in a local: a number field updated row by row is many times slower.
    let sum = this.total;
    const m = r.measure;
    for (let i = 0; i < r.rows; i++) sum += m[i]!;
    this.total = sum;
    if (this.rowOfSlot !== null || this.rows + r.rows > this.maxRows) {
      if (this.rowOfSlot === null) this.spillKept();
      if (!r.keysSpilled) this.spill(r.batchId, r);
      this.keysOnDisk.push(true);
      this.sampleRows(r);
      this.rows += r.rows;
      this.batchStart.push(this.rows);
      this.spillBytes.push(r.spillBytes);
      return;
    }
    const at = this.rows;
    if (at + r.rows > this.capacity) {
      const grown = Math.min(this.maxRows, Math.max(at + r.rows, Math.ceil(this.capacity * 1.5)));
      const next = this.alloc(grown);
      for (const c of COLUMNS) next[c].set(this.cols[c].subarray(0, at));
      this.cols = next;
      this.capacity = grown;
    }
    const { cx, cy, measure, minx, miny, maxx, maxy } = this.cols;
    cx.set(r.cx, at);
    cy.set(r.cy, at);
    measure.set(r.measure, at);
    const b = r.bounds;
    for (let i = 0; i < r.rows; i++) {
      minx[at + i] = b[4 * i]!;
      miny[at + i] = b[4 * i + 1]!;
      maxx[at + i] = b[4 * i + 2]!;
      maxy[at + i] = b[4 * i + 3]!;
    }
    this.rows += r.rows;
    this.batchStart.push(this.rows);
    this.spillBytes.push(r.spillBytes);
    this.keysOnDisk.push(r.keysSpilled);
  }

  /** Spills the keys of every batch appended so far whose keys are not on disk, from the columns. */
  private spillKept(): void {
    const { cx, cy, measure, minx, miny, maxx, maxy } = this.cols;
    for (const [b, onDisk] of this.keysOnDisk.entries()) {
      if (onDisk) continue;
      const lo = this.batchStart[b]!;
      const hi = this.batchStart[b + 1]!;
      const bounds = new Float64Array(4 * (hi - lo));
      for (let i = lo, o = 0; i < hi; i++, o += 4) {
        bounds[o] = minx[i]!;
        bounds[o + 1] = miny[i]!;
        bounds[o + 2] = maxx[i]!;
        bounds[o + 3] = maxy[i]!;
      }
      this.spill(b, {
        cx: cx.subarray(lo, hi),
        cy: cy.subarray(lo, hi),
        measure: measure.subarray(lo, hi),
        bounds,
      });
      this.keysOnDisk[b] = true;
    }
  }

  /** Adds the rows of `r` whose hash is within the bar as candidates. */
  private sampleRows(r: ScanTaskResult): void {
    if (this.rowOfSlot === null) this.startSample();
    const bnd = r.bounds;
    for (let i = 0; i < r.rows; i++) {
      const row = this.rows + i;
      const h = hashRow(row);
      if (h > this.bar) continue;
      if (this.filled === this.rowOfSlot!.length) this.compact();
      if (h > this.bar) continue;
      const at = this.filled++;
      this.rowOfSlot![at] = row;
      this.hashOfSlot![at] = h;
      const { cx, cy, measure, minx, miny, maxx, maxy } = this.cols;
      cx[at] = r.cx[i]!;
      cy[at] = r.cy[i]!;
      measure[at] = r.measure[i]!;
      minx[at] = bnd[4 * i]!;
      miny[at] = bnd[4 * i + 1]!;
      maxx[at] = bnd[4 * i + 2]!;
      maxy[at] = bnd[4 * i + 3]!;
    }
  }

  /**
   * Turns the table (at most `maxRows` rows so far) into a sample: its rows become the first
   * candidates, in slots for half as many again (so that the bar is lowered, a pass over every
   * slot, about every half a sample of new candidates rather than every quarter).
   */
  private startSample(): void {
    const n = this.rows;
    const slots = this.maxRows + Math.max(1024, Math.ceil(this.maxRows / 2));
    const next = this.alloc(slots);
    for (const c of COLUMNS) next[c].set(this.cols[c].subarray(0, n));
    this.cols = next;
    this.capacity = slots;
    this.rowOfSlot = new Int32Array(slots);
    this.hashOfSlot = new Uint32Array(slots);
    for (let i = 0; i < n; i++) {
      this.rowOfSlot[i] = i;
      this.hashOfSlot[i] = hashRow(i);
    }
    this.filled = n;
  }

  /** Keeps the `maxRows` candidates of lowest hash (all of them when fewer) and lowers the bar. */
  private compact(): void {
    const n = this.filled;
    const keep = this.maxRows;
    if (n <= keep) return;
    const hashes = this.hashOfSlot!;
    const bar = kthSmallest(hashes.slice(0, n), keep - 1);
    this.bar = bar;
    const rowOfSlot = this.rowOfSlot!;
    const { cx, cy, measure, minx, miny, maxx, maxy } = this.cols;
    let to = 0;
    for (let from = 0; from < n; from++) {
      if (hashes[from]! > bar) continue;
      if (to !== from) {
        rowOfSlot[to] = rowOfSlot[from]!;
        hashes[to] = hashes[from]!;
        cx[to] = cx[from]!;
        cy[to] = cy[from]!;
        measure[to] = measure[from]!;
        minx[to] = minx[from]!;
        miny[to] = miny[from]!;
        maxx[to] = maxx[from]!;
        maxy[to] = maxy[from]!;
      }
      to++;
    }
    this.filled = to;
  }

  /**
   * The sample (complete is false): the kept rows in row order, with their row indices. Every
   * batch must have been added.
   */
  finishSample(): { keys: KeyTable; rows: Int32Array } {
    if (this.waiting.size > 0) throw new Error(`key table: batches from ${this.next} on are missing`);
    if (this.rowOfSlot === null) {
      const keys = this.finish();
      return { keys, rows: Int32Array.from({ length: keys.length }, (_, i) => i) };
    }
    this.compact();
    const rowOfSlot = this.rowOfSlot.subarray(0, this.filled);
    const slots = slotsByRow(rowOfSlot, this.rows - 1);
    const keys = allocKeyTable(slots.length);
    for (const c of COLUMNS) {
      const from = this.cols[c];
      const to = keys[c];
      for (let i = 0; i < slots.length; i++) to[i] = from[slots[i]!]!;
    }
    const rows = new Int32Array(slots.length);
    for (let i = 0; i < slots.length; i++) rows[i] = rowOfSlot[slots[i]!]!;
    // The builder is spent: let its slots go before the plan works on the sample.
    this.cols = this.alloc(0);
    this.rowOfSlot = new Int32Array(0);
    this.hashOfSlot = new Uint32Array(0);
    this.filled = 0;
    return { keys, rows };
  }

  /** The table (views over the builder's arrays, no copy). Every batch must have been added. */
  finish(): KeyTable {
    if (this.waiting.size > 0) throw new Error(`key table: batches from ${this.next} on are missing`);
    if (this.rowOfSlot !== null) throw new Error('key table: the table is a sample; use finishSample');
    const n = this.rows;
    const v = (c: (typeof COLUMNS)[number]) => this.cols[c].subarray(0, n);
    return {
      length: n,
      cx: v('cx'),
      cy: v('cy'),
      measure: v('measure'),
      minx: v('minx'),
      miny: v('miny'),
      maxx: v('maxx'),
      maxy: v('maxy'),
    };
  }
}

/**
 * The slots in the order of their rows (distinct, at most `maxRow`). Each is sorted as one
 * float64, row * 2^k + slot, exact while it stays below 2^53; beyond that, by comparison.
 */
function slotsByRow(rowOfSlot: Int32Array, maxRow: number): Int32Array {
  const n = rowOfSlot.length;
  const k = Math.max(1, 32 - Math.clz32(n - 1));
  const rowBits = 32 - Math.clz32(Math.max(0, maxRow));
  const out = new Int32Array(n);
  if (k + rowBits > 53) {
    for (let s = 0; s < n; s++) out[s] = s;
    return out.sort((a, b) => rowOfSlot[a]! - rowOfSlot[b]!);
  }
  const scale = 2 ** k;
  const packed = new Float64Array(n);
  for (let s = 0; s < n; s++) packed[s] = rowOfSlot[s]! * scale + s;
  packed.sort();
  for (let i = 0; i < n; i++) out[i] = packed[i]! % scale;
  return out;
}

/** The `k`-th smallest value of `a` (0-based), by quickselect; `a` is reordered. */
export function kthSmallest(a: Uint32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    // Median of three as the pivot, then Hoare's partition.
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * A 32-bit mix of a row index (murmur3's finaliser, a bijection, so distinct rows hash apart):
 * the order in which rows enter a sample.
 */
export function hashRow(row: number): number {
  let h = row | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
