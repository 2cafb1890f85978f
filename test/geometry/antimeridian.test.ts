import { describe, expect, it } from 'vitest';
import { splitAntimeridian } from '../../src/geometry/antimeridian.js';
import { wkbBounds } from '../../src/geometry/bounds.js';
import { decodeWkb, encodeWkb, rowBytes, type TGeom, wkbColumnOf } from '../helpers/wkb-codec.js';

const head = { z: false, m: false, le: true, ewkb: false };
const polygon = (...rings: number[][][]): TGeom => ({ type: 3, ...head, rings });
const multi = (...parts: TGeom[]): TGeom => ({ type: 6, ...head, parts });
const line = (...coords: number[][]): TGeom => ({ type: 2, ...head, coords });
const point = (x: number, y: number): TGeom => ({ type: 1, ...head, coords: [[x, y]] });
const box = (x0: number, y0: number, x1: number, y1: number): number[][] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];

function ringArea(ring: number[][]): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++)
    a += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  return a / 2;
}

/** Planar area of a (multi)polygon tree, shells positive and holes negative when oriented. */
function area(g: TGeom): number {
  if (g.rings) return g.rings.reduce((s, r, k) => s + (k === 0 ? 1 : -1) * Math.abs(ringArea(r)), 0);
  return (g.parts ?? []).reduce((s, p) => s + area(p), 0);
}

function coordsOf(g: TGeom): number[][] {
  if (g.coords) return g.coords;
  if (g.rings) return g.rings.flat();
  return (g.parts ?? []).flatMap(coordsOf);
}

function xRange(g: TGeom): [number, number] {
  const xs = coordsOf(g).map((c) => c[0]!);
  return [Math.min(...xs), Math.max(...xs)];
}

/** Runs the split on `rows`, returning the output geometries and their parent rows. */
function split(rows: TGeom[]): { out: TGeom[]; parent: number[]; crossing: number } {
  const col = wkbColumnOf(rows.map(encodeWkb));
  const r = splitAntimeridian(col, wkbBounds(col));
  const out = Array.from({ length: r.wkb.length }, (_, j) => decodeWkb(rowBytes(r.wkb, j)!));
  return { out, parent: [...r.parentRow], crossing: r.crossingRows };
}

