/**
 * Subdivision over a WKB column: rows whose polygon area exceeds `subdivide_start` become
 * one Polygon row per piece (a collection's other parts one more row); every other row passes
 * through byte for byte.
 */
import type { FlatMultiPolygon, FlatPolygon } from './flat.js';
import { multiPolygonArea } from './measure.js';
import { subdivideMultiPolygon } from './subdivide.js';
import { baseTypeAt, isRowPresent, type WkbColumn, WkbCursor } from './wkb.js';
import { WkbBuilder } from './wkb-builder.js';
import { WkbFlatDecoder } from './wkb-flat.js';
import { ZField } from './z-field.js';

/**
 * Repairs one geometry given as WKB: null when it is valid, else the repaired geometry.
 * io/native.ts's makeValidWkb (GEOS), passed in by the caller.
 */
export type Repair = (wkb: Uint8Array) => Uint8Array | null;

/** The subdivided column and, for each of its rows, the input row it came from. */
export interface SubdivideResult {
  readonly wkb: WkbColumn;
  /** `parentRow[j]` is the input row of output row `j` (non-decreasing). */
  readonly parentRow: Int32Array;
  /** Input rows that were cut into pieces. */
  readonly subdividedRows: number;
}

/** Writes `p` as one WKB Polygon row; a Polygon Z, its Z looked up in `z`, when `z` is given. */
function writePolygon(b: WkbBuilder, p: FlatPolygon, z: ZField | null): void {
  const ro = p.ringOffsets;
  const rings = ro.length - 1;
  const c = p.coords;
  b.header(3, z !== null);
  b.u32(rings);
  b.reserve(rings * 4 + (ro[rings]! - ro[0]!) * (z === null ? 16 : 24));
  for (let r = 0; r < rings; r++) {
    b.u32(ro[r + 1]! - ro[r]!);
    for (let i = ro[r]!; i < ro[r + 1]!; i++) {
      b.f64(c[i * 2]!);
      b.f64(c[i * 2 + 1]!);
      if (z !== null) b.f64(z.at(c[i * 2]!, c[i * 2 + 1]!));
    }
  }
  b.endRow();
}

/** A GeometryCollection row split into its polygonal parts and the byte ranges of the others. */
interface CollectionParts {
  /** Its Polygon and MultiPolygon parts as one multipolygon (owned arrays). */
  readonly polygons: FlatMultiPolygon;
  /** `[start, end)` of each other part (points and lines, at any depth), in order. */
  readonly rest: readonly (readonly [number, number])[];
  readonly hasZ: boolean;
  readonly hasM: boolean;
}

/**
 * The parts of the GeometryCollection row `i` (at `[s, e)`), nested collections walked into:
 * its Polygon and MultiPolygon parts gathered into one multipolygon, and where its other parts
 * (points and lines) lie.
 */
function collectionParts(
  col: WkbColumn,
  s: number,
  e: number,
  i: number,
  dec: WkbFlatDecoder,
): CollectionParts {
  const cur = new WkbCursor(col.values);
  cur.reset(s, e, i);
  cur.readHeader();
  const { hasZ, hasM } = cur;
  const coords: number[] = [];
  const ringOffsets: number[] = [0];
  const polygonOffsets: number[] = [0];
  const rest: [number, number][] = [];
  const v = col.values;
  // Each part at the cursor: a nested collection is walked into, a (multi)polygon gathered,
  // anything else kept as its bytes.
  const walk = (): void => {
    const start = cur.pos;
    const type = baseTypeAt(v, start);
    if (type === 7) {
      cur.readHeader();
      const n = cur.readCount(5);
      for (let k = 0; k < n; k++) walk();
      return;
    }
    cur.skipGeometry();
    if (type !== 3 && type !== 6) {
      rest.push([start, cur.pos]);
      return;
    }
    dec.decode(start, cur.pos, i);
    const mp = dec.polygons;
    const first = mp.ringOffsets[mp.polygonOffsets[0]!]!;
    const base = coords.length / 2;
    for (let k = 2 * first; k < 2 * mp.ringOffsets[mp.ringOffsets.length - 1]!; k++)
      coords.push(mp.coords[k]!);
    const ringBase = ringOffsets.length - 1;
    for (let r = mp.polygonOffsets[0]! + 1; r <= mp.polygonOffsets[mp.polygonOffsets.length - 1]!; r++) {
      ringOffsets.push(mp.ringOffsets[r]! - first + base);
    }
    for (let q = 1; q < mp.polygonOffsets.length; q++) {
      polygonOffsets.push(mp.polygonOffsets[q]! - mp.polygonOffsets[0]! + ringBase);
    }
  };
  const parts = cur.readCount(5);
  for (let p = 0; p < parts; p++) walk();
  return {
    polygons: {
      coords: Float64Array.from(coords),
      ringOffsets: Int32Array.from(ringOffsets),
      polygonOffsets: Int32Array.from(polygonOffsets),
    },
    rest,
    hasZ,
    hasM,
  };
}

