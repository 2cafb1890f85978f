/**
 * Planar measures over flat coordinates: area (deg^2), length (degrees), vertex counts and
 * centroids. Coordinates are WGS84 degrees treated as a plane (no geodesic math), which is what
 * the partitioning caps are defined in. Every kernel is one pass over typed arrays and allocates
 * nothing per point. Sums are taken relative to a nearby vertex, so polygons far from (0, 0)
 * keep full precision.
 */
import type { FlatGeometry, FlatLines, FlatMultiPolygon, FlatPoints, FlatPolygon } from './flat.js';

/**
 * Signed shoelace area, in deg^2, of the ring made of points `start .. end` of `coords`:
 * positive when counter-clockwise (x east, y north), negative when clockwise. The closing edge
 * back to the first point is implied, so an unclosed ring measures the same as its closed form.
 */
export function ringArea(coords: Float64Array, start: number, end: number): number {
  if (end - start < 3) return 0;
  const x0 = coords[start * 2]!;
  const y0 = coords[start * 2 + 1]!;
  let sum = 0;
  let px = 0;
  let py = 0;
  for (let i = start + 1; i < end; i++) {
    const x = coords[i * 2]! - x0;
    const y = coords[i * 2 + 1]! - y0;
    sum += px * y - x * py;
    px = x;
    py = y;
  }
  return sum / 2;
}

/** Area of a polygon in deg^2: |exterior| minus the |hole|s, whatever the rings' orientation. */
export function polygonArea(p: FlatPolygon): number {
  const offsets = p.ringOffsets;
  let area = 0;
  for (let r = 0; r + 1 < offsets.length; r++) {
    const a = Math.abs(ringArea(p.coords, offsets[r]!, offsets[r + 1]!));
    area += r === 0 ? a : -a;
  }
  return area;
}

/** Area of a multipolygon in deg^2: the sum of its polygons' {@link polygonArea}. */
export function multiPolygonArea(mp: FlatMultiPolygon): number {
  let area = 0;
  for (let p = 0; p + 1 < mp.polygonOffsets.length; p++) {
    const first = mp.polygonOffsets[p]!;
    const last = mp.polygonOffsets[p + 1]!;
    for (let r = first; r < last; r++) {
      const a = Math.abs(ringArea(mp.coords, mp.ringOffsets[r]!, mp.ringOffsets[r + 1]!));
      area += r === first ? a : -a;
    }
  }
  return area;
}

/**
 * Length in degrees of the path through points `start .. end` of `coords`. Segments are
 * sqrt(dx^2 + dy^2) rather than `Math.hypot` (several times slower); that only loses segments
 * shorter than 1e-154 degrees.
 */
export function pathLength(coords: Float64Array, start: number, end: number): number {
  let len = 0;
  for (let i = start + 1; i < end; i++) {
    const dx = coords[i * 2]! - coords[i * 2 - 2]!;
    const dy = coords[i * 2 + 1]! - coords[i * 2 - 1]!;
    len += Math.sqrt(dx * dx + dy * dy);
  }
  return len;
}

/** Total planar length in degrees of all parts of a (multi)linestring. */
export function lineLength(l: FlatLines): number {
  let len = 0;
  for (let k = 0; k + 1 < l.partOffsets.length; k++) {
    len += pathLength(l.coords, l.partOffsets[k]!, l.partOffsets[k + 1]!);
  }
  return len;
}

/**
 * Number of stored vertices (closing points of rings included, as in WKB) of any flat geometry:
 * the `coords` measure of partitioning.
 */
export function coordCount(g: FlatGeometry): number {
  const offsets = 'ringOffsets' in g ? g.ringOffsets : 'partOffsets' in g ? g.partOffsets : null;
  if (offsets === null) return g.coords.length >> 1;
  return offsets.length === 0 ? 0 : offsets[offsets.length - 1]! - offsets[0]!;
}

/**
 * Area-weighted centroid of a polygon or multipolygon, in degrees, written to `out` as
 * `[x, y]`. Holes count negatively; ring orientation does not matter. A geometry whose area is
 * zero (or pure rounding noise: below 1e-12 of the summed shoelace terms) gets the mean of its
 * vertices instead, each ring's closing point left out. `[NaN, NaN]` when there are no vertices.
 */
