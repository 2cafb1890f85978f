/**
 * Row text of `geopart query`: GeoJSON features (one per line) and CSV with WKT geometry.
 */
import { DataType, type Field, type Table, type Vector } from 'apache-arrow';
import { wkbToGeoJson, wkbToWkt } from '../geometry/wkb-text.js';

/** A plain JSON-able value for an Arrow value of type `type`. */
export function plainValue(v: unknown, type: DataType): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if ((DataType.isDate(type) || DataType.isTimestamp(type)) && typeof v === 'number') {
    return new Date(v).toISOString();
  }
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (DataType.isStruct(type)) {
    const row = v as Record<string, unknown>;
    return Object.fromEntries(type.children.map((f: Field) => [f.name, plainValue(row[f.name], f.type)]));
  }
  if (typeof v === 'object' && v !== null && 'toArray' in v) {
    const child = (type as { children?: Field[] }).children?.[0]?.type ?? type;
    return Array.from((v as Vector).toArray() as ArrayLike<unknown>, (x) => plainValue(x, child));
  }
  return v;
}

function columnsOf(table: Table, skip: readonly string[]) {
  return table.schema.fields
    .map((f, i) => ({ name: f.name, type: f.type, vector: table.getChildAt(i)! }))
    .filter((c) => !skip.includes(c.name));
}

/**
 * One GeoJSON Feature per row (`properties` = every column but `geometry` and those in
 * `skip`), as lines of text.
 */
export function* geoJsonLines(table: Table, geometry: string, skip: readonly string[]): Generator<string> {
  const geom = table.getChild(geometry);
  const props = columnsOf(table, [geometry, ...skip]);
  for (let i = 0; i < table.numRows; i++) {
    const g = geom?.get(i) as Uint8Array | null | undefined;
    const properties: Record<string, unknown> = {};
    for (const c of props) properties[c.name] = plainValue(c.vector.get(i), c.type);
    yield JSON.stringify({ type: 'Feature', geometry: g ? wkbToGeoJson(g) : null, properties });
  }
}

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A CSV header line, then one line per row; `geometry` as WKT, nested values as JSON. */
export function* csvLines(table: Table, geometry: string, skip: readonly string[]): Generator<string> {
  const cols = columnsOf(table, skip);
  yield cols.map((c) => csvField(c.name)).join(',');
  for (let i = 0; i < table.numRows; i++) {
    yield cols
      .map((c) => {
        const v = c.vector.get(i);
        if (c.name === geometry) return csvField(v ? wkbToWkt(v as Uint8Array) : null);
        return csvField(plainValue(v, c.type));
      })
      .join(',');
  }
}
