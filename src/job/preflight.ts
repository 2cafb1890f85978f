/**
 * The checks a job passes before any step runs, so a job that cannot finish fails at once
 * rather than after hours of ingest: every UDF step has a UDF, every step an output, local
 * inputs exist, nothing a step reads lies inside its output, `output_metadata` can be written,
 * and no step's output is in the way (exists without `overwrite`, or is not geopart's).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isDynamicPattern } from 'tinyglobby';
import { type PathConflict, stepPathConflicts } from '../commit/step-paths.js';
import type { JobConfig } from '../config/job.js';
import { isUrl } from '../config/paths.js';
import { UdfJobStepConfig } from '../config/udf-step.js';
import { ConfigError, type ConfigIssue, GeopartError } from '../errors.js';
import { udfModuleExists } from '../udf/load-udf.js';
import { outputConflicts } from './output-conflicts.js';

/** What the checks may let through. */
export interface PreflightOptions {
  /** Let a UDF step without a UDF pass (it is skipped when the job runs). */
  readonly ignoreNoUdf?: boolean;
  /** Let a step without an output pass (see `JobRunOptions.ignoreNoOutput`). */
  readonly ignoreNoOutput?: boolean;
  /** Check that local inputs exist (ingest inputs and schema input, UDF modules, chunks_of tables). Default true. */
  readonly validateInputs?: boolean;
}

const local = (p: string) => !isUrl(p);

/** Missing local inputs of every step, as `[field path, location]`. */
function missingInputs(job: JobConfig): [string, string][] {
  const missing: [string, string][] = [];
  const outputs = new Set<string>();
  job.steps.forEach((step, i) => {
    const at = `steps[${i}]`;
    if (step instanceof UdfJobStepConfig) {
      if (step.udf !== null && !step.udf.module.startsWith('file://') && local(step.udf.module)) {
        if (!udfModuleExists(step.udf.module)) missing.push([`${at}.udf.module`, step.udf.module]);
      }
      const input = step.input;
      if (input !== null && 'chunksOf' in input && local(input.chunksOf)) {
        // A table an earlier step writes (or a file in it, or its output_metadata) need not exist yet.
        const path = resolve(input.chunksOf);
        const earlier = [...outputs].some((o) => path === o || path.startsWith(`${o}/`));
        if (!earlier && !existsSync(path)) missing.push([`${at}.input.chunks_of`, input.chunksOf]);
      }
    } else {
      const inputs = typeof step.input === 'string' ? [step.input] : step.input;
      inputs.forEach((p, k) => {
        // Globs are expanded (and an empty match reported) by the ingest itself.
        if (local(p) && !isDynamicPattern(p) && !existsSync(p)) {
          missing.push([typeof step.input === 'string' ? `${at}.input` : `${at}.input[${k}]`, p]);
        }
      });
      const schema = step.partitioningSchemaInput;
      if (schema !== null && local(schema) && !existsSync(schema)) {
        missing.push([`${at}.partitioning_schema_input`, schema]);
      }
    }
    if (step.output !== null && local(step.output)) outputs.add(resolve(step.output));
    if (!(step instanceof UdfJobStepConfig) && step.outputMetadata !== null && local(step.outputMetadata)) {
      outputs.add(resolve(step.outputMetadata));
    }
  });
  return missing;
}

/**
 * Checks `job` before it runs. Throws a ConfigError listing every step without a UDF or an
 * output (unless ignored), then (unless `validateInputs` is false) a GeopartError
 * `INPUT_NOT_FOUND` listing every missing local input, then the path conflicts of the steps
 * (an input, schema input, UDF module or `chunks_of` table inside the step's output:
 * `INVALID_CONFIG`; an `output_metadata` in the way: `OUTPUT_EXISTS`), then a GeopartError `OUTPUT_EXISTS`
 * listing every step whose output exists without `overwrite` or is an earlier step's output
 * (see {@link outputConflicts}; `signal` stops its S3 requests).
 */
export async function preflight(
  job: JobConfig,
  options: PreflightOptions = {},
  signal?: AbortSignal,
): Promise<void> {
  const issues: ConfigIssue[] = [];
  job.steps.forEach((step, i) => {
    if (step instanceof UdfJobStepConfig && step.udf === null && !options.ignoreNoUdf) {
      issues.push({
        path: `steps[${i}].udf`,
        message: 'not set; give the step a UDF (setUdf), or pass ignoreNoUdf to skip it',
      });
    }
    if (step.output === null && !options.ignoreNoOutput) {
      issues.push({
        path: `steps[${i}].output`,
        message: 'not set; give the step an output (setOutput), or pass ignoreNoOutput',
      });
    }
  });
  if (issues.length > 0) throw new ConfigError(issues, `job ${job.name} cannot run`);
  if (options.validateInputs !== false) {
    const missing = missingInputs(job);
    if (missing.length > 0) {
      const lines = missing.map(([path, p]) => `${path}: ${p} does not exist`);
      throw new GeopartError(
        'INPUT_NOT_FOUND',
        `job ${job.name}: inputs not found (check the paths; relative ones in a job file are resolved against its folder):\n  ${lines.join('\n  ')}`,
        { file: missing[0]![1], field: missing[0]![0] },
      );
    }
  }
  const paths = await pathConflicts(job, options);
  if (paths.length > 0) {
    const lines = paths.map((c) => `${c.field}: ${c.path} ${c.reason}`);
    throw new GeopartError(paths[0]!.code, `job ${job.name}: nothing ran:\n  ${lines.join('\n  ')}`, {
      file: paths[0]!.path,
      field: paths[0]!.field,
    });
  }
  const conflicts = await outputConflicts(job, signal);
  if (conflicts.length > 0) {
    const lines = conflicts.map((c) => `${c.field}: ${c.output} ${c.reason}`);
    const hint = conflicts.some((c) => c.overwriteHelps)
      ? 'Set "overwrite": true on the step in the job file (setOutput(output, { overwrite: true }) in code) to replace it, or choose another output.'
      : 'Choose another output.';
    throw new GeopartError(
      'OUTPUT_EXISTS',
      `job ${job.name}: nothing ran, because these steps would refuse their output:\n  ${lines.join('\n  ')}\n${hint}`,
      { file: conflicts[0]!.output, field: conflicts[0]!.field },
    );
  }
}

/** The path conflicts of every step that will run (see step-paths.ts), their fields prefixed by the step. */
async function pathConflicts(job: JobConfig, options: PreflightOptions): Promise<PathConflict[]> {
  const found: PathConflict[] = [];
  for (const [i, step] of job.steps.entries()) {
    if (step instanceof UdfJobStepConfig && step.udf === null) continue;
    if (!(step instanceof UdfJobStepConfig) && step.output === null && options.ignoreNoOutput) continue;
    for (const c of await stepPathConflicts(step)) found.push({ ...c, field: `steps[${i}].${c.field}` });
  }
  return found;
}
