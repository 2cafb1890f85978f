/**
 * Bounded concurrency: the one place that runs many async tasks a few at a time.
 */

/**
 * Runs `run(i)` for each index `0..count-1`, started in index order, with at most `limit`
 * running at a time. Once a task fails, or `stop` is aborted, no further task starts; the call
 * waits for the running ones, then rethrows the first failure (after a stop alone it resolves).
 * Results go wherever `run` puts them, e.g. `out[i]`.
 */
export async function eachBounded(
  count: number,
  limit: number,
  run: (i: number) => Promise<void>,
  stop?: AbortSignal,
): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }
  let next = 0;
  let failed: { err: unknown } | null = null;
  const lane = async () => {
    while (failed === null && next < count && !stop?.aborted) {
      const i = next++;
      try {
        await run(i);
      } catch (err) {
        failed ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  if (failed !== null) throw (failed as { err: unknown }).err;
}
