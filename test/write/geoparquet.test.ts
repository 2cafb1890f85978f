/**
 * The GeoParquet side of the writer, checked with DuckDB: one row group per requested size,
 * zstd everywhere, `geo` metadata valid against the 1.1.0 schema, WKB bytes unchanged, the
 * `bbox` covering column equal to wkbBounds and its per-row-group statistics.
 */
import { statSync } from 'node:fs';
import { Int32, Int64, makeData, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wkbColumnFromData } from '../../src/arrow/binary.js';
import { wkbBounds } from '../../src/geometry/bounds.js';
import { type WriteResult, writeGeoParquetFile } from '../../src/write/geoparquet-writer.js';
import { encodeWkb, type TGeom } from '../helpers/wkb-codec.js';
import {
  batchOf,
  type Duck,
  hex,
  kvMetadata,
  lit,
  openDuck,
  pointWkb,
  rowGroupSizes,
  tempDir,
  validateGeo,
  wkbData,
} from './helpers.js';

const g = (t: Omit<TGeom, 'le' | 'ewkb' | 'z' | 'm'> & { z?: boolean }): Uint8Array =>
  encodeWkb({ le: true, ewkb: false, m: false, z: false, ...t });

/** Row i's geometry: a cycle through the types, with nulls and empties mixed in. */
function geometry(i: number): Uint8Array | null {
  const x = ((i * 37) % 360) - 180;
  const y = ((i * 17) % 170) - 85;
  switch (i % 8) {
    case 0:
      return pointWkb(x, y);
    case 1:
      return g({
        type: 2,
        coords: [
          [x, y],
          [x + 1.5, y - 2],
        ],
      });
    case 2:
      return g({
        type: 3,
        rings: [
          [
            [x, y],
            [x + 1, y],
            [x + 1, y + 1],
            [x, y],
          ],
        ],
      });
    case 3:
      return null;
    case 4:
      return g({ type: 1, z: true, coords: [[x, y, 100 + i]] });
    case 5:
      return g({ type: 1, coords: [[Number.NaN, Number.NaN]] }); // empty point: null bbox
    case 6:
      return g({
        type: 6,
        parts: [
          {
            type: 3,
            le: true,
            ewkb: false,
            z: false,
            m: false,
            rings: [
              [
                [x, y],
                [x - 3, y],
                [x, y + 4],
                [x, y],
              ],
            ],
          },
          {
            type: 3,
            le: true,
            ewkb: false,
            z: false,
            m: false,
            rings: [
              [
                [0, 0],
                [0.5, 0],
                [0, 0.5],
                [0, 0],
              ],
            ],
          },
        ],
      });
    default:
      return g({ type: 2, coords: [] }); // empty linestring: null bbox
  }
}

const ROWS = 40;
const SIZES = [1, 7, 2, 30];
const GEOMS = Array.from({ length: ROWS }, (_, i) => geometry(i));
const EXTRA = { 'geopart:report': '{"rows_written":40}', zzz: 'last key' };

const tmp = tempDir('write-geoparquet');
const file = tmp.path('mixed.parquet');
let duck: Duck;
let result: WriteResult;
let rowBoxes: Float64Array;

beforeAll(async () => {
  const whole = batchOf([
    [
      'id',
      makeData({ type: new Int32(), length: ROWS, data: Int32Array.from({ length: ROWS }, (_, i) => i) }),
    ],
    [
      'name',
      vectorFromArray(
        Array.from({ length: ROWS }, (_, i) => (i % 5 === 0 ? null : `row ${i}`)),
        new Utf8(),
      ).data[0]!,
    ],
    ['geometry', wkbData(GEOMS)],
  ]);
  rowBoxes = wkbBounds(wkbColumnFromData(whole.getChild('geometry')!.data[0]!));
  const batches = [whole.slice(0, 10), whole.slice(10, 25), whole.slice(25, 40)];
  result = await writeGeoParquetFile(file, { batches, rowGroupSizes: SIZES, keyValueMetadata: EXTRA });
  duck = await openDuck();
});

