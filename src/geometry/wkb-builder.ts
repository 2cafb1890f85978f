/**
 * A growable writer for a new WKB Binary column: bytes, row offsets and a validity bitmap built
 * in typed arrays, finished into a {@link WkbColumn}. Everything it writes is little-endian ISO
 * WKB.
 */
import { GeopartError } from '../errors.js';
import type { WkbColumn } from './wkb.js';

/** Largest byte length an Arrow Binary column (int32 offsets) can hold. */
const MAX_BINARY_BYTES = 0x7fffffff;

/** Builds a {@link WkbColumn} row by row. Write a row's bytes, then call {@link endRow}. */
export class WkbBuilder {
  private bytes: Uint8Array;
  private view: DataView;
  private pos = 0;
  private offsets: Int32Array;
  private rows = 0;
  private validity: Uint8Array | null = null;

  /** `rowCapacity` rows and `byteCapacity` bytes are reserved up front; both grow as needed. */
  constructor(rowCapacity = 1024, byteCapacity = rowCapacity * 32) {
    this.bytes = new Uint8Array(Math.max(64, byteCapacity));
    this.view = new DataView(this.bytes.buffer);
    this.offsets = new Int32Array(Math.max(2, rowCapacity + 1));
  }

  /** Number of finished rows. */
  get length(): number {
    return this.rows;
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.pos + n;
    if (need <= this.bytes.length) return;
    if (need > MAX_BINARY_BYTES) {
      throw new GeopartError('INTERNAL', `WKB column exceeds ${MAX_BINARY_BYTES} bytes; use smaller batches`);
    }
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(Math.min(cap, MAX_BINARY_BYTES));
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  /** Writes a little-endian ISO header: byte order 1 and `type + 1000 * (Z, M, ZM)`. */
  header(type: number, hasZ: boolean, hasM = false): void {
    this.reserve(5);
    this.bytes[this.pos] = 1;
    this.view.setUint32(this.pos + 1, type + (hasZ ? 1000 : 0) + (hasM ? 2000 : 0), true);
    this.pos += 5;
  }

  /** Writes a little-endian uint32 (a count). */
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  /** Writes a little-endian float64 (one ordinate). */
  f64(v: number): void {
    if (this.pos + 8 > this.bytes.length) this.reserve(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** Copies `src[start .. end)` verbatim into the current row. */
  copy(src: Uint8Array, start: number, end: number): void {
    this.reserve(end - start);
    this.bytes.set(src.subarray(start, end), this.pos);
    this.pos += end - start;
  }

  /** Finishes the current row as a valid geometry. */
  endRow(): void {
    this.pushOffset();
  }

  /** Appends a null row (discarding any bytes written for the current row). */
  appendNull(): void {
    this.pos = this.offsets[this.rows]!;
    if (this.validity === null) {
      this.validity = new Uint8Array((this.offsets.length + 7) >> 3).fill(0xff);
    }
    this.pushOffset();
    const bit = this.rows - 1;
    this.validity[bit >> 3]! &= ~(1 << (bit & 7));
  }

  private pushOffset(): void {
    if (this.rows + 2 > this.offsets.length) {
      const next = new Int32Array(this.offsets.length * 2);
      next.set(this.offsets);
      this.offsets = next;
    }
    this.rows++;
    this.offsets[this.rows] = this.pos;
    const v = this.validity;
    if (v !== null && v.length * 8 < this.offsets.length) {
      const next = new Uint8Array((this.offsets.length + 7) >> 3).fill(0xff);
      next.set(v);
      this.validity = next;
    }
  }

  /** Returns the column; the builder must not be used afterwards. */
  finish(): WkbColumn {
    const n = this.rows;
    let validity: Uint8Array | null = null;
    if (this.validity !== null) {
      validity = this.validity.slice(0, (n + 7) >> 3);
      // Arrow expects padding bits beyond the length to be ignorable; zero them anyway.
      if (n & 7) validity[n >> 3]! &= (1 << (n & 7)) - 1;
    }
    return {
      length: n,
      offsets: this.offsets.slice(0, n + 1),
      values: this.bytes.slice(0, this.pos),
      validity,
      validityOffset: 0,
    };
  }
}
