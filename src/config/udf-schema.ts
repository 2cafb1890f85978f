import { z } from 'zod';
import { jobStepShape, location, strictObject } from './fields.js';
import { expects } from './issues.js';
import { isPlainObject, type JsonValue, jsonSchema } from './json.js';

/** The job-file form (snake_case names) of a UDF step and its UDF reference. */

/** Parameter names the engine supplies to every UDF; a user may not set them. */
export const SYSTEM_PARAMETER_NAMES = ['output', 'context'] as const;

/** `default`, or a named export (identifiers cover every export a UDF author writes in practice). */
const EXPORT_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function noSystemParameters(parameters: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const name of SYSTEM_PARAMETER_NAMES) {
    if (Object.hasOwn(parameters, name)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message:
          `${JSON.stringify(name)} is a system parameter: the engine supplies it to every UDF ` +
          `(system parameters: ${SYSTEM_PARAMETER_NAMES.join(', ')}); rename the parameter`,
      });
    }
  }
}

/** The snake_case schema of a UDF reference; a bare string is shorthand for `{ module }`. */
export const udfRefSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { module: v } : v),
  strictObject(
    {
      module: location('a path or URL of an ES module (non-empty string)'),
      name: z
        .string(expects('"default" or the name of a named export (a JavaScript identifier)'))
        .regex(EXPORT_NAME)
        .default('default'),
      parameters: jsonSchema('object', 'an object of JSON parameter values')
        .superRefine(noSystemParameters)
        .default({}),
    },
    'a UDF: {"module": path, "name": export, "parameters": {...}}, a module path, or null',
  ),
);

const INPUT_TEXT =
  'a non-empty array of JSON values, or null to run once without input, or {"chunks_of": table} (one input per chunk of a table)';

/**
 * The input of a UDF step that is the chunk list of a table (usually one an earlier ingest step
 * of the job writes): the UDF runs once per chunk, on `{ file_id, chunk_id, bbox, url, table }`
 * (`bbox` = `[minx, miny, maxx, maxy]` in degrees, `url` = the chunk's data file). `chunks_of`
 * is the table's path or URL; in a job file a relative path is resolved against the file's
 * folder. With `--output-dir` (`loadJob(path, { outputDir })`) it moves with the outputs only
 * when it names, as written, the output of an earlier step; any other table stays beside the
 * job file. The chunk list is read when the step runs.
 */
export const chunksOfSchema = strictObject(
  {
    chunks_of: location('a table path or URL (non-empty string), e.g. the output of an earlier ingest step'),
  },
  'an object {"chunks_of": table}',
);

/** A `{"chunks_of": table}` input as JSON. */
export interface ChunksOfJson {
  readonly chunks_of: string;
}

/** A UDF step's input as JSON, when set: a list of inputs, or a table's chunks. */
export type UdfInputJson = JsonValue[] | ChunksOfJson;

const listSchema = jsonSchema('non-empty array', INPUT_TEXT);

/**
 * The snake_case schema of a UDF step's `input`: a non-empty array of JSON values (one run
 * each), `{"chunks_of": table}` (one run per chunk of that table), or null (one run, no input).
 */
const inputValue: z.ZodType<UdfInputJson, unknown> = z.unknown().transform((value, ctx): UdfInputJson => {
  // A plain object can only be a chunks_of reference; everything else must be a list.
  const schema: z.ZodType<UdfInputJson, unknown> = isPlainObject(value) ? chunksOfSchema : listSchema;
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  }
  return z.NEVER;
});

export const udfInputSchema = inputValue.nullable();

/** The longest per-input timeout (seconds): what a Node timer can hold (2^31 - 1 ms). */
export const MAX_TIMEOUT_SECONDS = 2_147_483;

/** The snake_case schema of a `udf` step; `type` is required. */
export const udfStepSchema = strictObject(
  {
    type: z.literal('udf', expects('"udf"')),
    ...jobStepShape(),
    udf: udfRefSchema.nullable().default(null),
    input: udfInputSchema.default(null),
    timeout_seconds: z
      .number(expects(`a number of seconds in (0, ${MAX_TIMEOUT_SECONDS}], or null for no limit`))
      .positive()
      .max(MAX_TIMEOUT_SECONDS)
      .nullable()
      .default(null),
  },
  'a udf step object',
);

/** A UDF reference as JSON. */
export type UdfRefJson = z.output<typeof udfRefSchema>;
/** A `udf` step as JSON, every field present. */
export type UdfStepJson = z.output<typeof udfStepSchema>;
