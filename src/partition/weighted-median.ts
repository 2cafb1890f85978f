const BUCKETS = 4096;
const SMALL = 64;

/**
 * Finds the weighted median of a range of values without reordering it: the smallest value `m`
 * where the cumulative weight of the sorted values reaches half the total. Reports the weight
 * strictly below `m` and equal to `m`, so the caller can cut just below or just above it.
 *
 * Works by histogram refinement: one pass sums weights into 4096 equal-width buckets over the
 * value range, the bucket where the cumulative weight crosses half is copied to scratch, and so on
 * inside it until few candidates are left (then sorted) or they are all equal. Bucket boundaries
 * are monotone in the value, so equal values always share a bucket. Typically two passes over
 * the range, each reading two arrays in sequence, whatever the input order.
 */
export class WeightedMedian {
  /** Result of the last {@link find}: the median value, and the weight below it and equal to it. */
  value = 0;
  below = 0;
  equal = 0;
  private readonly hist = new Float64Array(BUCKETS);
  private readonly counts = new Int32Array(BUCKETS);
  private vals = new Float64Array(0);
  private wts = new Float64Array(0);

  /**
   * Weighted median of `vals[a..b)` with weights `wts[a..b)` (>= 0, summing to about `2 * half`,
   * `half > 0`); `lo`, `hi` are the min and max of the values.
   */
  find(
    vals: Float64Array,
    wts: Float64Array,
    a: number,
    b: number,
    lo: number,
    hi: number,
    half: number,
  ): void {
    let acc = 0; // weight of everything below the candidates
    let s = a;
    let e = b;
    for (;;) {
      if (lo === hi) {
        let eq = 0;
        for (let k = s; k < e; k++) eq += wts[k]!;
        this.settle(lo, acc, eq);
        return;
      }
      const scale = BUCKETS / (hi - lo);
      if (e - s <= SMALL || !Number.isFinite(scale)) {
        this.exact(vals, wts, s, e, half - acc, acc);
        return;
      }
      const { hist, counts } = this;
      hist.fill(0);
      counts.fill(0);
      for (let k = s; k < e; k++) {
        const bk = Math.min(BUCKETS - 1, Math.floor((vals[k]! - lo) * scale));
        hist[bk]! += wts[k]!;
        counts[bk]!++;
      }
      // The bucket where the cumulative weight reaches half; if rounding keeps it short, the last
      // bucket holding anything.
      let sel = -1;
      let cum = acc;
      let last = -1;
      let cumLast = acc;
      for (let bk = 0; bk < BUCKETS; bk++) {
        if (counts[bk] === 0) continue;
        if (cum + hist[bk]! >= half) {
          sel = bk;
          break;
        }
        last = bk;
        cumLast = cum;
        cum += hist[bk]!;
      }
      if (sel < 0) {
        sel = last;
        cum = cumLast;
      }
      const size = counts[sel]!;
      if (this.vals.length < size) {
        this.vals = new Float64Array(Math.max(size, 2 * this.vals.length));
        this.wts = new Float64Array(this.vals.length);
      }
      // Copy the chosen bucket to the front of the scratch (in place when already there).
      const sv = this.vals;
      const sw = this.wts;
      let c = 0;
      let nlo = Number.POSITIVE_INFINITY;
      let nhi = Number.NEGATIVE_INFINITY;
      for (let k = s; k < e; k++) {
        const v = vals[k]!;
        if (Math.min(BUCKETS - 1, Math.floor((v - lo) * scale)) !== sel) continue;
        sv[c] = v;
        sw[c] = wts[k]!;
        c++;
        if (v < nlo) nlo = v;
        if (v > nhi) nhi = v;
      }
      vals = sv;
      wts = sw;
      s = 0;
      e = c;
      lo = nlo;
      hi = nhi;
      acc = cum;
    }
  }

  /** Sorts the few candidates left and walks them until `target` weight is reached. */
  private exact(
    vals: Float64Array,
    wts: Float64Array,
    s: number,
    e: number,
    target: number,
    acc: number,
  ): void {
    const idx = Int32Array.from({ length: e - s }, (_, i) => s + i);
    idx.sort((p, q) => vals[p]! - vals[q]!);
    let cum = 0;
    let pick = idx.length - 1;
    for (let i = 0; i < idx.length; i++) {
      cum += wts[idx[i]!]!;
      if (cum >= target) {
        pick = i;
        break;
      }
    }
    const m = vals[idx[pick]!]!;
    let below = acc;
    let equal = 0;
    for (let i = 0; i < idx.length; i++) {
      const v = vals[idx[i]!]!;
      if (v < m) below += wts[idx[i]!]!;
      else if (v === m) equal += wts[idx[i]!]!;
      else break;
    }
    this.settle(m, below, equal);
  }

  private settle(value: number, below: number, equal: number): void {
    this.value = value;
    this.below = below;
    this.equal = equal;
  }
}
