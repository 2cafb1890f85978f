/**
 * The codec addon's page decoder on column chunks built here byte by byte (thrift compact page
 * headers, RLE levels, gzip bodies from node:zlib), for the shapes no writer at hand produces:
 * pages of zero bytes, headers with unknown fields, and headers that claim more than their bytes.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { decodeColumnChunks } from '../../src/io/codecs.js';

const GZIP = 2;
const UNCOMPRESSED = 0;
const DOUBLE = 5;

/** A thrift compact i32 field (type 5) `delta` ids after the previous one. */
function i32(delta: number, v: number): number[] {
  return [(delta << 4) | 5, ...varint((v << 1) ^ (v >> 31))];
}

function varint(v: number): number[] {
  const out: number[] = [];
  let x = v >>> 0;
  while (x >= 0x80) {
    out.push((x & 0x7f) | 0x80);
    x >>>= 7;
  }
  out.push(x);
  return out;
}

/** A page header: type, sizes, the nested header as field `field` (a struct), then `extra` fields. */
function header(
  type: number,
  size: number,
  stored: number,
  field: number,
  nested: number[],
  extra: number[] = [],
): number[] {
  return [
    ...i32(1, type),
    ...i32(1, size),
    ...i32(1, stored),
    ((field - 3) << 4) | 12,
    ...nested,
    0,
    ...extra,
    0,
  ];
}

/** A dictionary page of `count` PLAIN values in `body` (compressed by `codec`). */
function dictionaryPage(body: Uint8Array, size: number, count: number): number[] {
  return [...header(2, size, body.length, 7, [...i32(1, count), ...i32(1, 0)]), ...body];
}

/**
 * A data page v1 of `n` levels: RLE levels, then `values`, the whole body compressed by
 * `compress`; `extra` fields end its header.
 */
function dataPage(
  n: number,
  encoding: number,
  levels: number[],
  values: number[],
  compress: boolean,
  extra: number[] = [],
): number[] {
  const raw = Uint8Array.from([levels.length, 0, 0, 0, ...levels, ...values]);
  const body = compress ? gzipSync(raw) : raw;
  const nested = [...i32(1, n), ...i32(1, encoding), ...i32(1, 3), ...i32(1, 3)];
  return [...header(0, raw.length, body.length, 5, nested, extra), ...body];
}

const CODECS = { UNCOMPRESSED: 0, SNAPPY: 1, GZIP: 2, ZSTD: 6, LZ4_RAW: 7 } as const;

