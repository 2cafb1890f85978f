import { z } from 'zod';
import { fromCamel, withDefaultType } from './camel.js';
import { strictObject } from './fields.js';
import { expects, parseConfig } from './issues.js';
import { JobStepConfig, type JobStepInit } from './job-step.js';
import { cloneJson, type JsonObject, type JsonValue, jsonSchema } from './json.js';
import { defineFields } from './readonly.js';
import { type UdfStepJson, udfRefSchema, udfStepSchema } from './udf-schema.js';

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

/** Options of {@link UdfJobStepConfig} (camelCase). */
export interface UdfStepInit extends JobStepInit {
  /** The UDF: `{ module, name, parameters }`, or a module path for its default export. Default null. */
  readonly udf?: UdfRefInit | string | null;
  /** JSON inputs, one UDF run each; null (default) runs it once without input. */
  readonly input?: readonly JsonValue[] | null;
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
const initSchema = fromCamel(jsonStepSchema);
const bool = () => z.boolean(expects('true or false')).optional();

const setInputArgs = fromCamel(
  strictObject(
    {
      input: jsonSchema(
        'non-empty array',
        'a non-empty array of JSON values, or null to run once without input',
      ).nullable(),
      inplace: bool(),
    },
    'an options object {inplace}',
  ),
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

/** A step that runs a user function (an ES module export) once per JSON input. */
export class UdfJobStepConfig extends JobStepConfig {
  /** The UDF to run, or null when not set yet. */
  declare readonly udf: UdfRef | null;
  /** JSON inputs, one UDF run each; null runs the UDF once without input. */
  declare readonly input: readonly JsonValue[] | null;

  /** Validates `init`, throwing a ConfigError that names every bad field by its seed name. */
  constructor(init: UdfStepInit = {}) {
    super(parseConfig(initSchema, init));
  }

  /** Validates the JSON form (seed names; `type` may be omitted). `path` prefixes error paths. */
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
    defineFields(this, { udf: json.udf, input: json.input });
  }

  /** Sets the JSON inputs (one UDF run each), or null to run once without input. */
  setInput(input: readonly JsonValue[] | null, options: { readonly inplace?: boolean } = {}): this {
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

  /** The seed (snake_case) JSON form, `type: "udf"`, every field present. */
  toJSON(): UdfStepJson {
    return {
      type: TYPE,
      ...this.baseJSON(),
      udf: this.udf === null ? null : { ...this.udf, parameters: cloneJson(this.udf.parameters) },
      input: this.input === null ? null : cloneJson([...this.input]),
    };
  }
}
