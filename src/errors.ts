/**
 * Every error geopart raises on purpose is a {@link GeopartError} with a stable `code`.
 * Errors cross the worker boundary as plain {@link WireError} objects (structured clone
 * drops subclasses) and are rebuilt on the main thread with {@link fromWire}.
 */

/** Stable error codes; callers branch on these, not on message text. */
export type ErrorCode =
  /** A job-config field has a wrong type or value. */
  | 'INVALID_CONFIG'
  /** A job file could not be read or parsed. */
  | 'INVALID_JOB_FILE'
  /** An input path does not exist. */
  | 'INPUT_NOT_FOUND'
  /** No driver recognises the input. */
  | 'UNKNOWN_FORMAT'
  /** The input is recognised but cannot be read (corrupt, truncated). */
  | 'CORRUPT_INPUT'
  /** The requested layer is not in the dataset, or several layers and none chosen. */
  | 'LAYER_NOT_FOUND'
  /** The layer has no geometry column and none can be built. */
  | 'NO_GEOMETRY'
  /** The output exists and `overwrite` is not set. */
  | 'OUTPUT_EXISTS'
  /** The output cannot be created: read-only file system, a parent that is a file, no permission. */
  | 'OUTPUT_NOT_WRITABLE'
  /** The disk (or quota) filled up while the output was written. */
  | 'DISK_FULL'
  /** The run was aborted (signal or interrupt). */
  | 'ABORTED'
  /** A command-line argument is wrong. */
  | 'INVALID_ARGUMENT'
  /** An object-store (S3) request failed: access denied, no credentials, endpoint unreachable. */
  | 'STORAGE_ERROR'
  /** An EC2 request of a remote job failed (launch refused, no permission, quota, endpoint down). */
  | 'REMOTE_ERROR'
  /** No remote job with that id under the job prefix. */
  | 'JOB_NOT_FOUND'
  /** A table folder without its `_sample` commit marker: not written, or written only in part. */
  | 'INCOMPLETE_TABLE'
  /** A storage scheme or server feature the reader does not support. */
  | 'UNSUPPORTED'
  /** A table whose format version this geopart does not read (docs/FORMAT.md, "Format version"). */
  | 'UNKNOWN_FORMAT_VERSION'
  /** A UDF module cannot be loaded, or its export is not a function. */
  | 'INVALID_UDF'
  /** A UDF threw (or rejected) on an input. */
  | 'UDF_FAILED'
  /** A UDF did not finish on an input within the step's timeout; it was stopped. */
  | 'UDF_TIMEOUT'
  /** A UDF returned a value that is not a table, or cannot be serialized. */
  | 'INVALID_UDF_OUTPUT'
  /** Anything else: a bug, or an error from a dependency we did not anticipate. */
  | 'INTERNAL';

/** Extra facts about where an error happened: file, layer, row, option. */
export type ErrorContext = Readonly<Record<string, string | number | boolean | null>>;

/** Base class of geopart's errors. */
export class GeopartError extends Error {
  override readonly name: string = 'GeopartError';
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.context = context;
  }
}

/** One problem found while validating a config: where (job-file field path) and what. */
export interface ConfigIssue {
  /** JSON path of the field, in job-file (snake_case) names, e.g. `steps[0].partitioning_maximum_per_chunk`. */
  readonly path: string;
  /** What was given and what is allowed. */
  readonly message: string;
}

/** A config failed validation; `issues` lists every bad field. */
export class ConfigError extends GeopartError {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], prefix = 'invalid job config') {
    const lines = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    super('INVALID_CONFIG', `${prefix}:\n  ${lines.join('\n  ')}`, {
      field: issues[0]?.path ?? null,
    });
    this.issues = issues;
  }
}

/** The plain-object form of an error that survives `postMessage`. */
export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly context: ErrorContext;
}

/** Turns any thrown value into a {@link WireError}. */
export function toWire(err: unknown): WireError {
  if (err instanceof GeopartError) return { code: err.code, message: err.message, context: err.context };
  if (err instanceof Error) {
    // A Node system error keeps its errno code (ENOSPC...), so the main thread can name the cause.
    const errno = (err as NodeJS.ErrnoException).code;
    return { code: 'INTERNAL', message: err.message, context: typeof errno === 'string' ? { errno } : {} };
  }
  return { code: 'INTERNAL', message: `non-Error value thrown: ${String(err)}`, context: {} };
}

/** Rebuilds a {@link GeopartError} from its wire form. */
export function fromWire(wire: WireError): GeopartError {
  return new GeopartError(wire.code, wire.message, wire.context);
}
