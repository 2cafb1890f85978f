import { IntList } from './int-list.js';
import type { KeyTable } from './key-table.js';
import type { PlanOptions } from './options.js';
import { WeightedMedian } from './weighted-median.js';

/** Called once per leaf, left to right: the leaf's rows are `order[lo..hi)`. */
export type LeafFn = (lo: number, hi: number, node: number) => void;

/**
 * How a node was cut, so that rows the splitter never saw can be sent the same way: a row goes
 * left when its coordinate on `axis` is below `value` (or equal, when `inclusive`); with
 * `second` set (the last-resort sorted cut), when `(coordinate, other coordinate)` is below
 * `(value, second)` in lexicographic order.
 */
export interface Cut {
  readonly axis: number;
  readonly value: number;
  readonly inclusive: boolean;
  readonly second: number | null;
}

/** True when the centroid `(x, y)` goes to the left side of `cut`. */
export function goesLeft(cut: Cut, x: number, y: number): boolean {
  const c1 = cut.axis === X ? x : y;
  if (cut.second !== null) {
    const c2 = cut.axis === X ? y : x;
    return c1 < cut.value || (c1 === cut.value && c2 < cut.second);
  }
  return cut.inclusive ? c1 <= cut.value : c1 < cut.value;
}

/**
 * The cuts of a split, as a binary tree of node ids: node 0 (or the node a split starts from)
 * is the root; `cut(n, ...)` makes `n` internal with two new children.
 */
export class CutTree {
  readonly cuts: (Cut | null)[] = [null];
  readonly left: number[] = [-1];
  readonly right: number[] = [-1];

  /** Records the cut of node `n`; returns the ids of its two children. */
  cut(n: number, cut: Cut): [number, number] {
    const l = this.cuts.length;
    this.cuts.push(null, null);
    this.left.push(-1, -1);
    this.right.push(-1, -1);
    this.cuts[n] = cut;
    this.left[n] = l;
    this.right[n] = l + 1;
    return [l, l + 1];
  }

  /** The leaf that the centroid `(x, y)` ends in, from node `from`. */
  leafOf(x: number, y: number, from = 0): number {
    let n = from;
    for (let c = this.cuts[n]; c != null; c = this.cuts[n])
      n = goesLeft(c, x, y) ? this.left[n]! : this.right[n]!;
    return n;
  }
}

/**
 * What a split records and where it stops early, for splitting a sample: cuts go to `tree`
 * (the range starts at node `root`), `stop` makes a node a leaf before it is measured, and a
 * group of identical centroids is a leaf (rows the sample did not hold could not be sent to one
 * side of a cut by count).
 */
export interface SampleSplit {
  readonly tree: CutTree;
  readonly root: number;
  readonly stop: (lo: number, hi: number) => boolean;
}

const X = 0;
const Y = 1;

/** Bins per axis where the `compact` method weighs its candidate cuts. */
const BINS = 32;
/** Rows of a large node the `compact` method bins, about (see {@link Splitter}). */
const COMPACT_ROWS = 8192;
/**
 * The `compact` cost of a box of `w` x `h` degrees holding `n` rows: the rows a window of side
 * `q` reads when placed at random, up to a constant, `n (w + q)(h + q)`; see {@link Splitter}.
 */
function boxCost(n: number, w: number, h: number, q: number): number {
  return n * (w + q) * (h + q);
}

/**
 * Recursive binary splitting of a range of row indices, in place (README.md, "The output table").
 *
 * A node (a range `order[lo..hi)`) whose measure sum exceeds the cap is cut in two and both halves
 * are split again; a node that fits, a single row, or a group of rows with one identical centroid
 * is a leaf (the group is first split by count when `splitIdenticalCentroids`). Nodes live on an
 * explicit stack, so clustered data cannot overflow the call stack, and every cut leaves both
 * halves non-empty, so splitting always ends.
 *
 * Choices made here (the README does not fix them):
 * - Axis: wider than `maxWidthRatio` x height cuts across x (checked first), taller than
 *   `maxHeightRatio` x width across y; otherwise the axis whose centroids have the larger
 *   measure-weighted standard deviation (ties: the longer extent, then x). The extents are those
 *   of the node's centroids.
 * - Mean cut: rows with coordinate < weighted mean go left, the rest (ties included) right.
 * - Median cut: the distinct coordinate value where the cumulative measure crosses half the
 *   node's measure; the boundary just below or just above that value, whichever leaves the left
 *   side's measure closer to half (below on ties). Rows with equal coordinates never separate.
 * - Compact cut (`compact`): the rows are put in {@link BINS} bins by centroid along each
 *   axis, and of the cuts between bins the one is taken where the rows of each side times the
 *   area of that side's box of row bounds (each side grown by q, a quarter of the node's mean
 *   centroid extent, so long thin boxes also cost) sum lowest: the expected rows a random
 *   window reads, as bounding volume hierarchies weigh their cuts. Only cuts leaving each side
 *   at least a fifth of the measure are weighed, and for a node of at most twice the cap, only
 *   cuts leaving both sides within the cap (so no extra chunk is made); with none, the mean
 *   cut is made instead. A node past twice the cap bins about {@link COMPACT_ROWS} of its rows,
 *   every (rows / COMPACT_ROWS)-th in its current order, to weigh the cuts.
 * - When a cut leaves a side empty, the other axis is tried with the same method, then rows are
 *   ordered by (axis coordinate, other coordinate, row index) and cut between two distinct
 *   centroids where the left measure is closest to half. Rows sharing a centroid therefore only
 *   ever separate through `splitIdenticalCentroids`.
 * Partitioning shuffles rows inside a range (leaves are re-sorted later). Every decision is a
 * function of the node's rows and, through floating-point summation order, of their arrangement,
 * which earlier steps fix deterministically: the same keys and options give the same leaves.
 */
