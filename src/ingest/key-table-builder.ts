/**
 * Collects the keys of scanned batches into one key table as they arrive, in batch order,
 * so the per-batch key arrays can be dropped at once: memory holds the table plus the few
 * batches in flight, not the table twice.
 */
import type { KeyTable } from '../partition/key-table.js';
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

  /** `capacityHint`: expected rows (e.g. the inputs' feature count); the table grows past it. */
  constructor(capacityHint = 0) {
    this.capacity = Math.max(1024, capacityHint);
    this.cols = this.alloc(this.capacity);
  }

  private alloc(n: number): Record<(typeof COLUMNS)[number], Float64Array> {
    return Object.fromEntries(COLUMNS.map((c) => [c, new Float64Array(n)])) as Record<
      (typeof COLUMNS)[number],
      Float64Array
    >;
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
    const at = this.rows;
    if (at + r.rows > this.capacity) {
      const grown = Math.max(at + r.rows, Math.ceil(this.capacity * 1.5));
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
  }

  /** The table (views over the builder's arrays, no copy). Every batch must have been added. */
  finish(): KeyTable {
    if (this.waiting.size > 0) throw new Error(`key table: batches from ${this.next} on are missing`);
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
