/**
 * The bridge between apache-arrow Binary data and the raw buffers geometry kernels work on
 * ({@link WkbColumn}). The only place that builds Binary `Data` from buffers.
 */
import { Binary, type Data, DataType, makeData } from 'apache-arrow';
import { GeopartError } from '../errors.js';
import type { WkbColumn } from '../geometry/wkb.js';

/**
 * Builds an Arrow Binary `Data` from `length + 1` int32 offsets, the bytes, and an optional
 * validity bitmap (LSB first, bit `i` = row `i`). The buffers are used as they are, not copied.
 */
export function makeBinaryData(
  offsets: Int32Array,
  values: Uint8Array,
  validity: Uint8Array | null = null,
): Data<Binary> {
  const length = offsets.length - 1;
  const nullCount = validity === null ? 0 : length - countSetBits(validity, 0, length);
  return makeData({
    type: new Binary(),
    length,
    nullCount,
    nullBitmap: nullCount === 0 ? null : validity,
    valueOffsets: offsets,
    data: values,
  });
}

/** Builds Binary `Data` from a {@link WkbColumn} (re-based when its bitmap has an offset). */
export function binaryDataFromWkb(col: WkbColumn): Data<Binary> {
  let validity = col.validity;
  if (validity !== null && col.validityOffset !== 0) {
    validity = shiftBitmap(validity, col.validityOffset, col.length);
  }
  return makeBinaryData(col.offsets.subarray(0, col.length + 1), col.values, validity);
}

/**
 * The raw-buffer view of a Binary or LargeBinary Arrow column. Binary is viewed without a copy;
 * LargeBinary offsets are narrowed to int32 (it fails above 2 GiB, far beyond one batch).
 * Throws `CORRUPT_INPUT` for any other type, naming `what` (e.g. the column).
 */
export function wkbColumnFromData(data: Data, what = 'geometry column'): WkbColumn {
  if (!DataType.isBinary(data.type) && !DataType.isLargeBinary(data.type)) {
    throw new GeopartError('CORRUPT_INPUT', `${what} has type ${data.type}; expected binary WKB`, {});
  }
  const raw = data.valueOffsets as Int32Array | BigInt64Array;
  let offsets: Int32Array;
  if (raw instanceof BigInt64Array) {
    const last = Number(raw[data.length] ?? 0n);
    if (last > 0x7fffffff) {
      throw new GeopartError('CORRUPT_INPUT', `${what} holds more than 2 GiB in one batch`, {});
    }
    offsets = Int32Array.from(raw.subarray(0, data.length + 1), Number);
  } else {
    offsets = raw;
  }
  const bitmap = data.nullBitmap as Uint8Array | null | undefined;
  const hasNulls = data.nullCount > 0 && bitmap !== null && bitmap !== undefined && bitmap.length > 0;
  return {
    length: data.length,
    offsets,
    values: (data.values as Uint8Array | undefined) ?? new Uint8Array(0),
    validity: hasNulls ? bitmap : null,
    validityOffset: hasNulls ? data.offset : 0,
  };
}

/** Number of set bits in `bitmap` from bit `start` for `length` bits. */
export function countSetBits(bitmap: Uint8Array, start: number, length: number): number {
  let n = 0;
  for (let i = start, end = start + length; i < end; i++) n += ((bitmap[i >> 3] ?? 0) >> (i & 7)) & 1;
  return n;
}

/** Copies `length` bits starting at bit `start` into a new bitmap starting at bit 0. */
export function shiftBitmap(bitmap: Uint8Array, start: number, length: number): Uint8Array {
  const out = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) {
    const b = start + i;
    if (((bitmap[b >> 3] ?? 0) >> (b & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}
