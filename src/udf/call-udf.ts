/**
 * Calling a UDF: the one object argument it gets (like keyword arguments), and its thrown
 * values turned into GeopartErrors that survive the worker boundary.
 */
import type { JsonObject, JsonValue } from '../config/json.js';
import { GeopartError } from '../errors.js';

/** Where a UDF call sits in a job; the UDF receives it as `context`. */
export interface UdfContext {
  /** The job's name, or null when a step runs on its own. */
  readonly jobName: string | null;
  /** 0-based index of the step in its job (0 for a step on its own). */
  readonly stepIndex: number;
  /** 0-based index of this input in the step's input list (0 when the step has no input). */
  readonly inputIndex: number;
  /** This input (a JSON value), or null when the step runs once without input. */
  readonly input: JsonValue;
}

/**
 * The argument of a UDF call: its parameters, plus the system parameters `context` and
 * `output` (where this input's result goes: a file path, or null when the step has no output).
 * Parameters are copied, so a UDF that changes them cannot affect the next call.
 */
export function udfArguments(
  parameters: JsonObject,
  context: UdfContext,
  output: string | null,
): Record<string, unknown> {
  return { ...structuredClone(parameters), context: Object.freeze({ ...context }), output };
}

/** Describes a thrown value that is not an Error. */
function thrownValue(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  if (text.length > 200) text = `${text.slice(0, 197)}...`;
  const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  return `threw ${kind} (not an Error): ${text}`;
}

/** A GeopartError `UDF_FAILED` for a value thrown by the UDF `label` (module and export). */
export function udfFailure(err: unknown, label: string): GeopartError {
  if (err instanceof GeopartError && err.code !== 'INTERNAL') return err;
  const what =
    err instanceof Error
      ? `threw ${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}`
      : thrownValue(err);
  return new GeopartError('UDF_FAILED', `UDF ${label} ${what}`, {}, { cause: err });
}

/**
 * Calls `fn` with `args` and awaits its value. Anything it throws or rejects with becomes a
 * GeopartError `UDF_FAILED` naming the UDF `label` (GeopartErrors a UDF throws keep their code).
 */
export async function callUdf(
  fn: (args: Record<string, unknown>) => unknown,
  args: Record<string, unknown>,
  label: string,
): Promise<unknown> {
  try {
    return await fn(args);
  } catch (err) {
    throw udfFailure(err, label);
  }
}
