import { describe, expect, it } from 'vitest';
import { GeopartError } from '../../src/errors.js';
import { wkbBounds } from '../../src/geometry/bounds.js';
import { wkbColumnOf } from '../helpers/wkb-codec.js';

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

function errorOf(bytes: Uint8Array): GeopartError {
  try {
    wkbBounds(wkbColumnOf([hex('0101000000000000000000f03f000000000000f03f'), bytes]));
  } catch (err) {
    return err as GeopartError;
  }
  throw new Error('no error');
}

describe('WkbCursor on bad input', () => {
  it.each([
    ['a truncated point', '0101000000000000000000f03f', /truncated coordinates/],
    ['a bad byte-order mark', '0201000000', /byte-order mark 2/],
    ['an unknown type code', '0109000000', /unknown geometry type code 9/],
    ['a count larger than the bytes left', '0102000000ffffff7f', /count 2147483647 does not fit/],
    ['a truncated header', '0101', /truncated header/],
  ])('rejects %s with CORRUPT_INPUT naming the row', (_name, bytes, message) => {
    const err = errorOf(hex(bytes));
    expect(err).toBeInstanceOf(GeopartError);
    expect(err.code).toBe('CORRUPT_INPUT');
    expect(err.message).toMatch(/row 1/);
    expect(err.message).toMatch(message);
    expect(err.context.row).toBe(1);
  });

  it('treats a zero-length row as null', () => {
    const col = wkbColumnOf([new Uint8Array(0)]);
    expect(Array.from(wkbBounds(col)).every(Number.isNaN)).toBe(true);
  });
});
