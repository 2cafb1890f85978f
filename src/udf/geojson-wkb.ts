/**
 * GeoJSON geometry objects to ISO WKB (little-endian), for the geometry a UDF returns as
 * GeoJSON. This is the edge of the engine (a UDF's result), so plain objects are fine here.
 */

const CODES: Readonly<Record<string, number>> = {
  Point: 1,
  LineString: 2,
  Polygon: 3,
  MultiPoint: 4,
  MultiLineString: 5,
  MultiPolygon: 6,
  GeometryCollection: 7,
};

/** The GeoJSON geometry type names WKB can hold. */
export const GEOJSON_GEOMETRY_TYPES: readonly string[] = Object.keys(CODES);

/** True for an object that looks like a GeoJSON geometry (`type` is a geometry type name). */
export function isGeoJsonGeometry(value: unknown): value is { type: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    Object.hasOwn(CODES, (value as { type: string }).type)
  );
}

class Writer {
  bytes = new Uint8Array(64);
  view = new DataView(this.bytes.buffer);
  pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.pos + n));
    next.set(this.bytes);
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.room(1);
    this.bytes[this.pos++] = v;
  }

  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
}

type Coords = unknown;

function fail(message: string): never {
  throw new TypeError(message);
}

/** Whether any position in `coords` (nested to `depth` levels) has a third value. */
function hasZ(coords: Coords, depth: number): boolean {
  if (!Array.isArray(coords)) return false;
  if (depth === 0) return coords.length >= 3;
  return coords.some((c) => hasZ(c, depth - 1));
}

function position(w: Writer, p: Coords, z: boolean): void {
  if (!Array.isArray(p) || p.length < 2 || !p.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    fail(`a position must be an array of 2 or 3 finite numbers, got ${JSON.stringify(p)}`);
  }
  w.f64(p[0] as number);
  w.f64(p[1] as number);
  if (z) w.f64((p[2] as number | undefined) ?? Number.NaN);
}

function list(coords: Coords, what: string): unknown[] {
  if (!Array.isArray(coords)) fail(`${what} must be an array, got ${JSON.stringify(coords)}`);
  return coords;
}

function points(w: Writer, coords: Coords, z: boolean): void {
  const ps = list(coords, 'coordinates');
  w.u32(ps.length);
  for (const p of ps) position(w, p, z);
}

function rings(w: Writer, coords: Coords, z: boolean): void {
  const rs = list(coords, 'coordinates');
  w.u32(rs.length);
  for (const r of rs) points(w, r, z);
}

/** Nesting depth of a type's coordinates down to positions. */
const DEPTH: Readonly<Record<string, number>> = {
  Point: 0,
  LineString: 1,
  MultiPoint: 1,
  Polygon: 2,
  MultiLineString: 2,
  MultiPolygon: 3,
};

function header(w: Writer, type: string, z: boolean): void {
  w.u8(1);
  w.u32(CODES[type]! + (z ? 1000 : 0));
}

/** Whether any position of geometry `g` (collections included) has a third value. */
function geometryHasZ(g: unknown): boolean {
  if (!isGeoJsonGeometry(g)) return false;
  if (g.type === 'GeometryCollection') {
    const parts = (g as { geometries?: unknown }).geometries;
    return Array.isArray(parts) && parts.some(geometryHasZ);
  }
  return hasZ((g as { coordinates?: unknown }).coordinates, DEPTH[g.type]!);
}

/** Writes `g`; `z` is the dimension of the whole value, so every part of it has one header kind. */
function geometry(w: Writer, g: unknown, z: boolean): void {
  if (!isGeoJsonGeometry(g)) {
    fail(`expected a GeoJSON geometry (type ${GEOJSON_GEOMETRY_TYPES.join(', ')}), got ${JSON.stringify(g)}`);
  }
  const type = g.type;
  if (type === 'GeometryCollection') {
    const parts = list((g as { geometries?: unknown }).geometries, 'geometries');
    header(w, type, z);
    w.u32(parts.length);
    for (const part of parts) geometry(w, part, z);
    return;
  }
  const coords = (g as { coordinates?: unknown }).coordinates;
  header(w, type, z);
  switch (type) {
    case 'Point':
      // An empty GeoJSON point (`coordinates: []`) is WKB's NaN point.
      if (Array.isArray(coords) && coords.length === 0) {
        w.f64(Number.NaN);
        w.f64(Number.NaN);
      } else position(w, coords, z);
      return;
    case 'LineString':
      points(w, coords, z);
      return;
    case 'Polygon':
      rings(w, coords, z);
      return;
    case 'MultiPoint':
    case 'MultiLineString':
    case 'MultiPolygon': {
      const parts = list(coords, 'coordinates');
      const partType = type.slice('Multi'.length);
      w.u32(parts.length);
      for (const part of parts) {
        header(w, partType, z);
        if (partType === 'Point') position(w, part, z);
        else if (partType === 'LineString') points(w, part, z);
        else rings(w, part, z);
      }
      return;
    }
  }
}

/**
 * Encodes one GeoJSON geometry object as ISO WKB (little-endian; Z when any position has a
 * third value, in which case every part is Z and 2D positions get a NaN Z). Throws a
 * TypeError saying what is wrong with the object.
 */
export function geoJsonToWkb(g: unknown): Uint8Array {
  const w = new Writer();
  geometry(w, g, geometryHasZ(g));
  return w.bytes.slice(0, w.pos);
}
