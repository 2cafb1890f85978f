/**
 * The worker pool (Piscina). It knows no tasks: whoever starts a pool names the module whose
 * task map the workers run (ingest/tasks.ts, udf/tasks.ts), and that map's type types
 * {@link WorkerPool.run}, so a task's name, argument and result cannot drift apart
 * (task-map.ts).
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { fromWire } from '../errors.js';
import { freshBundle } from '../util/bundle.js';
import type { TaskArg, TaskFailure, TaskMap, TaskModule, TaskResult } from './task-map.js';

/** src/ and dist/, when this module runs from src/ under a TypeScript runner (tests). */
const SRC = new URL('../', import.meta.url).href;
const DIST = new URL('../../dist/', import.meta.url).href;

/** `url` as a worker thread loads it: a module of src/ run by a TypeScript runner as its built copy in dist/. */
function built(url: URL): string {
  if (!import.meta.url.endsWith('.ts') || !url.href.startsWith(SRC)) return url.href;
  return DIST + url.href.slice(SRC.length).replace(/\.ts$/, '.js');
}

/**
 * The module a worker imports for task module `href`: its single-file build beside it
 * (`tasks.bundle.mjs` for `tasks.js`, made by scripts/bundle.mjs), which loads several times
 * faster than the module graph, when no module it was made from is newer (`util/bundle.ts`);
 * else the module itself.
 */
export function loadable(href: string): string {
  if (!href.startsWith('file:') || !href.endsWith('.js')) return href;
  const bundle = href.replace(/\.js$/, '.bundle.mjs');
  const inputs = href.replace(/\.js$/, '.bundle.inputs.json');
  return freshBundle(new URL(bundle), new URL(inputs)) ? bundle : href;
}

/**
 * The workers' entry, which loads the task module and runs its tasks. Spelled from this
 * folder's parent, so that it holds from the command line's single-file build in dist/bundle/
 * too.
 */
const WORKER_ENTRY = new URL('../pool/worker-entry.cjs', import.meta.url);

/** Worker threads to use when the caller does not say: one per core, at least 1. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** A started pool running the tasks of `T`; close it with {@link WorkerPool.close}. */
export interface WorkerPool<T extends TaskMap> {
  readonly threads: number;
  /** Runs task `name` on `arg`; `transfer` buffers are moved, not copied. */
  run<K extends keyof T & string>(
    name: K,
    arg: TaskArg<T, K>,
    transfer?: readonly ArrayBuffer[],
    signal?: AbortSignal,
  ): Promise<TaskResult<T, K>>;
  close(): Promise<void>;
}

/** Starts a pool of `threads` workers that run the tasks of `tasks`. */
export function createPool<T extends TaskMap>(
  tasks: TaskModule<T>,
  threads = defaultThreads(),
): WorkerPool<T> {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`threads must be a positive integer, got ${threads}`);
  }
  const pool = new Piscina({
    filename: fileURLToPath(built(WORKER_ENTRY)),
    workerData: { tasks: loadable(built(tasks.url)) },
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 1000,
  });
  // Every worker the pool has started. Aborting a running task terminates its worker, and on
  // Node 24 such a worker (one that was importing a module that fails to link, say) may never
  // report its exit; Piscina references a worker again when it closes the worker's port, so
  // that worker would keep the process alive after close(). close() unreferences them all.
  const started = new Set<Worker>();
  pool.on('workerCreate', () => {
    for (const w of pool.threads) started.add(w);
  });
  return {
    threads,
    async run<K extends keyof T & string>(
      name: K,
      arg: TaskArg<T, K>,
      transfer: readonly ArrayBuffer[] = [],
      signal?: AbortSignal,
    ) {
      const result = (await pool.run(
        { name, task: arg },
        {
          transferList: [...transfer],
          signal,
        },
      )) as TaskResult<T, K> | TaskFailure;
      if (result !== null && typeof result === 'object' && 'failed' in result) throw fromWire(result.failed);
      return result as TaskResult<T, K>;
    },
    async close() {
      await pool.destroy();
      for (const w of started) w.unref();
      started.clear();
    },
  };
}
