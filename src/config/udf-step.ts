import { z } from 'zod';
import { fromCamel, withDefaultType } from './camel.js';
import { strictObject } from './fields.js';
import { expects, parseConfig } from './issues.js';
import { JobStepConfig, type JobStepInit } from './job-step.js';
import { cloneJson, isPlainObject, type JsonObject, type JsonValue, jsonSchema } from './json.js';
import { defineFields } from './readonly.js';
import {
  type UdfInputJson,
  type UdfStepJson,
  udfInputSchema,
  udfRefSchema,
  udfStepSchema,
} from './udf-schema.js';

/** A UDF as given to a step: an ES module, the export to call, and its parameters. */
export interface UdfRefInit {
  /** Path or URL of the ES module. */
  readonly module: string;
  /** The export to call: `default` (default) or a named export. */
  readonly name?: string;
  /** JSON parameters passed to the function; not `output` or `context`. Default `{}`. */
  readonly parameters?: JsonObject;
}

/** A validated UDF reference. */
export interface UdfRef {
  /** Path or URL of the ES module. */
  readonly module: string;
  /** The export to call: `default` or a named export. */
  readonly name: string;
  /** JSON parameters passed to the function (never a name from SYSTEM_PARAMETER_NAMES). */
  readonly parameters: JsonObject;
}

/**
 * A UDF step's input that is the chunk list of a table (JSON: `{"chunks_of": table}`): one run
 * per chunk, on `{ file_id, chunk_id, bbox, url, table }` (`bbox` = `[minx, miny, maxx, maxy]` in
 * degrees, `url` = the chunk's data file). The list is read when the step runs, so the table
 * may be the output of an earlier step of the same job.
 */
export interface ChunksOf {
  /** The table's path or URL. */
  readonly chunksOf: string;
}

/** What a UDF step runs on: a list of JSON inputs, a table's chunks, or null (once, no input). */
export type UdfInput = readonly JsonValue[] | ChunksOf | null;

/** The JSON form of a camelCase {@link UdfInput}; anything else is left for the schema to report. */
function inputToJson(value: unknown): unknown {
  if (isPlainObject(value) && Object.hasOwn(value, 'chunksOf')) {
    const { chunksOf, ...rest } = value;
    return { chunks_of: chunksOf, ...rest };
  }
  return value;
}

function inputFromJson(json: UdfInputJson | null): UdfInput {
  if (json === null) return null;
  return Array.isArray(json) ? json : { chunksOf: (json as { chunks_of: string }).chunks_of };
}

/** Options of {@link UdfJobStepConfig} (camelCase). */
export interface UdfStepInit extends JobStepInit {
  /** The UDF: `{ module, name, parameters }`, or a module path for its default export. Default null. */
  readonly udf?: UdfRefInit | string | null;
  /** JSON inputs (one UDF run each), `{ chunksOf: table }`, or null (default): once without input. */
  readonly input?: UdfInput;
  /**
   * Longest time one input may run (seconds); a UDF still running is stopped (its worker
   * thread is terminated) and the input fails. Default null: no limit.
   */
  readonly timeoutSeconds?: number | null;
}

/** Options of {@link UdfJobStepConfig.setUdf}. */
export interface SetUdfOptions {
  /** True: the new parameters replace the UDF's own. False (default): they are merged over them. */
  readonly replaceParameters?: boolean;
  /** True: change and return this object. False (default): return a changed, validated copy. */
  readonly inplace?: boolean;
}

const TYPE = 'udf';
const jsonStepSchema = withDefaultType(TYPE, udfStepSchema);
const initSchema = fromCamel(jsonStepSchema, { input: inputToJson });
const bool = () => z.boolean(expects('true or false')).optional();

const setInputArgs = fromCamel(
  strictObject(
    {
      input: udfInputSchema,
      inplace: bool(),
    },
    'an options object {inplace}',
  ),
  { input: inputToJson },
);

const setUdfArgs = fromCamel(
  strictObject(
    {
      udf: udfRefSchema.nullable(),
      parameters: jsonSchema('object', 'an object of JSON parameter values, or undefined').optional(),
      replace_parameters: bool(),
      inplace: bool(),
    },
    'an options object {replaceParameters, inplace}',
  ).superRefine((args, ctx) => {
    if (args.udf === null && args.parameters !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['parameters'], message: 'parameters need a udf; got udf null' });
    }
  }),
);

function inputJSON(input: UdfInput): UdfInputJson | null {
  if (input === null) return null;
  if ('chunksOf' in input) return { chunks_of: input.chunksOf };
  return cloneJson([...input]);
}

/** A step that runs a user function (an ES module export) once per JSON input. */
export class UdfJobStepConfig extends JobStepConfig {
  /** The UDF to run, or null when not set yet. */
  declare readonly udf: UdfRef | null;
  /** JSON inputs (one UDF run each), `{ chunksOf: table }` (one run per chunk), or null: once without input. */
  declare readonly input: UdfInput;
  /** Longest time one input may run (seconds), or null for no limit. */
  declare readonly timeoutSeconds: number | null;

  /** Validates `init`, throwing a ConfigError that names every bad field by its job-file name. */
  constructor(init: UdfStepInit = {}) {
    super(parseConfig(initSchema, init));
  }

  /** Validates the JSON form (snake_case names; `type` may be omitted). `path` prefixes error paths. */
  static fromJSON(value: unknown, path = ''): UdfJobStepConfig {
    const step: UdfJobStepConfig = Object.create(UdfJobStepConfig.prototype);
    step.load(parseConfig(jsonStepSchema, value, path));
    return step;
  }

  protected override validate(json: unknown): UdfStepJson {
    return parseConfig(jsonStepSchema, json);
  }

  protected override load(json: UdfStepJson): void {
    super.load(json);
    defineFields(this, {
      udf: json.udf,
      input: inputFromJson(json.input),
      timeoutSeconds: json.timeout_seconds,
    });
  }

  /**
   * Sets the JSON inputs (one UDF run each), `{ chunksOf: table }` (one run per chunk of a
   * table), or null to run once without input.
   */
  setInput(input: UdfInput, options: { readonly inplace?: boolean } = {}): this {
    const args = parseConfig(setInputArgs, { ...options, input });
    return this.update({ ...this.toJSON(), input: args.input }, args.inplace ?? false);
  }

  /**
   * Sets the UDF: `{ module, name, parameters }`, a module path (its default export), or null.
   * `parameters`, when given, are merged over the UDF's own, or replace them with
   * `replaceParameters`.
   */
  setUdf(udf: UdfRefInit | string | null, parameters?: JsonObject, options: SetUdfOptions = {}): this {
    const args = parseConfig(setUdfArgs, { ...options, udf, parameters });
    let next: UdfStepJson['udf'] = args.udf;
    if (next !== null && args.parameters !== undefined) {
      const merged = args.replace_parameters ? args.parameters : { ...next.parameters, ...args.parameters };
      next = { ...next, parameters: merged };
    }
    return this.update({ ...this.toJSON(), udf: next }, args.inplace ?? false);
  }

  /** The job-file (snake_case) JSON form, `type: "udf"`, every field present. */
  toJSON(): UdfStepJson {
    return {
      type: TYPE,
      ...this.baseJSON(),
      udf: this.udf === null ? null : { ...this.udf, parameters: cloneJson(this.udf.parameters) },
      input: inputJSON(this.input),
      timeout_seconds: this.timeoutSeconds,
    };
  }
}
