/**
 * Property: any table (integers, floats with NaN and signed zeros, unicode strings, lists,
 * nulls everywhere, any geometry or none) cut into any batches and any row groups reads back
 * from DuckDB exactly as written, with one row group per size and the bbox of every row.
 */
import {
  Binary,
  Bool,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  Schema,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeGeoParquetFile } from '../../src/write/geoparquet-writer.js';
import { anyGeometry } from '../helpers/geometry-arbitraries.js';
import { allCoords, encodeWkb, type TGeom } from '../helpers/wkb-codec.js';
import {
  batchOf,
  type Duck,
  hex,
  kvMetadata,
  lit,
  openDuck,
  rowGroupSizes,
  tempDir,
  validateGeo,
} from './helpers.js';

interface Row {
  i: number | null;
  big: bigint | null;
  f: number | null;
  s: string | null;
  b: boolean | null;
  tags: (number | null)[] | null;
  geom: TGeom | null;
}

const row: fc.Arbitrary<Row> = fc.record({
  i: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  big: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
  f: fc.option(fc.oneof(fc.double(), fc.constantFrom(Number.NaN, -0, 0, Number.POSITIVE_INFINITY))),
  s: fc.option(fc.string({ unit: 'grapheme', maxLength: 12 })),
  b: fc.option(fc.boolean()),
  tags: fc.option(fc.array(fc.option(fc.integer({ min: -1000, max: 1000 })), { maxLength: 4 })),
  geom: fc.option(anyGeometry, { freq: 4 }),
});

/** Rows, plus batch cuts and row-group cuts (sorted positions strictly inside the table). */
const table = fc.array(row, { maxLength: 40 }).chain((rows) =>
  fc.record({
    rows: fc.constant(rows),
    batchCuts: cuts(rows.length),
    groupCuts: cuts(rows.length),
  }),
);

function cuts(n: number): fc.Arbitrary<number[]> {
  if (n < 2) return fc.constant([]);
  return fc
    .uniqueArray(fc.integer({ min: 1, max: n - 1 }), { maxLength: 6 })
    .map((c) => c.sort((a, b) => a - b));
}

function pieces(n: number, at: number[]): [number, number][] {
  const edges = [0, ...at, n];
  return edges.slice(1).map((e, k) => [edges[k]!, e]);
}

/** [xmin, ymin, xmax, ymax] of a geometry's non-NaN coordinates, or null (an independent oracle). */
function box(g: TGeom | null): number[] | null {
  if (g === null) return null;
  const cs = allCoords(g).filter((c) => !Number.isNaN(c[0]!) && !Number.isNaN(c[1]!));
  if (cs.length === 0) return null;
  const xs = cs.map((c) => c[0]!);
  const ys = cs.map((c) => c[1]!);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

const TYPE_NAMES = [
  '',
  'Point',
  'LineString',
  'Polygon',
  'MultiPoint',
  'MultiLineString',
  'MultiPolygon',
  'GeometryCollection',
];

const FIELDS = [
  new Field('i', new Int32(), true),
  new Field('big', new Int64(), true),
  new Field('f', new Float64(), true),
  new Field('s', new Utf8(), true),
  new Field('b', new Bool(), true),
  new Field('tags', new List(new Field('item', new Int32(), true)), true),
  new Field('geometry', new Binary(), true),
];

const tmp = tempDir('write-property');
let duck: Duck;
beforeAll(async () => {
  duck = await openDuck();
});
afterAll(() => {
  duck?.close();
  tmp.cleanup();
});

let run = 0;

it('round-trips random tables through DuckDB', async () => {
  await fc.assert(
    fc.asyncProperty(table, async ({ rows, batchCuts, groupCuts }) => {
      const n = rows.length;
      const wkb = rows.map((r) => (r.geom === null ? null : encodeWkb(r.geom)));
      const col = <T>(pick: (r: Row) => T, k: number) =>
        vectorFromArray(rows.map(pick), FIELDS[k]!.type).data[0]!;
      const whole = batchOf([
        ['i', col((r) => r.i, 0)],
        ['big', col((r) => r.big, 1)],
        ['f', col((r) => r.f, 2)],
        ['s', col((r) => r.s, 3)],
        ['b', col((r) => r.b, 4)],
        ['tags', col((r) => r.tags, 5)],
        ['geometry', vectorFromArray(wkb, new Binary()).data[0]!],
      ]);
      const batches = pieces(n, batchCuts).map(([a, b]) => whole.slice(a, b));
      const sizes = n === 0 ? [] : pieces(n, groupCuts).map(([a, b]) => b - a);
      const path = tmp.path(`t${run++}.parquet`);
      await writeGeoParquetFile(path, { batches, schema: new Schema(FIELDS), rowGroupSizes: sizes });

      expect(await rowGroupSizes(duck, path)).toEqual(sizes);
      const got = await duck.rows(
        `SELECT i, big, f, s, b, tags, hex(geometry), bbox.xmin, bbox.ymin, bbox.xmax, bbox.ymax FROM ${lit(path)}`,
      );
      expect(got).toHaveLength(n);
      got.forEach((r, k) => {
        const want = rows[k]!;
        expect(r[0]).toBe(want.i);
        expect(r[1]).toBe(want.big);
        expect(Object.is(r[2], want.f) || r[2] === want.f).toBe(true);
        expect(r[3]).toBe(want.s);
        expect(r[4]).toBe(want.b);
        expect(r[5] === null ? null : (r[5] as { items: unknown[] }).items).toEqual(want.tags);
        expect(r[6]).toBe(wkb[k] === null ? null : hex(wkb[k]!));
        const b = box(want.geom);
        expect(r.slice(7)).toEqual(b ?? [null, null, null, null]);
      });

      const geo = JSON.parse((await kvMetadata(duck, path)).get('geo')!);
      expect(validateGeo(geo)).toEqual([]);
      const types = new Set(
        rows.flatMap((r) => (r.geom === null ? [] : [`${TYPE_NAMES[r.geom.type]}${r.geom.z ? ' Z' : ''}`])),
      );
      expect(geo.columns.geometry.geometry_types).toEqual([...types].sort());
    }),
    { numRuns: 60 },
  );
});
