/**
 * Subdivision over a WKB column: rows whose polygon area exceeds `subdivide_start` become
 * one Polygon row per piece; every other row passes through byte for byte.
 */
import type { FlatPolygon } from './flat.js';
import { multiPolygonArea } from './measure.js';
import { subdivideMultiPolygon } from './subdivide.js';
import { isRowPresent, type WkbColumn } from './wkb.js';
import { WkbBuilder } from './wkb-builder.js';
import { WkbFlatDecoder } from './wkb-flat.js';
import { ZField } from './z-field.js';

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

/**
 * Cuts the polygonal rows of `col` whose area exceeds `start` (deg^2) into pieces of at most
 * `stop` (deg^2). Only Polygon and MultiPolygon rows are cut (the polygon parts of a
 * GeometryCollection are left alone). Pieces of a row with Z are Polygon Z: vertices of the
 * row keep their Z, and vertices on the cut lines get the Z interpolated along the edge they
 * cut (z-field.ts). Returns the input column itself when no row is cut.
 */
export function subdivideWkbColumn(col: WkbColumn, start: number, stop: number): SubdivideResult {
  const n = col.length;
  const dec = new WkbFlatDecoder(col.values);
  const pieces: (FlatPolygon[] | null)[] = new Array(n).fill(null);
  const zFields: (ZField | null)[] = new Array(n).fill(null);
  let outRows = 0;
  let cut = 0;
  for (let i = 0; i < n; i++) {
    outRows++;
    if (!isRowPresent(col, i)) continue;
    const s = col.offsets[i]!;
    // Only (multi)polygons: the type word's low byte is 3 or 6 in ISO little- and big-endian WKB.
    const le = col.values[s] === 1;
    const type =
      (le ? col.values[s + 1]! | (col.values[s + 2]! << 8) : col.values[s + 4]! | (col.values[s + 3]! << 8)) %
      1000;
    if (type !== 3 && type !== 6) continue;
    dec.decode(s, col.offsets[i + 1]!, i);
    const polys = dec.polygons;
    if (!(multiPolygonArea(polys) > start)) continue;
    // The decoder's buffers are reused per row: copy what the pieces still reference.
    const owned = {
      coords: polys.coords.slice(),
      ringOffsets: polys.ringOffsets.slice(),
      polygonOffsets: polys.polygonOffsets.slice(),
    };
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
