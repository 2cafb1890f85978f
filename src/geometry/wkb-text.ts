/**
 * WKB to GeoJSON geometry objects and to WKT text, for output formats meant for people and
 * other tools (query results), not for the hot path. Z is kept, M is dropped (GeoJSON has no
 * M; WKT output stays 2D/3D so every reader accepts it).
 */
import { WKB_LINESTRING, WKB_POINT, WKB_POLYGON, WKB_TYPE_NAMES, WkbCursor } from './wkb.js';

/** A GeoJSON geometry object (RFC 7946). */
export type GeoJsonGeometry =
  | { type: 'Point'; coordinates: number[] }
  | { type: 'LineString' | 'MultiPoint'; coordinates: number[][] }
  | { type: 'Polygon' | 'MultiLineString'; coordinates: number[][][] }
  | { type: 'MultiPolygon'; coordinates: number[][][][] }
  | { type: 'GeometryCollection'; geometries: GeoJsonGeometry[] };

/** The GeoJSON geometry of one WKB value; an empty point has `coordinates: []`. */
export function wkbToGeoJson(wkb: Uint8Array): GeoJsonGeometry {
  const cur = new WkbCursor(wkb);
  cur.reset(0, wkb.byteLength, 0);
  return read(cur);
}

/** The WKT of one WKB value, e.g. `POINT (1 2)`, `POLYGON Z EMPTY`. */
export function wkbToWkt(wkb: Uint8Array): string {
  return toWkt(wkbToGeoJson(wkb), wkbHasZ(wkb));
}

function wkbHasZ(wkb: Uint8Array): boolean {
  const cur = new WkbCursor(wkb);
  cur.reset(0, wkb.byteLength, 0);
  cur.readHeader();
  return cur.hasZ;
}

function coords(cur: WkbCursor, n: number): number[][] {
  cur.coordBytes(n);
  const out: number[][] = [];
  const { view, le, dims, hasZ } = cur;
  for (let k = 0; k < n; k++) {
    const p = cur.pos + k * dims * 8;
    const c = [view.getFloat64(p, le), view.getFloat64(p + 8, le)];
    if (hasZ) c.push(view.getFloat64(p + 16, le));
    out.push(c);
  }
  cur.pos += n * dims * 8;
  return out;
}

function read(cur: WkbCursor): GeoJsonGeometry {
  const type = cur.readHeader();
  switch (type) {
    case WKB_POINT: {
      const c = coords(cur, 1)[0]!;
      return { type: 'Point', coordinates: Number.isNaN(c[0]!) ? [] : c };
    }
    case WKB_LINESTRING:
      return { type: 'LineString', coordinates: coords(cur, cur.readCount(cur.dims * 8)) };
    case WKB_POLYGON: {
      const rings = cur.readCount(4);
      const out: number[][][] = [];
      for (let r = 0; r < rings; r++) out.push(coords(cur, cur.readCount(cur.dims * 8)));
      return { type: 'Polygon', coordinates: out };
    }
    default: {
      const n = cur.readCount(5);
      const parts: GeoJsonGeometry[] = [];
      for (let p = 0; p < n; p++) parts.push(read(cur));
      if (type === 7) return { type: 'GeometryCollection', geometries: parts };
      const cs = parts.map((g) => (g as { coordinates: unknown }).coordinates);
      return { type: WKB_TYPE_NAMES[type], coordinates: cs } as GeoJsonGeometry;
    }
  }
}

const num = (v: number) => String(v);
const pos = (c: readonly number[]) => c.map(num).join(' ');
const list = <T>(items: readonly T[], f: (t: T) => string) =>
  items.length === 0 ? 'EMPTY' : `(${items.map(f).join(', ')})`;

function body(g: GeoJsonGeometry, z: boolean): string {
  switch (g.type) {
    case 'Point':
      return g.coordinates.length === 0 ? 'EMPTY' : `(${pos(g.coordinates)})`;
    case 'LineString':
      return list(g.coordinates, pos);
    case 'MultiPoint':
      return list(g.coordinates, (c) => `(${pos(c)})`);
    case 'Polygon':
    case 'MultiLineString':
      return list(g.coordinates, (r) => list(r, pos));
    case 'MultiPolygon':
      return list(g.coordinates, (p) => list(p, (r) => list(r, pos)));
    case 'GeometryCollection':
      return list(g.geometries, (p) => toWkt(p, z));
  }
}

function toWkt(g: GeoJsonGeometry, z: boolean): string {
  return `${g.type.toUpperCase()}${z ? ' Z' : ''} ${body(g, z)}`;
}
