import { describe, expect, test } from 'vitest';
import { pack, unpack } from '../../src/util/pack.js';

describe('pack', () => {
  test('gives back the header and every array, as views at 8-byte boundaries', () => {
    const arrays = {
      rows: Int32Array.from([3, -1, 7]),
      stats: Float64Array.from([0.5, Number.NaN, -2]),
      sample: Uint8Array.from([1, 2, 3, 4, 5]),
      empty: new Float64Array(0),
    };
    const bytes = pack({ files: [{ file: 2, name: '2.parquet' }] }, arrays);
    const { meta, arrays: back } = unpack<{ files: { file: number }[] }>(bytes);
    expect(meta.files[0]!.file).toBe(2);
    expect([...back.rows!]).toEqual([3, -1, 7]);
    expect(back.rows).toBeInstanceOf(Int32Array);
    expect(Object.is(back.stats![1], Number.NaN)).toBe(true);
    expect([...back.sample!]).toEqual([1, 2, 3, 4, 5]);
    expect(back.empty!.length).toBe(0);
    for (const a of Object.values(back)) expect(a.byteOffset % 8).toBe(0);
    expect(back.stats!.buffer).toBe(bytes.buffer);
  });

  test('reads a pack that does not start at an 8-byte boundary, by copying it', () => {
    const bytes = pack(null, { v: Float64Array.from([1.5, 2.5]) });
    const shifted = new Uint8Array(bytes.length + 3).fill(9);
    shifted.set(bytes, 3);
    expect([...unpack(shifted.subarray(3)).arrays.v!]).toEqual([1.5, 2.5]);
  });

  test('refuses what is not a pack, and a pack cut short, naming it', () => {
    expect(() => unpack(new TextEncoder().encode('{"a":1}'), 'plan/table.pack')).toThrow(
      'plan/table.pack: not a geopart pack',
    );
    const bytes = pack({}, { v: new Float64Array(100) });
    expect(() => unpack(bytes.subarray(0, bytes.length - 8), 'x.pack')).toThrow(
      'x.pack: array v runs past the end',
    );
  });
});
