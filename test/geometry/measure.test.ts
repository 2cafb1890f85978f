import * as turf from '@turf/turf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  linesFromCoordinates,
  multiPolygonFromCoordinates,
  polygonAt,
  polygonFromCoordinates,
} from '../../src/geometry/flat.js';
import {
  coordCount,
  lineCentroid,
  lineLength,
  multiPolygonArea,
  pathLength,
  pointsCentroid,
  polygonArea,
  polygonCentroid,
  ringArea,
} from '../../src/geometry/measure.js';
import { geojsonArea, type Pos, type Rings, shoelace, starPolygon } from './polygons.js';

const square = (x: number, y: number, s: number): Pos[] => [
  [x, y],
  [x + s, y],
  [x + s, y + s],
  [x, y + s],
  [x, y],
];

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE);
}

/** Area and centroid from earcut's triangles (turf.tesselate): a different decomposition. */
function triangleMoments(rings: Rings): { area: number; x: number; y: number } {
  let area = 0;
  let mx = 0;
  let my = 0;
  for (const t of turf.tesselate(turf.polygon(rings)).features) {
    const [a, b, c] = t.geometry.coordinates[0] as Pos[];
    const ta = Math.abs((b![0] - a![0]) * (c![1] - a![1]) - (b![1] - a![1]) * (c![0] - a![0])) / 2;
    area += ta;
    // Centroid offsets from a, so far-away triangles keep precision.
    mx += ta * (a![0] + (b![0] - a![0] + c![0] - a![0]) / 3);
    my += ta * (a![1] + (b![1] - a![1] + c![1] - a![1]) / 3);
  }
  return { area, x: mx / area, y: my / area };
}

describe('ringArea / polygonArea', () => {
  it('is the signed shoelace area: positive counter-clockwise, negative clockwise', () => {
    const p = polygonFromCoordinates([square(0, 0, 2)]);
    expect(ringArea(p.coords, 0, 5)).toBe(4);
    const cw = polygonFromCoordinates([square(0, 0, 2).reverse()]);
    expect(ringArea(cw.coords, 0, 5)).toBe(-4);
    expect(polygonArea(cw)).toBe(4);
  });

  it('treats an unclosed ring like its closed form, and fewer than 3 points as 0', () => {
    const c = Float64Array.of(0, 0, 3, 0, 3, 1);
    expect(ringArea(c, 0, 3)).toBe(1.5);
    expect(ringArea(c, 0, 2)).toBe(0);
  });

  it('subtracts holes whatever their orientation', () => {
    const holeCcw = polygonFromCoordinates([square(0, 0, 10), square(2, 2, 2)]);
    const holeCw = polygonFromCoordinates([square(0, 0, 10), square(2, 2, 2).reverse()]);
    expect(polygonArea(holeCcw)).toBe(96);
    expect(polygonArea(holeCw)).toBe(96);
  });

  it('keeps precision far from the origin', () => {
    const tiny = polygonFromCoordinates([square(179.9, 89.9, 1e-6)]);
    expect(rel(polygonArea(tiny), 1e-12)).toBeLessThan(1e-6);
  });

  it('sums the parts of a multipolygon, and reads views of parts', () => {
    const mp = multiPolygonFromCoordinates([[square(0, 0, 1)], [square(5, 5, 3), square(6, 6, 1)]]);
    expect(multiPolygonArea(mp)).toBe(1 + 9 - 1);
    expect(polygonArea(polygonAt(mp, 1))).toBe(8);
  });
});

describe('lineLength / coordCount', () => {
  it('sums the planar length of every part, in degrees', () => {
    const l = linesFromCoordinates([
      [
        [0, 0],
        [3, 4],
      ],
      [
        [10, 10],
        [10, 11],
        [12, 11],
      ],
    ]);
    expect(lineLength(l)).toBe(8);
    expect(pathLength(l.coords, 2, 5)).toBe(3);
  });

  it('counts stored vertices, ring closing points included', () => {
    const mp = multiPolygonFromCoordinates([[square(0, 0, 1)], [square(5, 5, 3), square(6, 6, 1)]]);
    expect(coordCount(mp)).toBe(15);
    expect(coordCount(polygonAt(mp, 1))).toBe(10);
    expect(coordCount(linesFromCoordinates([[[0, 0]], [[1, 1]]]))).toBe(2);
    expect(coordCount({ coords: Float64Array.of(1, 2, 3, 4) })).toBe(2);
  });
});