export function polygonCentroid(
  g: FlatPolygon | FlatMultiPolygon,
  out: Float64Array = new Float64Array(2),
): Float64Array {
  const { coords, ringOffsets } = g;
  const polygonOffsets = 'polygonOffsets' in g ? g.polygonOffsets : null;
  const rings = ringOffsets.length - 1;
  if (rings < 1 || ringOffsets[rings]! - ringOffsets[0]! === 0) return fill(out, Number.NaN, Number.NaN);
  const ox = coords[ringOffsets[0]! * 2]!;
  const oy = coords[ringOffsets[0]! * 2 + 1]!;
  let area2 = 0; // twice the signed-normalised area
  let scale = 0; // sum of |shoelace terms|, to tell zero area from rounding noise
  let mx = 0; // first moments about (ox, oy), times 6
  let my = 0;
  let part = 0;
  for (let r = 0; r < rings; r++) {
    let exterior = r === 0;
    if (polygonOffsets !== null) {
      while (polygonOffsets[part + 1]! <= r) part++;
      exterior = polygonOffsets[part] === r;
    }
    const start = ringOffsets[r]!;
    const end = ringOffsets[r + 1]!;
    if (end - start < 3) continue;
    // Shoelace about the ring's first vertex, then moved to the common origin.
    const rx = coords[start * 2]!;
    const ry = coords[start * 2 + 1]!;
    let a2 = 0;
    let abs = 0;
    let sx = 0;
    let sy = 0;
    let px = 0;
    let py = 0;
    for (let i = start + 1; i < end; i++) {
      const x = coords[i * 2]! - rx;
      const y = coords[i * 2 + 1]! - ry;
      const t = px * y - x * py;
      a2 += t;
      abs += Math.abs(t);
      sx += (px + x) * t;
      sy += (py + y) * t;
      px = x;
      py = y;
    }
    const sign = a2 >= 0 === exterior ? 1 : -1;
    area2 += sign * a2;
    scale += abs;
    // Moment about (ox, oy) = moment about (rx, ry) + area * offset; here both are scaled by 6 and 2.
    mx += sign * (sx + 3 * a2 * (rx - ox));
    my += sign * (sy + 3 * a2 * (ry - oy));
  }
  if (Math.abs(area2) > 1e-12 * scale) return fill(out, ox + mx / (3 * area2), oy + my / (3 * area2));
  // Zero area: the mean of the vertices, closing points left out.
  let n = 0;
  let cx = 0;
  let cy = 0;
  for (let r = 0; r < rings; r++) {
    const start = ringOffsets[r]!;
    let end = ringOffsets[r + 1]!;
    if (end - start > 1 && sameXY(coords, start, end - 1)) end--;
    for (let i = start; i < end; i++) {
      cx += coords[i * 2]! - ox;
      cy += coords[i * 2 + 1]! - oy;
      n++;
    }
  }
  return fill(out, ox + cx / n, oy + cy / n);
}

/**
 * Length-weighted centroid of a (multi)linestring, in degrees, written to `out`: the mean of
 * segment midpoints weighted by segment length. Zero total length falls back to the mean of the
 * vertices. `[NaN, NaN]` when there are no vertices.
 */
export function lineCentroid(l: FlatLines, out: Float64Array = new Float64Array(2)): Float64Array {
  const { coords, partOffsets } = l;
  const parts = partOffsets.length - 1;
  if (parts < 1 || partOffsets[parts]! - partOffsets[0]! === 0) return fill(out, Number.NaN, Number.NaN);
  const ox = coords[partOffsets[0]! * 2]!;
  const oy = coords[partOffsets[0]! * 2 + 1]!;
  let len = 0;
  let mx = 0;
  let my = 0;
  for (let k = 0; k < parts; k++) {
    for (let i = partOffsets[k]! + 1; i < partOffsets[k + 1]!; i++) {
      const x0 = coords[i * 2 - 2]! - ox;
      const y0 = coords[i * 2 - 1]! - oy;
      const x1 = coords[i * 2]! - ox;
      const y1 = coords[i * 2 + 1]! - oy;
      const d = Math.sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
      len += d;
      mx += d * (x0 + x1);
      my += d * (y0 + y1);
    }
  }
  if (len > 0) return fill(out, ox + mx / (2 * len), oy + my / (2 * len));
  return pointsCentroid({ coords: coords.subarray(partOffsets[0]! * 2, partOffsets[parts]! * 2) }, out);
}

/** Mean of a (multi)point's positions, in degrees, written to `out`; `[NaN, NaN]` when empty. */
export function pointsCentroid(p: FlatPoints, out: Float64Array = new Float64Array(2)): Float64Array {
  const c = p.coords;
  const n = c.length >> 1;
  if (n === 0) return fill(out, Number.NaN, Number.NaN);
  const ox = c[0]!;
  const oy = c[1]!;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < n; i++) {
    cx += c[i * 2]! - ox;
    cy += c[i * 2 + 1]! - oy;
  }
  return fill(out, ox + cx / n, oy + cy / n);
}

function sameXY(coords: Float64Array, i: number, j: number): boolean {
  return coords[i * 2] === coords[j * 2] && coords[i * 2 + 1] === coords[j * 2 + 1];
}

function fill(out: Float64Array, x: number, y: number): Float64Array {
  out[0] = x;
  out[1] = y;
  return out;
}