export class Splitter {
  private readonly stack = new IntList(256);
  // Stats of the node being split, filled by measureNode (fields, not an object per node).
  private sum = 0;
  private x0 = 0;
  private x1 = 0;
  private y0 = 0;
  private y1 = 0;
  private meanX = 0;
  private meanY = 0;
  private varX = 0;
  private varY = 0;
  private readonly median = new WeightedMedian();
  /** The last cut made (set by every cut method). */
  private lastCut: Cut = { axis: X, value: 0, inclusive: false, second: null };
  /** The cap of the split running. */
  private cap = 0;
  // The compact method's bins: rows, measure and row-bounds box per bin, and suffix sums.
  private readonly binN = new Float64Array(2 * BINS);
  private readonly binW = new Float64Array(2 * BINS);
  private readonly binBox = new Float64Array(8 * BINS);
  private readonly sufN = new Float64Array(BINS + 1);
  private readonly sufW = new Float64Array(BINS + 1);
  private readonly sufBox = new Float64Array(4 * (BINS + 1));

  /** Centroid x, y and measure of `order[k]` at position k: partitioning moves them with the row
   * index, so every pass reads memory in sequence instead of jumping through `order`. */
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  private readonly ws: Float64Array;

  /** `order` holds row indices; the splitter permutes it in place. */
  constructor(
    private readonly keys: KeyTable,
    private readonly order: Int32Array,
    private readonly options: PlanOptions,
  ) {
    const n = order.length;
    this.xs = new Float64Array(n);
    this.ys = new Float64Array(n);
    this.ws = new Float64Array(n);
    this.gather(0, n);
  }

  /** Refreshes the working copies of `order[lo..hi)` after `order` was reordered directly. */
  private gather(lo: number, hi: number): void {
    const { order, xs, ys, ws } = this;
    const { cx, cy, measure } = this.keys;
    for (let k = lo; k < hi; k++) {
      const r = order[k]!;
      xs[k] = cx[r]!;
      ys[k] = cy[r]!;
      ws[k] = measure[r]!;
    }
  }

  private swap(i: number, j: number): void {
    const { order, xs, ys, ws } = this;
    const r = order[i]!;
    order[i] = order[j]!;
    order[j] = r;
    const x = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = x;
    const y = ys[i]!;
    ys[i] = ys[j]!;
    ys[j] = y;
    const w = ws[i]!;
    ws[i] = ws[j]!;
    ws[j] = w;
  }

  /**
   * Splits `order[lo..hi)` until every leaf fits `cap`; calls `leaf` for each leaf in order.
   * With `sample`, records the cuts and stops where it says (see {@link SampleSplit}); the
   * leaves then carry their node ids, else -1.
   */
  split(lo: number, hi: number, cap: number, leaf: LeafFn, sample?: SampleSplit): void {
    const stack = this.stack;
    this.cap = cap;
    stack.length = 0;
    stack.push(lo);
    stack.push(hi);
    stack.push(sample ? sample.root : -1);
    while (stack.length > 0) {
      const node = stack.pop();
      const b = stack.pop();
      const a = stack.pop();
      if (b - a < 2 || sample?.stop(a, b)) {
        if (b > a) leaf(a, b, node);
        continue;
      }
      this.measureNode(a, b);
      if (!(this.sum > cap)) {
        leaf(a, b, node);
        continue;
      }
      if (this.x0 === this.x1 && this.y0 === this.y1) {
        if (this.options.splitIdenticalCentroids && !sample) this.splitByCount(a, b, cap, leaf);
        else leaf(a, b, node);
        continue;
      }
      const k = this.cut(a, b);
      const [l, r] = sample ? sample.tree.cut(node, this.lastCut) : [-1, -1];
      // Right half below left half on the stack: leaves come out left to right.
      stack.push(k);
      stack.push(b);
      stack.push(r);
      stack.push(a);
      stack.push(k);
      stack.push(l);
    }
  }

