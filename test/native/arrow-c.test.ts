import { DataType, type Timestamp, TimeUnit } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  type CArray,
  type CSchema,
  dataFromC,
  recordBatchFromC,
  schemaFromC,
  typeFromC,
} from '../../src/io/arrow-c.js';

const NULLABLE = 2;

function schema(
  format: string,
  name = 'c',
  children: CSchema[] = [],
  dictionary: CSchema | null = null,
): CSchema {
  return { format, name, metadata: null, flags: NULLABLE, children, dictionary };
}

function array(
  length: number,
  buffers: (ArrayBufferView | null)[],
  { offset = 0, nullCount = -1, children = [] as CArray[], dictionary = null as CArray | null } = {},
): CArray {
  // The addon hands over whole ArrayBuffers, one per buffer.
  const copy = (b: ArrayBufferView | null) =>
    b ? (b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer) : null;
  return { length, offset, nullCount, buffers: buffers.map(copy), children, dictionary };
}

/** A validity bitmap with bit i set when valid[i]. */
function bitmap(valid: boolean[]): Uint8Array {
  const out = new Uint8Array((valid.length + 7) >> 3);
  valid.forEach((v, i) => {
    if (v) out[i >> 3]! |= 1 << (i & 7);
  });
  return out;
}

/** The values of one column of the given format, read through a record batch. */
function read(
  format: string,
  arr: CArray,
  children: CSchema[] = [],
  dictionary: CSchema | null = null,
): unknown[] {
  const s = schemaFromC(schema('+s', '', [schema(format, 'x', children, dictionary)]));
  const batch = recordBatchFromC(s, {
    length: arr.length,
    offset: 0,
    nullCount: 0,
    buffers: [null],
    children: [arr],
    dictionary: null,
  });
  const col = batch.getChildAt(0)!;
  return Array.from({ length: col.length }, (_, i) => col.get(i));
}

describe('typeFromC', () => {
  it.each([
    ['b', 'Bool'],
    ['c', 'Int8'],
    ['C', 'Uint8'],
    ['s', 'Int16'],
    ['S', 'Uint16'],
    ['i', 'Int32'],
    ['I', 'Uint32'],
    ['l', 'Int64'],
    ['L', 'Uint64'],
    ['e', 'Float16'],
    ['f', 'Float32'],
    ['g', 'Float64'],
    ['u', 'Utf8'],
    ['U', 'LargeUtf8'],
    ['z', 'Binary'],
    ['Z', 'LargeBinary'],
    ['w:16', 'FixedSizeBinary[16]'],
    ['tdD', 'Date32<DAY>'],
    ['tdm', 'Date64<MILLISECOND>'],
    ['tts', 'Time32<SECOND>'],
    ['ttm', 'Time32<MILLISECOND>'],
    ['ttu', 'Time64<MICROSECOND>'],
    ['ttn', 'Time64<NANOSECOND>'],
  ])('maps %s to %s', (format, name) => {
    expect(String(typeFromC(schema(format)))).toBe(name);
  });

  it('keeps the timestamp unit and timezone', () => {
    const t = typeFromC(schema('tsu:Europe/Paris')) as Timestamp;
    expect(DataType.isTimestamp(t)).toBe(true);
    expect(t.unit).toBe(TimeUnit.MICROSECOND);
    expect(t.timezone).toBe('Europe/Paris');
    expect((typeFromC(schema('tsm:')) as Timestamp).timezone).toBeNull();
    expect((typeFromC(schema('tss:UTC')) as Timestamp).unit).toBe(TimeUnit.SECOND);
    expect((typeFromC(schema('tsn:+02:00')) as Timestamp).timezone).toBe('+02:00');
  });

  it('builds nested types', () => {
    expect(String(typeFromC(schema('+l', 'c', [schema('i', 'item')])))).toBe('List<Int32>');
    expect(String(typeFromC(schema('+L', 'c', [schema('u', 'item')])))).toBe('LargeList<Utf8>');
    expect(String(typeFromC(schema('+w:3', 'c', [schema('g', 'item')])))).toBe('FixedSizeList[3]<Float64>');
    expect(String(typeFromC(schema('+s', 'c', [schema('i', 'a'), schema('u', 'b')])))).toBe(
      'Struct<{a:Int32, b:Utf8}>',
    );
  });

  it('names the column and the format it cannot read', () => {
    expect(() => typeFromC(schema('tDs', 'duration'))).toThrow(/'duration'.*'tDs'/);
    expect(() => typeFromC(schema('+s', 'outer', [schema('d:10,2', 'price')]))).toThrow(
      /'outer\.price'.*'d:10,2'/,
    );
  });

  it('keeps field metadata such as the WKB extension name', () => {
    const s = schemaFromC(
      schema('+s', '', [{ ...schema('z', 'geom'), metadata: { 'ARROW:extension:name': 'ogc.wkb' } }]),
    );
    expect(s.fields[0]!.metadata.get('ARROW:extension:name')).toBe('ogc.wkb');
    expect(s.fields[0]!.nullable).toBe(true);
  });
});

