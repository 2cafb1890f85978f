/**
 * Exact intersection of WKB geometries with an axis-aligned box (closed: touching counts).
 * A geometry intersects the box when a vertex lies in it, a segment crosses or touches it, or
 * (polygons) the box lies inside the polygon's area: inside the shell and outside every hole.
 * Empty geometries intersect nothing. Pure: reads coordinates straight from the WKB bytes.
 */
import { isRowPresent, WKB_LINESTRING, WKB_POINT, WKB_POLYGON, type WkbColumn, WkbCursor } from './wkb.js';

/**
 * For each row of `col`, 1 when its geometry intersects the box `[minx, miny, maxx, maxy]`
 * (degrees, or the column's units) and `mask[i]` is non-zero (every row when `mask` is absent),
 * else 0. Null rows and empty geometries give 0.
 */
export function intersectsBoxMask(col: WkbColumn, box: ArrayLike<number>, mask?: Uint8Array): Uint8Array {
  const out = new Uint8Array(col.length);
  const cur = new WkbCursor(col.values);
  const t = new BoxTest(box[0]!, box[1]!, box[2]!, box[3]!);
  for (let i = 0; i < col.length; i++) {
    if ((mask !== undefined && mask[i] === 0) || !isRowPresent(col, i)) continue;
    cur.reset(col.offsets[i]!, col.offsets[i + 1]!, i);
    out[i] = t.geometry(cur) ? 1 : 0;
  }
  return out;
}

/** True when the single WKB geometry `wkb` intersects `box` (see {@link intersectsBoxMask}). */
export function wkbIntersectsBox(wkb: Uint8Array, box: ArrayLike<number>): boolean {
  const cur = new WkbCursor(wkb);
  cur.reset(0, wkb.byteLength, 0);
  return new BoxTest(box[0]!, box[1]!, box[2]!, box[3]!).geometry(cur);
}

/** Sign of the cross product (b - a) x (c - a): >0 left turn, <0 right, 0 collinear. */
function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

/** True when c, known collinear with segment a-b, lies within the segment's extent. */
function onSegment(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): boolean {
  return Math.min(ax, bx) <= cx && cx <= Math.max(ax, bx) && Math.min(ay, by) <= cy && cy <= Math.max(ay, by);
}

/** Closed segments a-b and c-d share a point. */
function segmentsMeet(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): boolean {
  const o1 = orient(ax, ay, bx, by, cx, cy);
  const o2 = orient(ax, ay, bx, by, dx, dy);
  const o3 = orient(cx, cy, dx, dy, ax, ay);
  const o4 = orient(cx, cy, dx, dy, bx, by);
  if (o1 !== o2 && o3 !== o4) return true;
  return (
    (o1 === 0 && onSegment(ax, ay, bx, by, cx, cy)) ||
    (o2 === 0 && onSegment(ax, ay, bx, by, dx, dy)) ||
    (o3 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) ||
    (o4 === 0 && onSegment(cx, cy, dx, dy, bx, by))
  );
}

class BoxTest {
  constructor(
    readonly minx: number,
    readonly miny: number,
    readonly maxx: number,
    readonly maxy: number,
  ) {}

  inBox(x: number, y: number): boolean {
    return x >= this.minx && x <= this.maxx && y >= this.miny && y <= this.maxy;
  }

  /** Closed segment a-b meets the closed box. */
  segment(ax: number, ay: number, bx: number, by: number): boolean {
    const { minx, miny, maxx, maxy } = this;
    if (
      Math.max(ax, bx) < minx ||
      Math.min(ax, bx) > maxx ||
      Math.max(ay, by) < miny ||
      Math.min(ay, by) > maxy
    ) {
      return false;
    }
    if (this.inBox(ax, ay) || this.inBox(bx, by)) return true;
    // Both ends outside: the segment meets the box only by crossing its boundary.
    return (
      segmentsMeet(ax, ay, bx, by, minx, miny, maxx, miny) ||
      segmentsMeet(ax, ay, bx, by, maxx, miny, maxx, maxy) ||
      segmentsMeet(ax, ay, bx, by, maxx, maxy, minx, maxy) ||
      segmentsMeet(ax, ay, bx, by, minx, maxy, minx, miny)
    );
  }

  /** Reads one geometry at the cursor (always consuming it) and tests it. */
  geometry(cur: WkbCursor): boolean {
    const type = cur.readHeader();
    switch (type) {
      case WKB_POINT: {
        const len = cur.coordBytes(1);
        const x = cur.view.getFloat64(cur.pos, cur.le);
        const y = cur.view.getFloat64(cur.pos + 8, cur.le);
        cur.pos += len;
        return this.inBox(x, y);
      }
      case WKB_LINESTRING:
        return this.path(cur, cur.readCount(cur.dims * 8));
      case WKB_POLYGON:
        return this.polygon(cur);
      default: {
        const parts = cur.readCount(5);
        let hit = false;
        for (let p = 0; p < parts; p++) {
          if (hit) cur.skipGeometry();
          else hit = this.geometry(cur);
        }
        return hit;
      }
    }
  }

  /** A path of `n` vertices: any vertex in the box or any segment meeting it. */
  private path(cur: WkbCursor, n: number): boolean {
    const len = cur.coordBytes(n);
    const { view, le } = cur;
    const step = cur.dims * 8;
    const start = cur.pos;
    cur.pos += len;
    if (n === 0) return false;
    let px = view.getFloat64(start, le);
    let py = view.getFloat64(start + 8, le);
    if (this.inBox(px, py)) return true;
    for (let p = start + step, end = start + len; p < end; p += step) {
      const x = view.getFloat64(p, le);
      const y = view.getFloat64(p + 8, le);
      if (this.segment(px, py, x, y)) return true;
      px = x;
      py = y;
    }
    return false;
  }

  /**
   * A polygon meets the box when a ring meets it, or when the box's corner lies in its area
   * (then, no ring touching the box, the whole box does).
   */
  private polygon(cur: WkbCursor): boolean {
    const rings = cur.readCount(4);
    let hit = false;
    let inside = false;
    for (let r = 0; r < rings; r++) {
      const n = cur.readCount(cur.dims * 8);
      if (hit) {
        cur.skipCoords(n);
        continue;
      }
      const start = cur.pos;
      if (this.path(cur, n)) {
        hit = true;
        continue;
      }
      // Even-odd over all rings: inside the shell and not inside a hole.
      if (n > 0 && this.cornerInRing(cur, start, n)) inside = !inside;
    }
    return hit || inside;
  }

  /** Ray casting of the box's (minx, miny) corner against a ring of `n` vertices at `start`. */
  private cornerInRing(cur: WkbCursor, start: number, n: number): boolean {
    const { view, le } = cur;
    const step = cur.dims * 8;
    const qx = this.minx;
    const qy = this.miny;
    let inside = false;
    let jx = view.getFloat64(start + (n - 1) * step, le);
    let jy = view.getFloat64(start + (n - 1) * step + 8, le);
    for (let k = 0; k < n; k++) {
      const x = view.getFloat64(start + k * step, le);
      const y = view.getFloat64(start + k * step + 8, le);
      if (y > qy !== jy > qy && qx < ((jx - x) * (qy - y)) / (jy - y) + x) inside = !inside;
      jx = x;
      jy = y;
    }
    return inside;
  }
}
