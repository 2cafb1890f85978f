import { MIN_AXIS_RATIO, PLAN_DEFAULTS, SPLIT_METHODS } from '../config/plan-defaults.js';
import { GeopartError } from '../errors.js';

/** How the planner cuts; job-file names in brackets. Every field has a default in {@link PLAN_DEFAULTS}. */
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
  readonly splitMethod: (typeof SPLIT_METHODS)[number];
  /** A node wider than this x its height is cut across x [`partitioning_max_width_ratio`]. */
  readonly maxWidthRatio: number;
  /** A node taller than this x its width is cut across y [`partitioning_max_height_ratio`]. */
  readonly maxHeightRatio: number;
  /** Split an oversized group of rows sharing one centroid by count [`split_identical_centroids`]. */
  readonly splitIdenticalCentroids: boolean;
}

/** The caps a plan uses, in the unit of the measure. */
export interface ResolvedCaps {
  readonly maxPerFile: number;
  readonly maxPerChunk: number;
}

function invalid(option: string, message: string): GeopartError {
  return new GeopartError('INVALID_CONFIG', `${option}: ${message}`, { option });
}

/**
 * Fills unset fields from {@link PLAN_DEFAULTS}. The job-file schema has already checked every
 * value against the same limits, so a value out of range here is a bug in the caller: it is
 * asserted, not explained, and names the job-file field.
 */
export function resolvePlanOptions(options: Partial<PlanOptions> = {}): PlanOptions {
  const o: PlanOptions = { ...PLAN_DEFAULTS, ...definedOnly(options) };
  const cap = (v: number | null) => v === null || v > 0; // false for NaN
  const ratio = (v: number) => v >= MIN_AXIS_RATIO && Number.isFinite(v);
  assertOption(cap(o.maxPerFile), 'partitioning_maximum_per_file', o.maxPerFile);
  assertOption(cap(o.maxPerChunk), 'partitioning_maximum_per_chunk', o.maxPerChunk);
  assertOption(
    Number.isInteger(o.targetNumChunks) && o.targetNumChunks >= 1,
    'target_num_chunks',
    o.targetNumChunks,
  );
  assertOption(SPLIT_METHODS.includes(o.splitMethod), 'partitioning_split_method', o.splitMethod);
  assertOption(ratio(o.maxWidthRatio), 'partitioning_max_width_ratio', o.maxWidthRatio);
  assertOption(ratio(o.maxHeightRatio), 'partitioning_max_height_ratio', o.maxHeightRatio);
  return o;
}

function definedOnly(options: Partial<PlanOptions>): Partial<PlanOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

function assertOption(ok: boolean, option: string, value: unknown): void {
  if (!ok) {
    throw new GeopartError(
      'INTERNAL',
      `the planner was given ${option} = ${String(value)}, which config validation refuses`,
      { option },
    );
  }
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
