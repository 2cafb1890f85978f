import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeWkb } from '../../src/geometry/normalize.js';
import { geometryArb, geometryRows } from '../helpers/geometry-arbitraries.js';
import {
  decodeWkb,
  encodeWkb,
  expectedNormalized,
  rowBytes,
  type TGeom,
  wkbColumnOf,
} from '../helpers/wkb-codec.js';

/** Forces every node of `g` to little-endian ISO headers. */
function asPlainLE(g: TGeom): TGeom {
  const { srid: _srid, ...rest } = g;
  return { ...rest, le: true, ewkb: false, parts: g.parts?.map(asPlainLE) };
}

describe('normalizeWkb', () => {
  it('writes little-endian ISO WKB with the same X, Y (and Z) and no M', () => {
    fc.assert(
      fc.property(geometryRows, fc.integer({ min: 0, max: 7 }), (rows, bitOffset) => {
        const col = wkbColumnOf(
          rows.map((g) => (g === null ? null : encodeWkb(g))),
          bitOffset,
        );
        const out = normalizeWkb(col);
        expect(out.length).toBe(rows.length);
        rows.forEach((g, i) => {
          const bytes = rowBytes(out, i);
          if (g === null) {
            expect(bytes).toBeNull();
            return;
          }
          expect(decodeWkb(bytes!)).toEqual(expectedNormalized(g));
        });
        // A second pass finds nothing to do.
        expect(normalizeWkb(out)).toBe(out);
      }),
      { numRuns: 300 },
    );
  });

  it('returns the input unchanged when every row is little-endian ISO without M', () => {
    const noM = fc.boolean().chain((z) => geometryArb({ z, m: false }).map(asPlainLE));
    fc.assert(
      fc.property(fc.array(noM, { maxLength: 10 }), (rows) => {
        const col = wkbColumnOf(rows.map(encodeWkb));
        expect(normalizeWkb(col)).toBe(col);
      }),
    );
  });

  it('rewrites a row whose only problem is a big-endian part', () => {
    const part: TGeom = { type: 1, z: false, m: false, le: false, ewkb: false, coords: [[3, 4]] };
    const multi: TGeom = { type: 4, z: false, m: false, le: true, ewkb: false, parts: [part] };
    const col = wkbColumnOf([encodeWkb(multi)]);
    const out = normalizeWkb(col);
    expect(out).not.toBe(col);
    expect(decodeWkb(rowBytes(out, 0)!).parts![0]).toEqual({ ...part, le: true });
  });

  it('turns EWKB Z with an SRID into ISO 1001 and drops the SRID', () => {
    const g: TGeom = { type: 1, z: true, m: false, le: true, ewkb: true, srid: 4326, coords: [[1, 2, 3]] };
    const bytes = rowBytes(normalizeWkb(wkbColumnOf([encodeWkb(g)])), 0)!;
    expect(Array.from(bytes.subarray(0, 5))).toEqual([1, 0xe9, 0x03, 0, 0]);
    expect(bytes.length).toBe(5 + 24);
  });
});
