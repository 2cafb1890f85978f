/**
 * Per-row bounding boxes of a WKB column.
 */
import {
  isRowPresent,
  PointReader,
  WKB_LINESTRING,
  WKB_POINT,
  WKB_POLYGON,
  type WkbColumn,
  WkbCursor,
} from './wkb.js';

/**
 * Bounding box of every row, in the column's units (degrees for EPSG:4326), as
 * `[xmin0, ymin0, xmax0, ymax0, xmin1, ...]` (4 x rows). Only X and Y are considered. NaN
 * ordinates (empty points, also inside multi-points) are ignored; a null row or an empty
 * geometry gets four NaNs.
 */
export function wkbBounds(col: WkbColumn): Float64Array {
  const out = new Float64Array(4 * col.length);
  const cur = new WkbCursor(col.values);
  const box = new Float64Array(4);
  const point = new PointReader(col);
  for (let i = 0; i < col.length; i++) {
    const o = 4 * i;
    if (!isRowPresent(col, i)) {
      out.fill(Number.NaN, o, o + 4);
      continue;
    }
    if (point.read(i) && !Number.isNaN(point.y)) {
      out[o] = point.x;
      out[o + 1] = point.y;
      out[o + 2] = point.x;
      out[o + 3] = point.y;
      continue;
    }
    box[0] = Number.POSITIVE_INFINITY;
    box[1] = Number.POSITIVE_INFINITY;
    box[2] = Number.NEGATIVE_INFINITY;
    box[3] = Number.NEGATIVE_INFINITY;
    cur.reset(col.offsets[i]!, col.offsets[i + 1]!, i);
    extend(cur, box);
    if (box[0]! > box[2]! || box[1]! > box[3]!) {
      out.fill(Number.NaN, o, o + 4);
    } else {
      out[o] = box[0]!;
      out[o + 1] = box[1]!;
      out[o + 2] = box[2]!;
      out[o + 3] = box[3]!;
    }
  }
  return out;
}

function extend(cur: WkbCursor, box: Float64Array): void {
  const type = cur.readHeader();
  switch (type) {
    case WKB_POINT:
      coords(cur, 1, box);
      return;
    case WKB_LINESTRING:
      coords(cur, cur.readCount(cur.dims * 8), box);
      return;
    case WKB_POLYGON: {
      const rings = cur.readCount(4);
      for (let r = 0; r < rings; r++) coords(cur, cur.readCount(cur.dims * 8), box);
      return;
    }
    default: {
      const parts = cur.readCount(5);
      for (let p = 0; p < parts; p++) extend(cur, box);
    }
  }
}

function coords(cur: WkbCursor, n: number, box: Float64Array): void {
  const len = cur.coordBytes(n);
  const { view, le } = cur;
  const step = cur.dims * 8;
  let xmin = box[0]!;
  let ymin = box[1]!;
  let xmax = box[2]!;
  let ymax = box[3]!;
  for (let p = cur.pos, end = cur.pos + len; p < end; p += step) {
    const x = view.getFloat64(p, le);
    const y = view.getFloat64(p + 8, le);
    // NaN compares false in both directions, so empty points leave the box alone.
    if (x < xmin) xmin = x;
    if (x > xmax) xmax = x;
    if (y < ymin) ymin = y;
    if (y > ymax) ymax = y;
  }
  box[0] = xmin;
  box[1] = ymin;
  box[2] = xmax;
  box[3] = ymax;
  cur.pos += len;
}
