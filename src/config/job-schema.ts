import { z } from 'zod';
import { strictObject } from './fields.js';
import { expects } from './issues.js';
import { isPlainObject, jsonSchema } from './json.js';
import { geospatialStepSchema } from './partition-schema.js';
import { udfStepSchema } from './udf-schema.js';

/** The job-file form (snake_case names) of a job: its name, steps and metadata. */

/** Job names: also used in remote job ids and S3 keys, hence the narrow alphabet. */
export const JOB_NAME = /^[a-zA-Z][a-zA-Z0-9_.:-]*$/;

/** Any step, chosen by its `type`. */
export const stepSchema = z.discriminatedUnion('type', [geospatialStepSchema, udfStepSchema], {
  error: (iss) => {
    const allowed = 'a step type: "partition_geospatial" or "udf"';
    if (iss.code !== 'invalid_union') return expects(`a step object with "type" (${allowed})`).error(iss);
    const type = isPlainObject(iss.input) ? iss.input.type : undefined;
    return expects(allowed).error({ input: type });
  },
});

/** The snake_case schema of a job. */
export const jobSchema = strictObject(
  {
    name: z
      .string(
        expects('a name matching ^[a-zA-Z][a-zA-Z0-9_.:-]*$ (a letter, then letters, digits, _ . : or -)'),
      )
      .regex(JOB_NAME),
    steps: z.array(stepSchema, expects('a non-empty array of steps')).min(1),
    metadata: jsonSchema().default(null),
  },
  'a job object: {"name", "steps", "metadata"}',
).superRefine((job, ctx) => {
  // Two steps writing one table would overwrite each other's files.
  job.steps.forEach((step, i) => {
    const first = job.steps.findIndex((s) => s.output !== null && s.output === step.output);
    if (first !== -1 && first < i) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps', i, 'output'],
        message: `got ${JSON.stringify(step.output)}, which steps[${first}] also writes; give each step its own output`,
      });
    }
  });
});

/** Any step as JSON. */
export type StepJson = z.output<typeof stepSchema>;
/** A job as JSON, every field present: what `JobConfig.toJSON()` returns and a job file holds. */
export type JobJson = z.output<typeof jobSchema>;
