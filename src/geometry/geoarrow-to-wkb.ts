/**
 * GeoArrow native geometry arrays (the GeoParquet 1.1 native encodings) to a WKB column,
 * written straight from the coordinate arrays and list offsets.
 */
import { type Data, DataType } from 'apache-arrow';
import { GeopartError } from '../errors.js';
import {
  WKB_LINESTRING,
  WKB_MULTILINESTRING,
  WKB_MULTIPOINT,
  WKB_MULTIPOLYGON,
  WKB_POINT,
  WKB_POLYGON,
  type WkbColumn,
} from './wkb.js';
import { WkbBuilder } from './wkb-builder.js';

/** The GeoArrow geometry encodings GeoParquet names in `columns[...].encoding`. */
export const GEOARROW_ENCODINGS = [
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
] as const;

/** One of {@link GEOARROW_ENCODINGS}. */
export type GeoArrowEncoding = (typeof GEOARROW_ENCODINGS)[number];

/** List nesting above the coordinates, per encoding. */
const DEPTH: Readonly<Record<GeoArrowEncoding, number>> = {
  point: 0,
  linestring: 1,
  multipoint: 1,
  polygon: 2,
  multilinestring: 2,
  multipolygon: 3,
};

type Floats = Float64Array | Float32Array;

/** Coordinates as separated arrays (struct<x, y[, z][, m]>) or one interleaved array. */
interface Coords {
  readonly hasZ: boolean;
  readonly hasM: boolean;
  readonly size: number;
  /** One array per ordinate (struct encoding), or null. */
  readonly separated: readonly Floats[] | null;
  /** `size` ordinates per coordinate (fixed_size_list encoding), or null. */
  readonly interleaved: Floats | null;
}

/**
 * Converts a GeoArrow array of `encoding` to WKB, one row per element: little-endian ISO WKB
 * keeping every dimension the array has (Z, M, ZM), null elements as null rows. Coordinates may be
 * separated (`struct<x, y[, z][, m]>`) or interleaved (`fixed_size_list<double>[2|3|4]`, the child
 * field named `xy`, `xyz`, `xym` or `xyzm`; a list size of 3 without such a name is XYZ). List
 * levels may be `list` or `large_list`. An empty point stays a point with NaN coordinates.
 * Throws `CORRUPT_INPUT` when the array's type does not match `encoding`.
 */
export function geoarrowToWkb(data: Data, encoding: GeoArrowEncoding): WkbColumn {
  const levels: ArrayLike<number>[] = [];
  let level: Data = data;
  for (let d = 0; d < DEPTH[encoding]; d++) {
    if (!DataType.isList(level.type) && !DataType.isLargeList(level.type)) {
      throw mismatch(encoding, data, `level ${d} is ${level.type}, not a list`);
    }
    levels.push(listOffsets(level));
    level = level.children[0]!;
  }
  const c = coordsOf(level, encoding, data);
  const n = data.length;
  const out = new WkbBuilder(n, n * 16 * c.size + 16);
  const valid = validityOf(data);
  const [o1, o2, o3] = levels as [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>];

  for (let i = 0; i < n; i++) {
    if (!valid(i)) {
      out.appendNull();
      continue;
    }
    switch (encoding) {
      case 'point':
        out.header(WKB_POINT, c.hasZ, c.hasM);
        writeCoords(out, c, i, i + 1);
        break;
      case 'linestring':
        out.header(WKB_LINESTRING, c.hasZ, c.hasM);
        writeRun(out, c, o1[i]!, o1[i + 1]!);
        break;
      case 'multipoint':
        out.header(WKB_MULTIPOINT, c.hasZ, c.hasM);
        out.u32(o1[i + 1]! - o1[i]!);
        for (let k = o1[i]!; k < o1[i + 1]!; k++) {
          out.header(WKB_POINT, c.hasZ, c.hasM);
          writeCoords(out, c, k, k + 1);
        }
        break;
      case 'polygon':
        out.header(WKB_POLYGON, c.hasZ, c.hasM);
        writeRings(out, c, o2, o1[i]!, o1[i + 1]!);
        break;
      case 'multilinestring':
        out.header(WKB_MULTILINESTRING, c.hasZ, c.hasM);
        out.u32(o1[i + 1]! - o1[i]!);
        for (let p = o1[i]!; p < o1[i + 1]!; p++) {
          out.header(WKB_LINESTRING, c.hasZ, c.hasM);
          writeRun(out, c, o2[p]!, o2[p + 1]!);
        }
        break;
      case 'multipolygon':
        out.header(WKB_MULTIPOLYGON, c.hasZ, c.hasM);
        out.u32(o1[i + 1]! - o1[i]!);
        for (let p = o1[i]!; p < o1[i + 1]!; p++) {
          out.header(WKB_POLYGON, c.hasZ, c.hasM);
          writeRings(out, c, o3, o2[p]!, o2[p + 1]!);
        }
        break;
    }
    out.endRow();
  }
  return out.finish();
}

