/**
 * fast-check arbitraries for random geometry trees of every WKB type, with Z, M, ZM, both byte
 * orders, ISO and EWKB headers, empty points/lines/polygons/collections.
 */
import fc from 'fast-check';
import type { TGeom } from './wkb-codec.js';

type Dims = { z: boolean; m: boolean };

/** Header options of one node: byte order and header style (SRID only with EWKB). */
const header = fc.record({ le: fc.boolean(), ewkb: fc.boolean() });

/** One ordinate: finite, any magnitude the tests care about (degrees and projected metres). */
export const ordinate = fc.double({ min: -1e7, max: 1e7, noNaN: true, noDefaultInfinity: true });

function coord(d: Dims): fc.Arbitrary<number[]> {
  const n = 2 + (d.z ? 1 : 0) + (d.m ? 1 : 0);
  return fc.array(ordinate, { minLength: n, maxLength: n });
}

function node(type: number, d: Dims, body: fc.Arbitrary<Partial<TGeom>>): fc.Arbitrary<TGeom> {
  return fc.tuple(header, body).map(([h, b]) => ({ type, ...d, ...h, ...b }));
}

/** A point; one in eight is empty (NaN coordinates). */
export function pointArb(d: Dims): fc.Arbitrary<TGeom> {
  const n = 2 + (d.z ? 1 : 0) + (d.m ? 1 : 0);
  const empty = fc.constant(Array.from({ length: n }, () => Number.NaN));
  return node(
    1,
    d,
    fc
      .oneof({ weight: 7, arbitrary: coord(d) }, { weight: 1, arbitrary: empty })
      .map((c) => ({ coords: [c] })),
  );
}

export function lineArb(d: Dims): fc.Arbitrary<TGeom> {
  return node(
    2,
    d,
    fc.array(coord(d), { maxLength: 6 }).map((coords) => ({ coords })),
  );
}

export function polygonArb(d: Dims): fc.Arbitrary<TGeom> {
  return node(
    3,
    d,
    fc.array(fc.array(coord(d), { maxLength: 6 }), { maxLength: 3 }).map((rings) => ({ rings })),
  );
}

function multi(type: number, d: Dims, part: fc.Arbitrary<TGeom>): fc.Arbitrary<TGeom> {
  return node(
    type,
    d,
    fc.array(part, { maxLength: 4 }).map((parts) => ({ parts })),
  );
}

/** Any geometry with dimensions `d`; collections nest up to `depth` levels. */
export function geometryArb(d: Dims, depth = 2): fc.Arbitrary<TGeom> {
  const simple = [pointArb(d), lineArb(d), polygonArb(d)];
  const multis = [multi(4, d, pointArb(d)), multi(5, d, lineArb(d)), multi(6, d, polygonArb(d))];
  const all =
    depth > 0 ? [...simple, ...multis, multi(7, d, geometryArb(d, depth - 1))] : [...simple, ...multis];
  return fc.oneof(...all);
}

/** Any geometry of random dimensions, with an SRID on some EWKB roots. */
export const anyGeometry: fc.Arbitrary<TGeom> = fc
  .record({ z: fc.boolean(), m: fc.boolean() })
  .chain((d) => geometryArb(d))
  .chain((g) =>
    g.ewkb
      ? fc.option(fc.integer({ min: 1, max: 99999 }), { nil: undefined }).map((srid) => ({ ...g, srid }))
      : fc.constant(g),
  );

/** A column's worth of rows: geometries and some nulls. */
export const geometryRows: fc.Arbitrary<(TGeom | null)[]> = fc.array(
  fc.oneof({ weight: 6, arbitrary: anyGeometry }, { weight: 1, arbitrary: fc.constant(null) }),
  { maxLength: 20 },
);