  private measureNode(a: number, b: number): void {
    const { xs, ys, ws } = this;
    // Moments about the first row's centroid, not 0: keeps the variance accurate for small nodes
    // far from the origin.
    const sx = xs[a]!;
    const sy = ys[a]!;
    let x0 = sx;
    let x1 = sx;
    let y0 = sy;
    let y1 = sy;
    let w = 0;
    let wx = 0;
    let wy = 0;
    let wxx = 0;
    let wyy = 0;
    for (let k = a; k < b; k++) {
      const x = xs[k]!;
      const y = ys[k]!;
      const m = ws[k]!;
      if (x < x0) x0 = x;
      else if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      else if (y > y1) y1 = y;
      const dx = x - sx;
      const dy = y - sy;
      w += m;
      wx += m * dx;
      wy += m * dy;
      wxx += m * dx * dx;
      wyy += m * dy * dy;
    }
    this.sum = w;
    this.x0 = x0;
    this.x1 = x1;
    this.y0 = y0;
    this.y1 = y1;
    // Only nodes with sum > cap >= 0 are cut, so w > 0 wherever these are used.
    const mx = w > 0 ? wx / w : 0;
    const my = w > 0 ? wy / w : 0;
    this.meanX = sx + mx;
    this.meanY = sy + my;
    this.varX = w > 0 ? wxx / w - mx * mx : 0;
    this.varY = w > 0 ? wyy / w - my * my : 0;
  }

  /** Cuts a node whose centroids are not all identical; returns k with a < k < b. */
  private cut(a: number, b: number): number {
    if (this.options.splitMethod === 'compact') {
      const k = this.compactCut(a, b);
      if (k >= 0) return k;
    }
    const axis = this.chooseAxis();
    let k = this.cutOn(axis, a, b);
    if (k < 0 && this.extent(1 - axis) > 0) k = this.cutOn(1 - axis, a, b);
    if (k < 0) k = this.sortedCut(this.extent(axis) > 0 ? axis : 1 - axis, a, b);
    return k;
  }

  private extent(axis: number): number {
    return axis === X ? this.x1 - this.x0 : this.y1 - this.y0;
  }

  private chooseAxis(): number {
    const w = this.x1 - this.x0;
    const h = this.y1 - this.y0;
    if (w > this.options.maxWidthRatio * h) return X;
    if (h > this.options.maxHeightRatio * w) return Y;
    if (this.varX > this.varY) return X;
    if (this.varY > this.varX) return Y;
    return w >= h ? X : Y;
  }

  /**
   * The compact cut (see the class comment): the cut between bins with the lowest cost over both
   * axes (x first, then the lower bin, on ties); -1 when no cut is allowed or a side would be empty.
   */
  private compactCut(a: number, b: number): number {
    const { binN, binW, binBox, ws, xs, ys, order } = this;
    const { minx, miny, maxx, maxy } = this.keys;
    const { x0, x1, y0, y1 } = this;
    // Both axes' bins in one pass over the rows (bins 0..BINS-1 for x, BINS.. for y).
    const sx = x1 > x0 ? BINS / (x1 - x0) : 0;
    const sy = y1 > y0 ? BINS / (y1 - y0) : 0;
    binN.fill(0);
    binW.fill(0);
    for (let j = 0; j < 2 * BINS; j++) emptyBox(binBox, j);
    // A node of more than twice the cap weighs its cuts on every step-th row (a fixed stride):
    // enough to compare costs, and the cut itself sends every row.
    const step = this.sum <= 2 * this.cap ? 1 : Math.max(1, Math.floor((b - a) / COMPACT_ROWS));
    for (let k = a; k < b; k += step) {
      const r = order[k]!;
      const w = ws[k]!;
      const bx0 = minx[r]!;
      const by0 = miny[r]!;
      const bx1 = maxx[r]!;
      const by1 = maxy[r]!;
      const jx = Math.min(BINS - 1, Math.floor((xs[k]! - x0) * sx));
      const jy = BINS + Math.min(BINS - 1, Math.floor((ys[k]! - y0) * sy));
      binN[jx]! += 1;
      binW[jx]! += w;
      growBox(binBox, jx, bx0, by0, bx1, by1);
      binN[jy]! += 1;
      binW[jy]! += w;
      growBox(binBox, jy, bx0, by0, bx1, by1);
    }
    const q = (x1 - x0 + (y1 - y0)) / 8;
    let best = { cost: Number.POSITIVE_INFINITY, axis: -1, value: 0 };
    if (sx > 0) best = this.bestBinCut(X, x0, sx, q, best);
    if (sy > 0) best = this.bestBinCut(Y, y0, sy, q, best);
    if (best.axis < 0) return -1;
    this.lastCut = { axis: best.axis, value: best.value, inclusive: false, second: null };
    const k = this.partitionBelow(best.axis === X ? xs : ys, a, b, best.value);
    return k > a && k < b ? k : -1;
  }