describe('polygonCentroid', () => {
  it('is the area-weighted centroid (an L-shape)', () => {
    // A 2x1 bar plus a 1x1 square on top of its left end: centroid ((2*1 + 1*0.5)/3, (2*0.5 + 1*1.5)/3).
    const l = polygonFromCoordinates([
      [
        [0, 0],
        [2, 0],
        [2, 1],
        [1, 1],
        [1, 2],
        [0, 2],
        [0, 0],
      ],
    ]);
    const [x, y] = polygonCentroid(l);
    expect(x).toBeCloseTo(2.5 / 3, 14);
    expect(y).toBeCloseTo(2.5 / 3, 14);
  });

  it('weights holes negatively and multipolygon parts by area', () => {
    const holed = polygonFromCoordinates([square(0, 0, 4), square(2, 0, 2)]); // hole: the right bottom 2x2
    const [x, y] = polygonCentroid(holed);
    // 4x4 (area 16, centre 2,2) minus 2x2 (area 4, centre 3,1): (32-12)/12, (32-4)/12.
    expect(x).toBeCloseTo(20 / 12, 14);
    expect(y).toBeCloseTo(28 / 12, 14);
    const mp = multiPolygonFromCoordinates([[square(0, 0, 1)], [square(10, 0, 3).reverse()]]);
    const [mx, my] = polygonCentroid(mp);
    expect(mx).toBeCloseTo((0.5 + 9 * 11.5) / 10, 12);
    expect(my).toBeCloseTo((0.5 + 9 * 1.5) / 10, 12);
  });

  it('falls back to the vertex mean (closing points left out) for zero area, like turf.centroid', () => {
    const flat = [
      [0, 0],
      [2, 2],
      [5, 5],
      [0, 0],
    ];
    const [x, y] = polygonCentroid(polygonFromCoordinates([flat]));
    const t = turf.centroid(turf.polygon([flat])).geometry.coordinates;
    expect(x).toBeCloseTo(t[0]!, 14);
    expect(y).toBeCloseTo(t[1]!, 14);
    expect([x, y]).toEqual([7 / 3, 7 / 3]);
  });

  it('is NaN for no vertices, and writes into `out`', () => {
    const out = new Float64Array(2);
    expect(
      Array.from(polygonCentroid({ coords: new Float64Array(0), ringOffsets: Int32Array.of(0, 0) }, out)),
    ).toEqual([Number.NaN, Number.NaN]);
    expect(polygonCentroid(polygonFromCoordinates([square(1, 1, 2)]), out)).toBe(out);
    expect(Array.from(out)).toEqual([2, 2]);
  });
});

describe('lineCentroid / pointsCentroid', () => {
  it('weights segment midpoints by length', () => {
    const l = linesFromCoordinates([
      [
        [0, 0],
        [4, 0],
      ],
      [
        [0, 10],
        [0, 11],
      ],
    ]);
    const [x, y] = lineCentroid(l);
    expect(x).toBeCloseTo((4 * 2 + 1 * 0) / 5, 14);
    expect(y).toBeCloseTo((4 * 0 + 1 * 10.5) / 5, 14);
  });

  it('falls back to the vertex mean for zero length; mean of points', () => {
    const l = linesFromCoordinates([
      [
        [1, 1],
        [1, 1],
      ],
      [[4, 7]],
    ]);
    expect(Array.from(lineCentroid(l))).toEqual([2, 3]);
    expect(Array.from(pointsCentroid({ coords: Float64Array.of(0, 0, 2, 4) }))).toEqual([1, 2]);
    expect(Array.from(pointsCentroid({ coords: new Float64Array(0) }))).toEqual([Number.NaN, Number.NaN]);
  });
});

