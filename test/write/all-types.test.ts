/**
 * Every attribute type the writer supports, written in two batches (the second row group spans
 * both, and the batches are slices with non-zero offsets) and read back by DuckDB and hyparquet.
 */
import * as A from 'apache-arrow';
import { type Data, makeData, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGeoParquetFile } from '../../src/write/geoparquet-writer.js';
import {
  batchOf,
  type Duck,
  lit,
  openDuck,
  pointWkb,
  readWithHyparquet,
  tempDir,
  wkbData,
} from './helpers.js';

const ROWS = 4;
/** Row 1 is null in every nullable scalar column. */
const VALIDITY = Uint8Array.of(0b1101);

function fixed(type: A.DataType, values: ArrayLike<number | bigint>): Data {
  return makeData({ type, length: ROWS, nullCount: 1, nullBitmap: VALIDITY, data: values } as never);
}

function list(child: A.DataType, values: unknown[]): Data {
  return vectorFromArray(values, new A.List(new A.Field('item', child, true))).data[0]!;
}

interface Case {
  readonly name: string;
  readonly data: Data;
  /** DuckDB's type name when it reads the file. */
  readonly duckType: string;
  /** The four rows as DuckDB's JSON form gives them. */
  readonly expected: readonly unknown[];
}

const MAX_I64 = 2n ** 63n - 1n;
const CASES: Case[] = [
  {
    name: 'i8',
    data: fixed(new A.Int8(), Int8Array.of(-128, 0, 0, 127)),
    duckType: 'TINYINT',
    expected: [-128, null, 0, 127],
  },
  {
    name: 'i16',
    data: fixed(new A.Int16(), Int16Array.of(-32768, 0, 1, 32767)),
    duckType: 'SMALLINT',
    expected: [-32768, null, 1, 32767],
  },
  {
    name: 'i32',
    data: fixed(new A.Int32(), Int32Array.of(-(2 ** 31), 0, 7, 2 ** 31 - 1)),
    duckType: 'INTEGER',
    expected: [-(2 ** 31), null, 7, 2 ** 31 - 1],
  },
  {
    name: 'i64',
    data: fixed(new A.Int64(), BigInt64Array.of(-MAX_I64 - 1n, 0n, 42n, MAX_I64)),
    duckType: 'BIGINT',
    expected: [`${-MAX_I64 - 1n}`, null, '42', `${MAX_I64}`],
  },
  {
    name: 'u8',
    data: fixed(new A.Uint8(), Uint8Array.of(0, 0, 128, 255)),
    duckType: 'UTINYINT',
    expected: [0, null, 128, 255],
  },
  {
    name: 'u16',
    data: fixed(new A.Uint16(), Uint16Array.of(0, 0, 32768, 65535)),
    duckType: 'USMALLINT',
    expected: [0, null, 32768, 65535],
  },
  {
    name: 'u32',
    data: fixed(new A.Uint32(), Uint32Array.of(0, 0, 2 ** 31, 2 ** 32 - 1)),
    duckType: 'UINTEGER',
    expected: [0, null, 2 ** 31, 2 ** 32 - 1],
  },
  {
    name: 'u64',
    data: fixed(new A.Uint64(), BigUint64Array.of(0n, 0n, 2n ** 63n, 2n ** 64n - 1n)),
    duckType: 'UBIGINT',
    expected: ['0', null, `${2n ** 63n}`, `${2n ** 64n - 1n}`],
  },
  {
    name: 'f32',
    data: fixed(new A.Float32(), Float32Array.of(-1.5, 0, Number.NaN, 3.25)),
    duckType: 'FLOAT',
    expected: [-1.5, null, 'NaN', 3.25],
  },
  {
    name: 'f64',
    data: fixed(new A.Float64(), Float64Array.of(-1e300, 0, -0, Math.PI)),
    duckType: 'DOUBLE',
    expected: [-1e300, null, -0, Math.PI],
  },
  {
    name: 'date32',
    data: fixed(new A.DateDay(), Int32Array.of(-1, 0, 0, 19000)),
    duckType: 'DATE',
    expected: ['1969-12-31', null, '1970-01-01', '2022-01-08'],
  },
  {
    name: 'date64',
    data: fixed(new A.DateMillisecond(), BigInt64Array.of(-86_400_000n, 0n, 0n, 19000n * 86_400_000n)),
    duckType: 'DATE',
    expected: ['1969-12-31', null, '1970-01-01', '2022-01-08'],
  },
  {
    name: 'ts_s',
    data: fixed(new A.TimestampSecond(), BigInt64Array.of(-1n, 0n, 0n, 1_700_000_000n)),
    duckType: 'TIMESTAMP',
    expected: ['1969-12-31 23:59:59', null, '1970-01-01 00:00:00', '2023-11-14 22:13:20'],
  },
  {
    name: 'ts_ms_utc',
    data: fixed(new A.TimestampMillisecond('UTC'), BigInt64Array.of(-1n, 0n, 0n, 1_700_000_000_123n)),
    duckType: 'TIMESTAMP WITH TIME ZONE',
    expected: ['1969-12-31 23:59:59.999+00', null, '1970-01-01 00:00:00+00', '2023-11-14 22:13:20.123+00'],
  },
  {
    name: 'ts_us_paris',
    data: fixed(
      new A.TimestampMicrosecond('Europe/Paris'),
      BigInt64Array.of(-1n, 0n, 0n, 1_700_000_000_123_456n),
    ),
    duckType: 'TIMESTAMP WITH TIME ZONE',
    expected: [
      '1969-12-31 23:59:59.999999+00',
      null,
      '1970-01-01 00:00:00+00',
      '2023-11-14 22:13:20.123456+00',
    ],
  },
  {
    name: 'ts_ns',
    data: fixed(new A.TimestampNanosecond(), BigInt64Array.of(-1n, 0n, 0n, 1_700_000_000_123_456_789n)),
    duckType: 'TIMESTAMP_NS',
    expected: ['1969-12-31 23:59:59.999999999', null, '1970-01-01 00:00:00', '2023-11-14 22:13:20.123456789'],
  },
  {
    name: 'time_s',
    data: fixed(new A.TimeSecond(), Int32Array.of(0, 0, 1, 86_399)),
    duckType: 'TIME',
    expected: ['00:00:00', null, '00:00:01', '23:59:59'],
  },
  {
    name: 'time_ms',
    data: fixed(new A.TimeMillisecond(), Int32Array.of(0, 0, 1, 86_399_999)),
    duckType: 'TIME',
    expected: ['00:00:00', null, '00:00:00.001', '23:59:59.999'],
  },
  {
    name: 'time_us',
    data: fixed(new A.TimeMicrosecond(), BigInt64Array.of(0n, 0n, 1n, 86_399_999_999n)),
    duckType: 'TIME',
    expected: ['00:00:00', null, '00:00:00.000001', '23:59:59.999999'],
  },
  {
    name: 'time_ns',
    data: fixed(new A.TimeNanosecond(), BigInt64Array.of(0n, 0n, 1n, 86_399_999_999_999n)),
    duckType: 'TIME_NS',
    expected: ['00:00:00', null, '00:00:00.000000001', '23:59:59.999999999'],
  },
  {
    name: 'bool',
    data: vectorFromArray([true, null, false, true], new A.Bool()).data[0]!,
    duckType: 'BOOLEAN',
    expected: [true, null, false, true],
  },
  {
    name: 'utf8',
    data: vectorFromArray(['héllo', null, '', '🌍 ünïcode'], new A.Utf8()).data[0]!,
    duckType: 'VARCHAR',
    expected: ['héllo', null, '', '🌍 ünïcode'],
  },
  {
    name: 'large_utf8',
    data: vectorFromArray(['a', null, 'bc', 'def'], new A.LargeUtf8()).data[0]!,
    duckType: 'VARCHAR',
    expected: ['a', null, 'bc', 'def'],
  },
  {
    name: 'binary',
    data: vectorFromArray([Uint8Array.of(1, 255), null, Uint8Array.of(), Uint8Array.of(0)], new A.Binary())
      .data[0]!,
    duckType: 'BLOB',
    expected: ['\\x01\\xFF', null, '', '\\x00'],
  },
  {
    name: 'large_binary',
    data: vectorFromArray([Uint8Array.of(7), null, Uint8Array.of(8, 9), Uint8Array.of()], new A.LargeBinary())
      .data[0]!,
    duckType: 'BLOB',
    expected: ['\\x07', null, '\\x08\\x09', ''],
  },
  {
    name: 'int_list',
    data: list(new A.Int32(), [[1, null, 3], null, [], [2 ** 31 - 1]]),
    duckType: 'INTEGER[]',
    expected: [[1, null, 3], null, [], [2 ** 31 - 1]],
  },
  {
    name: 'real_list',
    data: list(new A.Float64(), [[1.5], [], null, [-2.25, 0]]),
    duckType: 'DOUBLE[]',
    expected: [[1.5], [], null, [-2.25, 0]],
  },
  {
    name: 'string_list',
    data: list(new A.Utf8(), [['a'], null, ['b', null, 'ç'], []]),
    duckType: 'VARCHAR[]',
    expected: [['a'], null, ['b', null, 'ç'], []],
  },
  {
    name: 'struct',
    data: vectorFromArray(
      [{ a: 1, b: 'x' }, null, { a: null, b: 'z' }, { a: 4, b: null }],
      new A.Struct([new A.Field('a', new A.Int32(), true), new A.Field('b', new A.Utf8(), true)]),
    ).data[0]!,
    duckType: 'STRUCT(a INTEGER, b VARCHAR)',
    expected: [{ a: 1, b: 'x' }, null, { a: null, b: 'z' }, { a: 4, b: null }],
  },
  {
    name: 'dictionary',
    data: vectorFromArray(['red', null, 'blue', 'red'], new A.Dictionary(new A.Utf8(), new A.Int32()))
      .data[0]!,
    duckType: 'VARCHAR',
    expected: ['red', null, 'blue', 'red'],
  },
  {
    name: 'all_null',
    data: makeData({ type: new A.Null(), length: ROWS }),
    duckType: 'INTEGER',
    expected: [null, null, null, null],
  },
];