  /** The allowed cut between the bins of `axis` with the lowest cost, if lower than `best`'s. */
  private bestBinCut(
    axis: number,
    lo: number,
    scale: number,
    q: number,
    best: { cost: number; axis: number; value: number },
  ): { cost: number; axis: number; value: number } {
    const { binN, binW, binBox, sufN, sufW, sufBox } = this;
    const cap = this.cap;
    const small = this.sum <= 2 * cap;
    const o = axis * BINS;
    sufN[BINS] = 0;
    sufW[BINS] = 0;
    emptyBox(sufBox, BINS);
    for (let j = BINS - 1; j >= 0; j--) {
      sufN[j] = sufN[j + 1]! + binN[o + j]!;
      sufW[j] = sufW[j + 1]! + binW[o + j]!;
      copyBox(sufBox, j, sufBox, j + 1);
      const i = 4 * (o + j);
      growBox(sufBox, j, binBox[i]!, binBox[i + 1]!, binBox[i + 2]!, binBox[i + 3]!);
    }
    // Of the rows binned (every row, or every step-th): each side keeps a fifth of their measure.
    const least = 0.2 * sufW[0]!;
    let nL = 0;
    let wL = 0;
    let lx0 = Number.POSITIVE_INFINITY;
    let ly0 = Number.POSITIVE_INFINITY;
    let lx1 = Number.NEGATIVE_INFINITY;
    let ly1 = Number.NEGATIVE_INFINITY;
    for (let j = 1; j < BINS; j++) {
      const p = o + j - 1;
      nL += binN[p]!;
      wL += binW[p]!;
      if (binN[p]! > 0) {
        lx0 = Math.min(lx0, binBox[4 * p]!);
        ly0 = Math.min(ly0, binBox[4 * p + 1]!);
        lx1 = Math.max(lx1, binBox[4 * p + 2]!);
        ly1 = Math.max(ly1, binBox[4 * p + 3]!);
      }
      const nR = sufN[j]!;
      const wR = sufW[j]!;
      if (nL === 0 || nR === 0) continue;
      if (small ? wL > cap || wR > cap : wL < least || wR < least) continue;
      const cost =
        boxCost(nL, lx1 - lx0, ly1 - ly0, q) +
        boxCost(nR, sufBox[4 * j + 2]! - sufBox[4 * j]!, sufBox[4 * j + 3]! - sufBox[4 * j + 1]!, q);
      if (cost < best.cost) best = { cost, axis, value: lo + j / scale };
    }
    return best;
  }

  /** Cut on one axis with the configured method; -1 when a side would be empty. */
  private cutOn(axis: number, a: number, b: number): number {
    const coord = axis === X ? this.xs : this.ys;
    if (this.options.splitMethod === 'median') return this.medianCut(axis, a, b);
    const value = axis === X ? this.meanX : this.meanY;
    this.lastCut = { axis, value, inclusive: false, second: null };
    const k = this.partitionBelow(coord, a, b, value);
    return k > a && k < b ? k : -1;
  }

  /** Moves rows with coordinate < cut to the front of the range; returns the boundary. */
  private partitionBelow(coord: Float64Array, a: number, b: number, cut: number): number {
    let i = a;
    let j = b - 1;
    for (;;) {
      while (i <= j && coord[i]! < cut) i++;
      while (i <= j && coord[j]! >= cut) j--;
      if (i >= j) return i;
      this.swap(i, j);
      i++;
      j--;
    }
  }

  /** Moves rows with coordinate <= cut to the front of the range; returns the boundary. */
  private partitionAtMost(coord: Float64Array, a: number, b: number, cut: number): number {
    let i = a;
    let j = b - 1;
    for (;;) {
      while (i <= j && coord[i]! <= cut) i++;
      while (i <= j && coord[j]! > cut) j--;
      if (i >= j) return i;
      this.swap(i, j);
      i++;
      j--;
    }
  }

