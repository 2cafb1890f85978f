/**
 * Box lookups over a table's chunks with flatbush. Chunks of unknown extent (plain Parquet
 * files without statistics) are kept beside the index and match every box.
 */
import Flatbush from 'flatbush';
import type { ChunkList } from './chunk-list.js';
import type { BBox } from './types.js';

/** A spatial index of the chunk boxes of a {@link ChunkList}. */
export class ChunkIndex {
  private readonly index: Flatbush | null;
  /** Chunk numbers of the index's items, in insertion order. */
  private readonly indexed: Int32Array;
  /** Chunks of unknown extent. */
  private readonly unbounded: Int32Array;
  readonly length: number;

  constructor(chunks: ChunkList) {
    const finite: number[] = [];
    const rest: number[] = [];
    for (let i = 0; i < chunks.length; i++) {
      (chunks.boxes.subarray(4 * i, 4 * i + 4).every(Number.isFinite) ? finite : rest).push(i);
    }
    this.length = chunks.length;
    this.indexed = Int32Array.from(finite);
    this.unbounded = Int32Array.from(rest);
    if (finite.length === 0) {
      this.index = null;
      return;
    }
    const index = new Flatbush(finite.length);
    for (const i of finite) {
      const b = chunks.boxes;
      index.add(b[4 * i]!, b[4 * i + 1]!, b[4 * i + 2]!, b[4 * i + 3]!);
    }
    index.finish();
    this.index = index;
  }

  /**
   * Chunk numbers (ascending, i.e. by file then chunk) whose box intersects `bbox`, boundary
   * touching included; every chunk when `bbox` is undefined.
   */
  search(bbox?: BBox): Int32Array {
    if (bbox === undefined) return Int32Array.from({ length: this.length }, (_, i) => i);
    const hits = this.index === null ? [] : this.index.search(bbox[0], bbox[1], bbox[2], bbox[3]);
    const out = new Int32Array(hits.length + this.unbounded.length);
    for (let k = 0; k < hits.length; k++) out[k] = this.indexed[hits[k]!]!;
    out.set(this.unbounded, hits.length);
    return out.sort();
  }
}
