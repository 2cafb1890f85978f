/**
 * Spilled rows: each scanned batch is written to a temporary file as Arrow IPC stream bytes
 * (the same bytes that carry batches between threads), and its keys beside it, so memory holds
 * at most a sample of the keys. The plan reads the keys back when they did not fit; the
 * shuffle reads the batches.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RecordBatch, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { GeopartError } from '../errors.js';

/** Path of spilled batch `batchId` under `dir`. */
export function spillPath(dir: string, batchId: number): string {
  return join(dir, `${batchId}.arrow`);
}

/** Path of the keys spilled beside the batch at `batchPath`. */
export function keySpillPath(batchPath: string): string {
  return batchPath.replace(/\.arrow$/, '.keys');
}

/** A batch's keys: centroid, measure and `[minx, miny, maxx, maxy]` of each row. */
export interface BatchKeys {
  readonly cx: Float64Array;
  readonly cy: Float64Array;
  readonly measure: Float64Array;
  /** Four values a row. */
  readonly bounds: Float64Array;
}

/**
 * How a key file holds its rows: every key (56 bytes a row); points, whose bounds are their
 * centroid (24 bytes a row); points of one measure, as by rows (16 bytes a row).
 */
const ALL_KEYS = 0;
const POINTS = 1;
const POINTS_ONE_MEASURE = 2;

/** Whether every row's bounds are its centroid, to the bit (`-0` is not `0`). */
function allPoints(keys: BatchKeys): boolean {
  const { cx, cy, bounds } = keys;
  for (let i = 0; i < cx.length; i++) {
    const x = cx[i]!;
    const y = cy[i]!;
    if (
      !Object.is(bounds[4 * i], x) ||
      !Object.is(bounds[4 * i + 1], y) ||
      !Object.is(bounds[4 * i + 2], x) ||
      !Object.is(bounds[4 * i + 3], y)
    )
      return false;
  }
  return true;
}

/** Whether every row has the first row's measure, to the bit. */
function oneMeasure(measure: Float64Array): boolean {
  const m = measure[0];
  for (let i = 1; i < measure.length; i++) if (!Object.is(measure[i], m)) return false;
  return true;
}

/**
 * Writes a batch's keys as float64: the layout and the row count, then the columns. Points
 * (every row's bounds its centroid) leave out the bounds, and points of one measure keep it
 * once, so that the keys of a point file take 16 or 24 bytes a row, not 56.
 */
export function writeKeySpill(path: string, keys: BatchKeys): void {
  const n = keys.cx.length;
  const points = n > 0 && allPoints(keys);
  if (points && oneMeasure(keys.measure)) {
    const out = new Float64Array(3 + 2 * n);
    out.set([POINTS_ONE_MEASURE, n, keys.measure[0]!]);
    out.set(keys.cx, 3);
    out.set(keys.cy, 3 + n);
    writeFileSync(path, out);
    return;
  }
  const out = new Float64Array(2 + (points ? 3 : 7) * n);
  out.set([points ? POINTS : ALL_KEYS, n]);
  out.set(keys.cx, 2);
  out.set(keys.cy, 2 + n);
  out.set(keys.measure, 2 + 2 * n);
  if (!points) out.set(keys.bounds, 2 + 3 * n);
  writeFileSync(path, out);
}

/** The bounds of points: each row's centroid, four times. */
function pointBounds(cx: Float64Array, cy: Float64Array): Float64Array {
  const bounds = new Float64Array(4 * cx.length);
  for (let i = 0; i < cx.length; i++) {
    bounds[4 * i] = cx[i]!;
    bounds[4 * i + 1] = cy[i]!;
    bounds[4 * i + 2] = cx[i]!;
    bounds[4 * i + 3] = cy[i]!;
  }
  return bounds;
}

/**
 * Reads keys written by {@link writeKeySpill}. With `scratch`, they are read into it (grown as
 * needed) and the keys stored whole are views of it, valid until its next use: a reader of many
 * files then touches no fresh memory per file but the bounds (and measures) of points.
 */
export function readKeySpill(path: string, scratch?: ReadBuffer): BatchKeys {
  const all = scratch ? scratch.readFloat64(path) : readFloat64File(path);
  const [layout, n] = [all[0], all[1]] as [number, number];
  const size = { [ALL_KEYS]: 2 + 7 * n, [POINTS]: 2 + 3 * n, [POINTS_ONE_MEASURE]: 3 + 2 * n }[layout];
  if (!(Number.isInteger(n) && n >= 0) || size !== all.length) {
    throw new GeopartError(
      'INTERNAL',
      `${path}: not a key file of this geopart (layout ${layout}, ${n} rows, ${all.length} values); it was cut short or written by another version`,
      { file: path },
    );
  }
  if (layout === POINTS_ONE_MEASURE) {
    const cx = all.subarray(3, 3 + n);
    const cy = all.subarray(3 + n, 3 + 2 * n);
    return { cx, cy, measure: new Float64Array(n).fill(all[2]!), bounds: pointBounds(cx, cy) };
  }
  const cx = all.subarray(2, 2 + n);
  const cy = all.subarray(2 + n, 2 + 2 * n);
  const measure = all.subarray(2 + 2 * n, 2 + 3 * n);
  return { cx, cy, measure, bounds: layout === POINTS ? pointBounds(cx, cy) : all.subarray(2 + 3 * n) };
}

/** A whole file of float64 values, in a fresh array. */
export function readFloat64File(path: string): Float64Array {
  const bytes = readFileSync(path);
  if (bytes.byteOffset % 8 === 0) return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** A buffer files are read into one after another, grown when a file does not fit. */
export class ReadBuffer {
  private buffer = new ArrayBuffer(0);

  /** The whole file at `path`, as float64 values in this buffer (valid until the next read). */
  readFloat64(path: string): Float64Array {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size > this.buffer.byteLength)
        this.buffer = new ArrayBuffer(Math.max(size, 2 * this.buffer.byteLength));
      const into = new Uint8Array(this.buffer, 0, size);
      for (let done = 0; done < size; ) {
        const got = readSync(fd, into, done, size - done, done);
        if (got === 0) throw new Error(`${path}: ended ${size - done} bytes early`);
        done += got;
      }
      return new Float64Array(this.buffer, 0, size / 8);
    } finally {
      closeSync(fd);
    }
  }
}

/** Writes one batch, given as {@link batchToBytes} bytes, to the spill. */
export function writeSpill(path: string, bytes: Uint8Array): void {
  writeFileSync(path, bytes);
}

/** Reads a spilled batch back (one batch per file). */
export function readSpill(path: string): RecordBatch {
  return batchFromBytes(readFileSync(path));
}

/** Serialises a batch for another thread (Arrow IPC stream bytes). */
export function batchToBytes(batch: RecordBatch): Uint8Array {
  return tableToIPC(new Table([batch]), 'stream');
}

/** The batch serialised by {@link batchToBytes}. */
export function batchFromBytes(bytes: Uint8Array): RecordBatch {
  const table = tableFromIPC(bytes);
  return table.batches[0]!;
}