  /**
   * Cut at the weighted median: of the two boundaries of the block of rows equal to the median,
   * the one leaving the left side's measure closer to half (below on ties); -1 when neither leaves
   * both sides non-empty.
   */
  private medianCut(axis: number, a: number, b: number): number {
    const coord = axis === X ? this.xs : this.ys;
    const lo = axis === X ? this.x0 : this.y0;
    const hi = axis === X ? this.x1 : this.y1;
    const half = this.sum / 2;
    const med = this.median;
    med.find(coord, this.ws, a, b, lo, hi, half);
    const okBelow = med.value > lo;
    const okAbove = med.value < hi;
    let k = -1;
    if (okBelow && (!okAbove || half - med.below <= med.below + med.equal - half)) {
      this.lastCut = { axis, value: med.value, inclusive: false, second: null };
      k = this.partitionBelow(coord, a, b, med.value);
    } else if (okAbove) {
      this.lastCut = { axis, value: med.value, inclusive: true, second: null };
      k = this.partitionAtMost(coord, a, b, med.value);
    }
    return k > a && k < b ? k : -1;
  }

  /**
   * Last resort: order rows by (coordinate, other coordinate, row index) and cut between two
   * distinct centroids where the left measure is closest to half (first such place on ties).
   */
  private sortedCut(axis: number, a: number, b: number): number {
    const o = this.order;
    const w = this.keys.measure;
    const c1 = axis === X ? this.keys.cx : this.keys.cy;
    const c2 = axis === X ? this.keys.cy : this.keys.cx;
    o.subarray(a, b).sort((p, q) => c1[p]! - c1[q]! || c2[p]! - c2[q]! || p - q);
    this.gather(a, b);
    const half = this.sum / 2;
    let left = 0;
    let best = -1;
    let bestGap = Number.POSITIVE_INFINITY;
    for (let k = a + 1; k < b; k++) {
      const prev = o[k - 1]!;
      const r = o[k]!;
      left += w[prev]!;
      if (c1[prev] === c1[r] && c2[prev] === c2[r]) continue;
      const gap = Math.abs(left - half);
      if (gap < bestGap) {
        bestGap = gap;
        best = k;
      }
    }
    if (best > 0) this.lastCut = { axis, value: c1[o[best]!]!, inclusive: false, second: c2[o[best]!]! };
    return best;
  }

  /**
   * Splits a group of rows with one centroid by count: rows in input order, greedily packed into
   * the fewest consecutive pieces that fit `cap` (a row alone over the cap is its own piece).
   */
  private splitByCount(a: number, b: number, cap: number, leaf: LeafFn): void {
    const o = this.order;
    const w = this.keys.measure;
    o.subarray(a, b).sort();
    this.gather(a, b);
    let start = a;
    let sum = 0;
    for (let k = a; k < b; k++) {
      const m = w[o[k]!]!;
      if (k > start && sum + m > cap) {
        leaf(start, k, -1);
        start = k;
        sum = 0;
      }
      sum += m;
    }
    leaf(start, b, -1);
  }
}

/** Box `j` of `boxes` (four values each: x0, y0, x1, y1) made empty. */
function emptyBox(boxes: Float64Array, j: number): void {
  boxes[4 * j] = Number.POSITIVE_INFINITY;
  boxes[4 * j + 1] = Number.POSITIVE_INFINITY;
  boxes[4 * j + 2] = Number.NEGATIVE_INFINITY;
  boxes[4 * j + 3] = Number.NEGATIVE_INFINITY;
}

/** Box `j` of `boxes` grown to hold the box (x0, y0, x1, y1). */
function growBox(boxes: Float64Array, j: number, x0: number, y0: number, x1: number, y1: number): void {
  if (x0 < boxes[4 * j]!) boxes[4 * j] = x0;
  if (y0 < boxes[4 * j + 1]!) boxes[4 * j + 1] = y0;
  if (x1 > boxes[4 * j + 2]!) boxes[4 * j + 2] = x1;
  if (y1 > boxes[4 * j + 3]!) boxes[4 * j + 3] = y1;
}

/** Box `j` of `to` set to box `i` of `from`. */
function copyBox(to: Float64Array, j: number, from: Float64Array, i: number): void {
  to[4 * j] = from[4 * i]!;
  to[4 * j + 1] = from[4 * i + 1]!;
  to[4 * j + 2] = from[4 * i + 2]!;
  to[4 * j + 3] = from[4 * i + 3]!;
}
