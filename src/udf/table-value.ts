/**
 * What a UDF may return, and its conversion to an Arrow table: an apache-arrow Table (or
 * RecordBatch), an array of plain records, or a GeoJSON FeatureCollection. null and undefined
 * mean "nothing for this input".
 */
import { DataType, RecordBatch, type Schema, Table } from 'apache-arrow';
import { GeopartError } from '../errors.js';
import { GEOMETRY_COLUMN } from '../io/source.js';
import { RecordValueError, recordsToTable } from './records-to-arrow.js';

/** The kinds of value a UDF may return as its table, for messages. */
export const TABLE_KINDS =
  'an apache-arrow Table, an array of plain records, or a GeoJSON FeatureCollection (null or undefined: nothing)';

/** A UDF's value as a table. */
export interface UdfTable {
  readonly table: Table;
  /** True when the table has a `geometry` column (WKB): it is written as GeoParquet. */
  readonly geometry: boolean;
}

/** One column of a recorded schema. */
export interface ColumnInfo {
  readonly name: string;
  /** The Arrow type as text, e.g. `Float64`, `Utf8`, `Binary`. */
  readonly type: string;
  readonly nullable: boolean;
}

/** The columns of `schema`, as the step report records them. */
export function describeSchema(schema: Schema): ColumnInfo[] {
  return schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable }));
}

function hasCycle(value: unknown, ancestors: object[] = []): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (ancestors.includes(value)) return true;
  ancestors.push(value);
  const found = Object.values(value).some((v) => hasCycle(v, ancestors));
  ancestors.pop();
  return found;
}

/** Describes a value that is not a table: what it is, and why it cannot be written. */
function notATable(value: unknown): string {
  switch (typeof value) {
    case 'function':
      return 'a function (functions cannot be serialized)';
    case 'symbol':
      return `a symbol (${String(value)}; symbols cannot be serialized)`;
    case 'bigint':
      return `the bigint ${value}n`;
    case 'object': {
      const obj = value as object;
      const proto = Object.getPrototypeOf(obj);
      if (proto !== Object.prototype && proto !== null && !Array.isArray(obj)) {
        const name = obj.constructor?.name ?? 'class';
        if (name === 'Table' || name === 'RecordBatch') {
          return `an Arrow ${name} from another copy of apache-arrow than geopart's (import apache-arrow so that it resolves to the same package)`;
        }
        return `a ${name} instance (class instances other than Arrow tables cannot be serialized)`;
      }
      if (hasCycle(obj)) return 'an object with a cycle (cyclic objects cannot be serialized)';
      const text = JSON.stringify(obj);
      const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
      return `a plain object that is not a FeatureCollection: ${shown}`;
    }
    default:
      return JSON.stringify(value) ?? String(value);
  }
}

function invalid(message: string): GeopartError {
  return new GeopartError('INVALID_UDF_OUTPUT', message);
}

function fromArrow(table: Table): UdfTable {
  const field = table.schema.fields.find((f) => f.name === GEOMETRY_COLUMN);
  if (field && !DataType.isBinary(field.type) && !DataType.isLargeBinary(field.type)) {
    throw invalid(
      `the UDF returned an Arrow table whose '${GEOMETRY_COLUMN}' column has type ${field.type}; ` +
        'a geometry column must be Binary WKB (or rename the column)',
    );
  }
  return { table, geometry: field !== undefined };
}

function fromRecords(records: readonly unknown[], what: string): Table {
  try {
    return recordsToTable(records, what);
  } catch (err) {
    if (err instanceof RecordValueError) throw invalid(`cannot write the UDF's value: ${err.message}`);
    throw err;
  }
}

function isFeatureCollection(value: unknown): value is { type: 'FeatureCollection'; features: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'FeatureCollection' &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}

function fromFeatures(fc: { features: unknown }): UdfTable {
  if (!Array.isArray(fc.features)) {
    throw invalid(
      `the UDF returned a FeatureCollection whose features is ${notATable(fc.features)}; expected an array`,
    );
  }
  const records = fc.features.map((f: unknown, i: number) => {
    const feature = f as { type?: unknown; properties?: unknown; geometry?: unknown } | null;
    if (typeof feature !== 'object' || feature === null || feature.type !== 'Feature') {
      throw invalid(`the UDF returned a FeatureCollection whose features[${i}] is not a GeoJSON Feature`);
    }
    const props = feature.properties ?? {};
    if (typeof props !== 'object' || Array.isArray(props)) {
      throw invalid(`the UDF returned a FeatureCollection whose features[${i}].properties is not an object`);
    }
    if (Object.hasOwn(props, GEOMETRY_COLUMN)) {
      throw invalid(
        `the UDF returned a FeatureCollection whose features[${i}].properties has a '${GEOMETRY_COLUMN}' key, which clashes with the feature's geometry; rename it`,
      );
    }
    return { ...props, [GEOMETRY_COLUMN]: feature.geometry ?? null };
  });
  const table = fromRecords(records, 'features');
  return { table, geometry: table.schema.fields.some((f) => f.name === GEOMETRY_COLUMN) };
}

/**
 * The table a UDF's value stands for, or null for null/undefined (nothing to write). Throws a
 * GeopartError `INVALID_UDF_OUTPUT` saying what was returned and what is allowed: a value that
 * is not a table, or a table cell that cannot be serialized (function, symbol, class
 * instance, cycle).
 */
export function toUdfTable(value: unknown): UdfTable | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Table) return fromArrow(value);
  if (value instanceof RecordBatch) return fromArrow(new Table(value));
  if (Array.isArray(value)) {
    const table = fromRecords(value, 'result');
    return { table, geometry: table.schema.fields.some((f) => f.name === GEOMETRY_COLUMN) };
  }
  if (isFeatureCollection(value)) return fromFeatures(value);
  throw invalid(`the UDF returned ${notATable(value)}; a UDF must return ${TABLE_KINDS}`);
}
