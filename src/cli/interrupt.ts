/**
 * Ctrl-C for long commands. The first SIGINT (or SIGTERM) aborts the signal a command passes
 * down, so the command stops its workers and removes its staging folder or partial upload
 * before it exits (code 130, as shells report an interrupt); a second one exits at once.
 */
import { GeopartError } from '../errors.js';

/** An abort signal tied to SIGINT/SIGTERM, until `dispose()`. */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** Gives SIGINT/SIGTERM back to Node's default handling. */
  dispose(): void;
}

/** Starts turning SIGINT/SIGTERM into an abort of the returned signal. */
export function interruptSignal(): Interrupt {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\ngeopart: ${name}: stopping and cleaning up (again to quit at once)\n`);
    controller.abort(new GeopartError('ABORTED', `interrupted by ${name}; nothing was committed`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Runs `work` with a signal tied to SIGINT/SIGTERM, giving the signals back when it ends. */
export async function whileInterruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = interruptSignal();
  try {
    return await work(interrupt.signal);
  } finally {
    interrupt.dispose();
  }
}
