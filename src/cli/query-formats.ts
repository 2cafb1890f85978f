/**
 * Row text of `geopart query`: GeoJSON features (one per line) and CSV with WKT geometry.
 * Values keep their meaning in text: decimals with their scale, times of day and intervals as
 * ISO 8601, nulls inside lists as null.
 */
import { DataType, type Decimal, type Field, type Table, util, type Vector } from 'apache-arrow';
import { wkbToGeoJson, wkbToWkt } from '../geometry/wkb-text.js';

/**
 * Largest unscaled decimal written as a JSON number: every decimal of at most 15 significant
 * digits survives the trip through a double and back (DBL_DIG = 15).
 */
const EXACT_DECIMAL = 10n ** 15n;

/** The plain decimal text of an Arrow decimal value, with `scale` digits after the point. */
export function decimalText(v: unknown, scale: number): string {
  const unscaled = util.bigNumToBigInt(v as Parameters<typeof util.bigNumToBigInt>[0]);
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const sign = unscaled < 0n ? '-' : '';
  return `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** A decimal for JSON: a number when it is exactly the decimal once parsed back, else its text. */
function decimalValue(v: unknown, type: Decimal): number | string {
  const text = decimalText(v, type.scale);
  const unscaled = util.bigNumToBigInt(v as Parameters<typeof util.bigNumToBigInt>[0]);
  return unscaled > -EXACT_DECIMAL && unscaled < EXACT_DECIMAL && type.scale >= 0 ? Number(text) : text;
}

/** Ticks per second of each Arrow TimeUnit (SECOND, MILLISECOND, MICROSECOND, NANOSECOND). */
const TICKS = [1n, 1000n, 1_000_000n, 1_000_000_000n] as const;

/**
 * A time of day (`v` ticks of `unit` since midnight) as `HH:MM:SS`, with the fraction of a second
 * after a point when there is one (`12:34:56.5`), no trailing zeros.
 */
export function timeText(v: number | bigint, unit: number): string {
  const perSecond = TICKS[unit] ?? 1n;
  const ticks = BigInt(v);
  const seconds = Number(ticks / perSecond);
  const two = (n: number) => String(n).padStart(2, '0');
  const hms = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  const width = perSecond.toString().length - 1;
  const frac = (ticks % perSecond).toString().padStart(width, '0').replace(/0+$/, '');
  return frac === '' ? hms : `${hms}.${frac}`;
}

/** `n` of `unit` as ISO 8601 duration parts (`3D`, `-2H`), nothing when zero. */
function part(n: number, unit: string): string {
  return n === 0 ? '' : `${n}${unit}`;
}

/**
 * An Arrow interval as an ISO 8601 duration, e.g. `P1Y2M3DT4H5M6.5S`, `PT0S` when zero. Each
 * component keeps its own sign (`P-1M`), as months, days and time do not convert into each other.
 */
export function intervalText(v: Int32Array, type: DataType): string {
  let months = 0;
  let days = 0;
  let nanos = 0n;
  const unit = (type as { unit?: number }).unit;
  if (unit === 0)
    months = v[0]! * 12 + v[1]!; // YEAR_MONTH, read as [years, months]
  else if (unit === 1) {
    days = v[0]!; // DAY_TIME: [days, milliseconds]
    nanos = BigInt(v[1]!) * 1_000_000n;
  } else {
    months = v[0]!; // MONTH_DAY_NANO: months, days, then nanoseconds as a little-endian int64
    days = v[1]!;
    nanos = (BigInt(v[3]!) << 32n) | BigInt(v[2]! >>> 0);
  }
  const sign = nanos < 0n ? '-' : '';
  const abs = nanos < 0n ? -nanos : nanos;
  const secs = abs / 1_000_000_000n;
  const frac = (abs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const h = Number(secs / 3600n);
  const m = Number((secs / 60n) % 60n);
  const s = Number(secs % 60n);
  const second = s === 0 && frac === '' ? '' : `${sign}${s}${frac ? `.${frac}` : ''}S`;
  const time = `${h ? `${sign}${h}H` : ''}${m ? `${sign}${m}M` : ''}${second}`;
  const date = `${part(Math.trunc(months / 12), 'Y')}${part(months % 12, 'M')}${part(days, 'D')}`;
  if (date === '' && time === '') return 'PT0S';
  return `P${date}${time ? `T${time}` : ''}`;
}

/** A plain JSON-able value for an Arrow value of type `type`. */
export function plainValue(v: unknown, type: DataType): unknown {
  if (v === null || v === undefined) return null;
  if (DataType.isDecimal(type)) return decimalValue(v, type);
  if (DataType.isTime(type)) return timeText(v as number | bigint, type.unit);
  if (DataType.isInterval(type)) return intervalText(v as Int32Array, type);
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
  if (DataType.isMap(type)) {
    // Keys become JSON object keys; values keep their own formatting.
    const entry = type.children[0]!.type as DataType & { children: Field[] };
    const valueType = entry.children[1]!.type;
    const out: Record<string, unknown> = {};
    for (const [k, x] of v as Iterable<[unknown, unknown]>) out[String(k)] = plainValue(x, valueType);
    return out;
  }
  if (DataType.isList(type) || DataType.isFixedSizeList(type)) {
    // get(i) honours the child's validity; the typed array behind it holds 0 where a value is null.
    const list = v as Vector;
    const child = type.children[0]!.type;
    return Array.from({ length: list.length }, (_, i) => plainValue(list.get(i), child));
  }
  return v;
}

/** A value for a CSV cell: decimals as their plain text, the rest as {@link plainValue}. */
function csvValue(v: unknown, type: DataType): unknown {
  if (v !== null && v !== undefined && DataType.isDecimal(type)) return decimalText(v, type.scale);
  return plainValue(v, type);
}

function columnsOf(table: Table, skip: readonly string[]) {
  return table.schema.fields
    .map((f, i) => ({ name: f.name, type: f.type, vector: table.getChildAt(i)! }))
    .filter((c) => !skip.includes(c.name));
}

/**
 * One GeoJSON Feature per row (`properties` = every column but the WKB column `geometry` and
 * those in `skip`), as lines of text.
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

/** A CSV header line, then one line per row; the WKB column `geometry` as WKT, nested values as JSON. */
export function* csvLines(table: Table, geometry: string, skip: readonly string[]): Generator<string> {
  const cols = columnsOf(table, skip);
  yield cols.map((c) => csvField(c.name)).join(',');
  for (let i = 0; i < table.numRows; i++) {
    yield cols
      .map((c) => {
        const v = c.vector.get(i);
        if (c.name === geometry) return csvField(v ? wkbToWkt(v as Uint8Array) : null);
        return csvField(csvValue(v, c.type));
      })
      .join(',');
  }
}