afterAll(() => {
  duck?.close();
  tmp.cleanup();
});

/** Row boxes of rows `[a, b)` folded into one, null when none is set. */
function boxOf(a: number, b: number): number[] | null {
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = a; i < b; i++) {
    if (Number.isNaN(rowBoxes[4 * i]!)) continue;
    for (let k = 0; k < 4; k++) {
      const v = rowBoxes[4 * i + k]!;
      box[k] = k < 2 ? Math.min(box[k]!, v) : Math.max(box[k]!, v);
    }
  }
  return box[0] === Infinity ? null : box;
}

describe('row groups', () => {
  it('writes one row group per requested size, in order', async () => {
    expect(await rowGroupSizes(duck, file)).toEqual(SIZES);
    const [[count]] = (await duck.rows(`SELECT count(*) FROM ${lit(file)}`)) as [[bigint]];
    expect(Number(count)).toBe(ROWS);
  });

  it('compresses every column chunk with zstd', async () => {
    const rows = await duck.rows(
      `SELECT DISTINCT path_in_schema, compression FROM parquet_metadata(${lit(file)})`,
    );
    const paths = rows.map((r) => String(r[0])).sort();
    expect(paths).toEqual(['bbox, xmax', 'bbox, xmin', 'bbox, ymax', 'bbox, ymin', 'geometry', 'id', 'name']);
    expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(['ZSTD']));
  });

  it('reports each row group: rows, box and place in the file', () => {
    expect(result.rows).toBe(ROWS);
    expect(result.bytes).toBe(statSync(file).size);
    let start = 0;
    result.rowGroups.forEach((rg, i) => {
      expect(rg.rows).toBe(SIZES[i]);
      expect(rg.bbox === null ? null : [...rg.bbox]).toEqual(boxOf(start, start + SIZES[i]!));
      start += SIZES[i]!;
    });
    expect(result.rowGroups[0]!.offset).toBe(4);
    for (let i = 1; i < SIZES.length; i++) {
      const prev = result.rowGroups[i - 1]!;
      expect(result.rowGroups[i]!.offset).toBe(prev.offset + prev.compressedBytes);
    }
  });
});

describe('geo metadata', () => {
  it('is valid GeoParquet 1.1.0 with the types, box and covering seen', async () => {
    const kv = await kvMetadata(duck, file);
    const geo = JSON.parse(kv.get('geo')!);
    expect(validateGeo(geo)).toEqual([]);
    expect(geo.version).toBe('1.1.0');
    expect(geo.primary_column).toBe('geometry');
    const col = geo.columns.geometry;
    expect(col.encoding).toBe('WKB');
    expect(col.geometry_types).toEqual(['LineString', 'MultiPolygon', 'Point', 'Point Z', 'Polygon']);
    expect(col.bbox).toEqual(boxOf(0, ROWS));
    expect(col.crs).toBeUndefined(); // OGC:CRS84
    expect(col.covering).toEqual({
      bbox: {
        xmin: ['bbox', 'xmin'],
        ymin: ['bbox', 'ymin'],
        xmax: ['bbox', 'xmax'],
        ymax: ['bbox', 'ymax'],
      },
    });
    expect(result.geometryTypes).toEqual(col.geometry_types);
    expect(result.bbox === null ? null : [...result.bbox]).toEqual(col.bbox);
  });

  it('passes the extra key-value metadata through, and a fixed created_by', async () => {
    const kv = await kvMetadata(duck, file);
    expect([...kv.keys()]).toEqual(['geo', 'geopart:report', 'zzz']);
    expect(kv.get('geopart:report')).toBe(EXTRA['geopart:report']);
    expect(kv.get('zzz')).toBe('last key');
    const [[createdBy]] = (await duck.rows(`SELECT created_by FROM parquet_file_metadata(${lit(file)})`)) as [
      [string],
    ];
    expect(createdBy).toMatch(/^geopart version \d+\.\d+\.\d+/);
  });
});

