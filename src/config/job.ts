import type { z } from 'zod';
import { fromCamel } from './camel.js';
import { GeospatialPartitionJobStepConfig } from './geospatial-step.js';
import { parseConfig } from './issues.js';
import { type JobJson, jobSchema, type StepJson, stepSchema } from './job-schema.js';
import { JobStepConfig } from './job-step.js';
import { cloneJson, type JsonValue, showValue } from './json.js';
import { defineFields } from './readonly.js';
import { UdfJobStepConfig } from './udf-step.js';

/** A step of a job: the kinds a job file's `type` can name. */
export type JobStep = GeospatialPartitionJobStepConfig | UdfJobStepConfig;

/** Options of {@link JobConfig} (camelCase). */
export interface JobInit {
  /** Job name: a letter, then letters, digits, `_`, `.`, `:` or `-`. Required. */
  readonly name: string;
  /** The steps, run in order; at least one. The job keeps its own copies. */
  readonly steps: readonly JobStep[];
  /** User metadata: any JSON value. Default null. */
  readonly metadata?: JsonValue;
}

/** Steps are given as instances; the job validates their JSON form with its own rules. */
function stepsToJson(value: unknown, ctx: z.RefinementCtx, path: PropertyKey[]): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((step, i) => {
    if (step instanceof JobStepConfig) return step.toJSON();
    ctx.addIssue({
      code: 'custom',
      path: [...path, i],
      message:
        `got ${showValue(step)}; expected a GeospatialPartitionJobStepConfig or UdfJobStepConfig ` +
        '(JobConfig.fromJSON reads the JSON form)',
    });
    return step;
  });
}

const initSchema = fromCamel(jobSchema, { steps: stepsToJson });

function buildStep(json: StepJson): JobStep {
  return json.type === 'udf'
    ? UdfJobStepConfig.fromJSON(json)
    : GeospatialPartitionJobStepConfig.fromJSON(json);
}

/**
 * Reads any step from its JSON form, choosing the class by `type` (`partition_geospatial` or
 * `udf`). The abstract step classes have no `fromJSON`; this is theirs. `path` prefixes error
 * paths, e.g. `steps[0]`.
 */
export function stepFromJSON(value: unknown, path = ''): JobStep {
  return buildStep(parseConfig(stepSchema, value, path));
}

/** A named list of steps run in order, with user metadata. Immutable. */
export class JobConfig {
  /** Job name: a letter, then letters, digits, `_`, `.`, `:` or `-`. */
  declare readonly name: string;
  /**
   * The steps, run in order. They are the job's own copies; changing one with `inplace: true`
   * skips the job-level checks (distinct outputs), so prefer copies.
   */
  declare readonly steps: readonly JobStep[];
  /** User metadata: any JSON value (null when unset). */
  declare readonly metadata: JsonValue;

  /** Validates `init`, throwing a ConfigError that names every bad field by its job-file path. */
  constructor(init: JobInit) {
    this.load(parseConfig(initSchema, init));
    Object.freeze(this);
  }

  /** Validates the JSON form (snake_case names, each step with its `type`); `path` prefixes error paths. */
  static fromJSON(value: unknown, path = ''): JobConfig {
    const job: JobConfig = Object.create(JobConfig.prototype);
    job.load(parseConfig(jobSchema, value, path));
    Object.freeze(job);
    return job;
  }

  private load(json: JobJson): void {
    defineFields(this, { name: json.name, steps: json.steps.map(buildStep), metadata: json.metadata });
  }

  /** The job-file (snake_case) JSON form: what a job file holds, every field present. */
  toJSON(): JobJson {
    return {
      name: this.name,
      steps: this.steps.map((s) => s.toJSON()),
      metadata: cloneJson(this.metadata),
    };
  }
}
