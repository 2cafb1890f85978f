/**
 * The chunks of a table as columns (one entry per chunk, ordered by file, then chunk), built
 * from a geopart chunk metadata table (docs/FORMAT.md, "The chunk table").
 */
import type { Table, Vector } from 'apache-arrow';
import { GeopartError } from '../errors.js';
import { CHUNK_TABLE_REQUIRED } from '../format/chunk-table.js';

/** Chunks as columns; unknown sums are NaN. */
export interface ChunkList {
  readonly length: number;
  readonly fileId: Int32Array;
  readonly chunkId: Int32Array;
  /** `[minx, miny, maxx, maxy]` per chunk (degrees); an unknown box is `[-Inf, -Inf, Inf, Inf]`. */
  readonly boxes: Float64Array;
  /** Rows per chunk. */
  readonly numRows: Float64Array;
  /** Vertices per chunk, NaN when unknown. */
  readonly numCoords: Float64Array;
  /** Polygon area per chunk (deg^2), NaN when unknown. */
  readonly sumArea: Float64Array;
  /** Line length per chunk (degrees), NaN when unknown. */
  readonly sumLength: Float64Array;
  /**
   * The chunk's row group in its file: offset of its first byte and its length (bytes), NaN when
   * unknown (then the file's footer locates it).
   */
  readonly byteOffset: Float64Array;
  readonly byteLength: Float64Array;
}

/** True when `names` hold every column a chunk metadata table needs. */
export function isChunkMetadata(names: readonly string[]): boolean {
  return CHUNK_TABLE_REQUIRED.every((c) => names.includes(c));
}

function numbers(v: Vector | null, n: number): Float64Array {
  const out = new Float64Array(n).fill(Number.NaN);
  if (v === null) return out;
  if (v.nullCount === 0) {
    // The column's own array (one per batch at most once concatenated), without a call per value.
    const values = v.toArray() as ArrayLike<number | bigint>;
    for (let i = 0; i < n; i++) out[i] = Number(values[i]!);
    return out;
  }
  for (let i = 0; i < n; i++) {
    const x = v.get(i) as number | bigint | null;
    if (x !== null) out[i] = Number(x);
  }
  return out;
}

/**
 * The chunk list of a chunk metadata table read from `source` (named in errors). Throws
 * `CORRUPT_INPUT` when a required column is missing or a box or id is null, or when two rows
 * name the same chunk.
 */
export function chunkListFromTable(table: Table, source: string): ChunkList {
  const names = table.schema.fields.map((f) => f.name);
  const missing = CHUNK_TABLE_REQUIRED.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new GeopartError(
      'CORRUPT_INPUT',
      `${source}: chunk metadata has no column ${missing.join(', ')} (it has ${names.join(', ')})`,
      { file: source },
    );
  }
  const n = table.numRows;
  const col = (name: string) => numbers(table.getChild(name), n);
  const fileIds = col('file_id');
  const chunkIds = col('chunk_id');
  const box = [col('bbox_minx'), col('bbox_miny'), col('bbox_maxx'), col('bbox_maxy')];
  const numRows = col('num_rows');
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(fileIds[i]!) || Number.isNaN(chunkIds[i]!) || Number.isNaN(numRows[i]!)) {
      throw new GeopartError(
        'CORRUPT_INPUT',
        `${source}: chunk metadata row ${i} has a null id or row count`,
        {
          file: source,
          row: i,
        },
      );
    }
  }
  // Sorted by (file, chunk) so every listing comes out in that order (geopart writes it so).
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    sorted =
      fileIds[i - 1]! < fileIds[i]! || (fileIds[i - 1] === fileIds[i] && chunkIds[i - 1]! < chunkIds[i]!);
  }
  if (!sorted) order.sort((a, b) => fileIds[a]! - fileIds[b]! || chunkIds[a]! - chunkIds[b]!);
  for (let k = 1; k < n; k++) {
    const a = order[k - 1]!;
    const b = order[k]!;
    if (fileIds[a] === fileIds[b] && chunkIds[a] === chunkIds[b]) {
      throw new GeopartError(
        'CORRUPT_INPUT',
        `${source}: chunk metadata lists file ${fileIds[a]} chunk ${chunkIds[a]} twice`,
        { file: source },
      );
    }
  }
  const pick = (src: Float64Array) => (sorted ? src : Float64Array.from(order, (i) => src[i]!));
  const boxes = new Float64Array(4 * n);
  const [x0, y0, x1, y1] = box as [Float64Array, Float64Array, Float64Array, Float64Array];
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    boxes[4 * k] = x0[i]!;
    boxes[4 * k + 1] = y0[i]!;
    boxes[4 * k + 2] = x1[i]!;
    boxes[4 * k + 3] = y1[i]!;
    if (
      !(
        Number.isFinite(x0[i]!) &&
        Number.isFinite(y0[i]!) &&
        Number.isFinite(x1[i]!) &&
        Number.isFinite(y1[i]!)
      )
    )
      boxes.set(UNKNOWN_BOX, 4 * k);
  }
  return {
    length: n,
    fileId: new Int32Array(pick(fileIds)),
    chunkId: new Int32Array(pick(chunkIds)),
    boxes,
    numRows: pick(numRows),
    numCoords: pick(col('num_coords')),
    sumArea: pick(col('sum_area')),
    sumLength: pick(col('sum_length')),
    byteOffset: pick(col('byte_offset')),
    byteLength: pick(col('byte_length')),
  };
}

/** The box of a chunk whose extent is unknown: it matches every query. */
export const UNKNOWN_BOX: readonly number[] = [
  Number.NEGATIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.POSITIVE_INFINITY,
  Number.POSITIVE_INFINITY,
];
