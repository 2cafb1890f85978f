import { type Data, Field, FixedSizeList, Float64, List, makeData, Struct } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type GeoArrowEncoding, geoarrowToWkb } from '../../src/geometry/geoarrow-to-wkb.js';
import { lineArb, pointArb, polygonArb } from '../helpers/geometry-arbitraries.js';
import { decodeWkb, rowBytes, type TGeom } from '../helpers/wkb-codec.js';

type Dims = { z: boolean; m: boolean };
type Nested = number[] | Nested[];

const TYPE: Record<GeoArrowEncoding, number> = {
  point: 1,
  linestring: 2,
  polygon: 3,
  multipoint: 4,
  multilinestring: 5,
  multipolygon: 6,
};
const DEPTH: Record<GeoArrowEncoding, number> = {
  point: 0,
  linestring: 1,
  multipoint: 1,
  polygon: 2,
  multilinestring: 2,
  multipolygon: 3,
};

/** A tree's coordinates as GeoArrow nests them. */
function nest(g: TGeom): Nested {
  switch (g.type) {
    case 1:
      return g.coords![0]!;
    case 2:
      return g.coords!;
    case 3:
      return g.rings!;
    case 4:
      return g.parts!.map((p) => p.coords![0]!);
    case 5:
      return g.parts!.map((p) => p.coords!);
    default:
      return g.parts!.map((p) => p.rings!);
  }
}

/** The tree the converter should produce: little-endian ISO, same dims. */
function expected(g: TGeom): TGeom {
  const out: TGeom = { type: g.type, z: g.z, m: g.m, le: true, ewkb: false };
  if (g.coords) out.coords = g.coords;
  if (g.rings) out.rings = g.rings;
  if (g.parts) out.parts = g.parts.map(expected);
  return out;
}

function coordData(coords: number[][], d: Dims, interleaved: boolean): Data {
  const names = ['x', 'y', ...(d.z ? ['z'] : []), ...(d.m ? ['m'] : [])];
  if (interleaved) {
    const child = makeData({
      type: new Float64(),
      length: coords.length * names.length,
      data: Float64Array.from(coords.flat()),
    });
    const type = new FixedSizeList(names.length, new Field(names.join(''), new Float64(), false));
    return makeData({ type, length: coords.length, nullCount: 0, child });
  }
  const children = names.map((_, k) =>
    makeData({ type: new Float64(), length: coords.length, data: Float64Array.from(coords, (c) => c[k]!) }),
  );
  const type = new Struct(names.map((n) => new Field(n, new Float64(), false)));
  return makeData({ type, length: coords.length, nullCount: 0, children });
}

/** GeoArrow `Data` for rows (null = null row) nested `depth` list levels deep. */
function geoarrowData(rows: (Nested | null)[], depth: number, d: Dims, interleaved: boolean): Data {
  const nd = 2 + (d.z ? 1 : 0) + (d.m ? 1 : 0);
  const validity = new Uint8Array((rows.length + 7) >> 3);
  rows.forEach((r, i) => {
    if (r !== null) validity[i >> 3]! |= 1 << (i & 7);
  });
  const nullCount = rows.filter((r) => r === null).length;
  const build = (items: Nested[], level: number, top: boolean): Data => {
    if (level === 0) {
      const data = coordData(items as number[][], d, interleaved);
      return top
        ? data.clone(data.type, 0, data.length, nullCount, [undefined, undefined, validity] as never)
        : data;
    }
    const offsets = new Int32Array(items.length + 1);
    items.forEach((it, i) => {
      offsets[i + 1] = offsets[i]! + (it as Nested[]).length;
    });
    const child = build((items as Nested[][]).flat() as Nested[], level - 1, false);
    const type = new List(new Field('item', child.type, true));
    return makeData({
      type,
      length: items.length,
      nullCount: top ? nullCount : 0,
      nullBitmap: top ? validity : null,
      valueOffsets: offsets,
      child,
    });
  };
  const filler: Nested = depth === 0 ? Array.from({ length: nd }, () => 0) : [];
  return build(
    rows.map((r) => r ?? filler),
    depth,
    true,
  );
}

function arbFor(encoding: GeoArrowEncoding, d: Dims): fc.Arbitrary<TGeom> {
  const parts = (type: number, part: fc.Arbitrary<TGeom>): fc.Arbitrary<TGeom> =>
    fc.array(part, { maxLength: 4 }).map((ps) => ({ type, ...d, le: true, ewkb: false, parts: ps }));
  switch (encoding) {
    case 'point':
      return pointArb(d);
    case 'linestring':
      return lineArb(d);
    case 'polygon':
      return polygonArb(d);
    case 'multipoint':
      return parts(4, pointArb(d));
    case 'multilinestring':
      return parts(5, lineArb(d));
    case 'multipolygon':
      return parts(6, polygonArb(d));
  }
}

const encodings = Object.keys(TYPE) as GeoArrowEncoding[];

describe('geoarrowToWkb', () => {
  it.each(encodings)('%s: separated and interleaved, XY/XYZ/XYM/XYZM, with nulls and slices', (encoding) => {
    const input = fc.record({ z: fc.boolean(), m: fc.boolean(), interleaved: fc.boolean() }).chain((o) =>
      fc.record({
        o: fc.constant(o),
        rows: fc.array(fc.option(arbFor(encoding, o), { nil: null, freq: 6 }), {
          minLength: 1,
          maxLength: 12,
        }),
        from: fc.nat(),
      }),
    );
    fc.assert(
      fc.property(input, ({ o, rows, from }) => {
        const data = geoarrowData(
          rows.map((g) => (g === null ? null : nest(g))),
          DEPTH[encoding],
          o,
          o.interleaved,
        );
        const start = from % rows.length;
        const sliced = data.slice(start, rows.length - start);
        const col = geoarrowToWkb(sliced, encoding);
        expect(col.length).toBe(rows.length - start);
        rows.slice(start).forEach((g, i) => {
          const bytes = rowBytes(col, i);
          if (g === null) {
            expect(bytes).toBeNull();
            return;
          }
          expect(decodeWkb(bytes!)).toEqual(expected({ ...g, type: TYPE[encoding] }));
        });
      }),
      { numRuns: 150 },
    );
  });

  it('rejects an array whose type does not match the declared encoding', () => {
    const data = geoarrowData([[1, 2]], 0, { z: false, m: false }, false);
    expect(() => geoarrowToWkb(data, 'polygon')).toThrow(/declared as GeoArrow 'polygon'.*not a list/);
  });
});