describe('properties against GeoJSON-based computations', () => {
  it('area matches a GeoJSON shoelace and earcut triangles; centroid matches the triangles', () => {
    fc.assert(
      fc.property(starPolygon, (rings) => {
        const p = polygonFromCoordinates(rings);
        const area = polygonArea(p);
        expect(rel(area, geojsonArea(rings))).toBeLessThan(1e-9);
        const tri = triangleMoments(rings);
        expect(rel(area, tri.area)).toBeLessThan(1e-9);
        const [x, y] = polygonCentroid(p);
        const size = Math.sqrt(area);
        expect(Math.abs(x! - tri.x) / size).toBeLessThan(1e-9);
        expect(Math.abs(y! - tri.y) / size).toBeLessThan(1e-9);
      }),
      { numRuns: 300 },
    );
  });

  it('centroid of hole-free polygons matches turf.centerOfMass', () => {
    fc.assert(
      fc.property(starPolygon, (rings) => {
        const outer = [rings[0]!];
        const [x, y] = polygonCentroid(polygonFromCoordinates(outer));
        const [tx, ty] = turf.centerOfMass(turf.polygon(outer)).geometry.coordinates;
        const size = Math.sqrt(Math.abs(shoelace(outer[0]!)));
        expect(Math.abs(x! - tx!) / size).toBeLessThan(1e-9);
        expect(Math.abs(y! - ty!) / size).toBeLessThan(1e-9);
      }),
      { numRuns: 200 },
    );
  });

  it('multipolygon area and centroid combine the parts', () => {
    fc.assert(
      fc.property(fc.array(starPolygon, { minLength: 1, maxLength: 4 }), (polys) => {
        const mp = multiPolygonFromCoordinates(polys);
        const areas = polys.map(geojsonArea);
        const total = areas.reduce((a, b) => a + b, 0);
        expect(rel(multiPolygonArea(mp), total)).toBeLessThan(1e-9);
        let cx = 0;
        let cy = 0;
        polys.forEach((rings, i) => {
          const t = triangleMoments(rings);
          cx += (areas[i]! * t.x) / total;
          cy += (areas[i]! * t.y) / total;
        });
        const [x, y] = polygonCentroid(mp);
        // The parts may be far apart: compare against the spread of the whole.
        const span = Math.max(...polys.flat(2).map((p) => Math.abs(p[0]) + Math.abs(p[1])));
        expect(Math.abs(x! - cx) / span).toBeLessThan(1e-9);
        expect(Math.abs(y! - cy) / span).toBeLessThan(1e-9);
      }),
      { numRuns: 100 },
    );
  });

  it('line length and centroid match a GeoJSON computation', () => {
    // Coordinates at 1e-7 degree resolution (about 1 cm), as real data has: segments shorter
    // than 1e-154 degrees would underflow dx * dx, which no input reaches.
    const position = fc.tuple(
      fc.integer({ min: -1_800_000_000, max: 1_800_000_000 }).map((v) => v * 1e-7),
      fc.integer({ min: -900_000_000, max: 900_000_000 }).map((v) => v * 1e-7),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(position, { minLength: 2, maxLength: 20 }), { minLength: 1, maxLength: 4 }),
        (parts) => {
          let len = 0;
          let mx = 0;
          let my = 0;
          for (const part of parts) {
            for (let i = 1; i < part.length; i++) {
              const [ax, ay] = part[i - 1]!;
              const [bx, by] = part[i]!;
              const d = Math.hypot(bx - ax, by - ay);
              len += d;
              mx += (d * (ax + bx)) / 2;
              my += (d * (ay + by)) / 2;
            }
          }
          const l = linesFromCoordinates(parts);
          expect(rel(lineLength(l), len)).toBeLessThan(1e-12);
          const [x, y] = lineCentroid(l);
          if (len > 0) {
            expect(Math.abs(x! - mx / len)).toBeLessThan(1e-9);
            expect(Math.abs(y! - my / len)).toBeLessThan(1e-9);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
