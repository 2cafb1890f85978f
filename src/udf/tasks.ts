/**
 * The task a UDF step runs on its worker pool (`createPool(UDF_TASKS)`). It catches its own
 * errors and returns them as `{ failed: WireError }`, since structured clone would drop the
 * error class and its code.
 */
import { toWire } from '../errors.js';
import type { TaskFailure } from '../pool/pool.js';
import { runUdfInput, type UdfInputResult, type UdfInputTask } from './run-input.js';

/** This module, as {@link createPool} takes it. */
export const UDF_TASKS = new URL(import.meta.url);

/** Runs a UDF on one input and writes its result (see run-input.ts). */
export async function udf(task: UdfInputTask): Promise<UdfInputResult | TaskFailure> {
  try {
    return await runUdfInput(task);
  } catch (err) {
    return { failed: toWire(err) };
  }
}
