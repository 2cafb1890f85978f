/**
 * Numeric Arrow columns as plain Float64Arrays.
 */
import { type Data, DataType, makeVector, Precision } from 'apache-arrow';

/** True for the column types {@link toFloat64} reads: integers and floats. */
export function isNumericType(type: DataType): boolean {
  return DataType.isInt(type) || DataType.isFloat(type);
}

/**
 * The values of an integer or float column as float64, nulls as NaN. 64-bit integers beyond
 * 2^53 lose precision (irrelevant for coordinates).
 */
export function toFloat64(data: Data): Float64Array {
  const n = data.length;
  const out = new Float64Array(n);
  if (DataType.isFloat(data.type) && data.type.precision === Precision.HALF) {
    // Half floats are stored as uint16 bit patterns; let apache-arrow decode them.
    const vector = makeVector(data);
    for (let i = 0; i < n; i++) out[i] = vector.get(i) ?? Number.NaN;
    return out;
  }
  const src = data.values as unknown as ArrayLike<number | bigint>;
  for (let i = 0; i < n; i++) out[i] = Number(src[i]!);
  const bitmap = data.nullBitmap as Uint8Array | null | undefined;
  if (data.nullCount > 0 && bitmap && bitmap.length > 0) {
    for (let i = 0; i < n; i++) {
      const b = data.offset + i;
      if ((((bitmap[b >> 3] ?? 0) >> (b & 7)) & 1) === 0) out[i] = Number.NaN;
    }
  }
  return out;
}