/** Writes the parts `rest` of a collection row as one row: the part itself, or a collection of them. */
function writeRest(b: WkbBuilder, bytes: Uint8Array, c: CollectionParts): void {
  if (c.rest.length === 1) {
    b.copy(bytes, c.rest[0]![0], c.rest[0]![1]);
  } else {
    b.header(7, c.hasZ, c.hasM);
    b.u32(c.rest.length);
    for (const [s, e] of c.rest) b.copy(bytes, s, e);
  }
  b.endRow();
}

/**
 * Cuts the polygonal rows of `col` whose area exceeds `start` (deg^2) into pieces of at most
 * `stop` (deg^2): Polygon and MultiPolygon rows, and GeometryCollection rows by their Polygon
 * and MultiPolygon parts at any depth (their other parts, if any, follow the pieces as one more
 * row: the part itself, or a collection of them). Pieces of a row with Z are Polygon Z: vertices of
 * the row keep their Z, and vertices on the cut lines get the Z interpolated along the edge they
 * cut (z-field.ts). An invalid polygon is cut as it is (its pieces may be invalid): repair it
 * first with {@link makeValidColumn} (`make_valid`). Returns the input column itself when no
 * row is cut.
 */
export function subdivideWkbColumn(col: WkbColumn, start: number, stop: number): SubdivideResult {
  const n = col.length;
  const dec = new WkbFlatDecoder(col.values);
  const pieces: (FlatPolygon[] | null)[] = new Array(n).fill(null);
  const zFields: (ZField | null)[] = new Array(n).fill(null);
  const collections = new Map<number, CollectionParts>();
  let outRows = 0;
  let cut = 0;
  for (let i = 0; i < n; i++) {
    outRows++;
    if (!isRowPresent(col, i)) continue;
    const s = col.offsets[i]!;
    // Only (multi)polygons and collections.
    const type = baseTypeAt(col.values, s);
    if (type !== 3 && type !== 6 && type !== 7) continue;
    let owned: FlatMultiPolygon;
    if (type === 7) {
      const c = collectionParts(col, s, col.offsets[i + 1]!, i, dec);
      if (!(multiPolygonArea(c.polygons) > start)) continue;
      owned = c.polygons;
      if (c.rest.length > 0) {
        collections.set(i, c);
        outRows++;
      }
    } else {
      dec.decode(s, col.offsets[i + 1]!, i);
      const polys = dec.polygons;
      if (!(multiPolygonArea(polys) > start)) continue;
      // The decoder's buffers are reused per row: copy what the pieces still reference.
      owned = {
        coords: polys.coords.slice(),
        ringOffsets: polys.ringOffsets.slice(),
        polygonOffsets: polys.polygonOffsets.slice(),
      };
    }
    const z = ZField.fromWkb(col.values, s, col.offsets[i + 1]!, i);
    const parts = subdivideMultiPolygon(owned, start, stop, z ?? undefined);
    pieces[i] = parts;
    zFields[i] = z;
    outRows += parts.length - 1;
    cut++;
  }
  if (cut === 0) {
    const parentRow = new Int32Array(n);
    for (let i = 0; i < n; i++) parentRow[i] = i;
    return { wkb: col, parentRow, subdividedRows: 0 };
  }
  const b = new WkbBuilder(outRows, col.values.length);
  const parentRow = new Int32Array(outRows);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const parts = pieces[i];
    if (parts) {
      for (const p of parts) {
        writePolygon(b, p, zFields[i] ?? null);
        parentRow[j++] = i;
      }
      const c = collections.get(i);
      if (c) {
        writeRest(b, col.values, c);
        parentRow[j++] = i;
      }
    } else {
      if (isRowPresent(col, i)) {
        b.copy(col.values, col.offsets[i]!, col.offsets[i + 1]!);
        b.endRow();
      } else {
        b.appendNull();
      }
      parentRow[j++] = i;
    }
  }
  return { wkb: b.finish(), parentRow, subdividedRows: cut };
}

/**
 * Every Polygon, MultiPolygon and GeometryCollection row of `col` checked with `repair` and
 * replaced by its repair when invalid (the repair's whole result: a collection that collapses
 * to lines keeps them). Returns the input column itself when no row was repaired.
 */
export function makeValidColumn(col: WkbColumn, repair: Repair): { wkb: WkbColumn; repairedRows: number } {
  const n = col.length;
  const fixed: (Uint8Array | null)[] = new Array(n).fill(null);
  let repaired = 0;
  for (let i = 0; i < n; i++) {
    if (!isRowPresent(col, i)) continue;
    const s = col.offsets[i]!;
    const e = col.offsets[i + 1]!;
    const v = col.values;
    const type = baseTypeAt(v, s);
    if (type !== 3 && type !== 6 && type !== 7) continue;
    const r = repair(v.subarray(s, e));
    if (r === null) continue;
    fixed[i] = r;
    repaired++;
  }
  if (repaired === 0) return { wkb: col, repairedRows: 0 };
  const b = new WkbBuilder(n, col.values.length);
  for (let i = 0; i < n; i++) {
    const r = fixed[i];
    if (r) b.copy(r, 0, r.length);
    else if (isRowPresent(col, i)) b.copy(col.values, col.offsets[i]!, col.offsets[i + 1]!);
    else {
      b.appendNull();
      continue;
    }
    b.endRow();
  }
  return { wkb: b.finish(), repairedRows: repaired };
}
