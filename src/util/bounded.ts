/**
 * Bounded concurrency: the one place that runs many async tasks a few at a time.
 */

/**
 * Runs `run(item, i)` for each item of `items` (the `i`th, from 0), taken in order, with at
 * most `limit` running at a time; an async iterable is read no further ahead than that. Once a
 * task fails, reading the items fails, or `stop` is aborted, no further task starts; the call
 * waits for the running ones, closes `items` when it was left unfinished, then rethrows the
 * first failure (after a stop alone it resolves). Results go wherever `run` puts them.
 */
export async function eachOf<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  run: (item: T, i: number) => Promise<void>,
  stop?: AbortSignal,
): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }
  const it: Iterator<T> | AsyncIterator<T> =
    Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  let next = 0;
  let finished = false;
  let failed: { err: unknown } | null = null;
  const lane = async () => {
    while (failed === null && !finished && !stop?.aborted) {
      // The index is taken with the request: an async generator answers requests in order.
      const i = next++;
      let item: IteratorResult<T>;
      try {
        item = await it.next();
      } catch (err) {
        finished = true;
        failed ??= { err };
        return;
      }
      if (item.done) {
        finished = true;
        return;
      }
      if (failed !== null || stop?.aborted) return;
      try {
        await run(item.value, i);
      } catch (err) {
        failed ??= { err };
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: limit }, lane));
  } finally {
    if (!finished) await it.return?.();
  }
  if (failed !== null) throw (failed as { err: unknown }).err;
}

function* upTo(count: number): Generator<number> {
  for (let i = 0; i < count; i++) yield i;
}

/** {@link eachOf} over the indexes `0..count-1`: `run(i)` for each, at most `limit` at a time. */
export function eachBounded(
  count: number,
  limit: number,
  run: (i: number) => Promise<void>,
  stop?: AbortSignal,
): Promise<void> {
  return eachOf(upTo(count), limit, run, stop);
}