const GEOMS = [pointWkb(1, 2), pointWkb(3, 4), null, pointWkb(-5, 6)];

const tmp = tempDir('write-types');
const file = tmp.path('types.parquet');
let duck: Duck;

beforeAll(async () => {
  const columns = [...CASES.map((c) => [c.name, c.data] as const), ['geometry', wkbData(GEOMS)] as const];
  const whole = batchOf(columns);
  // Two slices: row group 2 (rows 1..3) spans both, and the second slice has a non-zero offset.
  const batches = [whole.slice(0, 2), whole.slice(2, 4)];
  await writeGeoParquetFile(file, { batches, rowGroupSizes: [1, 3] });
  duck = await openDuck();
});

afterAll(() => {
  duck?.close();
  tmp.cleanup();
});

describe('attribute types through DuckDB', () => {
  it('keeps every column type', async () => {
    const described = await duck.rows(`DESCRIBE SELECT * FROM ${lit(file)}`);
    const types = Object.fromEntries(described.map((r) => [String(r[0]), String(r[1])]));
    for (const c of CASES) expect(types[c.name], c.name).toBe(c.duckType);
    expect(types.geometry).toBe('BLOB');
    expect(types.bbox).toBe('STRUCT(xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ymax DOUBLE)');
  });

  it('keeps every value, in order', async () => {
    const rows = await duck.json(`SELECT * EXCLUDE (geometry, bbox) FROM ${lit(file)}`);
    expect(rows).toHaveLength(ROWS);
    for (const c of CASES) {
      expect(
        rows.map((r) => r[c.name]),
        c.name,
      ).toEqual(c.expected);
    }
  });

  it('keeps the sign of a zero and float32 values bit for bit', async () => {
    const rows = await duck.rows(`SELECT f64, f32 FROM ${lit(file)}`);
    expect(Object.is(rows[2]![0], -0)).toBe(true);
    expect(rows[3]![1]).toBe(3.25);
  });

  it('writes min/max statistics in each type’s own order', async () => {
    const stats = await duck.json(
      `SELECT path_in_schema AS p, stats_min_value AS lo, stats_max_value AS hi, stats_null_count AS nulls
       FROM parquet_metadata(${lit(file)}) WHERE row_group_id = 1`,
    );
    const byPath = new Map(stats.map((s) => [s.p, s]));
    // Unsigned columns compare unsigned: 2^31 and 2^32 - 1 would be negative as int32.
    expect(byPath.get('u32')).toMatchObject({ lo: '2147483648', hi: '4294967295', nulls: '1' });
    expect(byPath.get('u64')).toMatchObject({ lo: `${2n ** 63n}`, hi: `${2n ** 64n - 1n}` });
    expect(byPath.get('i64')).toMatchObject({ lo: '42', hi: `${MAX_I64}` });
    // NaN is left out of float bounds; -0 is the zero min.
    expect(byPath.get('f32')).toMatchObject({ lo: '3.25', hi: '3.25' });
    expect(byPath.get('f64')).toMatchObject({ lo: '-0.0', hi: String(Math.PI) });
    expect(byPath.get('utf8')).toMatchObject({ lo: '', hi: '🌍 ünïcode' });
    expect(byPath.get('bool')).toMatchObject({ lo: 'false', hi: 'true' });
  });
});

describe('attribute types through hyparquet', () => {
  it('reads the same rows', async () => {
    const rows = await readWithHyparquet(file);
    expect(rows).toHaveLength(ROWS);
    expect(rows.map((r) => r.i64)).toEqual([-MAX_I64 - 1n, null, 42n, MAX_I64]);
    expect(rows.map((r) => r.u32)).toEqual([0, null, 2 ** 31, 2 ** 32 - 1]);
    expect(rows.map((r) => r.utf8)).toEqual(['héllo', null, '', '🌍 ünïcode']);
    expect(rows[0]!.string_list).toEqual(['a']);
    expect(rows[2]!.string_list).toEqual(['b', null, 'ç']);
    expect(rows[3]!.struct).toEqual({ a: 4, b: null });
    expect(rows.map((r) => r.bbox ?? null)).toEqual([
      { xmin: 1, ymin: 2, xmax: 1, ymax: 2 },
      { xmin: 3, ymin: 4, xmax: 3, ymax: 4 },
      null,
      { xmin: -5, ymin: 6, xmax: -5, ymax: 6 },
    ]);
  });
});
