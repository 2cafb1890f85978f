/**
 * Box lookups over a table's chunks: a scan of the boxes for tables of up to
 * {@link SCAN_CHUNKS} chunks (as DuckDB scans row group statistics), else a flatbush index
 * built on the first search. Chunks of unknown extent (plain Parquet files without statistics)
 * are kept beside the index and match every box.
 */
import Flatbush from 'flatbush';
import { boxIntersects } from './bbox.js';
import type { ChunkList } from './chunk-list.js';
import type { BBox } from './types.js';

/**
 * Chunks up to which a search scans every box: a scan costs less than building an index
 * (an opened table is often searched once), and a few microseconds a search at this size.
 */
const SCAN_CHUNKS = 16_384;

/** A spatial index of the chunk boxes of a {@link ChunkList}. */
export class ChunkIndex {
  private readonly boxes: Float64Array;
  private index: Flatbush | null = null;
  /** Chunk numbers of the index's items, in insertion order. */
  private indexed: Int32Array | null = null;
  /** Chunks of unknown extent. */
  private unbounded: Int32Array | null = null;
  readonly length: number;

  constructor(chunks: ChunkList) {
    this.boxes = chunks.boxes;
    this.length = chunks.length;
  }

  /**
   * Chunk numbers (ascending, i.e. by file then chunk) whose box intersects `bbox`, boundary
   * touching included; every chunk when `bbox` is undefined.
   */
  search(bbox?: BBox): Int32Array {
    if (bbox === undefined) return Int32Array.from({ length: this.length }, (_, i) => i);
    if (this.length <= SCAN_CHUNKS) {
      // An unknown box is [-Inf, -Inf, Inf, Inf], which every box intersects.
      const out = new Int32Array(this.length);
      let n = 0;
      for (let i = 0; i < this.length; i++) if (boxIntersects(this.boxes, i, bbox)) out[n++] = i;
      return out.slice(0, n);
    }
    if (this.indexed === null) this.build();
    const hits = this.index === null ? [] : this.index.search(...bbox);
    const unbounded = this.unbounded!;
    const out = new Int32Array(hits.length + unbounded.length);
    for (let k = 0; k < hits.length; k++) out[k] = this.indexed![hits[k]!]!;
    out.set(unbounded, hits.length);
    return out.sort();
  }

  private build(): void {
    const b = this.boxes;
    const finite: number[] = [];
    const rest: number[] = [];
    for (let i = 0; i < this.length; i++) {
      const known =
        Number.isFinite(b[4 * i]!) &&
        Number.isFinite(b[4 * i + 1]!) &&
        Number.isFinite(b[4 * i + 2]!) &&
        Number.isFinite(b[4 * i + 3]!);
      (known ? finite : rest).push(i);
    }
    this.indexed = Int32Array.from(finite);
    this.unbounded = Int32Array.from(rest);
    if (finite.length === 0) return;
    const index = new Flatbush(finite.length);
    for (const i of finite) index.add(b[4 * i]!, b[4 * i + 1]!, b[4 * i + 2]!, b[4 * i + 3]!);
    index.finish();
    this.index = index;
  }
}
