/**
 * Column-chunk statistics: null count and min/max in the column's type-defined order, encoded as
 * Parquet stores them (`min_value` / `max_value`, PLAIN bytes without length prefix).
 */
import type { StatsOrder } from './parquet-schema.js';
import type { FixedArray } from './shred.js';

/** Longest string kept as an exact min or max; longer bounds are left out (bytes). */
export const MAX_STRING_STAT = 64;

/** Encoded statistics of one column chunk. */
export interface ChunkStats {
  readonly nullCount: number;
  readonly min: Uint8Array | null;
  readonly max: Uint8Array | null;
  /** Also write the deprecated `min` / `max` (signed orders only, as parquet-cpp does). */
  readonly legacy: boolean;
}

type Key = number | bigint;

/** Accumulates the statistics of one column chunk, page by page. */
export class StatsBuilder {
  nullCount = 0;
  private readonly order: StatsOrder;
  private minKey: Key | null = null;
  private maxKey: Key | null = null;
  private minBytes: Uint8Array | null = null;
  private maxBytes: Uint8Array | null = null;
  private tooLong = false;

  constructor(order: StatsOrder) {
    this.order = order;
  }

  /** Folds in INT32/INT64/FLOAT/DOUBLE values (NaN skipped, as the format requires). */
  fixed(values: FixedArray): void {
    if (this.order === 'none' || values.length === 0) return;
    const [lo, hi] =
      values instanceof BigInt64Array || values instanceof BigUint64Array
        ? extremes64(values, this.order === 'unsigned')
        : extremes(values, this.order === 'unsigned');
    if (lo < 0) return; // only NaN
    const width = values.BYTES_PER_ELEMENT;
    const bytesAt = (i: number): Uint8Array =>
      new Uint8Array(values.buffer, values.byteOffset + i * width, width).slice();
    const key = (i: number): Key =>
      this.order === 'unsigned' && values instanceof Int32Array ? values[i]! >>> 0 : values[i]!;
    const kLo = key(lo);
    const kHi = key(hi);
    if (this.minKey === null || kLo < this.minKey) {
      this.minKey = kLo;
      this.minBytes = bytesAt(lo);
    }
    if (this.maxKey === null || kHi > this.maxKey) {
      this.maxKey = kHi;
      this.maxBytes = bytesAt(hi);
    }
  }

  /** Folds in booleans given as 0/1 bytes. */
  bool(values: Uint8Array): void {
    if (values.length === 0) return;
    let any0 = false;
    let any1 = false;
    for (let i = 0; i < values.length && !(any0 && any1); i++) {
      if (values[i] === 0) any0 = true;
      else any1 = true;
    }
    const lo = any0 ? 0 : 1;
    const hi = any1 ? 1 : 0;
    if (this.minKey === null || lo < (this.minKey as number)) this.minKey = lo;
    if (this.maxKey === null || hi > (this.maxKey as number)) this.maxKey = hi;
    this.minBytes = Uint8Array.of(this.minKey as number);
    this.maxBytes = Uint8Array.of(this.maxKey as number);
  }

  /** True while {@link bytes} still wants values (a UTF-8 column without over-long bounds). */
  tracksBytes(): boolean {
    return this.order === 'utf8' && !this.tooLong;
  }

  /** Folds in one UTF-8 string value, `data[start..end)`. */
  bytes(data: Uint8Array, start: number, end: number): void {
    if (this.order !== 'utf8' || this.tooLong) return;
    if (end - start > MAX_STRING_STAT) {
      this.tooLong = true;
      return;
    }
    const min = this.minBytes;
    const max = this.maxBytes;
    if (min === null || max === null) {
      this.minBytes = data.slice(start, end);
      this.maxBytes = this.minBytes;
      return;
    }
    // The first byte settles most comparisons without a call.
    const first = end > start ? data[start]! : -1;
    const minFirst = min.length > 0 ? min[0]! : -1;
    const maxFirst = max.length > 0 ? max[0]! : -1;
    if (first <= minFirst && compareBytes(data, start, end, min) < 0) this.minBytes = data.slice(start, end);
    else if (first >= maxFirst && compareBytes(data, start, end, max) > 0)
      this.maxBytes = data.slice(start, end);
  }

