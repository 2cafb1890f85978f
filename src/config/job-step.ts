import type { JobStepJson } from './fields.js';
import type { StepJson } from './job-schema.js';
import type { JsonValue } from './json.js';
import { cloneJson } from './json.js';
import { outputChange, type SetOutputOptions } from './output-target.js';
import { defineFields } from './readonly.js';

/** Options every step takes (camelCase; a job file uses snake_case names). */
export interface JobStepInit {
  /** User metadata: any JSON value. Default null. */
  readonly metadata?: JsonValue;
  /** Continue when a chunk or input fails, recording it in the report. Default false. */
  readonly ignoreChunkError?: boolean;
  /** Where the step writes its table: a path, URL or table name. Default null (none). */
  readonly output?: string | null;
  /** Replace an existing output table. Default false. */
  readonly overwrite?: boolean;
}

/**
 * Base of every job step. Fields are read-only properties holding frozen values; change one
 * with a setter: `inplace: false` (default) returns a validated copy and leaves this object
 * as it was, `inplace: true` validates, changes this object and returns it.
 */
export abstract class JobStepConfig {
  /** User metadata: any JSON value (null when unset). */
  declare readonly metadata: JsonValue;
  /** Continue when a chunk or input fails, recording it in the report instead of failing the step. */
  declare readonly ignoreChunkError: boolean;
  /** Where the step writes its table: a path or URL, or a table name (a folder under the working directory). */
  declare readonly output: string | null;
  /** Replace an existing output table; when false, an existing output is an error. */
  declare readonly overwrite: boolean;

  /** `json` is already validated by the concrete class. */
  protected constructor(json: JobStepJson) {
    // TypeScript refuses `new` on an abstract class; plain JavaScript callers get told too.
    if (new.target === JobStepConfig) {
      throw new TypeError(
        'JobStepConfig is a base class; create a GeospatialPartitionJobStepConfig or UdfJobStepConfig',
      );
    }
    this.load(json);
  }

  /** The job-file (snake_case) JSON form, every field present; `fromJSON` reads it back. */
  abstract toJSON(): StepJson;

  /** Validates the JSON form of this kind of step, throwing a ConfigError. */
  protected abstract validate(json: unknown): JobStepJson;

  /** Sets the fields from validated JSON; subclasses add theirs. */
  protected load(json: JobStepJson): void {
    defineFields(this, {
      metadata: json.metadata,
      ignoreChunkError: json.ignore_chunk_error,
      output: json.output,
      overwrite: json.overwrite,
    });
  }

  /** The base fields in JSON form, for subclasses' `toJSON`. */
  protected baseJSON(): JobStepJson {
    return {
      metadata: cloneJson(this.metadata),
      ignore_chunk_error: this.ignoreChunkError,
      output: this.output,
      overwrite: this.overwrite,
    };
  }

  /**
   * Sets where the step writes. `tableOrUrl` is taken as a URL or path when it has a scheme
   * (`s3://`), contains `/` or starts with `.`, else as a table name (a folder under the
   * working directory, `^[A-Za-z0-9_][A-Za-z0-9_.-]*$`). `url` overrides `table`. `null`
   * clears the output; giving no location leaves it (useful to change only `overwrite`).
   */
  setOutput(tableOrUrl?: string | null, options: SetOutputOptions = {}): this {
    const change = outputChange(tableOrUrl, options);
    return this.update({ ...this.toJSON(), ...change.fields }, change.inplace);
  }

  /** Validates `json`, then applies it to this object (`inplace`) or to a new copy. */
  protected update(json: unknown, inplace: boolean): this {
    const valid = this.validate(json);
    // A copy skips the public constructor: `valid` is validated JSON, not camelCase options.
    const target: this = inplace ? this : Object.create(Object.getPrototypeOf(this));
    target.load(valid);
    return target;
  }
}
