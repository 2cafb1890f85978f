/**
 * The exact box test against turf's booleanIntersects as the oracle, on random points, lines,
 * star polygons with holes, multi-geometries and collections, plus the cases that pin the
 * boundary rules (touching counts, a box inside a polygon, a box inside a hole).
 */
import { bboxPolygon, booleanIntersects, feature } from '@turf/turf';
import fc from 'fast-check';
import { geojsonToWkb } from 'hyparquet-writer';
import { describe, expect, test } from 'vitest';
import { wkbIntersectsBox } from '../../src/geometry/intersects-box.js';
import { type Rings, starPolygon } from './polygons.js';

type Geom = Parameters<typeof geojsonToWkb>[0];
type Box = [number, number, number, number];

// Coordinates on an irregular grid: generic positions (no exact touches, where floating point,
// not the algorithm, would decide). Boxes have area: turf mishandles a degenerate box polygon,
// so zero-width boxes are pinned by the cases below instead.
const ord = fc.integer({ min: -3000, max: 3000 }).map((i) => i * 0.0137 + 0.00071);
const coord = fc.tuple(ord, ord);
const size = fc.integer({ min: 1, max: 2000 }).map((i) => i * 0.0111);
const box: fc.Arbitrary<Box> = fc
  .tuple(fc.tuple(fc.integer({ min: -3000, max: 3000 }), fc.integer({ min: -3000, max: 3000 })), size, size)
  .map(([[i, j], w, h]) => {
    const x = i * 0.0131 + 0.00037;
    const y = j * 0.0131 + 0.00037;
    return [x, y, x + w, y + h];
  });

const point = coord.map((c): Geom => ({ type: 'Point', coordinates: c }));
const line = fc
  .array(coord, { minLength: 2, maxLength: 8 })
  .map((c): Geom => ({ type: 'LineString', coordinates: c }));
// Star polygons (with holes) placed near the boxes.
const polygon = fc.tuple(starPolygon, coord).map(([rings, [ox, oy]]: [Rings, [number, number]]): Geom => {
  const [cx, cy] = rings[0]![0]!;
  return { type: 'Polygon', coordinates: rings.map((r) => r.map(([x, y]) => [x - cx + ox, y - cy + oy])) };
});
const simple = fc.oneof(point, line, polygon);
const multi = fc.oneof(
  fc.array(point, { minLength: 1, maxLength: 4 }).map(
    (ps): Geom => ({
      type: 'MultiPoint',
      coordinates: ps.map((p) => (p as { coordinates: number[] }).coordinates),
    }),
  ),
  fc.array(line, { minLength: 1, maxLength: 3 }).map(
    (ls): Geom => ({
      type: 'MultiLineString',
      coordinates: ls.map((l) => (l as { coordinates: number[][] }).coordinates),
    }),
  ),
  fc.array(polygon, { minLength: 1, maxLength: 3 }).map(
    (ps): Geom => ({
      type: 'MultiPolygon',
      coordinates: ps.map((p) => (p as { coordinates: number[][][] }).coordinates),
    }),
  ),
  fc
    .array(simple, { minLength: 1, maxLength: 3 })
    .map((gs): Geom => ({ type: 'GeometryCollection', geometries: gs })),
);

/** turf's answer, part by part (turf's collection handling is the part we do not want to test). */
function oracle(g: Geom, b: Box): boolean {
  if (g.type === 'GeometryCollection') return g.geometries.some((p) => oracle(p, b));
  return booleanIntersects(feature(g as never), bboxPolygon(b));
}

function kernel(g: Geom, b: Box): boolean {
  return wkbIntersectsBox(geojsonToWkb(g), b);
}

describe('wkbIntersectsBox', () => {
  test('agrees with turf booleanIntersects on random geometries and boxes', () => {
    fc.assert(
      fc.property(fc.oneof(simple, multi), box, (g, b) => {
        expect(kernel(g, b)).toBe(oracle(g, b));
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  const square = (x0: number, y0: number, x1: number, y1: number) => [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
    [x0, y0],
  ];
  const withHole: Geom = { type: 'Polygon', coordinates: [square(0, 0, 10, 10), square(4, 4, 6, 6)] };

  test('an empty point (NaN coordinates) intersects nothing', () => {
    const wkb = new Uint8Array(21);
    const view = new DataView(wkb.buffer);
    wkb[0] = 1;
    view.setUint32(1, 1, true);
    view.setFloat64(5, Number.NaN, true);
    view.setFloat64(13, Number.NaN, true);
    expect(wkbIntersectsBox(wkb, [-1e9, -1e9, 1e9, 1e9])).toBe(false);
  });

  test.each([
    ['box inside a polygon', withHole, [1, 1, 2, 2], true],
    ['box inside a hole', withHole, [4.5, 4.5, 5.5, 5.5], false],
    ['box touching a hole edge from inside it', withHole, [4.5, 4.5, 6, 5.5], true],
    ['box covering the hole', withHole, [3, 3, 7, 7], true],
    ['box touching the shell corner', withHole, [10, 10, 11, 11], true],
    ['box beside the shell', withHole, [10.000001, 0, 11, 1], false],
    ['point on the box edge', { type: 'Point', coordinates: [2, 1] }, [0, 0, 2, 2], true],
    [
      'line crossing the box without a vertex in it',
      {
        type: 'LineString',
        coordinates: [
          [-1, 1],
          [3, 1],
        ],
      },
      [0, 0, 2, 2],
      true,
    ],
    [
      'line passing a corner',
      {
        type: 'LineString',
        coordinates: [
          [-1, 5],
          [5, -1],
        ],
      },
      [0, 0, 2, 2],
      true,
    ],
    [
      'line missing a corner',
      {
        type: 'LineString',
        coordinates: [
          [-1, 5.01],
          [5.01, -1],
        ],
      },
      [0, 0, 2, 2],
      false,
    ],
    [
      'point box on a line',
      {
        type: 'LineString',
        coordinates: [
          [0, 0],
          [2, 2],
        ],
      },
      [1, 1, 1, 1],
      true,
    ],
    [
      'zero-width box crossed by a line',
      {
        type: 'LineString',
        coordinates: [
          [1, 1],
          [-1, 1],
        ],
      },
      [0, 0, 0, 2],
      true,
    ],
    [
      'zero-width box beside a line',
      {
        type: 'LineString',
        coordinates: [
          [1, 1],
          [0.001, 1],
        ],
      },
      [0, 0, 0, 2],
      false,
    ],
    ['point box inside a polygon', withHole, [1, 1, 1, 1], true],
    ['empty collection', { type: 'GeometryCollection', geometries: [] }, [0, 0, 1, 1], false],
  ] as [string, Geom, Box, boolean][])('%s', (_name, g, b, want) => {
    expect(kernel(g, b)).toBe(want);
  });
});
