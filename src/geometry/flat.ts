/**
 * Flat, geoarrow-style geometry layouts that the measure and subdivide kernels work on: one
 * `Float64Array` of x,y pairs (WGS84 degrees, planar) plus `Int32Array` offsets, no objects per
 * point. Offsets are absolute point indices into `coords` (they need not start at 0), so a part
 * of a multipolygon is a zero-copy view (see {@link polygonAt}). Only x and y are carried: Z and
 * M are not part of these layouts.
 *
 * The `...FromCoordinates` / `...ToCoordinates` converters are for the edges (tests, small
 * inputs); the hot path builds these arrays straight from WKB.
 */

/** Points (a point or a multipoint): `coords` holds x,y pairs in degrees. */
export interface FlatPoints {
  readonly coords: Float64Array;
}

/** Lines (a linestring or a multilinestring): part `k` spans points `partOffsets[k] .. partOffsets[k + 1]`. */
export interface FlatLines {
  /** x,y pairs, degrees. */
  readonly coords: Float64Array;
  /** `parts + 1` absolute point offsets into `coords`. */
  readonly partOffsets: Int32Array;
}

/**
 * A polygon: ring `k` spans points `ringOffsets[k] .. ringOffsets[k + 1]`; ring 0 is the exterior,
 * the others are holes. Rings are closed (first point == last point).
 */
export interface FlatPolygon {
  /** x,y pairs, degrees. */
  readonly coords: Float64Array;
  /** `rings + 1` absolute point offsets into `coords`. */
  readonly ringOffsets: Int32Array;
}

/** A multipolygon: polygon `p` is made of rings `polygonOffsets[p] .. polygonOffsets[p + 1]`. */
export interface FlatMultiPolygon {
  /** x,y pairs, degrees. */
  readonly coords: Float64Array;
  /** `rings + 1` absolute point offsets into `coords`. */
  readonly ringOffsets: Int32Array;
  /** `polygons + 1` offsets into the rings of `ringOffsets`. */
  readonly polygonOffsets: Int32Array;
}

/** Any of the flat layouts. */
export type FlatGeometry = FlatPoints | FlatLines | FlatPolygon | FlatMultiPolygon;

/** A position as GeoJSON writes it: `[x, y]` in degrees (extra ordinates are ignored). */
export type Position = readonly number[];

/** Number of polygons in a multipolygon. */
export function polygonCount(mp: FlatMultiPolygon): number {
  return mp.polygonOffsets.length - 1;
}

/** Polygon `i` of a multipolygon, as a view sharing `mp.coords` (no copy). */
export function polygonAt(mp: FlatMultiPolygon, i: number): FlatPolygon {
  const first = mp.polygonOffsets[i]!;
  const last = mp.polygonOffsets[i + 1]!;
  return { coords: mp.coords, ringOffsets: mp.ringOffsets.subarray(first, last + 1) };
}

/** Builds a polygon from GeoJSON-style rings (`[[x, y], ...]` per ring, exterior first). */
export function polygonFromCoordinates(rings: readonly (readonly Position[])[]): FlatPolygon {
  const mp = multiPolygonFromCoordinates([rings]);
  return { coords: mp.coords, ringOffsets: mp.ringOffsets };
}

/** Builds a multipolygon from GeoJSON-style coordinates (polygons of rings of positions). */
export function multiPolygonFromCoordinates(
  polygons: readonly (readonly (readonly Position[])[])[],
): FlatMultiPolygon {
  let points = 0;
  let rings = 0;
  for (const poly of polygons) {
    rings += poly.length;
    for (const ring of poly) points += ring.length;
  }
  const coords = new Float64Array(points * 2);
  const ringOffsets = new Int32Array(rings + 1);
  const polygonOffsets = new Int32Array(polygons.length + 1);
  let pt = 0;
  let r = 0;
  for (let p = 0; p < polygons.length; p++) {
    for (const ring of polygons[p]!) {
      for (const pos of ring) {
        coords[pt * 2] = pos[0]!;
        coords[pt * 2 + 1] = pos[1]!;
        pt++;
      }
      ringOffsets[++r] = pt;
    }
    polygonOffsets[p + 1] = r;
  }
  return { coords, ringOffsets, polygonOffsets };
}

/** Builds lines from GeoJSON-style parts (`[[x, y], ...]` per part). */
export function linesFromCoordinates(parts: readonly (readonly Position[])[]): FlatLines {
  const mp = multiPolygonFromCoordinates([parts]);
  return { coords: mp.coords, partOffsets: mp.ringOffsets };
}

/** The rings of a polygon as GeoJSON-style coordinates. */
export function polygonToCoordinates(p: FlatPolygon): number[][][] {
  const rings: number[][][] = [];
  for (let r = 0; r + 1 < p.ringOffsets.length; r++) {
    const ring: number[][] = [];
    for (let i = p.ringOffsets[r]!; i < p.ringOffsets[r + 1]!; i++) {
      ring.push([p.coords[i * 2]!, p.coords[i * 2 + 1]!]);
    }
    rings.push(ring);
  }
  return rings;
}
