import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { crc32, encodePng } from '../../src/inspect/png.js';

describe('encodePng', () => {
  it('round-trips random RGBA images through pngjs, byte for byte', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (w, h, seed) => {
          const rgba = new Uint8Array(w * h * 4);
          let s = seed;
          for (let i = 0; i < rgba.length; i++) {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            rgba[i] = s >>> 24;
          }
          const png = PNG.sync.read(Buffer.from(encodePng(w, h, rgba)));
          expect([png.width, png.height]).toEqual([w, h]);
          expect(new Uint8Array(png.data)).toEqual(rgba);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects a buffer of the wrong size, naming the expected size', () => {
    expect(() => encodePng(3, 2, new Uint8Array(23))).toThrow(/expected 24 bytes of RGBA for 3 x 2, got 23/);
    expect(() => encodePng(0, 2, new Uint8Array(0))).toThrow(/positive integers/);
  });
});

describe('crc32', () => {
  it('gives the check value of the standard and agrees with zlib on random bytes', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(crc32(bytes)).toBe(zlibCrc32(bytes));
      }),
    );
  });
});
