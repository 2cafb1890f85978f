import type { KeyTable } from './key-table.js';

/** Cells per axis of the grid a chunk's centroids are snapped to (16 bits). */
export const HILBERT_GRID = 65536;

/**
 * Distance along the Hilbert curve of cell (`x`, `y`) of an `n` x `n` grid; `n` a power of two up
 * to 65536, `x` and `y` integers in [0, n). The curve starts at (0, 0) and ends at (n - 1, 0), as
 * in the classic `xy2d`; the result is an integer in [0, n^2) (below 2^32 for n = 65536).
 */
export function hilbertIndex(x: number, y: number, n: number): number {
  let d = 0;
  for (let s = n >>> 1; s > 0; s >>>= 1) {
    const rx = (x & s) > 0 ? 1 : 0;
    const ry = (y & s) > 0 ? 1 : 0;
    // Plain arithmetic, not `|=`: 3 * s * s overflows int32 for n = 65536.
    d += s * s * ((3 * rx) ^ ry);
    if (ry === 0) {
      if (rx === 1) {
        x = n - 1 - x;
        y = n - 1 - y;
      }
      const t = x;
      x = y;
      y = t;
    }
  }
  return d;
}

/**
 * {@link hilbertIndex} on the 65536 x 65536 grid in constant time, without the bit-by-bit loop:
 * the bitwise construction of rawrunprotected/hilbert_curves (public domain), as in flatbush.
 * Same curve and values as `hilbertIndex(x, y, 65536)`; `x`, `y` integers in [0, 65535].
 */
export function hilbert16(x: number, y: number): number {
  let a = x ^ y;
  let b = 0xffff ^ a;
  let c = 0xffff ^ (x | y);
  let d = x & (y ^ 0xffff);

  let A = a | (b >> 1);
  let B = (a >> 1) ^ a;
  let C = c ^ ((c >> 1) ^ (b & (d >> 1)));
  let D = d ^ ((a & (c >> 1)) ^ (d >> 1));

  a = (A & (A >> 2)) ^ (B & (B >> 2));
  b = (A & (B >> 2)) ^ (B & ((A ^ B) >> 2));
  c = C ^ ((A & (C >> 2)) ^ (B & (D >> 2)));
  d = D ^ ((B & (C >> 2)) ^ ((A ^ B) & (D >> 2)));

  A = (a & (a >> 4)) ^ (b & (b >> 4));
  B = (a & (b >> 4)) ^ (b & ((a ^ b) >> 4));
  C = c ^ ((a & (c >> 4)) ^ (b & (d >> 4)));
  D = d ^ ((b & (c >> 4)) ^ ((a ^ b) & (d >> 4)));

  c = C ^ ((A & (C >> 8)) ^ (B & (D >> 8)));
  d = D ^ ((B & (C >> 8)) ^ ((A ^ B) & (D >> 8)));

  c ^= c >> 1;
  d ^= d >> 1;
  a = x ^ y;
  b = d | (0xffff ^ (a | c));

  a = (a | (a << 8)) & 0x00ff00ff;
  a = (a | (a << 4)) & 0x0f0f0f0f;
  a = (a | (a << 2)) & 0x33333333;
  a = (a | (a << 1)) & 0x55555555;

  b = (b | (b << 8)) & 0x00ff00ff;
  b = (b | (b << 4)) & 0x0f0f0f0f;
  b = (b | (b << 2)) & 0x33333333;
  b = (b | (b << 1)) & 0x55555555;

  return ((b << 1) | a) >>> 0;
}

/**
 * Hilbert keys of positions `lo..hi` of `xs`/`ys` (centroids, degrees), written to
 * `out[0..hi-lo)`. The grid is a square frame anchored at the minimum corner of those centroids,
 * with side the larger of their width and height (square cells keep the curve's locality); all
 * keys are 0 when the centroids coincide.
 */
export function hilbertKeys(
  xs: Float64Array,
  ys: Float64Array,
  lo: number,
  hi: number,
  out: Uint32Array,
): void {
  let minx = Number.POSITIVE_INFINITY;
  let miny = Number.POSITIVE_INFINITY;
  let maxx = Number.NEGATIVE_INFINITY;
  let maxy = Number.NEGATIVE_INFINITY;
  for (let k = lo; k < hi; k++) {
    const x = xs[k]!;
    const y = ys[k]!;
    if (x < minx) minx = x;
    if (x > maxx) maxx = x;
    if (y < miny) miny = y;
    if (y > maxy) maxy = y;
  }
  const side = Math.max(maxx - minx, maxy - miny);
  if (!(side > 0)) {
    out.fill(0, 0, hi - lo);
    return;
  }
  const scale = HILBERT_GRID / side;
  const top = HILBERT_GRID - 1;
  for (let k = lo; k < hi; k++) {
    const gx = Math.min(top, Math.floor((xs[k]! - minx) * scale));
    const gy = Math.min(top, Math.floor((ys[k]! - miny) * scale));
    out[k - lo] = hilbert16(gx, gy);
  }
}

