import { bbox } from '@turf/turf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wkbBounds } from '../../src/geometry/bounds.js';
import { totalBounds } from '../../src/geometry/total-bounds.js';
import { geometryRows } from '../helpers/geometry-arbitraries.js';
import { allCoords, encodeWkb, type TGeom, wkbColumnOf } from '../helpers/wkb-codec.js';

/** The straightforward answer: min/max over every non-NaN X and Y. */
function expectedBox(g: TGeom | null): number[] {
  const cs = g === null ? [] : allCoords(g).filter((c) => !Number.isNaN(c[0]!) && !Number.isNaN(c[1]!));
  if (cs.length === 0) return [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
  const xs = cs.map((c) => c[0]!);
  const ys = cs.map((c) => c[1]!);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** `g` as GeoJSON (X/Y only), for turf. */
function toGeoJSON(g: TGeom): GeoJSON.Geometry {
  const xy = (c: number[]): number[] => [c[0]!, c[1]!];
  switch (g.type) {
    case 1:
      return { type: 'Point', coordinates: xy(g.coords![0]!) };
    case 2:
      return { type: 'LineString', coordinates: g.coords!.map(xy) };
    case 3:
      return { type: 'Polygon', coordinates: g.rings!.map((r) => r.map(xy)) };
    case 4:
      return { type: 'MultiPoint', coordinates: g.parts!.map((p) => xy(p.coords![0]!)) };
    case 5:
      return { type: 'MultiLineString', coordinates: g.parts!.map((p) => p.coords!.map(xy)) };
    case 6:
      return { type: 'MultiPolygon', coordinates: g.parts!.map((p) => p.rings!.map((r) => r.map(xy))) };
    default:
      return { type: 'GeometryCollection', geometries: g.parts!.map(toGeoJSON) };
  }
}

describe('wkbBounds', () => {
  it('matches min/max over the coordinates for random geometries of every type, byte order and dimension', () => {
    fc.assert(
      fc.property(geometryRows, fc.integer({ min: 0, max: 7 }), (rows, bitOffset) => {
        const col = wkbColumnOf(
          rows.map((g) => (g === null ? null : encodeWkb(g))),
          bitOffset,
        );
        const got = wkbBounds(col);
        expect(got.length).toBe(4 * rows.length);
        // 0 and -0 are the same bound (a box from coordinates 0 and -0 may say either).
        const unsigned = (box: readonly number[]) => box.map((v) => (v === 0 ? 0 : v));
        rows.forEach((g, i) => {
          expect(unsigned(Array.from(got.subarray(4 * i, 4 * i + 4)))).toEqual(unsigned(expectedBox(g)));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with turf.bbox on geometries without empty points', () => {
    fc.assert(
      fc.property(geometryRows, (rows) => {
        const full = rows.filter(
          (g): g is TGeom =>
            g !== null && allCoords(g).length > 0 && allCoords(g).every((c) => !Number.isNaN(c[0]!)),
        );
        const got = wkbBounds(wkbColumnOf(full.map(encodeWkb)));
        full.forEach((g, i) => {
          expect(Array.from(got.subarray(4 * i, 4 * i + 4))).toEqual(bbox(toGeoJSON(g)));
        });
      }),
      { numRuns: 200 },
    );
  });

  it('gives NaN for null rows, empty geometries and empty points', () => {
    const empty: TGeom = { type: 6, z: false, m: false, le: true, ewkb: false, parts: [] };
    const emptyPoint: TGeom = {
      type: 1,
      z: true,
      m: false,
      le: false,
      ewkb: false,
      coords: [[Number.NaN, Number.NaN, Number.NaN]],
    };
    const got = wkbBounds(wkbColumnOf([null, encodeWkb(empty), encodeWkb(emptyPoint)]));
    expect(Array.from(got).every(Number.isNaN)).toBe(true);
  });

  it('reads big-endian EWKB with Z, M and an SRID', () => {
    const g: TGeom = {
      type: 2,
      z: true,
      m: true,
      le: false,
      ewkb: true,
      srid: 4326,
      coords: [
        [1, 2, 100, 7],
        [-3, 5, -100, 8],
      ],
    };
    expect(Array.from(wkbBounds(wkbColumnOf([encodeWkb(g)])))).toEqual([-3, 2, 1, 5]);
  });
});

describe('totalBounds', () => {
  it('spans the row boxes and skips NaN rows', () => {
    const rows = new Float64Array([0, 1, 2, 3, Number.NaN, Number.NaN, Number.NaN, Number.NaN, -5, 2, 1, 9]);
    expect(Array.from(totalBounds(rows))).toEqual([-5, 1, 2, 9]);
  });

  it('is NaN when no row has a box', () => {
    expect(
      Array.from(totalBounds(new Float64Array([Number.NaN, Number.NaN, Number.NaN, Number.NaN]))),
    ).toEqual([Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
    expect(Array.from(totalBounds(new Float64Array(0))).every(Number.isNaN)).toBe(true);
  });
});
