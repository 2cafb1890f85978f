/**
 * The types a task module and a pool share. A task module imports only this file of pool/, so
 * the workers that load it do not load the pool (Piscina) itself.
 */
import type { WireError } from '../errors.js';

/** A task's failure as the worker reports it: a {@link WireError} instead of a thrown error. */
export interface TaskFailure {
  readonly failed: WireError;
}

/**
 * What a task module exports as `tasks`: each task by the name the pool runs it under. A task
 * takes one argument and returns its result (or a {@link TaskFailure}), directly or as a promise.
 */
export type TaskMap = { readonly [name: string]: (arg: never) => unknown };

/** The argument of task `K` of `T`. */
export type TaskArg<T extends TaskMap, K extends keyof T> = Parameters<T[K]>[0];

/** The result of task `K` of `T`, as `WorkerPool.run` (pool.ts) resolves it (a failure is thrown). */
export type TaskResult<T extends TaskMap, K extends keyof T> = Exclude<
  Awaited<ReturnType<T[K]>>,
  TaskFailure
>;

/** A task module: its URL, typed by its task map `T` (which only the type carries). */
export interface TaskModule<T extends TaskMap> {
  readonly url: URL;
  /** Never set: it carries `T`. */
  readonly tasks?: T;
}

/** Names the module at `url`, whose export `tasks` is a task map of type `T`. */
export function taskModule<T extends TaskMap>(url: URL): TaskModule<T> {
  return { url };
}
