import type { KeyTable } from './key-table.js';

/**
 * One entry per chunk, in output order (file by file, chunk by chunk), as flat columns. All
 * columns are views of one `ArrayBuffer` (`chunks.minx.buffer`), so the table moves between
 * threads in one piece.
 */
export interface ChunkTable {
  /** Number of chunks. */
  readonly length: number;
  /** File of the chunk, 0-based and dense, non-decreasing along the table. */
  readonly fileId: Int32Array;
  /** Chunk within its file, 0-based, restarting at 0 for every file. */
  readonly chunkId: Int32Array;
  /** The chunk's rows are `plan.order[start[i]..end[i])`. */
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** Rows in the chunk (`end - start`). */
  readonly numRows: Int32Array;
  /** Union of the chunk's row bounding boxes, degrees. */
  readonly minx: Float64Array;
  readonly miny: Float64Array;
  readonly maxx: Float64Array;
  readonly maxy: Float64Array;
  /** Sum of the chunk's row measures (unit of the partitioning method). */
  readonly sumMeasure: Float64Array;
}

/** A zero-filled {@link ChunkTable} of `n` chunks in one `ArrayBuffer`. */
export function allocChunkTable(n: number): ChunkTable {
  const F = Float64Array.BYTES_PER_ELEMENT;
  const I = Int32Array.BYTES_PER_ELEMENT;
  // Float64 columns first so every view stays aligned.
  const buffer = new ArrayBuffer(n * (5 * F + 5 * I));
  const f64 = (i: number) => new Float64Array(buffer, i * n * F, n);
  const i32 = (i: number) => new Int32Array(buffer, 5 * n * F + i * n * I, n);
  return {
    length: n,
    minx: f64(0),
    miny: f64(1),
    maxx: f64(2),
    maxy: f64(3),
    sumMeasure: f64(4),
    fileId: i32(0),
    chunkId: i32(1),
    start: i32(2),
    end: i32(3),
    numRows: i32(4),
  };
}

/**
 * Builds the chunk table of a finished `order`: chunk `i` is `order[bounds[i]..bounds[i+1])` and
 * belongs to file `chunkFile[i]` (non-decreasing, dense). Chunk ids, row counts, measure sums and
 * bounding boxes are computed from the rows, visited in row order (one scattered write per row,
 * then sequential reads of the key columns, rather than five scattered reads per row).
 */
export function buildChunkTable(
  keys: KeyTable,
  order: Int32Array,
  bounds: Int32Array,
  chunkFile: Int32Array,
): ChunkTable {
  const m = chunkFile.length;
  const t = allocChunkTable(m);
  const chunkOf = new Int32Array(keys.length);
  for (let c = 0; c < m; c++) {
    const lo = bounds[c]!;
    const hi = bounds[c + 1]!;
    for (let k = lo; k < hi; k++) chunkOf[order[k]!] = c;
    t.fileId[c] = chunkFile[c]!;
    t.chunkId[c] = c > 0 && chunkFile[c - 1] === chunkFile[c] ? t.chunkId[c - 1]! + 1 : 0;
    t.start[c] = lo;
    t.end[c] = hi;
    t.numRows[c] = hi - lo;
  }
  t.minx.fill(Number.POSITIVE_INFINITY);
  t.miny.fill(Number.POSITIVE_INFINITY);
  t.maxx.fill(Number.NEGATIVE_INFINITY);
  t.maxy.fill(Number.NEGATIVE_INFINITY);
  const { measure, minx, miny, maxx, maxy } = keys;
  for (let r = 0; r < keys.length; r++) {
    const c = chunkOf[r]!;
    t.sumMeasure[c]! += measure[r]!;
    if (minx[r]! < t.minx[c]!) t.minx[c] = minx[r]!;
    if (miny[r]! < t.miny[c]!) t.miny[c] = miny[r]!;
    if (maxx[r]! > t.maxx[c]!) t.maxx[c] = maxx[r]!;
    if (maxy[r]! > t.maxy[c]!) t.maxy[c] = maxy[r]!;
  }
  return t;
}
