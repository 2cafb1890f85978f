/**
 * Plain records (an array of objects, or the properties of GeoJSON features) to an Arrow
 * table. Column types are inferred from the values of this one table:
 *
 * | values                         | Arrow type                       |
 * |--------------------------------|----------------------------------|
 * | number                         | Float64 (a JavaScript number is a double) |
 * | bigint in [-2^63, 2^63 - 1]    | Int64                            |
 * | boolean                        | Bool                             |
 * | string                         | Utf8                             |
 * | valid Date                     | Timestamp (ms, UTC)              |
 * | Uint8Array                     | Binary                           |
 * | plain object or array          | Utf8 holding its JSON text       |
 * | only null / undefined          | Null                             |
 *
 * Every column is nullable. A UDF step converts each input's value on its own, as it arrives,
 * so a column that is all null in one input's records is Null in that input's file while
 * another input's file has, say, Utf8: a UDF that needs the same types in every file returns an
 * Arrow table with explicit types.
 *
 * The column named `geometry` holds GeoJSON geometry objects or WKB bytes and becomes a WKB
 * Binary column. Anything else (functions, symbols, class instances, cycles, bigints outside
 * Int64, invalid Dates, a column mixing kinds) is refused with the column and row named.
 */
import {
  Binary,
  Bool,
  type DataType,
  Field,
  Float64,
  Int64,
  makeData,
  Null,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { GEOMETRY_COLUMN } from '../io/source.js';
import { geoJsonToWkb, isGeoJsonGeometry } from './geojson-wkb.js';

type Kind = 'number' | 'bigint' | 'boolean' | 'string' | 'date' | 'bytes' | 'json';

const TYPES: Readonly<Record<Kind, () => DataType>> = {
  number: () => new Float64(),
  bigint: () => new Int64(),
  boolean: () => new Bool(),
  string: () => new Utf8(),
  date: () => new TimestampMillisecond(),
  bytes: () => new Binary(),
  json: () => new Utf8(),
};

/** A record (or one of its values) that cannot become a table cell. */
export class RecordValueError extends Error {
  override readonly name = 'RecordValueError';
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return `a symbol (${String(value)})`;
  if (typeof value === 'object' && value !== null)
    return `a ${value.constructor?.name ?? 'null-prototype'} instance`;
  return String(value);
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return Array.isArray(value) || proto === Object.prototype || proto === null;
}

function kindOf(value: unknown, where: () => string): Kind {
  switch (typeof value) {
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'string':
      return typeof value as Kind;
    case 'object':
      if (value instanceof Date) return 'date';
      if (value instanceof Uint8Array) return 'bytes';
      if (isPlain(value as object)) return 'json';
      break;
  }
  throw new RecordValueError(
    `${where()} is ${describe(value)}, which cannot be serialized; ` +
      'cells may be numbers, bigints, booleans, strings, Dates, Uint8Arrays, plain objects/arrays (stored as JSON text) or null',
  );
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Refuses a value the column's Arrow type would store wrongly (Int64 wraps, NaN dates throw). */
function checkCell(kind: Kind, value: unknown, where: () => string): void {
  if (kind === 'bigint') {
    const v = value as bigint;
    if (v < INT64_MIN || v > INT64_MAX) {
      throw new RecordValueError(
        `${where()} is the bigint ${v}n, outside the Int64 range [-2^63, 2^63 - 1]; return it as a string (or a number, if a double's precision is enough)`,
      );
    }
  } else if (kind === 'date' && Number.isNaN((value as Date).getTime())) {
    throw new RecordValueError(
      `${where()} is an invalid Date (its time is NaN); return a valid Date, or null for no date`,
    );
  }
}

function jsonText(value: unknown, where: () => string): string {
  try {
    return JSON.stringify(value, (_k, v) => {
      if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') {
        throw new RecordValueError(`holds ${describe(v)}`);
      }
      return v;
    });
  } catch (err) {
    const why = err instanceof RecordValueError ? err.message : 'is cyclic';
    throw new RecordValueError(`${where()} ${why} and cannot be serialized as JSON text`);
  }
}

function geometryCell(value: unknown, where: () => string): Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return value;
  if (!isGeoJsonGeometry(value)) {
    throw new RecordValueError(
      `${where()} is ${JSON.stringify(value) ?? describe(value)}; the '${GEOMETRY_COLUMN}' column holds GeoJSON geometry objects or WKB bytes (Uint8Array)`,
    );
  }
  try {
    return geoJsonToWkb(value);
  } catch (err) {
    throw new RecordValueError(`${where()} is not valid GeoJSON: ${(err as Error).message}`);
  }
}

function column(name: string, values: unknown[], what: string): Vector {
  const where = (i: number) => () => `${what}[${i}].${name}`;
  if (name === GEOMETRY_COLUMN) {
    return vectorFromArray(
      values.map((v, i) => geometryCell(v, where(i))),
      new Binary(),
    );
  }
  let kind: Kind | null = null;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const k = kindOf(v, where(i));
    checkCell(k, v, where(i));
    if (kind === null) {
      kind = k;
      first = i;
    } else if (k !== kind) {
      throw new RecordValueError(
        `column '${name}' mixes kinds: ${what}[${first}] is a ${kind}, ${what}[${i}] is a ${k}; give each column one kind of value`,
      );
    }
  }
  if (kind === null)
    return vectorFromArray(
      values.map(() => null),
      new Null(),
    );
  const k: Kind = kind;
  const cells = values.map((v, i) => {
    if (v === null || v === undefined) return null;
    return k === 'json' ? jsonText(v, where(i)) : v;
  });
  return vectorFromArray(cells, TYPES[k]());
}

/**
 * Builds an Arrow table from `records` (plain objects): one nullable column per own key, in
 * order of first appearance (`__proto__` included, as JSON.parse makes it), a missing key
 * being null. `what` names the records in errors (e.g. `result`). Throws a
 * {@link RecordValueError} naming the row and column of a value it cannot hold.
 */
export function recordsToTable(records: readonly unknown[], what: string): Table {
  const names: string[] = [];
  const seen = new Set<string>();
  records.forEach((r, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r) || !isPlain(r)) {
      throw new RecordValueError(
        `${what}[${i}] is ${typeof r === 'object' && r !== null ? describe(r) : JSON.stringify(r)}; every record must be a plain object`,
      );
    }
    for (const sym of Object.getOwnPropertySymbols(r)) {
      throw new RecordValueError(
        `${what}[${i}] has the symbol key ${String(sym)}, which cannot be serialized`,
      );
    }
    for (const key of Object.keys(r)) {
      if (!seen.has(key)) {
        seen.add(key);
        names.push(key);
      }
    }
  });
  // Own keys only: `r.__proto__` or `r.toString` on a record without that key is inherited.
  const vectors = names.map((name) =>
    column(
      name,
      records.map((r) =>
        Object.hasOwn(r as object, name) ? (r as Record<string, unknown>)[name] : undefined,
      ),
      what,
    ),
  );
  // Built from the names in order, not from an object of columns: an object would lose
  // `__proto__` and put integer-like keys first.
  const fields = names.map((name, i) => new Field(name, vectors[i]!.type, true));
  const data = makeData({
    type: new Struct(fields),
    length: records.length,
    nullCount: 0,
    // A vector built in one go (count strategy, no high-water mark) is a single chunk.
    children: vectors.map((v) => v.data[0]!),
  });
  return new Table(new RecordBatch(new Schema(fields), data));
}
