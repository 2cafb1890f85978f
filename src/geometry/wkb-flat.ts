/**
 * Decoding one WKB row into the flat layouts of flat.ts (x,y only), sorted by dimension:
 * its points, its lines and its polygons. One decoder is reused for every row; its buffers
 * grow to the largest row seen and are never reallocated per row.
 */
import type { FlatLines, FlatMultiPolygon, FlatPoints } from './flat.js';
import { WKB_LINESTRING, WKB_POINT, WKB_POLYGON, WkbCursor } from './wkb.js';

class Coords {
  data = new Float64Array(256);
  n = 0; // points

  reset(): void {
    this.n = 0;
  }

  reserve(points: number): void {
    if ((this.n + points) * 2 <= this.data.length) return;
    let size = this.data.length * 2;
    while (size < (this.n + points) * 2) size *= 2;
    const next = new Float64Array(size);
    next.set(this.data.subarray(0, this.n * 2));
    this.data = next;
  }

  view(): Float64Array {
    return this.data.subarray(0, this.n * 2);
  }
}

class Offsets {
  data = new Int32Array(64);
  n = 0; // entries

  reset(first: number | null): void {
    this.n = 0;
    if (first !== null) this.push(first);
  }

  push(v: number): void {
    if (this.n === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.n++] = v;
  }

  view(): Int32Array {
    return this.data.subarray(0, this.n);
  }
}

/**
 * Decodes rows of a WKB column. After {@link decode}, `points`, `lines` and `polygons` hold
 * the row's parts of each dimension (views into the decoder's buffers, valid until the next
 * call), and `vertices` counts every coordinate of the row, closing points included.
 */
export class WkbFlatDecoder {
  private readonly cur: WkbCursor;
  private readonly pointCoords = new Coords();
  private readonly lineCoords = new Coords();
  private readonly lineParts = new Offsets();
  private readonly polyCoords = new Coords();
  private readonly rings = new Offsets();
  private readonly polys = new Offsets();
  /** Coordinates in the row (closing points included), as WKB counts them. */
  vertices = 0;

  constructor(values: Uint8Array) {
    this.cur = new WkbCursor(values);
  }

  /** Decodes `values[start .. end)`, the WKB of row `row`. */
  decode(start: number, end: number, row: number): void {
    this.pointCoords.reset();
    this.lineCoords.reset();
    this.lineParts.reset(0);
    this.polyCoords.reset();
    this.rings.reset(0);
    this.polys.reset(0);
    this.vertices = 0;
    this.cur.reset(start, end, row);
    this.readGeometry();
  }

  get points(): FlatPoints {
    return { coords: this.pointCoords.view() };
  }

  get lines(): FlatLines {
    return { coords: this.lineCoords.view(), partOffsets: this.lineParts.view() };
  }

  get polygons(): FlatMultiPolygon {
    return {
      coords: this.polyCoords.view(),
      ringOffsets: this.rings.view(),
      polygonOffsets: this.polys.view(),
    };
  }

  private readCoords(into: Coords, n: number): void {
    const cur = this.cur;
    cur.coordBytes(n);
    into.reserve(n);
    const step = cur.dims * 8;
    const view = cur.view;
    const le = cur.le;
    const out = into.data;
    let o = into.n * 2;
    let p = cur.pos;
    let kept = 0;
    for (let i = 0; i < n; i++, p += step) {
      const x = view.getFloat64(p, le);
      const y = view.getFloat64(p + 8, le);
      // Empty points are NaN pairs: count them as vertices but keep no coordinate.
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      out[o++] = x;
      out[o++] = y;
      kept++;
    }
    cur.pos = p;
    into.n += kept;
    this.vertices += n;
  }

  private readGeometry(): void {
    const cur = this.cur;
    const type = cur.readHeader();
    switch (type) {
      case WKB_POINT:
        this.readCoords(this.pointCoords, 1);
        return;
      case WKB_LINESTRING: {
        const n = cur.readCount(cur.dims * 8);
        this.readCoords(this.lineCoords, n);
        this.lineParts.push(this.lineCoords.n);
        return;
      }
      case WKB_POLYGON: {
        const rings = cur.readCount(4);
        if (rings === 0) return;
        for (let r = 0; r < rings; r++) {
          this.readCoords(this.polyCoords, cur.readCount(cur.dims * 8));
          this.rings.push(this.polyCoords.n);
        }
        this.polys.push(this.rings.n - 1);
        return;
      }
      default: {
        const parts = cur.readCount(5);
        for (let p = 0; p < parts; p++) this.readGeometry();
      }
    }
  }
}
