/**
 * WKB to the one form the rest of the engine handles: little-endian ISO WKB with X, Y and
 * optional Z. M is dropped, because GeoParquet's `geometry_types` can only say " Z".
 */
import { isRowPresent, WKB_LINESTRING, WKB_POINT, WKB_POLYGON, type WkbColumn, WkbCursor } from './wkb.js';
import { WkbBuilder } from './wkb-builder.js';

/**
 * Rewrites every row as little-endian ISO WKB, keeping Z and dropping M; EWKB flags and SRIDs
 * are turned into ISO codes and removed. Nulls stay null. When every geometry (parts included)
 * is already little-endian ISO without M, the input column is returned as is (a header walk, no
 * copy). Throws `CORRUPT_INPUT` naming the row for bytes that are not WKB.
 */
export function normalizeWkb(col: WkbColumn): WkbColumn {
  const cur = new WkbCursor(col.values);
  const v = col.values;
  let clean = true;
  for (let i = 0; i < col.length && clean; i++) {
    if (!isRowPresent(col, i)) continue;
    const s = col.offsets[i]!;
    // The commonest row, a 2D little-endian ISO point (21 bytes), is clean: no walk.
    if (col.offsets[i + 1]! - s === 21 && v[s] === 1 && v[s + 1] === 1 && v[s + 2] === 0) {
      if (v[s + 3] === 0 && v[s + 4] === 0) continue;
    }
    cur.reset(s, col.offsets[i + 1]!, i);
    clean = isClean(cur);
  }
  if (clean) return col;

  const out = new WkbBuilder(col.length, col.offsets[col.length]! - col.offsets[0]!);
  for (let i = 0; i < col.length; i++) {
    if (!isRowPresent(col, i)) {
      out.appendNull();
      continue;
    }
    cur.reset(col.offsets[i]!, col.offsets[i + 1]!, i);
    rewrite(cur, out);
    out.endRow();
  }
  return out.finish();
}

/** True when this geometry and all its parts are little-endian ISO without M. */
function isClean(cur: WkbCursor): boolean {
  const type = cur.readHeader();
  if (!cur.le || cur.hasM || !cur.plain) return false;
  switch (type) {
    case WKB_POINT:
      cur.skipCoords(1);
      return true;
    case WKB_LINESTRING:
      cur.skipCoords(cur.readCount(cur.dims * 8));
      return true;
    case WKB_POLYGON: {
      const rings = cur.readCount(4);
      for (let r = 0; r < rings; r++) cur.skipCoords(cur.readCount(cur.dims * 8));
      return true;
    }
    default: {
      const parts = cur.readCount(5);
      for (let p = 0; p < parts; p++) if (!isClean(cur)) return false;
      return true;
    }
  }
}

function rewrite(cur: WkbCursor, out: WkbBuilder): void {
  const type = cur.readHeader();
  const hasZ = cur.hasZ;
  out.header(type, hasZ);
  switch (type) {
    case WKB_POINT:
      coords(cur, 1, out);
      return;
    case WKB_LINESTRING: {
      const n = cur.readCount(cur.dims * 8);
      out.u32(n);
      coords(cur, n, out);
      return;
    }
    case WKB_POLYGON: {
      const rings = cur.readCount(4);
      out.u32(rings);
      for (let r = 0; r < rings; r++) {
        const n = cur.readCount(cur.dims * 8);
        out.u32(n);
        coords(cur, n, out);
      }
      return;
    }
    default: {
      const parts = cur.readCount(5);
      out.u32(parts);
      for (let p = 0; p < parts; p++) rewrite(cur, out);
    }
  }
}

function coords(cur: WkbCursor, n: number, out: WkbBuilder): void {
  const len = cur.coordBytes(n);
  const { view, le, hasZ } = cur;
  const step = cur.dims * 8;
  out.reserve(n * (hasZ ? 24 : 16));
  for (let p = cur.pos, end = cur.pos + len; p < end; p += step) {
    out.f64(view.getFloat64(p, le));
    out.f64(view.getFloat64(p + 8, le));
    // In XYZM the Z ordinate comes third; in XYM the third is M and is skipped.
    if (hasZ) out.f64(view.getFloat64(p + 16, le));
  }
  cur.pos += len;
}
