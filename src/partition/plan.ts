import { GeopartError } from '../errors.js';
import { buildChunkTable, type ChunkTable } from './chunk-table.js';
import { HilbertSorter } from './hilbert.js';
import { IntList } from './int-list.js';
import type { KeyTable } from './key-table.js';
import { type PlanOptions, type ResolvedCaps, resolveCaps, resolvePlanOptions } from './options.js';
import { Splitter } from './split.js';

/** Where every row goes: files, their chunks, and the row order inside each chunk. */
export interface Plan {
  /** Per-file cap actually used (default resolved), unit of the measure; Infinity for schema plans. */
  readonly maxPerFile: number;
  /** Per-chunk cap actually used (default resolved), unit of the measure; Infinity for schema plans. */
  readonly maxPerChunk: number;
  /**
   * Every row index exactly once: file by file, chunk by chunk; inside a chunk in Hilbert order
   * of the centroids (ties by row index).
   */
  readonly order: Int32Array;
  /** One entry per chunk, in the order of `order`. */
  readonly chunks: ChunkTable;
  /** Number of files; file ids are 0..numFiles-1. */
  readonly numFiles: number;
}

/**
 * Plans files and chunks for a key table (README.md, "The output table"): recursive binary splitting with the
 * per-file cap, then inside each file with the per-chunk cap; see {@link Splitter} for the choices
 * made there. Pure and deterministic: the same keys and options give identical arrays.
 * An empty table gives zero files and zero chunks. Memory beyond the keys: about 32 bytes a row
 * (the order, working copies of centroid and measure that move with it, a row-to-chunk map);
 * time about O(n log n).
 *
 * Throws `GeopartError('INVALID_CONFIG')` for bad options (e.g. per-chunk cap above per-file cap)
 * and `GeopartError('INTERNAL')` for a row with a non-finite centroid or a negative or non-finite
 * measure (the scan must not produce those).
 */
export function plan(keys: KeyTable, options: Partial<PlanOptions> = {}): Plan {
  const opts = resolvePlanOptions(options);
  const total = checkKeys(keys);
  const caps = resolveCaps(total, opts);
  return planWithCaps(keys, opts, caps, 'files');
}

/**
 * Plans `keys` with caps already resolved (for the whole table, which these keys may be a part
 * of). `files`: cut into files, then each file into chunks; `chunks`: the keys are (part of) one
 * file, cut into chunks only, all in file 0.
 */
export function planWithCaps(
  keys: KeyTable,
  opts: PlanOptions,
  caps: ResolvedCaps,
  level: 'files' | 'chunks',
): Plan {
  const n = keys.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;

  const splitter = new Splitter(keys, order, opts);
  const fileBounds = new IntList();
  fileBounds.push(0);
  if (level === 'files') splitter.split(0, n, caps.maxPerFile, (_lo, hi) => fileBounds.push(hi));
  else if (n > 0) fileBounds.push(n);
  const numFiles = fileBounds.length - 1;

  const bounds = new IntList();
  const chunkFile = new IntList();
  bounds.push(0);
  for (let f = 0; f < numFiles; f++) {
    splitter.split(fileBounds.get(f), fileBounds.get(f + 1), caps.maxPerChunk, (_lo, hi) => {
      bounds.push(hi);
      chunkFile.push(f);
    });
  }
  const { xs, ys } = splitter;
  return finishPlan(keys, order, xs, ys, bounds.toArray(), chunkFile.toArray(), numFiles, caps);
}

/**
 * Sorts each chunk's rows by (Hilbert key, row index) and builds the chunk table. Chunk `i` is
 * `order[bounds[i]..bounds[i+1])`, in file `chunkFile[i]`; `xs[k]`, `ys[k]` are the centroid of
 * `order[k]`. Shared by {@link plan} and the schema-driven planner.
 */
export function finishPlan(
  keys: KeyTable,
  order: Int32Array,
  xs: Float64Array,
  ys: Float64Array,
  bounds: Int32Array,
  chunkFile: Int32Array,
  numFiles: number,
  caps: { maxPerFile: number; maxPerChunk: number },
): Plan {
  const sorter = new HilbertSorter();
  for (let c = 0; c < chunkFile.length; c++) sorter.sort(order, xs, ys, bounds[c]!, bounds[c + 1]!);
  const chunks = buildChunkTable(keys, order, bounds, chunkFile);
  return { maxPerFile: caps.maxPerFile, maxPerChunk: caps.maxPerChunk, order, chunks, numFiles };
}

/** Checks the columns and every row's centroid and measure; returns the measure total. */
export function checkKeys(keys: KeyTable): number {
  const n = keys.length;
  for (const name of ['cx', 'cy', 'measure', 'minx', 'miny', 'maxx', 'maxy'] as const) {
    if (keys[name].length < n) {
      throw new GeopartError(
        'INTERNAL',
        `key table column ${name} has ${keys[name].length} entries for ${n} rows`,
        {
          column: name,
        },
      );
    }
  }
  const { cx, cy, measure } = keys;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const m = measure[i]!;
    if (!Number.isFinite(cx[i]!) || !Number.isFinite(cy[i]!)) {
      throw new GeopartError(
        'INTERNAL',
        `row ${i} has a non-finite centroid (${cx[i]}, ${cy[i]}); rows with empty geometries must be dropped before planning`,
        { row: i },
      );
    }
    if (!(m >= 0) || m === Number.POSITIVE_INFINITY) {
      throw new GeopartError('INTERNAL', `row ${i} has measure ${m}; measures must be finite and >= 0`, {
        row: i,
      });
    }
    total += m;
  }
  return total;
}
