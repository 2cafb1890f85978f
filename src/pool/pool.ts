/**
 * The worker pool (Piscina). It knows no tasks: whoever starts a pool names the module whose
 * exports the workers run (ingest/tasks.ts, udf/tasks.ts).
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { fromWire, type WireError } from '../errors.js';

/** src/ and dist/, when this module runs from src/ under a TypeScript runner (tests). */
const SRC = new URL('../', import.meta.url).href;
const DIST = new URL('../../dist/', import.meta.url).href;

/** `url` as a worker thread loads it: a module of src/ run by a TypeScript runner as its built copy in dist/. */
function built(url: URL): string {
  if (!import.meta.url.endsWith('.ts') || !url.href.startsWith(SRC)) return url.href;
  return DIST + url.href.slice(SRC.length).replace(/\.ts$/, '.js');
}

/** The workers' entry, which loads the task module and runs its tasks. */
const WORKER_ENTRY = new URL('./worker-entry.cjs', import.meta.url);

/** Worker threads to use when the caller does not say: one per core, at least 1. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** A started pool; close it with {@link WorkerPool.close}. */
export interface WorkerPool {
  readonly threads: number;
  /** Runs the named export of the task module; `transfer` buffers are moved, not copied. */
  run<R>(name: string, task: unknown, transfer?: readonly ArrayBuffer[], signal?: AbortSignal): Promise<R>;
  close(): Promise<void>;
}

/** A task's failure as the worker reports it: a {@link WireError} instead of a thrown error. */
export interface TaskFailure {
  readonly failed: WireError;
}

/** Starts a pool of `threads` workers that run the exports of the module at `tasks`. */
export function createPool(tasks: URL, threads = defaultThreads()): WorkerPool {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`threads must be a positive integer, got ${threads}`);
  }
  const pool = new Piscina({
    filename: fileURLToPath(built(WORKER_ENTRY)),
    workerData: { tasks: built(tasks) },
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
    async run<R>(name: string, task: unknown, transfer: readonly ArrayBuffer[] = [], signal?: AbortSignal) {
      const result = (await pool.run(
        { name, task },
        {
          transferList: [...transfer],
          signal,
        },
      )) as R | TaskFailure;
      if (result !== null && typeof result === 'object' && 'failed' in result) throw fromWire(result.failed);
      return result as R;
    },
    async close() {
      await pool.destroy();
      for (const w of started) w.unref();
      started.clear();
    },
  };
}