describe('dataFromC', () => {
  it('reads fixed-width values with nulls', () => {
    const a = array(4, [bitmap([true, false, true, true]), Int32Array.from([1, 0, -3, 4])], { nullCount: 1 });
    expect(read('i', a)).toEqual([1, null, -3, 4]);
    expect(read('l', array(2, [null, BigInt64Array.from([-1n, 2n ** 40n])]))).toEqual([-1n, 2n ** 40n]);
    expect(read('g', array(2, [null, Float64Array.from([0.5, -1e300])]))).toEqual([0.5, -1e300]);
  });

  it('honours a non-zero offset, with a validity bitmap not aligned to a byte', () => {
    const valid = [true, true, true, false, true, true, true, true, false, true, true];
    const a = array(5, [bitmap(valid), Int16Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])], { offset: 6 });
    expect(read('s', a)).toEqual([6, 7, null, 9, 10]);
  });

  it('reads booleans as bits, with offset', () => {
    const bits = bitmap([true, false, false, true, true, false, true, false, true]);
    expect(read('b', array(4, [null, bits], { offset: 5 }))).toEqual([false, true, false, true]);
  });

  it('reads strings and binaries through offsets, with offset and nulls', () => {
    const text = new TextEncoder().encode('aabbbcd');
    const offsets = Int32Array.from([0, 2, 5, 5, 6, 7]);
    const a = array(3, [bitmap([true, true, false, true, true]), offsets, text], { offset: 2 });
    expect(read('u', a)).toEqual([null, 'c', 'd']);
    expect(read('U', array(2, [null, BigInt64Array.from([0n, 2n, 5n]), text]))).toEqual(['aa', 'bbb']);
    const bin = read('z', array(2, [null, offsets, text], { offset: 1 })) as Uint8Array[];
    expect(Array.from(bin[0]!)).toEqual([98, 98, 98]);
    expect(bin[1]!.length).toBe(0);
  });

  it('reads lists whose offsets start past zero', () => {
    const child = array(6, [null, Int32Array.from([1, 2, 3, 4, 5, 6])]);
    const a = array(2, [null, Int32Array.from([0, 1, 3, 6])], { offset: 1, children: [child] });
    const got = read('+l', a, [schema('i', 'item')]) as { toArray(): Int32Array }[];
    expect(got.map((v) => Array.from(v.toArray()))).toEqual([
      [2, 3],
      [4, 5, 6],
    ]);
  });

  it('reads structs with an offset applied to their children', () => {
    const ints = array(4, [null, Int32Array.from([10, 11, 12, 13])]);
    const strs = array(4, [null, Int32Array.from([0, 1, 2, 3, 4]), new TextEncoder().encode('wxyz')]);
    const a = array(2, [bitmap([true, true, false, true])], { offset: 2, children: [ints, strs] });
    const got = read('+s', a, [schema('i', 'n'), schema('u', 's')]) as ({ toJSON(): unknown } | null)[];
    expect(got[0]).toBeNull();
    expect(got[1]!.toJSON()).toEqual({ n: 13, s: 'z' });
  });

  it('reads fixed-size binaries and lists', () => {
    const fsb = read(
      'w:2',
      array(2, [null, Uint8Array.from([1, 2, 3, 4, 5, 6])], { offset: 1 }),
    ) as Uint8Array[];
    expect(fsb.map((v) => Array.from(v))).toEqual([
      [3, 4],
      [5, 6],
    ]);
    const child = array(6, [null, Float64Array.from([1, 2, 3, 4, 5, 6])]);
    const fsl = read('+w:2', array(2, [null], { offset: 1, children: [child] }), [schema('g', 'item')]) as {
      toArray(): Float64Array;
    }[];
    expect(fsl.map((v) => Array.from(v.toArray()))).toEqual([
      [3, 4],
      [5, 6],
    ]);
  });

  it('reads dates, times and timestamps', () => {
    expect(read('tdD', array(2, [null, Int32Array.from([0, -25567])]))).toEqual([0, Date.UTC(1900, 0, 1)]);
    expect(read('ttm', array(1, [null, Int32Array.from([45_296_000])]))).toEqual([45_296_000]);
    const ts = read('tsm:UTC', array(1, [null, BigInt64Array.from([1_582_979_696_000n])]));
    expect(ts).toEqual([Date.UTC(2020, 1, 29, 12, 34, 56)]);
  });

  it('reads dictionary-encoded columns', () => {
    const dict = array(2, [null, Int32Array.from([0, 3, 6]), new TextEncoder().encode('redblu')]);
    const a = array(3, [null, Int32Array.from([1, 0, 1])], { dictionary: dict });
    expect(read('i', a, [], schema('u', 'value'))).toEqual(['blu', 'red', 'blu']);
  });

  it('gives Data that owns its buffers (transferable)', () => {
    const a = array(3, [null, Int32Array.from([1, 2, 3])]);
    const data = dataFromC(typeFromC(schema('i')), a, 'c');
    expect(data.values.buffer).toBe(a.buffers[1]);
    expect(data.offset).toBe(0);
  });
});
