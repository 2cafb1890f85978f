/**
 * Spilled rows: each scanned batch is written to a temporary file as Arrow IPC stream bytes
 * (the same bytes that carry batches between threads), and its keys beside it, so memory holds
 * at most a sample of the keys. The plan reads the keys back when they did not fit; the
 * shuffle reads the batches.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RecordBatch, Table, tableFromIPC, tableToIPC } from 'apache-arrow';

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

/** Writes a batch's keys: the four arrays one after the other, as float64. */
export function writeKeySpill(path: string, keys: BatchKeys): void {
  const n = keys.cx.length;
  const out = new Float64Array(7 * n);
  out.set(keys.cx, 0);
  out.set(keys.cy, n);
  out.set(keys.measure, 2 * n);
  out.set(keys.bounds, 3 * n);
  writeFileSync(path, out);
}

/**
 * Reads keys written by {@link writeKeySpill}. With `scratch`, they are read into it (grown as
 * needed) and the keys are views of it, valid until its next use: a reader of many files then
 * touches no fresh memory per file.
 */
export function readKeySpill(path: string, scratch?: ReadBuffer): BatchKeys {
  const all = scratch ? scratch.readFloat64(path) : readFloat64File(path);
  const n = all.length / 7;
  return {
    cx: all.subarray(0, n),
    cy: all.subarray(n, 2 * n),
    measure: all.subarray(2 * n, 3 * n),
    bounds: all.subarray(3 * n),
  };
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
