import { gatherCentroids, hilbertKeys } from './hilbert.js';
import type { KeyTable } from './key-table.js';
import { type PlanOptions, resolvePlanOptions } from './options.js';
import type { Plan } from './plan.js';

const MAX_VIOLATIONS = 50;
/** Sums are compared to caps with this relative slack: summing in another order may differ by ulps. */
const SUM_SLACK = 1e-9;

/**
 * Checks a plan against its keys and returns the violations found (empty when the plan is
 * valid; at most 50, the last saying how many were left out). Tests and users both call it.
 *
 * - every row appears exactly once in `order`;
 * - chunks tile `order` without gaps, none empty; file ids dense from 0; chunk ids dense from 0
 *   within each file; `numFiles` matches;
 * - `numRows`, `sumMeasure` and the bbox (union of the rows' boxes) match the rows;
 * - no chunk sums above `plan.maxPerChunk` and no file above `plan.maxPerFile`, unless it is one
 *   row, or rows sharing one centroid while `splitIdenticalCentroids` is false;
 * - with `splitIdenticalCentroids` false, rows sharing a centroid are never in two chunks;
 * - inside a chunk, rows are in (Hilbert key, row index) order.
 */
export function checkPlan(keys: KeyTable, plan: Plan, options: Partial<PlanOptions> = {}): string[] {
  const out: string[] = [];
  let dropped = 0;
  const report = (msg: string) => {
    if (out.length < MAX_VIOLATIONS - 1) out.push(msg);
    else dropped++;
  };
  const finish = () => (dropped > 0 ? [...out, `... and ${dropped} more violations`] : out);
  const split = resolvePlanOptions(options).splitIdenticalCentroids;
  const n = keys.length;
  const { order, chunks } = plan;

  if (order.length !== n) report(`order has ${order.length} entries for ${n} rows`);
  const seen = new Uint8Array(n);
  for (let k = 0; k < order.length; k++) {
    const r = order[k]!;
    if (!(r >= 0 && r < n)) report(`order[${k}] = ${r} is not a row index`);
    else if (seen[r]) report(`row ${r} appears more than once (again at order[${k}])`);
    else seen[r] = 1;
  }
  const missing = seen.reduce((acc, s) => acc + (s ? 0 : 1), 0);
  if (missing > 0) report(`${missing} rows are missing from order (first: ${seen.indexOf(0)})`);
  if (out.length > 0) return finish(); // later checks index rows through order

  const m = chunks.length;
  const expectFiles = m > 0 ? chunks.fileId[m - 1]! + 1 : 0;
  if (plan.numFiles !== expectFiles) report(`numFiles is ${plan.numFiles}, chunks say ${expectFiles}`);
  if (m === 0 && n > 0) report(`no chunks for ${n} rows`);
  if (m > 0 && chunks.end[m - 1] !== n) report(`last chunk ends at ${chunks.end[m - 1]}, not ${n}`);
  const slack = (cap: number) => cap + Math.abs(cap) * SUM_SLACK;
  const hkeys = new Uint32Array(chunkMax(plan));
  let fileStart = 0;
  let fileSum = 0;
  for (let c = 0; c < m; c++) {
    const lo = chunks.start[c]!;
    const hi = chunks.end[c]!;
    const name = `chunk ${c} (file ${chunks.fileId[c]}, chunk ${chunks.chunkId[c]})`;
    const prevEnd = c === 0 ? 0 : chunks.end[c - 1]!;
    if (lo !== prevEnd) report(`${name} starts at ${lo}, previous chunk ends at ${prevEnd}`);
    if (!(hi > lo && hi <= n)) {
      report(`${name} has range [${lo}, ${hi})`);
      continue;
    }
    const f = chunks.fileId[c]!;
    const id = chunks.chunkId[c]!;
    const newFile = c === 0 || f !== chunks.fileId[c - 1];
    if (newFile) {
      if (f !== (c === 0 ? 0 : chunks.fileId[c - 1]! + 1)) report(`${name}: file ids are not dense`);
      if (id !== 0) report(`${name}: first chunk of a file must have chunk id 0`);
    } else if (id !== chunks.chunkId[c - 1]! + 1) report(`${name}: chunk ids are not dense`);

    const s = rangeStats(keys, order, lo, hi);
    if (chunks.numRows[c] !== hi - lo) report(`${name}: numRows ${chunks.numRows[c]}, has ${hi - lo} rows`);
    if (Math.abs(chunks.sumMeasure[c]! - s.sum) > Math.abs(s.sum) * SUM_SLACK) {
      report(`${name}: sumMeasure ${chunks.sumMeasure[c]}, rows sum to ${s.sum}`);
    }
    const box = [chunks.minx[c], chunks.miny[c], chunks.maxx[c], chunks.maxy[c]];
    if (box.some((v, i) => v !== s.box[i])) report(`${name}: bbox [${box}], rows span [${s.box}]`);
    if (s.sum > slack(plan.maxPerChunk) && !allowedOver(keys, order, lo, hi, split)) {
      report(`${name}: measure ${s.sum} exceeds maxPerChunk ${plan.maxPerChunk} with ${hi - lo} rows`);
    }
    const { xs, ys } = gatherCentroids(keys, order, lo, hi);
    hilbertKeys(xs, ys, 0, hi - lo, hkeys);
    for (let k = lo + 1; k < hi; k++) {
      const a = hkeys[k - lo - 1]!;
      const b = hkeys[k - lo]!;
      if (a > b || (a === b && order[k - 1]! > order[k]!)) {
        report(`${name}: rows at order[${k - 1}] and order[${k}] are not in (hilbert, row) order`);
        break;
      }
    }

    fileSum += s.sum;
    if (c === m - 1 || chunks.fileId[c + 1] !== f) {
      if (fileSum > slack(plan.maxPerFile) && !allowedOver(keys, order, fileStart, hi, split)) {
        report(
          `file ${f}: measure ${fileSum} exceeds maxPerFile ${plan.maxPerFile} with ${hi - fileStart} rows`,
        );
      }
      fileStart = hi;
      fileSum = 0;
    }
  }
  if (!split && out.length === 0) checkGroupsWhole(keys, plan, report);
  return finish();
}

