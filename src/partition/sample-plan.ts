/**
 * Planning a table whose keys do not fit the memory budget (docs/ARCHITECTURE.md, "One
 * ingest"): the top of the split tree is cut on a sample of the keys, every row is sent down
 * those cuts to a leaf, and each leaf, small enough to hold, is planned exactly with the caps of
 * the whole table. Caps hold exactly, since a leaf is planned exactly: one that the sample made
 * too large is cut further, and the files that leaves of one sampled file make are regrouped
 * under the per-file cap by their actual measure.
 */
import { allocChunkTable, type ChunkTable } from './chunk-table.js';
import type { KeyTable } from './key-table.js';
import type { PlanOptions, ResolvedCaps } from './options.js';
import type { Plan } from './plan.js';
import { CutTree, Splitter } from './split.js';

/** A leaf of the sampled cuts, planned exactly: into files, or into chunks of one sampled file. */
export interface SampleLeaf {
  /** Node of the cut tree. */
  readonly node: number;
  readonly level: 'files' | 'chunks';
  /** For `chunks`: the sampled file it belongs to (leaves of one file share it); else -1. */
  readonly group: number;
}

/** The top of a plan, cut on a sample: where each row goes, and the leaves in output order. */
export interface SamplePlan {
  readonly tree: CutTree;
  readonly leaves: readonly SampleLeaf[];
  /** The leaf (index into `leaves`) of each node that is a leaf, else -1. */
  readonly leafOfNode: Int32Array;
}

/** The index into `plan.leaves` of the leaf that centroid `(x, y)` goes to. */
export function leafOf(plan: SamplePlan, x: number, y: number): number {
  return plan.leafOfNode[plan.tree.leafOf(x, y)]!;
}

/**
 * Cuts the top of a plan on `sample`, a sample of the table's `rows` rows whose measure sums to
 * `total`, chosen evenly over the rows. A node is a leaf once it holds an estimated
 * `budgetRows` rows or fewer (or cannot be cut further); caps are scaled to the sample's share
 * of the measure. Nodes cut at the per-file cap first; a file still too large for the budget is
 * cut at the per-chunk cap, its leaves sharing one group.
 */
export function planSample(
  sample: KeyTable,
  options: PlanOptions,
  caps: ResolvedCaps,
  rows: number,
  total: number,
  budgetRows: number,
): SamplePlan {
  const k = sample.length;
  let sampled = 0;
  for (let i = 0; i < k; i++) sampled += sample.measure[i]!;
  const scale = total > 0 ? sampled / total : 0;
  const order = new Int32Array(k);
  for (let i = 0; i < k; i++) order[i] = i;
  const splitter = new Splitter(sample, order, options);
  const tree = new CutTree();
  const fits = (lo: number, hi: number) => ((hi - lo) * rows) / Math.max(1, k) <= budgetRows;

  const files: [number, number, number][] = [];
  splitter.split(0, k, caps.maxPerFile * scale, (lo, hi, node) => files.push([lo, hi, node]), {
    tree,
    root: 0,
    stop: fits,
  });
  const leaves: SampleLeaf[] = [];
  let group = 0;
  for (const [lo, hi, node] of files) {
    if (fits(lo, hi)) {
      leaves.push({ node, level: 'files', group: -1 });
      continue;
    }
    const g = group++;
    splitter.split(
      lo,
      hi,
      caps.maxPerChunk * scale,
      (_a, _b, leaf) => leaves.push({ node: leaf, level: 'chunks', group: g }),
      {
        tree,
        root: node,
        stop: fits,
      },
    );
  }
  const leafOfNode = new Int32Array(tree.cuts.length).fill(-1);
  for (const [i, leaf] of leaves.entries()) leafOfNode[leaf.node] = i;
  return { tree, leaves, leafOfNode };
}

/**
 * Puts the plans of the leaves, given in leaf order, together into the plan of the table: file
 * ids run on from leaf to leaf, and the chunks of one group are packed into files greedily by
 * their actual measure, so no file exceeds the per-file cap unless one chunk does.
 */
