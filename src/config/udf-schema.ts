import { z } from 'zod';
import { jobStepShape, location, strictObject } from './fields.js';
import { expects } from './issues.js';
import { jsonSchema } from './json.js';

/** The job-file form (seed snake_case names) of a UDF step and its UDF reference. */

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

/** The snake_case schema of a `udf` step; `type` is required. */
export const udfStepSchema = strictObject(
  {
    type: z.literal('udf', expects('"udf"')),
    ...jobStepShape(),
    udf: udfRefSchema.nullable().default(null),
    input: jsonSchema(
      'non-empty array',
      'a non-empty array of JSON values, or null to run once without input',
    )
      .nullable()
      .default(null),
  },
  'a udf step object',
);

/** A UDF reference as JSON. */
export type UdfRefJson = z.output<typeof udfRefSchema>;
/** A `udf` step as JSON, every field present. */
export type UdfStepJson = z.output<typeof udfStepSchema>;