function chunkMax(plan: Plan): number {
  let max = 0;
  for (let c = 0; c < plan.chunks.length; c++) max = Math.max(max, plan.chunks.numRows[c]!);
  return max;
}

function rangeStats(keys: KeyTable, order: Int32Array, lo: number, hi: number) {
  let sum = 0;
  const box = [
    Number.POSITIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  for (let k = lo; k < hi; k++) {
    const r = order[k]!;
    sum += keys.measure[r]!;
    box[0] = Math.min(box[0]!, keys.minx[r]!);
    box[1] = Math.min(box[1]!, keys.miny[r]!);
    box[2] = Math.max(box[2]!, keys.maxx[r]!);
    box[3] = Math.max(box[3]!, keys.maxy[r]!);
  }
  return { sum, box };
}

/** A range may exceed its cap when it is one row, or one centroid kept whole. */
function allowedOver(keys: KeyTable, order: Int32Array, lo: number, hi: number, split: boolean): boolean {
  if (hi - lo === 1) return true;
  if (split) return false;
  const r0 = order[lo]!;
  for (let k = lo + 1; k < hi; k++) {
    const r = order[k]!;
    if (keys.cx[r] !== keys.cx[r0] || keys.cy[r] !== keys.cy[r0]) return false;
  }
  return true;
}

/** Without splitIdenticalCentroids, all rows sharing a centroid must sit in one chunk. */
function checkGroupsWhole(keys: KeyTable, plan: Plan, report: (msg: string) => void): void {
  const n = keys.length;
  const chunkOf = new Int32Array(n);
  for (let c = 0; c < plan.chunks.length; c++) {
    for (let k = plan.chunks.start[c]!; k < plan.chunks.end[c]!; k++) chunkOf[plan.order[k]!] = c;
  }
  const { cx, cy } = keys;
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  rows.sort((p, q) => cx[p]! - cx[q]! || cy[p]! - cy[q]! || p - q);
  for (let k = 1; k < n; k++) {
    const p = rows[k - 1]!;
    const q = rows[k]!;
    if (cx[p] === cx[q] && cy[p] === cy[q] && chunkOf[p] !== chunkOf[q]) {
      report(
        `rows ${p} and ${q} share centroid (${cx[p]}, ${cy[p]}) but sit in chunks ${chunkOf[p]} and ${chunkOf[q]}`,
      );
    }
  }
}
