/**
 * Finding coordinates that are not finite numbers (Infinity, or NaN next to a number), which
 * no partition can place. Both ordinates NaN is an empty point, not a bad coordinate.
 */
import { isRowPresent, WKB_LINESTRING, WKB_POINT, WKB_POLYGON, type WkbColumn, WkbCursor } from './wkb.js';

/** A row holding a non-finite coordinate, and that coordinate (degrees). */
export interface NonFiniteCoordinate {
  /** Row index within the column. */
  readonly row: number;
  readonly x: number;
  readonly y: number;
}

/**
 * The first row of `col` with a non-finite X or Y (Z and M are not looked at), or null when
 * every coordinate is finite. Null rows, empty geometries and empty points (NaN, NaN) pass.
 */
export function firstNonFinite(col: WkbColumn): NonFiniteCoordinate | null {
  const cur = new WkbCursor(col.values);
  for (let i = 0; i < col.length; i++) {
    if (!isRowPresent(col, i)) continue;
    cur.reset(col.offsets[i]!, col.offsets[i + 1]!, i);
    const bad = scan(cur);
    if (bad !== null) return { row: i, x: bad[0], y: bad[1] };
  }
  return null;
}

function scan(cur: WkbCursor): [number, number] | null {
  const type = cur.readHeader();
  switch (type) {
    case WKB_POINT:
      return coords(cur, 1);
    case WKB_LINESTRING:
      return coords(cur, cur.readCount(cur.dims * 8));
    case WKB_POLYGON: {
      const rings = cur.readCount(4);
      for (let r = 0; r < rings; r++) {
        const bad = coords(cur, cur.readCount(cur.dims * 8));
        if (bad !== null) return bad;
      }
      return null;
    }
    default: {
      const parts = cur.readCount(5);
      for (let p = 0; p < parts; p++) {
        const bad = scan(cur);
        if (bad !== null) return bad;
      }
      return null;
    }
  }
}

function coords(cur: WkbCursor, n: number): [number, number] | null {
  const len = cur.coordBytes(n);
  const { view, le } = cur;
  for (let p = cur.pos, end = cur.pos + len; p < end; p += cur.dims * 8) {
    const x = view.getFloat64(p, le);
    const y = view.getFloat64(p + 8, le);
    if (!(Number.isFinite(x) && Number.isFinite(y)) && !(Number.isNaN(x) && Number.isNaN(y))) return [x, y];
  }
  cur.pos += len;
  return null;
}
