import { GeopartError } from '../errors.js';

/** How the planner cuts; job-file names in brackets. Every field has a default in {@link DEFAULT_PLAN_OPTIONS}. */
export interface PlanOptions {
  /** Cap of the measure in one file [`partitioning_maximum_per_file`]; null: total/10. */
  readonly maxPerFile: number | null;
  /**
   * Cap of the measure in one chunk [`partitioning_maximum_per_chunk`]; null: total/targetNumChunks
   * when `maxPerFile` is also null, else total/100.
   */
  readonly maxPerChunk: number | null;
  /** Chunks aimed at when neither cap is given [`target_num_chunks`]. */
  readonly targetNumChunks: number;
  /** Where a node is cut [`partitioning_split_method`]: measure-weighted mean or weighted median. */
  readonly splitMethod: 'mean' | 'median';
  /** A node wider than this x its height is cut across x [`partitioning_max_width_ratio`]. */
  readonly maxWidthRatio: number;
  /** A node taller than this x its width is cut across y [`partitioning_max_height_ratio`]. */
  readonly maxHeightRatio: number;
  /** Split an oversized group of rows sharing one centroid by count [`split_identical_centroids`]. */
  readonly splitIdenticalCentroids: boolean;
}

/** The defaults of `fused.ingest`. */
export const DEFAULT_PLAN_OPTIONS: PlanOptions = Object.freeze({
  maxPerFile: null,
  maxPerChunk: null,
  targetNumChunks: 500,
  splitMethod: 'mean',
  maxWidthRatio: 2,
  maxHeightRatio: 2,
  splitIdenticalCentroids: true,
});

/** The caps a plan uses, in the unit of the measure. */
export interface ResolvedCaps {
  readonly maxPerFile: number;
  readonly maxPerChunk: number;
}

function invalid(option: string, message: string): GeopartError {
  return new GeopartError('INVALID_CONFIG', `${option}: ${message}`, { option });
}

/**
 * Fills unset fields from {@link DEFAULT_PLAN_OPTIONS} and checks each one; throws
 * `GeopartError('INVALID_CONFIG')` naming the job-file field. Config validation normally catches
 * these first; this guards direct callers of the planner.
 */
export function resolvePlanOptions(options: Partial<PlanOptions> = {}): PlanOptions {
  const o: PlanOptions = {
    maxPerFile: options.maxPerFile ?? null,
    maxPerChunk: options.maxPerChunk ?? null,
    targetNumChunks: options.targetNumChunks ?? DEFAULT_PLAN_OPTIONS.targetNumChunks,
    splitMethod: options.splitMethod ?? DEFAULT_PLAN_OPTIONS.splitMethod,
    maxWidthRatio: options.maxWidthRatio ?? DEFAULT_PLAN_OPTIONS.maxWidthRatio,
    maxHeightRatio: options.maxHeightRatio ?? DEFAULT_PLAN_OPTIONS.maxHeightRatio,
    splitIdenticalCentroids: options.splitIdenticalCentroids ?? DEFAULT_PLAN_OPTIONS.splitIdenticalCentroids,
  };
  const positive = (v: number) => typeof v === 'number' && v > 0; // false for NaN
  if (o.maxPerFile !== null && !positive(o.maxPerFile)) {
    throw invalid('partitioning_maximum_per_file', `must be a number > 0, got ${o.maxPerFile}`);
  }
  if (o.maxPerChunk !== null && !positive(o.maxPerChunk)) {
    throw invalid('partitioning_maximum_per_chunk', `must be a number > 0, got ${o.maxPerChunk}`);
  }
  if (o.maxPerFile !== null && o.maxPerChunk !== null && o.maxPerChunk > o.maxPerFile) {
    throw invalid(
      'partitioning_maximum_per_chunk',
      `${o.maxPerChunk} exceeds partitioning_maximum_per_file ${o.maxPerFile}; a chunk must fit in a file, so lower the per-chunk cap or raise the per-file cap`,
    );
  }
  if (!Number.isInteger(o.targetNumChunks) || o.targetNumChunks < 1) {
    throw invalid('target_num_chunks', `must be an integer >= 1, got ${o.targetNumChunks}`);
  }
  if (o.splitMethod !== 'mean' && o.splitMethod !== 'median') {
    throw invalid('partitioning_split_method', `must be 'mean' or 'median', got ${String(o.splitMethod)}`);
  }
  if (!positive(o.maxWidthRatio) || !Number.isFinite(o.maxWidthRatio)) {
    throw invalid('partitioning_max_width_ratio', `must be a finite number > 0, got ${o.maxWidthRatio}`);
  }
  if (!positive(o.maxHeightRatio) || !Number.isFinite(o.maxHeightRatio)) {
    throw invalid('partitioning_max_height_ratio', `must be a finite number > 0, got ${o.maxHeightRatio}`);
  }
  return o;
}

/**
 * The caps for a table whose measure sums to `total`. A cap left unset defaults as README.md says;
 * in addition a defaulted per-file cap is raised to a given per-chunk cap and a defaulted per-chunk
 * cap is lowered to a given per-file cap, so a cap the user did not set never makes the pair
 * invalid. Two given caps with chunk > file are an error.
 */
export function resolveCaps(total: number, options: PlanOptions): ResolvedCaps {
  const { maxPerFile: file, maxPerChunk: chunk, targetNumChunks } = options;
  if (file !== null && chunk !== null) {
    if (chunk > file) {
      throw invalid(
        'partitioning_maximum_per_chunk',
        `${chunk} exceeds partitioning_maximum_per_file ${file}; lower the per-chunk cap or raise the per-file cap`,
      );
    }
    return { maxPerFile: file, maxPerChunk: chunk };
  }
  if (file !== null) return { maxPerFile: file, maxPerChunk: Math.min(total / 100, file) };
  if (chunk !== null) return { maxPerFile: Math.max(total / 10, chunk), maxPerChunk: chunk };
  return { maxPerFile: total / 10, maxPerChunk: Math.min(total / targetNumChunks, total / 10) };
}
