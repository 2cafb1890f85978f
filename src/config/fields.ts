import { z } from 'zod';
import { expects, strictObjectError } from './issues.js';
import { jsonSchema } from './json.js';

/**
 * Field schemas shared by several configs. Each call builds fresh schema instances, so the
 * error map given to one field never leaks into another.
 */

/** No NUL anywhere: paths and option values reach C APIs, which would cut the string there. */
const NO_NUL = /^[^\0]*$/;

/** A path or URL: a non-empty string without NUL. */
export function location(allowed = 'a path or URL (non-empty string)') {
  return z.string(expects(allowed)).min(1).regex(NO_NUL);
}

/** An optional path or URL, default null. */
export function locationOrNull(allowed = 'a path or URL (non-empty string) or null') {
  return location(allowed).nullable().default(null);
}

/** A boolean with a default. */
export function flag(defaultValue: boolean) {
  return z.boolean(expects('true or false')).default(defaultValue);
}

/** A positive finite number, or null (default) for "let the engine decide". */
export function positiveOrNull(allowed: string) {
  return z.number(expects(allowed)).positive().nullable().default(null);
}

/** A non-empty string without NUL. */
export function nonEmptyString(allowed: string) {
  return z.string(expects(allowed)).min(1).regex(NO_NUL);
}

/** A list of column names, each listed once. */
export function columnList(allowed: string) {
  return z
    .array(nonEmptyString('a column name (non-empty string)'), expects(allowed))
    .superRefine((cols, ctx) => {
      cols.forEach((col, i) => {
        const first = cols.indexOf(col);
        if (first !== i) {
          ctx.addIssue({
            code: 'custom',
            path: [i],
            message: `got ${JSON.stringify(col)} again (also at index ${first}); list each column once`,
          });
        }
      });
    });
}

/**
 * A strict object: unknown keys are errors that name the key and, when close, the field
 * that was probably meant (`partitioning_maximum_per_chunck` -> `..._chunk`).
 */
export function strictObject<S extends z.core.$ZodLooseShape>(shape: S, allowed: string) {
  return z.strictObject(shape, strictObjectError(Object.keys(shape), allowed));
}

/** The fields every step has: metadata, ignore_chunk_error, output, overwrite. */
export function jobStepShape() {
  return {
    metadata: jsonSchema().default(null),
    ignore_chunk_error: flag(false),
    output: locationOrNull(),
    overwrite: flag(false),
  };
}

/** The fields every step has, as JSON. */
export type JobStepJson = z.output<z.ZodObject<ReturnType<typeof jobStepShape>>>;
