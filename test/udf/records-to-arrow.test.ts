import { describe, expect, test } from 'vitest';
import { geoJsonToWkb } from '../../src/udf/geojson-wkb.js';
import { RecordValueError, recordsToTable } from '../../src/udf/records-to-arrow.js';
import { decodeWkb } from '../helpers/wkb-codec.js';

describe('recordsToTable', () => {
  test('infers one Arrow type per column; missing keys are null', () => {
    const t = recordsToTable(
      [
        { n: 1, big: 2n, ok: true, s: 'a', at: new Date(0), raw: Uint8Array.of(1, 2), obj: { k: [1] } },
        { n: 2.5, extra: null },
      ],
      'result',
    );
    expect(t.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['n', 'Float64'],
      ['big', 'Int64'],
      ['ok', 'Bool'],
      ['s', 'Utf8'],
      ['at', 'Timestamp<MILLISECOND>'],
      ['raw', 'Binary'],
      ['obj', 'Utf8'],
      ['extra', 'Null'],
    ]);
    expect(t.get(0)!.toJSON()).toMatchObject({ n: 1, big: 2n, ok: true, s: 'a', at: 0, obj: '{"k":[1]}' });
    expect(t.get(1)!.toJSON()).toMatchObject({ n: 2.5, big: null, s: null });
  });

  test.each([
    [[{ a: 1 }, { a: 'x' }], "column 'a' mixes kinds: result[0] is a number, result[1] is a string"],
    [[{ f: () => 1 }], 'result[0].f is a function, which cannot be serialized'],
    [[{ m: new Map() }], 'result[0].m is a Map instance'],
    [[3], 'result[0] is 3; every record must be a plain object'],
    [[{ geometry: { type: 'Blob' } }], "the 'geometry' column holds GeoJSON geometry objects or WKB bytes"],
  ])('refuses %j', (records, says) => {
    expect(() => recordsToTable(records, 'result')).toThrow(RecordValueError);
    expect(() => recordsToTable(records, 'result')).toThrow(says);
  });

  test.each([
    [2n ** 64n, 'result[0].b is the bigint 18446744073709551616n, outside the Int64 range'],
    [-(2n ** 63n) - 1n, 'result[0].b is the bigint -9223372036854775809n, outside the Int64 range'],
  ])('refuses the bigint %s, which Int64 would wrap', (b, says) => {
    expect(() => recordsToTable([{ b }], 'result')).toThrow(RecordValueError);
    expect(() => recordsToTable([{ b }], 'result')).toThrow(says);
  });

  test('keeps the Int64 extremes exactly', () => {
    const t = recordsToTable([{ b: 2n ** 63n - 1n }, { b: -(2n ** 63n) }], 'result');
    expect([...t.getChild('b')!]).toEqual([2n ** 63n - 1n, -(2n ** 63n)]);
  });

  test('refuses an invalid Date, naming the cell', () => {
    const records = [{ d: new Date(0) }, { d: new Date('nope') }];
    expect(() => recordsToTable(records, 'result')).toThrow(RecordValueError);
    expect(() => recordsToTable(records, 'result')).toThrow('result[1].d is an invalid Date');
  });

  test('a `__proto__` key from JSON.parse is a column like any other', () => {
    const t = recordsToTable(JSON.parse('[{"__proto__": 1, "a": 2}, {"a": 3}]'), 'result');
    expect(t.schema.fields.map((f) => f.name)).toEqual(['__proto__', 'a']);
    expect([...t.getChild('__proto__')!]).toEqual([1, null]);
  });

  test('a key missing from a record is null, not the inherited property of that name', () => {
    const t = recordsToTable([{ toString: 'x' }, {}], 'result');
    expect([...t.getChild('toString')!]).toEqual(['x', null]);
  });

  test('columns keep the order of first appearance, integer-like keys included', () => {
    const t = recordsToTable([{ b: 1 }, { 1: 2 }], 'result');
    expect(t.schema.fields.map((f) => f.name)).toEqual(['b', '1']);
  });

  test('every column is nullable, an all-null one included', () => {
    const t = recordsToTable([{ a: null, n: 1 }], 'result');
    expect(t.schema.fields.map((f) => [String(f.type), f.nullable])).toEqual([
      ['Null', true],
      ['Float64', true],
    ]);
  });

  test('refuses a cyclic nested value', () => {
    const c: Record<string, unknown> = {};
    c.c = c;
    expect(() => recordsToTable([{ c }], 'result')).toThrow('result[0].c is cyclic and cannot be serialized');
  });
});

describe('geoJsonToWkb', () => {
  test('writes ISO WKB that an independent decoder reads back, Z included', () => {
    const mp = decodeWkb(
      geoJsonToWkb({
        type: 'MultiPolygon',
        coordinates: [
          [
            [
              [0, 0, 1],
              [1, 0, 1],
              [0, 1, 1],
              [0, 0, 1],
            ],
          ],
        ],
      }),
    );
    expect(mp).toMatchObject({ type: 6, z: true, le: true });
    expect(mp.parts![0]!.rings).toEqual([
      [
        [0, 0, 1],
        [1, 0, 1],
        [0, 1, 1],
        [0, 0, 1],
      ],
    ]);
    const gc = decodeWkb(
      geoJsonToWkb({
        type: 'GeometryCollection',
        geometries: [
          { type: 'Point', coordinates: [1, 2] },
          {
            type: 'LineString',
            coordinates: [
              [0, 0],
              [3, 4],
            ],
          },
        ],
      }),
    );
    expect(gc.parts!.map((p) => [p.type, p.coords])).toEqual([
      [1, [[1, 2]]],
      [
        2,
        [
          [0, 0],
          [3, 4],
        ],
      ],
    ]);
  });

  test('a collection with one Z part is Z throughout: one header kind, NaN Z for 2D parts', () => {
    const gc = decodeWkb(
      geoJsonToWkb({
        type: 'GeometryCollection',
        geometries: [
          { type: 'Point', coordinates: [1, 2, 3] },
          { type: 'Point', coordinates: [4, 5] },
        ],
      }),
    );
    expect(gc).toMatchObject({ type: 7, z: true });
    expect(gc.parts!.map((p) => [p.type, p.z])).toEqual([
      [1, true],
      [1, true],
    ]);
    expect(gc.parts![0]!.coords).toEqual([[1, 2, 3]]);
    expect(gc.parts![1]!.coords![0]!.slice(0, 2)).toEqual([4, 5]);
    expect(gc.parts![1]!.coords![0]![2]).toBeNaN();
  });

  test('says what is wrong with a bad geometry', () => {
    expect(() => geoJsonToWkb({ type: 'Point', coordinates: ['a', 1] })).toThrow(
      'a position must be an array of 2 or 3 finite numbers, got ["a",1]',
    );
  });
});
