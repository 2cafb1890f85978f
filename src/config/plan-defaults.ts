/**
 * The planner's defaults and limits, stated once. The job-file schema (partition-schema.ts)
 * validates against them and fills in the defaults; the planner (partition/options.ts) takes
 * the same defaults and only asserts the limits.
 */

/**
 * Where a node is cut: the measure-weighted mean of centroids, the point halving the measure,
 * or where the two sides' boxes of row bounds read the fewest rows (partition/split.ts).
 */
export const SPLIT_METHODS = ['mean', 'median', 'compact'] as const;

/** The least cut-axis ratio. Below 1 a square node would be "too wide" and "too tall" at once. */
export const MIN_AXIS_RATIO = 1;

/**
 * The defaults of `fused.ingest`, by the planner's names: no per-file or per-chunk cap given
 * (the planner derives them from the total), 500 chunks aimed at, cuts at the mean, a node cut
 * across its long side past a ratio of 2, and groups of identical centroids split.
 */
export const PLAN_DEFAULTS = Object.freeze({
  maxPerFile: null,
  maxPerChunk: null,
  targetNumChunks: 500,
  splitMethod: 'mean',
  maxWidthRatio: 2,
  maxHeightRatio: 2,
  splitIdenticalCentroids: true,
} as const);