/** Ring count, then each ring of `ringOffsets[r .. rEnd]` as count + coordinates. */
function writeRings(
  out: WkbBuilder,
  c: Coords,
  ringOffsets: ArrayLike<number>,
  r: number,
  rEnd: number,
): void {
  out.u32(rEnd - r);
  for (; r < rEnd; r++) writeRun(out, c, ringOffsets[r]!, ringOffsets[r + 1]!);
}

/** A point count, then coordinates `start .. end`. */
function writeRun(out: WkbBuilder, c: Coords, start: number, end: number): void {
  out.u32(end - start);
  writeCoords(out, c, start, end);
}

function writeCoords(out: WkbBuilder, c: Coords, start: number, end: number): void {
  const size = c.size;
  out.reserve((end - start) * size * 8);
  if (c.interleaved !== null) {
    const v = c.interleaved;
    for (let k = start * size, e = end * size; k < e; k++) out.f64(v[k]!);
    return;
  }
  const s = c.separated!;
  for (let k = start; k < end; k++) {
    for (let d = 0; d < size; d++) out.f64(s[d]![k]!);
  }
}

function coordsOf(level: Data, encoding: GeoArrowEncoding, data: Data): Coords {
  if (DataType.isStruct(level.type)) {
    const names = level.type.children.map((f) => f.name.toLowerCase());
    const order = ['x', 'y', 'z', 'm'].map((n) => names.indexOf(n));
    const [ix, iy, iz, im] = order as [number, number, number, number];
    if (ix < 0 || iy < 0) throw mismatch(encoding, data, `coordinate struct has fields ${names.join(', ')}`);
    const picks = [ix, iy, ...(iz >= 0 ? [iz] : []), ...(im >= 0 ? [im] : [])];
    const separated = picks.map((p) => floats(level.children[p]!, encoding, data));
    return { hasZ: iz >= 0, hasM: im >= 0, size: picks.length, separated, interleaved: null };
  }
  if (DataType.isFixedSizeList(level.type)) {
    const size = level.type.listSize;
    const name = level.type.children[0]?.name.toLowerCase() ?? '';
    if (size < 2 || size > 4) throw mismatch(encoding, data, `interleaved coordinates of size ${size}`);
    const hasM = size === 4 || (size === 3 && name === 'xym');
    const hasZ = size === 4 || (size === 3 && !hasM);
    return { hasZ, hasM, size, separated: null, interleaved: floats(level.children[0]!, encoding, data) };
  }
  throw mismatch(encoding, data, `coordinates are ${level.type}, not a struct or fixed-size list`);
}

function floats(child: Data, encoding: GeoArrowEncoding, data: Data): Floats {
  if (!DataType.isFloat(child.type)) throw mismatch(encoding, data, `ordinates are ${child.type}`);
  const v = child.values as unknown;
  if (!(v instanceof Float64Array) && !(v instanceof Float32Array)) {
    throw mismatch(encoding, data, `ordinates are ${child.type}; expected double`);
  }
  return v;
}

function listOffsets(level: Data): ArrayLike<number> {
  const off = level.valueOffsets as Int32Array | BigInt64Array;
  return off instanceof BigInt64Array ? Float64Array.from(off, Number) : off;
}

function validityOf(data: Data): (i: number) => boolean {
  const bitmap = data.nullBitmap;
  if (data.nullCount === 0 || !bitmap || bitmap.length === 0) return () => true;
  const base = data.offset;
  return (i) => {
    const bit = base + i;
    return ((bitmap[bit >> 3] ?? 0) & (1 << (bit & 7))) !== 0;
  };
}

function mismatch(encoding: GeoArrowEncoding, data: Data, detail: string): GeopartError {
  return new GeopartError(
    'CORRUPT_INPUT',
    `geometry column declared as GeoArrow '${encoding}' has type ${data.type}: ${detail}`,
    { encoding },
  );
}
