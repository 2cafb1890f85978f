/**
 * Plain records (an array of objects, or the properties of GeoJSON features) to an Arrow
 * table. Column types are inferred from the values, the same way for every input, so the
 * files of one step agree:
 *
 * | values                         | Arrow type                       |
 * |--------------------------------|----------------------------------|
 * | number                         | Float64 (a JavaScript number is a double) |
 * | bigint                         | Int64                            |
 * | boolean                        | Bool                             |
 * | string                         | Utf8                             |
 * | Date                           | Timestamp (ms, UTC)              |
 * | Uint8Array                     | Binary                           |
 * | plain object or array          | Utf8 holding its JSON text       |
 * | only null / undefined          | Null                             |
 *
 * The column named `geometry` holds GeoJSON geometry objects or WKB bytes and becomes a WKB
 * Binary column. Anything else (functions, symbols, class instances, cycles, a column mixing
 * kinds) is refused with the column and row named.
 */
import {
  Binary,
  Bool,
  type DataType,
  Float64,
  Int64,
  Null,
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
 * Builds an Arrow table from `records` (plain objects): one column per key, in order of first
 * appearance, a missing key being null. `what` names the records in errors (e.g. `result`).
 * Throws a {@link RecordValueError} naming the row and column of a value it cannot hold.
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
  const columns: Record<string, Vector> = {};
  for (const name of names) {
    columns[name] = column(
      name,
      records.map((r) => (r as Record<string, unknown>)[name]),
      what,
    );
  }
  return new Table(columns);
}