describe('native page decoder', () => {
  test('a data page v2 of nulls only, its values section empty though "compressed": nulls in every codec', () => {
    // As parquet-java writes an all-null page: levels [3 x 0] (RLE run), 0 bytes of values,
    // is_compressed left true.
    const nested = [...i32(1, 3), ...i32(1, 3), ...i32(1, 3), ...i32(1, 0), ...i32(1, 2), ...i32(1, 0)];
    const page = Uint8Array.from([...header(3, 2, 2, 8, nested), 3 << 1, 0]);
    for (const [name, codec] of Object.entries(CODECS)) {
      const d = decodeColumnChunks([page], [3], codec, DOUBLE, 8, 1, null, false)!;
      expect([d.length, ...Array.from(d.defs!)], name).toEqual([3, 0, 0, 0]);
    }
  });

  test('a gzip page of two members reads as gunzip reads it', () => {
    const values = new Uint8Array(new Float64Array([1, 2, 3]).buffer);
    const raw = Uint8Array.from([2, 0, 0, 0, 3 << 1, 1, ...values]);
    const body = Uint8Array.from([...gzipSync(raw.subarray(0, 7)), ...gzipSync(raw.subarray(7))]);
    const nested = [...i32(1, 3), ...i32(1, 0), ...i32(1, 3), ...i32(1, 3)];
    const chunk = Uint8Array.from([...header(0, raw.length, body.length, 5, nested), ...body]);
    const d = decodeColumnChunks([chunk], [3], GZIP, DOUBLE, 8, 1, null, false)!;
    expect(Array.from(new Float64Array(d.values))).toEqual([1, 2, 3]);
  });

  test('its buffers are ordinary ArrayBuffers: transferable to another thread', () => {
    const values = new Uint8Array(new Float64Array([4, 5]).buffer);
    const chunk = Uint8Array.from(dataPage(2, 0, [2 << 1, 1], [...values], false));
    const d = decodeColumnChunks([chunk], [2], UNCOMPRESSED, DOUBLE, 8, 1, null, false)!;
    const moved = structuredClone(d.values, { transfer: [d.values] });
    expect(d.values.byteLength).toBe(0);
    expect(Array.from(new Float64Array(moved))).toEqual([4, 5]);
  });

  test('a gzip dictionary page of zero bytes, then all-null values: nulls, not an error', () => {
    // Two rows, both null (level 0 where the leaf is present at 1), dictionary-encoded (8).
    const empty = gzipSync(new Uint8Array(0));
    const chunk = Uint8Array.from([...dictionaryPage(empty, 0, 0), ...dataPage(2, 8, [2 << 1, 0], [], true)]);
    const d = decodeColumnChunks([chunk], [2], GZIP, DOUBLE, 8, 1, null, false)!;
    expect(d.length).toBe(2);
    expect(Array.from(d.defs!)).toEqual([0, 0]);
    expect(d.ends).toEqual([chunk.length]);
  });

  test('PLAIN doubles with nulls and a keep mask: the kept rows, levels beside them', () => {
    // Levels 1,0,1,1 as a bit-packed run of 8 (header 0b11 = one group of 8), then 3 values.
    const values = new Float64Array([1.5, 2.5, 3.5]);
    const chunk = Uint8Array.from(dataPage(4, 0, [0b11, 0b1101], [...new Uint8Array(values.buffer)], false));
    const all = decodeColumnChunks([chunk], [4], UNCOMPRESSED, DOUBLE, 8, 1, null, false)!;
    expect(Array.from(new Float64Array(all.values))).toEqual([1.5, 0, 2.5, 3.5]);
    expect(Array.from(all.defs!)).toEqual([1, 0, 1, 1]);
    const kept = decodeColumnChunks(
      [chunk, chunk],
      [4, 4],
      UNCOMPRESSED,
      DOUBLE,
      8,
      1,
      Uint8Array.from([0, 1, 1, 0, 1, 0, 0, 1]),
      false,
    )!;
    expect(kept.length).toBe(4);
    expect(Array.from(new Float64Array(kept.values))).toEqual([0, 2.5, 1.5, 3.5]);
    expect(Array.from(kept.defs!)).toEqual([0, 1, 1, 1]);
  });

  test('unknown header fields are skipped, a list of booleans included', () => {
    // Field 9 (unknown, after field 5): a list (9) of 3 booleans (1), one byte each in a list.
    const values = [...new Uint8Array(new Float64Array([7]).buffer)];
    const page = Uint8Array.from(dataPage(1, 0, [1 << 1, 1], values, false, [0x49, 0x31, 1, 2, 1]));
    const d = decodeColumnChunks([page], [1], UNCOMPRESSED, DOUBLE, 8, 1, null, false)!;
    expect(Array.from(new Float64Array(d.values))).toEqual([7]);
    expect(d.ends).toEqual([page.length]);
  });

  test('headers that claim more than their bytes are refused as corrupt, taking no memory for the claim', () => {
    const body = gzipSync(new Uint8Array(16));
    // A gzip page said to hold 2^31 - 1 bytes, and a list of 2^31 - 1 booleans in a few bytes.
    const huge = Uint8Array.from([
      ...header(0, 0x7fffffff, body.length, 5, [...i32(1, 2), ...i32(1, 0), ...i32(1, 3), ...i32(1, 3)]),
      ...body,
    ]);
    expect(() => decodeColumnChunks([huge], [2], GZIP, DOUBLE, 8, 1, null, false)).toThrow(/out of range/);
    const list = Uint8Array.from([...i32(1, 0), 0x39, 0xf1, ...varint(0x7fffffff), 0]);
    expect(() => decodeColumnChunks([list], [2], UNCOMPRESSED, DOUBLE, 8, 1, null, false)).toThrow(
      /runs past/,
    );
    // Rows beyond what JS arrays index: a RangeError before any allocation.
    expect(() => decodeColumnChunks([huge], [2 ** 40], GZIP, DOUBLE, 8, 1, null, false)).toThrow(RangeError);
  });
});