describe('geometry and bbox columns', () => {
  it('stores the WKB bytes unchanged', async () => {
    const rows = await duck.rows(`SELECT hex(geometry) FROM ${lit(file)}`);
    expect(rows.map((r) => r[0])).toEqual(GEOMS.map((b) => (b === null ? null : hex(b))));
  });

  it('holds wkbBounds per row, null for null and empty geometries', async () => {
    const rows = await duck.rows(
      `SELECT bbox.xmin, bbox.ymin, bbox.xmax, bbox.ymax, bbox IS NULL FROM ${lit(file)}`,
    );
    rows.forEach((r, i) => {
      if (Number.isNaN(rowBoxes[4 * i]!)) expect(r, `row ${i}`).toEqual([null, null, null, null, true]);
      else expect(r, `row ${i}`).toEqual([...rowBoxes.subarray(4 * i, 4 * i + 4), false]);
    });
  });

  it('has min/max statistics of every bbox field in every row group', async () => {
    const stats = await duck.rows(
      `SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value, stats_min, stats_max
       FROM parquet_metadata(${lit(file)}) WHERE path_in_schema LIKE 'bbox, %' ORDER BY row_group_id`,
    );
    expect(stats).toHaveLength(4 * SIZES.length);
    let start = 0;
    SIZES.forEach((size, rg) => {
      const rows: number[] = [];
      for (let i = start; i < start + size; i++) if (!Number.isNaN(rowBoxes[4 * i]!)) rows.push(i);
      ['xmin', 'ymin', 'xmax', 'ymax'].forEach((field, k) => {
        const s = stats.find((r) => Number(r[0]) === rg && r[1] === `bbox, ${field}`)!;
        const values = rows.map((i) => rowBoxes[4 * i + k]!);
        if (values.length === 0) {
          expect(s[2]).toBeNull();
          return;
        }
        expect(Number(s[2]), `rg ${rg} ${field} min`).toBe(Math.min(...values));
        expect(Number(s[3]), `rg ${rg} ${field} max`).toBe(Math.max(...values));
        expect(s[4]).toBe(s[2]); // the deprecated fields too, for older readers
        expect(s[5]).toBe(s[3]);
      });
      start += size;
    });
  });
});

describe('large row groups', () => {
  it('splits big column chunks into pages that read back whole', async () => {
    const n = 300_000;
    const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 3n);
    const names = Array.from({ length: n }, (_, i) => (i % 1000 === 0 ? null : `name-${i % 7919}`));
    const geoms = Array.from({ length: n }, (_, i) => pointWkb((i % 3600) / 10 - 180, (i % 1700) / 10 - 85));
    const batch = batchOf([
      ['id', makeData({ type: new Int64(), length: n, data: ids })],
      ['name', vectorFromArray(names, new Utf8()).data[0]!],
      ['geometry', wkbData(geoms)],
    ]);
    const path = tmp.path('large.parquet');
    await writeGeoParquetFile(path, {
      batches: [batch.slice(0, 100_000), batch.slice(100_000)],
      rowGroupSizes: [1, 150_000, 149_999],
    });
    expect(await rowGroupSizes(duck, path)).toEqual([1, 150_000, 149_999]);
    const [agg] = await duck.json(
      `SELECT count(*) AS n, sum(id) AS s, count(name) AS names, count(DISTINCT name) AS distinct_names,
              sum(bbox.xmin) AS sx, max(octet_length(geometry)) AS maxlen FROM ${lit(path)}`,
    );
    expect(agg).toMatchObject({
      n: String(n),
      s: String(3 * ((n * (n - 1)) / 2)),
      names: String(n - n / 1000),
    });
    expect(Number(agg!.distinct_names)).toBe(7919);
    expect(agg!.maxlen).toBe('21');
    const expectedSx = geoms.reduce((s, _, i) => s + ((i % 3600) / 10 - 180), 0);
    expect(Number(agg!.sx)).toBeCloseTo(expectedSx, 3);
    const ordered = await duck.rows(
      `SELECT count(*) FROM (SELECT id, row_number() OVER () - 1 AS r FROM ${lit(path)}) WHERE id <> r * 3`,
    );
    expect(Number(ordered[0]![0])).toBe(0);
  });
});
