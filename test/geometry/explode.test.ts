import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explodeWkb } from '../../src/geometry/explode.js';
import { geometryRows } from '../helpers/geometry-arbitraries.js';
import { decodeWkb, encodeWkb, rowBytes, type TGeom, wkbColumnOf } from '../helpers/wkb-codec.js';

/** What one input row should become: its parts, or itself (also when null or an empty collection). */
function expectedRows(g: TGeom | null): (TGeom | null)[] {
  if (g === null) return [null];
  if (g.type >= 4 && g.parts!.length > 0) return g.parts!;
  return [g];
}

describe('explodeWkb', () => {
  it('gives one row per part with the right parent, parts byte-identical to the input parts', () => {
    fc.assert(
      fc.property(geometryRows, (rows) => {
        const col = wkbColumnOf(rows.map((g) => (g === null ? null : encodeWkb(g))));
        const { wkb, parentRow } = explodeWkb(col);
        const expected = rows.flatMap((g, i) => expectedRows(g).map((part) => ({ part, parent: i })));
        expect(wkb.length).toBe(expected.length);
        expect(Array.from(parentRow)).toEqual(expected.map((e) => e.parent));
        expected.forEach((e, j) => {
          const bytes = rowBytes(wkb, j);
          if (e.part === null) {
            expect(bytes).toBeNull();
          } else {
            expect(Array.from(bytes!)).toEqual(Array.from(encodeWkb(e.part)));
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('returns the input column itself when nothing splits', () => {
    const point: TGeom = { type: 1, z: false, m: false, le: true, ewkb: false, coords: [[1, 2]] };
    const emptyMulti: TGeom = { type: 5, z: false, m: false, le: false, ewkb: false, parts: [] };
    const col = wkbColumnOf([encodeWkb(point), null, encodeWkb(emptyMulti)]);
    const { wkb, parentRow } = explodeWkb(col);
    expect(wkb).toBe(col);
    expect(Array.from(parentRow)).toEqual([0, 1, 2]);
  });

  it('keeps a nested collection as one part (one level, like shapely get_parts)', () => {
    const inner: TGeom = {
      type: 7,
      z: false,
      m: false,
      le: true,
      ewkb: false,
      parts: [{ type: 1, z: false, m: false, le: true, ewkb: false, coords: [[1, 1]] }],
    };
    const outer: TGeom = { type: 7, z: false, m: false, le: true, ewkb: false, parts: [inner, inner] };
    const { wkb, parentRow } = explodeWkb(wkbColumnOf([encodeWkb(outer)]));
    expect(Array.from(parentRow)).toEqual([0, 0]);
    expect(decodeWkb(rowBytes(wkb, 0)!).type).toBe(7);
  });
});