export class PlanAssembler {
  private readonly order: Int32Array;
  private placed = 0;
  private numFiles = 0;
  /** The group of the file being filled (chunk-level leaves), its measure and chunks so far. */
  private openGroup = -1;
  private openMeasure = 0;
  private openChunks = 0;
  private readonly chunks: number[][] = [[], [], [], [], [], [], [], [], [], []];

  constructor(
    rows: number,
    private readonly caps: ResolvedCaps,
  ) {
    this.order = new Int32Array(rows);
  }

  /** Adds the plan of one leaf; `rowIds[i]` is the table row of the leaf's key `i`. */
  add(leaf: SampleLeaf, plan: Plan, rowIds: Int32Array): void {
    const base = this.placed;
    for (let k = 0; k < plan.order.length; k++) this.order[base + k] = rowIds[plan.order[k]!]!;
    this.placed += plan.order.length;
    const c = plan.chunks;
    if (leaf.level === 'files' || leaf.group !== this.openGroup) this.openGroup = -1;
    let lastLocalFile = -1;
    let chunkId = 0;
    for (let i = 0; i < c.length; i++) {
      let file: number;
      if (leaf.level === 'chunks') {
        const m = c.sumMeasure[i]!;
        // A chunk that would take a file past the cap starts a new one, unless the file is
        // empty: a file of zero-measure chunks must not take a chunk over the cap (a single
        // row's), which the caps allow only alone.
        if (
          this.openGroup !== leaf.group ||
          (this.openChunks > 0 && this.openMeasure + m > this.caps.maxPerFile)
        ) {
          this.openGroup = leaf.group;
          this.openMeasure = 0;
          this.openChunks = 0;
          this.numFiles++;
          chunkId = 0;
        } else chunkId = this.lastChunkId() + 1;
        this.openMeasure += m;
        this.openChunks++;
        file = this.numFiles - 1;
      } else {
        if (c.fileId[i] !== lastLocalFile) {
          lastLocalFile = c.fileId[i]!;
          this.numFiles++;
          chunkId = 0;
        } else chunkId++;
        file = this.numFiles - 1;
      }
      this.push(file, chunkId, base + c.start[i]!, base + c.end[i]!, c, i);
    }
  }

  private lastChunkId(): number {
    const ids = this.chunks[1]!;
    return ids[ids.length - 1]!;
  }

  private push(file: number, chunkId: number, start: number, end: number, c: ChunkTable, i: number): void {
    const values = [
      file,
      chunkId,
      start,
      end,
      end - start,
      c.minx[i]!,
      c.miny[i]!,
      c.maxx[i]!,
      c.maxy[i]!,
      c.sumMeasure[i]!,
    ];
    for (const [j, v] of values.entries()) this.chunks[j]!.push(v);
  }

  /** The plan of the table; every row must have been placed. */
  finish(): Plan {
    if (this.placed !== this.order.length) {
      throw new Error(`plan assembly: ${this.placed} of ${this.order.length} rows placed`);
    }
    const [fileId, chunkId, start, end, numRows, minx, miny, maxx, maxy, sumMeasure] = this.chunks as [
      number[],
      number[],
      number[],
      number[],
      number[],
      number[],
      number[],
      number[],
      number[],
      number[],
    ];
    const t = allocChunkTable(fileId.length);
    t.fileId.set(fileId);
    t.chunkId.set(chunkId);
    t.start.set(start);
    t.end.set(end);
    t.numRows.set(numRows);
    t.minx.set(minx);
    t.miny.set(miny);
    t.maxx.set(maxx);
    t.maxy.set(maxy);
    t.sumMeasure.set(sumMeasure);
    return {
      maxPerFile: this.caps.maxPerFile,
      maxPerChunk: this.caps.maxPerChunk,
      order: this.order,
      chunks: t,
      numFiles: this.numFiles,
    };
  }
}
