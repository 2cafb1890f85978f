/**
 * Parquet's physical types of the columns geopart writes and its direct decoder reads, and the
 * numbers the format gives them (parquet.thrift's `Type`).
 */

/** Parquet physical types the writer emits and the direct decoder reads. */
export type PhysicalType = 'BOOLEAN' | 'INT32' | 'INT64' | 'FLOAT' | 'DOUBLE' | 'BYTE_ARRAY';

/** Parquet's numeric codes of {@link PhysicalType}. */
export const PHYSICAL_CODE: Readonly<Record<PhysicalType, number>> = {
  BOOLEAN: 0,
  INT32: 1,
  INT64: 2,
  FLOAT: 4,
  DOUBLE: 5,
  BYTE_ARRAY: 6,
};
