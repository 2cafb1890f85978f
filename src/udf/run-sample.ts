/**
 * `UdfJobStepConfig.runLocal`: one UDF call in this thread, on a sample or the first input,
 * returning the UDF's value (or, validated, its table).
 */
import type { Table } from 'apache-arrow';
import type { JsonValue } from '../config/json.js';
import type { UdfJobStepConfig } from '../config/udf-step.js';
import { GeopartError } from '../errors.js';
import { callUdf, udfArguments } from './call-udf.js';
import { resolveInputs } from './inputs.js';
import { loadUdf, udfLabel } from './load-udf.js';
import { toUdfTable } from './table-value.js';
import { withTimeout } from './timeout.js';
import { resultLocation } from './write-result.js';

/** Options of `UdfJobStepConfig.runLocal`; everything optional. */
export interface UdfSampleOptions {
  /**
   * Check that the value is a table and return it as an Arrow Table (its `schema` is the
   * recorded schema); null/undefined stay null. Default false: the value as the UDF returned it.
   */
  readonly validateOutput?: boolean;
  /** Longest time the call may take (seconds); default the step's `timeoutSeconds`. */
  readonly timeoutSeconds?: number | null;
}

async function firstInput(step: UdfJobStepConfig): Promise<JsonValue> {
  const inputs = await resolveInputs(step.input);
  if (inputs.length === 0) {
    throw new GeopartError(
      'INVALID_CONFIG',
      'input: the table has no chunks, so there is no first input; pass a sample to runLocal(sample)',
      { option: 'input' },
    );
  }
  return inputs[0]!;
}

/**
 * Runs the step's UDF once in this thread (see `UdfJobStepConfig.runLocal`). Throws
 * GeopartErrors: `INVALID_CONFIG` without a UDF, `INVALID_UDF`, `UDF_FAILED`, `UDF_TIMEOUT`,
 * and `INVALID_UDF_OUTPUT` when `validateOutput` finds no table.
 */
export async function runUdfSample(
  step: UdfJobStepConfig,
  sample: JsonValue | undefined,
  options: UdfSampleOptions = {},
): Promise<unknown> {
  const udf = step.udf;
  if (udf === null) {
    throw new GeopartError('INVALID_CONFIG', 'udf: not set; give one with setUdf(module, parameters)', {
      option: 'udf',
    });
  }
  const input = sample === undefined ? await firstInput(step) : sample;
  const fn = await loadUdf(udf.module, udf.name);
  const context = { jobName: null, stepIndex: 0, inputIndex: 0, input };
  const output = step.output === null ? null : resultLocation(step.output, 0);
  const label = udfLabel(udf.module, udf.name);
  const seconds = options.timeoutSeconds === undefined ? step.timeoutSeconds : options.timeoutSeconds;
  const value = await withTimeout(
    callUdf(fn, udfArguments(udf.parameters, context, output), label),
    seconds,
    label,
  );
  if (!options.validateOutput) return value;
  const table: Table | undefined = toUdfTable(value)?.table;
  return table ?? null;
}
