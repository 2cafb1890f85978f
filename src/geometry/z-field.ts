/**
 * The Z of a polygon being subdivided. The cutting kernels work on x,y only; every vertex of a
 * piece is either a vertex of the input or the crossing of an edge with a cut line, so Z is kept
 * by looking vertices up by position and giving each crossing the Z interpolated linearly along
 * the edge it cuts (whose ends already have theirs, crossings of earlier cuts included).
 */
import { WKB_LINESTRING, WKB_POINT, WKB_POLYGON, WkbCursor } from './wkb.js';

function key(x: number, y: number): string {
  // String(-0) is "0": -0 and 0 are one position.
  return `${x} ${y}`;
}

/** Z by x,y position (degrees) for one geometry: its own vertices, then the crossings of cuts. */
export class ZField {
  private readonly z = new Map<string, number>();

  /**
   * The Z of every vertex of WKB row `bytes[start .. end)` (row index `row` for errors); null
   * when the geometry has no Z. Where two vertices share a position, the first one's Z is kept.
   */
  static fromWkb(bytes: Uint8Array, start: number, end: number, row: number): ZField | null {
    const cur = new WkbCursor(bytes);
    cur.reset(start, end, row);
    const field = new ZField();
    field.read(cur);
    return field.z.size > 0 ? field : null;
  }

  /** Records `z` as the Z of (x, y), unless the position already has one. */
  set(x: number, y: number, z: number): void {
    const k = key(x, y);
    if (!this.z.has(k)) this.z.set(k, z);
  }

  /** The Z at vertex (x, y), or NaN when the position is not known. */
  at(x: number, y: number): number {
    return this.z.get(key(x, y)) ?? Number.NaN;
  }

  /**
   * Records the Z of (x, y), the crossing of edge i-j of `coords` (x,y pairs) with the line
   * `axis = value`: linear along the edge, from the end with the smaller axis coordinate as the
   * crossing itself is computed, so both sides of a cut agree. A known position keeps its Z.
   */
  crossing(
    coords: Float64Array,
    i: number,
    j: number,
    axis: 0 | 1,
    value: number,
    x: number,
    y: number,
  ): void {
    const k = key(x, y);
    if (this.z.has(k)) return;
    let a = i;
    let b = j;
    if (coords[a * 2 + axis]! > coords[b * 2 + axis]!) [a, b] = [b, a];
    const ca = coords[a * 2 + axis]!;
    const cb = coords[b * 2 + axis]!;
    const za = this.at(coords[a * 2]!, coords[a * 2 + 1]!);
    const zb = this.at(coords[b * 2]!, coords[b * 2 + 1]!);
    const t = cb === ca ? 0 : (value - ca) / (cb - ca);
    this.z.set(k, za + t * (zb - za));
  }

  private read(cur: WkbCursor): void {
    const type = cur.readHeader();
    switch (type) {
      case WKB_POINT:
        this.coords(cur, 1);
        return;
      case WKB_LINESTRING:
        this.coords(cur, cur.readCount(cur.dims * 8));
        return;
      case WKB_POLYGON: {
        const rings = cur.readCount(4);
        for (let r = 0; r < rings; r++) this.coords(cur, cur.readCount(cur.dims * 8));
        return;
      }
      default: {
        const parts = cur.readCount(5);
        for (let p = 0; p < parts; p++) this.read(cur);
      }
    }
  }

  private coords(cur: WkbCursor, n: number): void {
    const len = cur.coordBytes(n);
    if (cur.hasZ) {
      const step = cur.dims * 8;
      for (let p = cur.pos, end = cur.pos + len; p < end; p += step) {
        const k = key(cur.view.getFloat64(p, cur.le), cur.view.getFloat64(p + 8, cur.le));
        if (!this.z.has(k)) this.z.set(k, cur.view.getFloat64(p + 16, cur.le));
      }
    }
    cur.pos += len;
  }
}
