/**
 * Handing buffers between threads without copying them. Piscina moves what a task returns
 * when it is wrapped with {@link movable}; tasks are posted with a transfer list.
 */
import { Piscina } from 'piscina';

/** The distinct ArrayBuffers under some typed arrays, for a transfer list. */
export function buffersOf(views: readonly ArrayBufferView[]): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const v of views) {
    if (v.buffer instanceof ArrayBuffer && v.buffer.byteLength > 0) set.add(v.buffer);
  }
  return [...set];
}

/** Wraps a task result so Piscina transfers `buffers` to the main thread instead of copying them. */
export function movable<T extends object>(value: T, buffers: readonly ArrayBuffer[]): T {
  const transferable = {
    get [Piscina.transferableSymbol]() {
      return buffers;
    },
    get [Piscina.valueSymbol]() {
      return value;
    },
  };
  // Piscina.move marks an object that already is transferable, so the pool moves its buffers.
  return Piscina.move(transferable as never) as unknown as T;
}
