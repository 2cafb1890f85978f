/**
 * Mapping Arrow fields to a Parquet schema: the flattened schema elements of the footer and,
 * for every leaf (primitive) column, how to walk from a top-level Arrow column to its values.
 *
 * Types kept as Arrow-aware readers (DuckDB, pyarrow, GDAL) expect them back; where Parquet has
 * no exact equivalent we do what pyarrow does: date64 is stored as a date (days), second-unit
 * timestamps and times are stored in milliseconds. Lists use the standard three-level layout
 * (`optional group name (LIST) { repeated group list { element } }`).
 */
import { DataType, DateUnit, type Field, TimeUnit } from 'apache-arrow';
import { GeopartError } from '../errors.js';

import type { PhysicalType } from '../format/parquet-physical.js';

export { PHYSICAL_CODE, type PhysicalType } from '../format/parquet-physical.js';

/** Field repetition codes. */
export const REQUIRED = 0;
export const OPTIONAL = 1;
export const REPEATED = 2;

/** Parquet logical type annotations this writer emits. */
export type LogicalType =
  | { readonly kind: 'STRING' | 'LIST' | 'DATE' | 'NULL' }
  | {
      readonly kind: 'TIME' | 'TIMESTAMP';
      readonly utc: boolean;
      readonly unit: 'MILLIS' | 'MICROS' | 'NANOS';
    }
  | { readonly kind: 'INTEGER'; readonly bitWidth: number; readonly signed: boolean }
  /** Parquet's GEOMETRY (format 2.11): WKB, CRS left out, which means OGC:CRS84. */
  | { readonly kind: 'GEOMETRY' };

/** One element of the flattened Parquet schema (depth-first, groups before their children). */
export interface SchemaElement {
  readonly name: string;
  readonly type?: PhysicalType;
  readonly repetition?: number;
  readonly numChildren?: number;
  readonly convertedType?: number;
  readonly logical?: LogicalType;
}

/** How leaf values are turned into the physical representation. */
export type Convert = 'none' | 'widen' | 'date64' | 'time32s' | 'timestampS' | 'null';

/** The ordering min/max statistics follow; `none` writes only the null count. */
export type StatsOrder = 'signed' | 'unsigned' | 'float' | 'bool' | 'utf8' | 'none';

/** One step from a top-level Arrow column towards a leaf. */
export type Step =
  /** The node is nullable: a valid slot raises the definition level, a null one ends there. */
  | { readonly kind: 'optional' }
  /** Descend into struct child `index` (same slots). */
  | { readonly kind: 'child'; readonly index: number }
  /** Expand each slot into its list elements (one definition level, one repetition level). */
  | { readonly kind: 'list'; readonly repLevel: number };

/** A leaf (primitive) Parquet column and how to reach its values. */
export interface Leaf {
  /** Index of the top-level column this leaf belongs to. */
  readonly column: number;
  /** `path_in_schema`, e.g. `['bbox', 'xmin']`. */
  readonly path: readonly string[];
  readonly physical: PhysicalType;
  readonly maxDef: number;
  readonly maxRep: number;
  readonly steps: readonly Step[];
  readonly convert: Convert;
  readonly order: StatsOrder;
}

/** The Parquet schema of a table: footer elements and leaf columns in file order. */
export interface ParquetSchema {
  readonly elements: readonly SchemaElement[];
  readonly leaves: readonly Leaf[];
}

// Parquet ConvertedType codes.
const CT_UTF8 = 0;
const CT_LIST = 3;
const CT_DATE = 6;
const CT_TIMESTAMP_MILLIS = 9;
const CT_TIMESTAMP_MICROS = 10;
const CT_UINT = [11, 12, 13, 14]; // UINT_8, 16, 32, 64
const CT_INT = [15, 16, 17, 18]; // INT_8, 16, 32, 64

interface Primitive {
  readonly physical: PhysicalType;
  readonly convert: Convert;
  readonly order: StatsOrder;
  readonly convertedType?: number;
  readonly logical?: LogicalType;
}

/**
 * The Parquet schema for `fields` (top-level columns, in order). Throws `INVALID_CONFIG` naming
 * the column and its type for anything that cannot be stored (maps, unions, decimals, ...).
 */
export function planSchema(fields: readonly Field[]): ParquetSchema {
  const elements: SchemaElement[] = [{ name: 'schema', numChildren: fields.length }];
  const leaves: Leaf[] = [];
  fields.forEach((field, column) => {
    planField(field, { column, path: [], def: 0, rep: 0, steps: [], top: field }, elements, leaves);
  });
  return { elements, leaves };
}

interface Context {
  readonly column: number;
  readonly path: readonly string[];
  readonly def: number;
  readonly rep: number;
  readonly steps: readonly Step[];
  readonly top: Field;
}

