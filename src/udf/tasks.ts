/**
 * The task a UDF step runs on its worker pool (`createPool(UDF_TASKS)`), in the task map
 * {@link tasks}. It catches its own errors and returns them as `{ failed: WireError }`, since
 * structured clone would drop the error class and its code.
 */
import { toWire } from '../errors.js';
import { type TaskFailure, taskModule } from '../pool/task-map.js';
import { runUdfInput, type UdfInputResult, type UdfInputTask } from './run-input.js';

/**
 * This module, as `createPool` takes it; the pool's `run` is typed by {@link tasks}. Its URL is
 * spelled from its folder's parent, as `INGEST_TASKS` is (ingest/tasks.ts).
 */
export const UDF_TASKS = taskModule<typeof tasks>(new URL('../udf/tasks.js', import.meta.url));

/** Runs a UDF on one input and writes its result (see run-input.ts). */
export async function udf(task: UdfInputTask): Promise<UdfInputResult | TaskFailure> {
  try {
    return await runUdfInput(task);
  } catch (err) {
    return { failed: toWire(err) };
  }
}

/** The task map the workers run (pool/pool.ts). */
export const tasks = { udf } as const;

/** The type of {@link tasks}, which types a UDF pool's `run`. */
export type UdfTasks = typeof tasks;