describe('splitAntimeridian', () => {
  it('cuts a polygon whose ring jumps from +179 to -179 into one row per side, area kept', () => {
    const jumping = polygon([
      [179, 0],
      [-179, 0],
      [-179, 1],
      [179, 1],
      [179, 0],
    ]);
    const { out, parent, crossing } = split([point(5, 5), jumping, point(6, 6)]);
    expect(crossing).toBe(1);
    expect(parent).toEqual([0, 1, 1, 2]);
    expect(out[1]!.type).toBe(3);
    expect(xRange(out[1]!)).toEqual([179, 180]);
    expect(xRange(out[2]!)).toEqual([-180, -179]);
    expect(area(out[1]!)).toBeCloseTo(1, 12);
    expect(area(out[2]!)).toBeCloseTo(1, 12);
    // Rows that do not cross pass through untouched.
    expect(out[0]).toEqual(point(5, 5));
    expect(out[3]).toEqual(point(6, 6));
  });

  it('cuts a polygon reaching past 180 (a hole across the line too) and moves the far part back', () => {
    const p = polygon(box(170, -5, 190, 5), box(175, -1, 185, 1).reverse());
    const { out } = split([p]);
    expect(out).toHaveLength(2);
    expect(xRange(out[0]!)).toEqual([170, 180]);
    expect(xRange(out[1]!)).toEqual([-180, -170]);
    expect(area(out[0]!) + area(out[1]!)).toBeCloseTo(200 - 20, 9);
    expect(area(out[0]!)).toBeCloseTo(90, 9);
  });

  it('splits a multipolygon already cut at ±180 (as Natural Earth has Fiji) by side, without moving a vertex', () => {
    const fiji = multi(
      polygon(box(177, -18, 180, -16)),
      polygon(box(-180, -17, -179, -16)),
      polygon(box(178, -20, 179, -19)),
    );
    const { out, parent, crossing } = split([fiji]);
    expect(crossing).toBe(1);
    expect(parent).toEqual([0, 0]);
    expect(out.map((g) => g.type)).toEqual([6, 6]);
    expect(out[0]!.parts).toHaveLength(2);
    expect(xRange(out[0]!)).toEqual([177, 180]);
    expect(xRange(out[1]!)).toEqual([-180, -179]);
    expect(coordsOf(out[0]!).concat(coordsOf(out[1]!)).sort()).toEqual(coordsOf(fiji).sort());
  });

  it('splits a multipolygon whose parts straddle the antimeridian without touching it (the Aleutians)', () => {
    const usa = multi(
      polygon(box(-125, 30, -66, 49)),
      polygon(box(172, 51, 179.5, 53)),
      polygon(box(-179, 51, -160, 60)),
    );
    const { out, crossing } = split([usa]);
    expect(crossing).toBe(1);
    expect(out.map(xRange)).toEqual([
      [172, 179.5],
      [-179, -66],
    ]);
  });

  it('leaves rows alone that are wide without crossing: spread around the globe, or around a pole', () => {
    // Parts around the world (as France's territories): no side of the antimeridian is within 180°.
    const spread = multi(
      polygon(box(-150, 0, -149, 1)),
      polygon(box(0, 0, 1, 1)),
      polygon(box(150, 0, 151, 1)),
    );
    const antarctica = polygon(box(-180, -90, 180, -65));
    // A ring around the pole that jumps: unwrapping cannot close it.
    const pole = polygon([
      [-170, -80],
      [-90, -80],
      [0, -80],
      [90, -80],
      [170, -80],
      [-170, -80],
    ]);
    const col = wkbColumnOf([spread, antarctica, pole].map(encodeWkb));
    const r = splitAntimeridian(col, wkbBounds(col));
    expect(r.wkb).toBe(col);
    expect(r.crossingRows).toBe(0);
  });

  it('cuts a line that jumps, putting the crossing point on both sides, and keeps Z', () => {
    const l: TGeom = {
      ...line([170, 0, 10], [-170, 10, 30]),
      z: true,
    };
    const { out } = split([l]);
    expect(out).toHaveLength(2);
    expect(out[0]!.coords).toEqual([
      [170, 0, 10],
      [180, 5, 20],
    ]);
    expect(out[1]!.coords).toEqual([
      [-180, 5, 20],
      [-170, 10, 30],
    ]);
  });

  it('cuts a polygon with Z: cut points get the Z interpolated along the edge they cut', () => {
    const zOf = (x: number, y: number) => x + 2 * y;
    const rings = [box(170, 0, 190, 4).map(([x, y]) => [x!, y!, zOf(x!, y!)])];
    const { out } = split([{ type: 3, ...head, z: true, rings }]);
    expect(out).toHaveLength(2);
    for (const g of out) {
      expect(g.z).toBe(true);
      for (const [x, y, z] of coordsOf(g)) {
        const xOrig = x! < 0 ? x! + 360 : x!;
        expect(z).toBeCloseTo(zOf(xOrig, y!), 9);
      }
    }
  });

  it('moves points past 180 back into range, and splits a multipoint on both lines', () => {
    const { out, crossing } = split([
      point(185, 1),
      { type: 4, ...head, parts: [point(180, 1), point(-180, 2)] },
    ]);
    expect(crossing).toBe(2);
    expect(out[0]).toEqual(point(-175, 1));
    expect(out.slice(1).map((g) => g.parts!.map((p) => p.coords![0]))).toEqual([[[180, 1]], [[-180, 2]]]);
  });

  it('writes a collection per side for a collection that crosses', () => {
    const gc: TGeom = { type: 7, ...head, parts: [line([179, 0], [181, 0]), point(179.5, 3)] };
    const { out } = split([gc]);
    expect(out.map((g) => g.type)).toEqual([7, 7]);
    // Parts come grouped by dimension: points, then lines, then polygons.
    expect(out[0]!.parts!.map((p) => p.type)).toEqual([1, 2]);
    expect(out[1]!.parts!.map((p) => coordsOf(p))).toEqual([
      [
        [-180, 0],
        [-179, 0],
      ],
    ]);
  });
});
