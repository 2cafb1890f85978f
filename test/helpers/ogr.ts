/**
 * Independent readers for the native tests: GDAL's own command-line tools (ogr2ogr,
 * ogrinfo) and a tiny WKB decoder written without src/geometry.
 */
import { execFileSync } from 'node:child_process';
import { DataType, type RecordBatch } from 'apache-arrow';

/** A GeoJSON geometry as decoded from WKB (coordinates as nested arrays). */
export interface Geom {
  type: string;
  coordinates?: unknown;
  geometries?: Geom[];
}

/** One GeoJSON feature as ogr2ogr writes it. */
export interface Feature {
  properties: Record<string, unknown>;
  geometry: Geom | null;
}

/**
 * Every feature of a layer through `ogr2ogr -f GeoJSON` (GeoJSON 2008 flavour: rings keep
 * their stored order, coordinates at 17 significant digits; GeoJSONSeq would rewind them).
 */
export function ogrFeatures(path: string, args: readonly string[] = []): Feature[] {
  const out = execFileSync('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', path, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(out) as { features: Feature[] }).features;
}

/** `ogrinfo -so` facts of one layer: fields as `name -> OGR type` and the forced feature count. */
export function ogrSummary(
  path: string,
  layer: string,
): { fields: Map<string, string>; featureCount: number } {
  const out = execFileSync('ogrinfo', ['-so', path, layer], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const fields = new Map<string, string>();
  let afterAxis = false;
  for (const line of out.split('\n')) {
    // Field lines follow the SRS block ("Data axis to CRS axis mapping" or "(unknown)").
    if (/^Data axis to CRS axis mapping|^\(unknown\)$/.test(line)) afterAxis = true;
    const m = /^([^\s:][^:]*): (\S+) \(/.exec(line);
    if (afterAxis && m) fields.set(m[1]!, m[2]!);
  }
  const count = /Feature Count: (-?\d+)/.exec(out);
  return { fields, featureCount: count ? Number(count[1]) : Number.NaN };
}

/** Decodes ISO WKB (2D, Z, M, ZM; either byte order) into a GeoJSON-like geometry. */
export function decodeWkb(bytes: Uint8Array): Geom {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const read = (): Geom => {
    const le = view.getUint8(at) === 1;
    const code = view.getUint32(at + 1, le);
    at += 5;
    const base = code % 1000;
    const dims = 2 + (Math.floor(code / 1000) === 3 ? 2 : code >= 1000 ? 1 : 0);
    const u32 = () => {
      const v = view.getUint32(at, le);
      at += 4;
      return v;
    };
    const point = () => {
      const p: number[] = [];
      for (let i = 0; i < dims; i++, at += 8) p.push(view.getFloat64(at, le));
      return p;
    };
    const points = () => Array.from({ length: u32() }, point);
    const rings = () => Array.from({ length: u32() }, points);
    const parts = () => Array.from({ length: u32() }, read);
    switch (base) {
      case 1:
        return { type: 'Point', coordinates: point() };
      case 2:
        return { type: 'LineString', coordinates: points() };
      case 3:
        return { type: 'Polygon', coordinates: rings() };
      case 4:
        return { type: 'MultiPoint', coordinates: parts().map((g) => g.coordinates) };
      case 5:
        return { type: 'MultiLineString', coordinates: parts().map((g) => g.coordinates) };
      case 6:
        return { type: 'MultiPolygon', coordinates: parts().map((g) => g.coordinates) };
      case 7:
        return { type: 'GeometryCollection', geometries: parts() };
      default:
        throw new Error(`WKB type ${code} not handled by the test decoder`);
    }
  };
  const g = read();
  if (at !== bytes.byteLength) throw new Error(`WKB has ${bytes.byteLength - at} trailing bytes`);
  return g;
}

/**
 * Largest absolute difference between the coordinates of two geometries (or coordinate
 * trees); Infinity when their shapes differ.
 */
export function maxCoordDiff(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b);
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.reduce((m: number, x, i) => Math.max(m, maxCoordDiff(x, b[i])), 0);
  }
  if (isGeom(a) && isGeom(b) && a.type === b.type) {
    return a.geometries && b.geometries
      ? maxCoordDiff(a.geometries, b.geometries)
      : maxCoordDiff(a.coordinates, b.coordinates);
  }
  return Number.POSITIVE_INFINITY;
}

function isGeom(x: unknown): x is Geom {
  return typeof x === 'object' && x !== null && 'type' in x;
}

/** The features of Arrow batches in ogr2ogr's GeoJSON terms, to compare with {@link ogrFeatures}. */
export function batchFeatures(batches: readonly RecordBatch[], geometryColumn: string | null): Feature[] {
  const out: Feature[] = [];
  for (const batch of batches) {
    for (let i = 0; i < batch.numRows; i++) {
      const properties: Record<string, unknown> = {};
      let geometry: Geom | null = null;
      for (const field of batch.schema.fields) {
        const value = batch.getChild(field.name)!.get(i) as unknown;
        if (field.name === geometryColumn) {
          geometry = value ? decodeWkb(value as Uint8Array) : null;
        } else {
          properties[field.name] = toJson(field.type, value);
        }
      }
      out.push({ properties, geometry });
    }
  }
  return out;
}

/** How ogr2ogr's GeoJSON writes a value of an OGR field read as `type`. */
function toJson(type: DataType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (DataType.isTimestamp(type)) return { epochMs: value as number };
  if (DataType.isBinary(type))
    return Buffer.from(value as Uint8Array)
      .toString('hex')
      .toUpperCase();
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/**
 * Differences between features read through Arrow and ogr2ogr's, as readable lines (empty when
 * equal): properties exactly (date-times as instants), geometries to `tolerance` per ordinate.
 */
export function featureDiffs(got: readonly Feature[], want: readonly Feature[], tolerance = 0): string[] {
  const diffs: string[] = [];
  if (got.length !== want.length) diffs.push(`${got.length} rows, ogr2ogr has ${want.length}`);
  want.forEach((w, i) => {
    const g = got[i];
    if (!g) return;
    for (const [key, expected] of Object.entries(w.properties)) {
      const actual = g.properties[key];
      const same =
        actual && typeof actual === 'object' && 'epochMs' in actual
          ? actual.epochMs === Date.parse(expected as string)
          : Object.is(actual, expected) || (actual === null && expected === undefined);
      if (!same)
        diffs.push(`row ${i} ${key}: ${JSON.stringify(actual)}, ogr2ogr ${JSON.stringify(expected)}`);
    }
    const extra = Object.keys(g.properties).filter((k) => !(k in w.properties) && g.properties[k] !== null);
    if (extra.length) diffs.push(`row ${i}: columns ${extra.join(', ')} not in ogr2ogr's output`);
    if ((g.geometry === null) !== (w.geometry === null)) {
      diffs.push(`row ${i} geometry: ${g.geometry?.type ?? 'null'}, ogr2ogr ${w.geometry?.type ?? 'null'}`);
    } else if (g.geometry && w.geometry) {
      const d = maxCoordDiff(g.geometry, w.geometry);
      if (g.geometry.type !== w.geometry.type || d > tolerance) {
        diffs.push(`row ${i} geometry: ${g.geometry.type} vs ${w.geometry.type}, coordinates differ by ${d}`);
      }
    }
  });
  return diffs;
}