/** Centroids of `order[lo..hi)`, gathered so that `xs[k - lo]` is the x of `order[k]`. */
export function gatherCentroids(
  keys: KeyTable,
  order: Int32Array,
  lo: number,
  hi: number,
): { xs: Float64Array; ys: Float64Array } {
  const xs = new Float64Array(hi - lo);
  const ys = new Float64Array(hi - lo);
  for (let k = lo; k < hi; k++) {
    xs[k - lo] = keys.cx[order[k]!]!;
    ys[k - lo] = keys.cy[order[k]!]!;
  }
  return { xs, ys };
}

const RADIX_MIN = 48;
const DIGIT_BITS = 11;
const DIGITS = 1 << DIGIT_BITS;

/**
 * Sorts a chunk's rows by (Hilbert key, row index), reusing scratch space across chunks:
 * insertion sort for short ranges; otherwise a stable LSD radix sort on the key (three 11-bit
 * passes, skipping a pass where every row has the same digit), then each run of equal keys
 * sorted by row index.
 */
export class HilbertSorter {
  private key = new Uint32Array(0);
  private key2 = new Uint32Array(0);
  private idx2 = new Int32Array(0);
  private readonly count = new Int32Array(DIGITS);

  /**
   * Sorts `order[lo..hi)`; `xs[k]`, `ys[k]` are the centroid of `order[k]` (they are read, not
   * permuted, so they no longer match `order` afterwards).
   */
  sort(order: Int32Array, xs: Float64Array, ys: Float64Array, lo: number, hi: number): void {
    const m = hi - lo;
    if (m < 2) return;
    if (this.key.length < m) {
      this.key = new Uint32Array(m);
      this.key2 = new Uint32Array(m);
      this.idx2 = new Int32Array(m);
    }
    hilbertKeys(xs, ys, lo, hi, this.key);
    const rows = order.subarray(lo, hi);
    if (m < RADIX_MIN) {
      insertionSort(this.key, rows, m);
      return;
    }
    let sKey: Uint32Array = this.key;
    let sIdx: Int32Array = rows;
    let dKey: Uint32Array = this.key2;
    let dIdx: Int32Array = this.idx2.subarray(0, m);
    for (let shift = 0; shift < 32; shift += DIGIT_BITS) {
      if (!this.pass(sKey, sIdx, dKey, dIdx, m, shift)) continue;
      [sKey, dKey] = [dKey, sKey];
      [sIdx, dIdx] = [dIdx, sIdx];
    }
    if (sIdx !== rows) {
      rows.set(sIdx);
      this.key.set(sKey.subarray(0, m));
    }
    // Equal keys: row index decides. Runs are short except for coinciding centroids.
    let start = 0;
    for (let k = 1; k <= m; k++) {
      if (k < m && this.key[k] === this.key[start]) continue;
      if (k - start > 1) rows.subarray(start, k).sort();
      start = k;
    }
  }

  /** One stable counting pass on the digit of the key at `shift`; false (nothing moved) when all rows share it. */
  private pass(
    sKey: Uint32Array,
    sIdx: Int32Array,
    dKey: Uint32Array,
    dIdx: Int32Array,
    m: number,
    shift: number,
  ): boolean {
    const count = this.count;
    const mask = DIGITS - 1;
    count.fill(0);
    for (let k = 0; k < m; k++) count[(sKey[k]! >>> shift) & mask]!++;
    if (count[(sKey[0]! >>> shift) & mask] === m) return false;
    let sum = 0;
    for (let b = 0; b < DIGITS; b++) {
      const c = count[b]!;
      count[b] = sum;
      sum += c;
    }
    for (let k = 0; k < m; k++) {
      const kv = sKey[k]!;
      const pos = count[(kv >>> shift) & mask]!++;
      dKey[pos] = kv;
      dIdx[pos] = sIdx[k]!;
    }
    return true;
  }
}

function insertionSort(key: Uint32Array, idx: Int32Array, m: number): void {
  for (let i = 1; i < m; i++) {
    const kv = key[i]!;
    const iv = idx[i]!;
    let j = i - 1;
    while (j >= 0 && (key[j]! > kv || (key[j] === kv && idx[j]! > iv))) {
      key[j + 1] = key[j]!;
      idx[j + 1] = idx[j]!;
      j--;
    }
    key[j + 1] = kv;
    idx[j + 1] = iv;
  }
}