  /** Folds in what `o` (the same order) gathered: a page's statistics into its chunk's. */
  merge(o: StatsBuilder): void {
    this.nullCount += o.nullCount;
    if (o.tooLong) this.tooLong = true;
    if (o.minBytes === null || o.maxBytes === null) return;
    if (this.order === 'utf8') {
      if (this.minBytes === null || compareBytes(o.minBytes, 0, o.minBytes.length, this.minBytes) < 0)
        this.minBytes = o.minBytes;
      if (this.maxBytes === null || compareBytes(o.maxBytes, 0, o.maxBytes.length, this.maxBytes) > 0)
        this.maxBytes = o.maxBytes;
      return;
    }
    if (this.minKey === null || (o.minKey !== null && o.minKey < this.minKey)) {
      this.minKey = o.minKey;
      this.minBytes = o.minBytes;
    }
    if (this.maxKey === null || (o.maxKey !== null && o.maxKey > this.maxKey)) {
      this.maxKey = o.maxKey;
      this.maxBytes = o.maxBytes;
    }
  }

  finish(): ChunkStats {
    if (this.order === 'none' || this.tooLong || this.minBytes === null || this.maxBytes === null) {
      return { nullCount: this.nullCount, min: null, max: null, legacy: false };
    }
    let { minBytes: min, maxBytes: max } = this;
    if (this.order === 'float') {
      // Signed zeros: the format asks for -0 as a zero min and +0 as a zero max.
      if (this.minKey === 0) min = zeroBytes(min.length, true);
      if (this.maxKey === 0) max = zeroBytes(max.length, false);
    }
    const legacy = this.order === 'signed' || this.order === 'float' || this.order === 'bool';
    return { nullCount: this.nullCount, min, max, legacy };
  }
}

/** Indices of the smallest and largest non-NaN value, or [-1, -1]. */
function extremes(
  values: Int32Array | Uint32Array | Float32Array | Float64Array,
  unsigned: boolean,
): [number, number] {
  const src =
    unsigned && values instanceof Int32Array
      ? new Uint32Array(values.buffer, values.byteOffset, values.length)
      : values;
  let lo = -1;
  let hi = -1;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (v < min || lo < 0) {
      if (Number.isNaN(v)) continue;
      min = v;
      lo = i;
    }
    if (v > max || hi < 0) {
      max = v;
      hi = i;
    }
  }
  return [lo, hi];
}

/** As {@link extremes} for 64-bit integers, comparing 32-bit halves (no BigInt per value). */
function extremes64(values: BigInt64Array | BigUint64Array, unsigned: boolean): [number, number] {
  const w = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  let lo = 0;
  let hi = 0;
  const high = (i: number): number => (unsigned ? w[2 * i + 1]! >>> 0 : w[2 * i + 1]!);
  const low = (i: number): number => w[2 * i]! >>> 0;
  for (let i = 1; i < values.length; i++) {
    const h = high(i);
    const l = low(i);
    const hLo = high(lo);
    if (h < hLo || (h === hLo && l < low(lo))) lo = i;
    const hHi = high(hi);
    if (h > hHi || (h === hHi && l > low(hi))) hi = i;
  }
  return [lo, hi];
}

function zeroBytes(width: number, negative: boolean): Uint8Array {
  const out = new Uint8Array(width);
  if (negative) out[width - 1] = 0x80;
  return out;
}

/** Unsigned lexicographic comparison of `data[start..end)` with `b`. */
function compareBytes(data: Uint8Array, start: number, end: number, b: Uint8Array): number {
  const n = Math.min(end - start, b.length);
  for (let i = 0; i < n; i++) {
    const d = data[start + i]! - b[i]!;
    if (d !== 0) return d;
  }
  return end - start - b.length;
}
