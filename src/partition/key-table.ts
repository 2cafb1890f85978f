/**
 * The planner's input: one entry per row, as flat columns. A few dozen bytes a row, so tens of
 * millions of rows fit; no per-row objects.
 */
export interface KeyTable {
  /** Number of rows. */
  readonly length: number;
  /** Centroid longitude, degrees. */
  readonly cx: Float64Array;
  /** Centroid latitude, degrees. */
  readonly cy: Float64Array;
  /**
   * What the caps count, per row: 1 for `rows`, deg^2 for `area`, degrees for `length`, vertices
   * for `coords`. Finite and >= 0.
   */
  readonly measure: Float64Array;
  /** Row bounding box, degrees. */
  readonly minx: Float64Array;
  readonly miny: Float64Array;
  readonly maxx: Float64Array;
  readonly maxy: Float64Array;
}

const KEY_COLUMNS = 7;

/**
 * A zero-filled {@link KeyTable} of `n` rows. All seven columns are views of one `ArrayBuffer`
 * (`keys.cx.buffer`), so the table can be transferred to another thread in one piece.
 */
export function allocKeyTable(n: number): KeyTable {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`allocKeyTable: n must be an integer >= 0, got ${n}`);
  return keyTableOver(new ArrayBuffer(n * KEY_COLUMNS * Float64Array.BYTES_PER_ELEMENT), n);
}

/** Bytes of a {@link KeyTable} of `n` rows. */
export function keyTableBytes(n: number): number {
  return n * KEY_COLUMNS * Float64Array.BYTES_PER_ELEMENT;
}

/**
 * A {@link KeyTable} of `n` rows over the start of `buffer` (at least {@link keyTableBytes}
 * long), as it is: for a caller that fills every entry and reuses one buffer for many tables.
 */
export function keyTableOver(buffer: ArrayBuffer, n: number): KeyTable {
  if (buffer.byteLength < keyTableBytes(n))
    throw new RangeError(`keyTableOver: ${buffer.byteLength} bytes hold fewer than ${n} rows`);
  const col = (i: number) => new Float64Array(buffer, i * n * Float64Array.BYTES_PER_ELEMENT, n);
  return {
    length: n,
    cx: col(0),
    cy: col(1),
    measure: col(2),
    minx: col(3),
    miny: col(4),
    maxx: col(5),
    maxy: col(6),
  };
}