function planField(field: Field, ctx: Context, elements: SchemaElement[], leaves: Leaf[]): void {
  const path = [...ctx.path, field.name];
  const type = field.type as DataType;
  // A null-typed column has no values to write, so it must be optional whatever the field says.
  const nullable = field.nullable || DataType.isNull(type);
  const repetition = nullable ? OPTIONAL : REQUIRED;
  const def = ctx.def + (nullable ? 1 : 0);
  const steps: Step[] = nullable ? [...ctx.steps, { kind: 'optional' }] : [...ctx.steps];

  if (DataType.isStruct(type)) {
    if (type.children.length === 0) throw unsupported(ctx.top, type, 'a struct without fields');
    elements.push({ name: field.name, repetition, numChildren: type.children.length });
    type.children.forEach((child, index) => {
      const next = { ...ctx, path, def, steps: [...steps, { kind: 'child', index } as Step] };
      planField(child, next, elements, leaves);
    });
    return;
  }
  if (DataType.isList(type) || DataType.isLargeList(type) || DataType.isFixedSizeList(type)) {
    const child = type.children[0]!;
    const rep = ctx.rep + 1;
    elements.push({
      name: field.name,
      repetition,
      numChildren: 1,
      convertedType: CT_LIST,
      logical: { kind: 'LIST' },
    });
    elements.push({ name: 'list', repetition: REPEATED, numChildren: 1 });
    const elementField = child.clone({ name: 'element' });
    const next = {
      ...ctx,
      path: [...path, 'list'],
      def: def + 1,
      rep,
      steps: [...steps, { kind: 'list', repLevel: rep } as Step],
    };
    planField(elementField, next, elements, leaves);
    return;
  }
  const prim = primitive(type);
  if (prim === null) throw unsupported(ctx.top, type);
  elements.push({
    name: field.name,
    type: prim.physical,
    repetition,
    convertedType: prim.convertedType,
    logical: prim.logical,
  });
  leaves.push({
    column: ctx.column,
    path,
    physical: prim.physical,
    maxDef: def,
    maxRep: ctx.rep,
    steps,
    convert: prim.convert,
    order: prim.order,
  });
}

/** The storage of a primitive Arrow type (a dictionary stores like its values), or null. */
function primitive(type: DataType): Primitive | null {
  if (DataType.isDictionary(type)) return primitive(type.dictionary);
  if (DataType.isNull(type))
    return { physical: 'INT32', convert: 'null', order: 'none', logical: { kind: 'NULL' } };
  if (DataType.isBool(type)) return { physical: 'BOOLEAN', convert: 'none', order: 'bool' };
  if (DataType.isInt(type)) {
    const k = Math.log2(type.bitWidth) - 3; // 0..3 for 8..64 bits
    const physical = type.bitWidth === 64 ? 'INT64' : 'INT32';
    const logical: LogicalType = { kind: 'INTEGER', bitWidth: type.bitWidth, signed: type.isSigned };
    const convert = type.bitWidth < 32 ? 'widen' : 'none';
    if (!type.isSigned) return { physical, convert, order: 'unsigned', convertedType: CT_UINT[k]!, logical };
    if (type.bitWidth < 32) return { physical, convert, order: 'signed', convertedType: CT_INT[k]!, logical };
    return { physical, convert, order: 'signed' };
  }
  if (DataType.isFloat(type)) {
    if (type.precision === 1) return { physical: 'FLOAT', convert: 'none', order: 'float' };
    if (type.precision === 2) return { physical: 'DOUBLE', convert: 'none', order: 'float' };
    return null; // float16
  }
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) {
    return {
      physical: 'BYTE_ARRAY',
      convert: 'none',
      order: 'utf8',
      convertedType: CT_UTF8,
      logical: { kind: 'STRING' },
    };
  }
  if (DataType.isBinary(type) || DataType.isLargeBinary(type)) {
    return { physical: 'BYTE_ARRAY', convert: 'none', order: 'none' };
  }
  if (DataType.isDate(type)) {
    const convert = type.unit === DateUnit.MILLISECOND ? 'date64' : 'none';
    return { physical: 'INT32', convert, order: 'signed', convertedType: CT_DATE, logical: { kind: 'DATE' } };
  }
  if (DataType.isTimestamp(type)) {
    const utc = type.timezone !== null && type.timezone !== undefined && type.timezone !== '';
    const unit = UNIT_NAMES[type.unit]!;
    const convertedType = !utc
      ? undefined
      : unit === 'MILLIS'
        ? CT_TIMESTAMP_MILLIS
        : unit === 'MICROS'
          ? CT_TIMESTAMP_MICROS
          : undefined;
    return {
      physical: 'INT64',
      convert: type.unit === TimeUnit.SECOND ? 'timestampS' : 'none',
      order: 'signed',
      convertedType,
      logical: { kind: 'TIMESTAMP', utc, unit },
    };
  }
  if (DataType.isTime(type)) {
    const unit = UNIT_NAMES[type.unit]!;
    // Local times (no zone), as OGR's OFTTime: isAdjustedToUTC false, so no converted type.
    return {
      physical: type.bitWidth === 32 ? 'INT32' : 'INT64',
      convert: type.unit === TimeUnit.SECOND ? 'time32s' : 'none',
      order: 'signed',
      logical: { kind: 'TIME', utc: false, unit },
    };
  }
  return null;
}

/** Parquet unit names by Arrow TimeUnit; seconds are written as milliseconds. */
const UNIT_NAMES: Readonly<Record<number, 'MILLIS' | 'MICROS' | 'NANOS'>> = {
  [TimeUnit.SECOND]: 'MILLIS',
  [TimeUnit.MILLISECOND]: 'MILLIS',
  [TimeUnit.MICROSECOND]: 'MICROS',
  [TimeUnit.NANOSECOND]: 'NANOS',
};

function unsupported(top: Field, type: DataType, what = `type ${type}`): GeopartError {
  return new GeopartError(
    'INVALID_CONFIG',
    `column '${top.name}' has ${what}, which the GeoParquet writer cannot store ` +
      `(supported: integers, floats, bool, strings, binary, dates, times, timestamps, and lists or ` +
      `structs of those); drop the column (remove_cols / --drop-columns) or cast it`,
    { column: top.name, type: String(top.type) },
  );
}
