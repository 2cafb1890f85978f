/**
 * The worker pool (Piscina) that runs scan and write tasks. Task functions live in
 * worker.ts; this module only starts the pool and names the tasks.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { fromWire, type WireError } from '../errors.js';

/**
 * The workers' entry (worker-entry.cjs, which loads worker.js). Under a TypeScript runner
 * (tests) the built copy in dist/ is used.
 */
function workerFile(): string {
  const path = fileURLToPath(new URL('./worker-entry.cjs', import.meta.url));
  if (!import.meta.url.endsWith('.ts')) return path;
  return path.replace(/\/src\/pool\/worker-entry\.cjs$/, '/dist/pool/worker-entry.cjs');
}

/** Worker threads to use when the caller does not say: one per core, at least 1. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** A started pool; close it with {@link WorkerPool.close}. */
export interface WorkerPool {
  readonly threads: number;
  /** Runs the named task of worker.ts; `transfer` buffers are moved, not copied. */
  run<R>(name: string, task: unknown, transfer?: readonly ArrayBuffer[], signal?: AbortSignal): Promise<R>;
  close(): Promise<void>;
}

/** A task's failure as the worker reports it: a {@link WireError} instead of a thrown error. */
export interface TaskFailure {
  readonly failed: WireError;
}

/** Starts a pool of `threads` workers. */
export function createPool(threads = defaultThreads()): WorkerPool {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`threads must be a positive integer, got ${threads}`);
  }
  const pool = new Piscina({
    filename: workerFile(),
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
      const result = (await pool.run(task, {
        name,
        transferList: [...transfer],
        ...(signal ? { signal } : {}),
      })) as R | TaskFailure;
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
