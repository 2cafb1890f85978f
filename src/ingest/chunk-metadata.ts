/**
 * Builds the chunk metadata table of a table (its schema is in src/format/chunk-table.ts, and
 * docs/FORMAT.md describes it): one row per chunk with its file, box and sums, plus the box as
 * a polygon `geometry`.
 */
import {
  Binary,
  type DataType,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  type RecordBatch,
} from 'apache-arrow';
import { makeBatch } from '../arrow/batch.js';
import { makeBinaryData } from '../arrow/binary.js';
import { CHUNK_TABLE_SCHEMA, type ChunkColumnType } from '../format/chunk-table.js';
import type { ChunkTable } from '../partition/chunk-table.js';

const ARROW_TYPES: Record<ChunkColumnType, () => DataType> = {
  int32: () => new Int32(),
  int64: () => new Int64(),
  float64: () => new Float64(),
  binary: () => new Binary(),
};

function boxPolygons(chunks: ChunkTable): Uint8Array {
  // A closed 5-point ring: 1 + 4 + 4 + 4 + 5 * 16 = 93 bytes of little-endian WKB per box.
  const size = 93;
  const out = new Uint8Array(chunks.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < chunks.length; i++) {
    const o = i * size;
    out[o] = 1;
    view.setUint32(o + 1, 3, true);
    view.setUint32(o + 5, 1, true);
    view.setUint32(o + 9, 5, true);
    const x0 = chunks.minx[i]!;
    const y0 = chunks.miny[i]!;
    const x1 = chunks.maxx[i]!;
    const y1 = chunks.maxy[i]!;
    const ring = [x0, y0, x1, y0, x1, y1, x0, y1, x0, y0];
    for (let k = 0; k < 10; k++) view.setFloat64(o + 13 + 8 * k, ring[k]!, true);
  }
  return out;
}

/**
 * Numbers a write task gives per chunk, in {@link chunkMetadataBatch}'s `stats`: vertices, area
 * (deg^2), length (degrees), and the row group's byte offset and length in its file.
 */
export const CHUNK_STATS = 5;

/**
 * Per-chunk `stats` of a file (`[numCoords, sumArea, sumLength]` per chunk, as chunkStats gives
 * them) with each row group's byte span appended: {@link CHUNK_STATS} numbers per chunk.
 */
export function withByteSpans(
  measures: Float64Array,
  rowGroups: readonly { readonly offset: number; readonly compressedBytes: number }[],
): Float64Array {
  const out = new Float64Array(rowGroups.length * CHUNK_STATS);
  for (const [c, g] of rowGroups.entries()) {
    out.set(measures.subarray(3 * c, 3 * c + 3), CHUNK_STATS * c);
    out[CHUNK_STATS * c + 3] = g.offset;
    out[CHUNK_STATS * c + 4] = g.compressedBytes;
  }
  return out;
}

/** Columns that locate a chunk's row group in its file, written only when a reader can use them. */
const SPAN_COLUMNS: readonly string[] = ['byte_offset', 'byte_length'];

/**
 * The metadata table of `chunks`; `stats` holds {@link CHUNK_STATS} numbers per chunk (see
 * there), in the chunk table's order. Without `spans`, the columns that locate row groups
 * (`byte_offset`, `byte_length`) are left out.
 */
export function chunkMetadataBatch(chunks: ChunkTable, stats: Float64Array, spans: boolean): RecordBatch {
  const n = chunks.length;
  const f64 = (values: Float64Array) => makeData({ type: new Float64(), length: n, data: values });
  const pick = (k: number) => Float64Array.from({ length: n }, (_, i) => stats[CHUNK_STATS * i + k]!);
  const i64 = (values: Float64Array) =>
    makeData({ type: new Int64(), length: n, data: BigInt64Array.from(values, (v) => BigInt(v)) });
  const offsets = Int32Array.from({ length: n + 1 }, (_, i) => i * 93);
  const fields = CHUNK_TABLE_SCHEMA.map((c) => new Field(c.name, ARROW_TYPES[c.type](), false));
  const keep = CHUNK_TABLE_SCHEMA.map((c) => spans || !SPAN_COLUMNS.includes(c.name));
  // In the order of CHUNK_TABLE_SCHEMA.
  const columns = [
    makeData({ type: new Int32(), length: n, data: chunks.fileId.slice() }),
    makeData({ type: new Int32(), length: n, data: chunks.chunkId.slice() }),
    f64(chunks.minx.slice()),
    f64(chunks.miny.slice()),
    f64(chunks.maxx.slice()),
    f64(chunks.maxy.slice()),
    makeData({ type: new Int64(), length: n, data: BigInt64Array.from(chunks.numRows, (v) => BigInt(v)) }),
    i64(pick(0)),
    f64(pick(1)),
    f64(pick(2)),
    i64(pick(3)),
    i64(pick(4)),
    makeBinaryData(offsets, boxPolygons(chunks)),
  ];
  return makeBatch(
    fields.filter((_, k) => keep[k]),
    columns.filter((_, k) => keep[k]),
    undefined,
    n,
  );
}
