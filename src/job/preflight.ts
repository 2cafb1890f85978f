/**
 * The checks a job passes before any step runs, so a job that cannot finish fails at once
 * rather than after hours of ingest: every UDF step has a UDF, every step an output, and
 * local inputs exist.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isDynamicPattern } from 'tinyglobby';
import type { JobConfig } from '../config/job.js';
import { isUrl } from '../config/paths.js';
import { UdfJobStepConfig } from '../config/udf-step.js';
import { ConfigError, type ConfigIssue, GeopartError } from '../errors.js';
import { udfModuleExists } from '../udf/load-udf.js';

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
        // A table an earlier step writes need not exist yet.
        const path = resolve(input.chunksOf);
        if (!outputs.has(path) && !existsSync(path)) missing.push([`${at}.input.chunks_of`, input.chunksOf]);
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
  });
  return missing;
}

/**
 * Checks `job` before it runs. Throws a ConfigError listing every step without a UDF or an
 * output (unless ignored), then a GeopartError `INPUT_NOT_FOUND` listing every missing local
 * input.
 */
export function preflight(job: JobConfig, options: PreflightOptions = {}): void {
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
  if (options.validateInputs === false) return;
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
