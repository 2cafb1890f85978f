/**
 * The per-row facts partitioning needs from a WKB column: centroid and measure.
 */
import {
  lineCentroid,
  lineLength,
  multiPolygonArea,
  pathLength,
  pointsCentroid,
  polygonCentroid,
} from './measure.js';
import { isRowPresent, PointReader, type WkbColumn } from './wkb.js';
import { WkbFlatDecoder } from './wkb-flat.js';

/** What a partitioning cap measures (README.md, "The output table"). */
export type MeasureMethod = 'rows' | 'area' | 'length' | 'coords';

/** Centroid and measure of every row. */
export interface RowCentroidsAndMeasures {
  /** Centroid x (longitude), degrees; NaN for null and empty geometries. */
  readonly cx: Float64Array;
  /** Centroid y (latitude), degrees; NaN for null and empty geometries. */
  readonly cy: Float64Array;
  /**
   * The row's measure: 1 (`rows`), polygon area in deg^2 (`area`), line length plus polygon
   * perimeter in degrees (`length`, as GeoPandas' `length`), or vertex count (`coords`).
   * Null and empty geometries measure 1 for `rows` and 0 otherwise.
   */
  readonly measure: Float64Array;
}

/**
 * Computes centroid and measure of every row. The centroid follows the highest dimension
 * present, as GEOS does: area-weighted over polygons, else length-weighted over lines, else
 * the mean of the points.
 */
export function rowCentroidsAndMeasures(col: WkbColumn, method: MeasureMethod): RowCentroidsAndMeasures {
  const n = col.length;
  const cx = new Float64Array(n);
  const cy = new Float64Array(n);
  const measure = new Float64Array(n);
  const dec = new WkbFlatDecoder(col.values);
  const c = new Float64Array(2);
  const point = new PointReader(col);
  for (let i = 0; i < n; i++) {
    if (!isRowPresent(col, i)) {
      cx[i] = Number.NaN;
      cy[i] = Number.NaN;
      measure[i] = method === 'rows' ? 1 : 0;
      continue;
    }
    if (point.read(i)) {
      cx[i] = point.x;
      cy[i] = point.y;
      measure[i] = method === 'rows' || method === 'coords' ? 1 : 0;
      continue;
    }
    dec.decode(col.offsets[i]!, col.offsets[i + 1]!, i);
    const polys = dec.polygons;
    const lines = dec.lines;
    const points = dec.points;
    const area = method === 'area' || polys.polygonOffsets.length > 1 ? multiPolygonArea(polys) : 0;
    if (area > 0) polygonCentroid(polys, c);
    else if (lines.coords.length > 0) lineCentroid(lines, c);
    else if (points.coords.length > 0) pointsCentroid(points, c);
    else if (polys.coords.length > 0) polygonCentroid(polys, c);
    else c[0] = c[1] = Number.NaN;
    cx[i] = c[0]!;
    cy[i] = c[1]!;
    switch (method) {
      case 'rows':
        measure[i] = 1;
        break;
      case 'area':
        // An invalid polygon (holes larger than its shell) can have a negative planar area.
        measure[i] = Math.max(0, area);
        break;
      case 'length': {
        let len = lineLength(lines);
        const ro = polys.ringOffsets;
        for (let r = 0; r + 1 < ro.length; r++) len += pathLength(polys.coords, ro[r]!, ro[r + 1]!);
        measure[i] = len;
        break;
      }
      case 'coords':
        measure[i] = dec.vertices;
        break;
    }
  }
  return { cx, cy, measure };
}

/** Vertex count, area (deg^2) and length (degrees, perimeters included) of every row, in one pass. */
export function rowMeasures(col: WkbColumn): {
  coords: Float64Array;
  area: Float64Array;
  length: Float64Array;
} {
  const n = col.length;
  const coords = new Float64Array(n);
  const area = new Float64Array(n);
  const length = new Float64Array(n);
  const dec = new WkbFlatDecoder(col.values);
  const point = new PointReader(col);
  for (let i = 0; i < n; i++) {
    if (!isRowPresent(col, i)) continue;
    if (point.read(i)) {
      coords[i] = 1;
      continue;
    }
    dec.decode(col.offsets[i]!, col.offsets[i + 1]!, i);
    const polys = dec.polygons;
    coords[i] = dec.vertices;
    area[i] = Math.max(0, multiPolygonArea(polys));
    let len = lineLength(dec.lines);
    const ro = polys.ringOffsets;
    for (let r = 0; r + 1 < ro.length; r++) len += pathLength(polys.coords, ro[r]!, ro[r + 1]!);
    length[i] = len;
  }
  return { coords, area, length };
}
