/**
 * Bbox reads on a table of 1M points, checked against DuckDB scanning every data file of the
 * table and filtering on the bbox column: same ids for 200 seeded boxes of many sizes, boxes on
 * chunk edges and empty boxes, and exactly the row groups of the chunks the box touches read.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTable } from '../../src/read/open-table.js';
import type { BBox, GeoTable } from '../../src/read/types.js';
import { lit, query } from '../helpers/duckdb.js';
import { buildPointsTable, type PointsTable, rng } from './points-table.js';

let built: PointsTable;
let table: GeoTable;

beforeAll(async () => {
  built = buildPointsTable(1_000_000);
  table = await openTable(built.table);
  // One full scan of every data file into DuckDB's memory; each box then filters that copy.
  await query(
    `CREATE OR REPLACE TABLE pts AS SELECT id, bbox FROM read_parquet(${lit(`${built.table}/*.parquet`)})`,
  );
}, 60_000);

afterAll(async () => {
  await table?.close();
  if (built) rmSync(built.dir, { recursive: true, force: true });
});

async function duckIds(b: BBox): Promise<number[]> {
  const rows = await query(
    `SELECT id FROM pts WHERE bbox.xmin <= ${b[2]} AND bbox.xmax >= ${b[0]} AND bbox.ymin <= ${b[3]} AND bbox.ymax >= ${b[1]} ORDER BY id`,
  );
  return rows.map((r) => r.id as number);
}

/** 200 boxes: log-uniform sizes from 1e-4 to 40 degrees, chunk-edge boxes, empty boxes. */
function boxes(): { kind: string; box: BBox }[] {
  const next = rng(2024);
  const out: { kind: string; box: BBox }[] = [];
  for (let i = 0; i < 150; i++) {
    const w = 10 ** (-4 + next() * 5.6);
    const h = 10 ** (-4 + next() * 5.6);
    // A third of them inside the dense cluster around (10, 50).
    const cx = i % 3 === 0 ? 9 + next() * 2 : next() * 360 - 180;
    const cy = i % 3 === 0 ? 49 + next() * 2 : next() * 170 - 85;
    out.push({ kind: 'random', box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2] });
  }
  const chunks = table.chunks();
  for (let i = 0; i < 30; i++) {
    const c = chunks[Math.floor(next() * chunks.length)]!.bbox;
    const d = next() * 0.01;
    // Boxes whose edge is exactly a chunk's edge: touching counts on both sides.
    const box: BBox = [
      [c[2], c[1], c[2] + d, c[3]] as BBox,
      [c[0] - d, c[1], c[0], c[3]] as BBox,
      [c[0], c[3], c[2], c[3] + d] as BBox,
      c,
      [c[2], c[3], c[2], c[3]] as BBox,
    ][i % 5]!;
    out.push({ kind: 'edge', box });
  }
  for (let i = 0; i < 20; i++) {
    const x = 181 + next() * 100;
    out.push({ kind: 'empty', box: i % 2 === 0 ? [x, 0, x + 1, 1] : [0, -89.9, next() * 10, -89.5] });
  }
  return out;
}

describe('read({ bbox }) on 1M points', () => {
  test('returns the rows DuckDB finds, reading only the chunks the box touches', async () => {
    expect(table.chunks().reduce((a, c) => a + c.numRows, 0)).toBe(built.rows);
    let empty = 0;
    let nonEmpty = 0;
    for (const { kind, box } of boxes()) {
      const before = table.stats.rowGroupsRead;
      const got = await table.read({ bbox: box, columns: ['id'] });
      expect(table.stats.rowGroupsRead - before, `${kind} ${box}`).toBe(table.chunks(box).length);
      const ids = Array.from(got.getChild('id')!.toArray() as Int32Array).sort((a, b) => a - b);
      expect(ids, `${kind} ${box}`).toEqual(await duckIds(box));
      if (ids.length === 0) empty++;
      else nonEmpty++;
    }
    expect(empty).toBeGreaterThanOrEqual(20);
    expect(nonEmpty).toBeGreaterThanOrEqual(100);
  }, 60_000);

  test('all columns keep their types, and the output_metadata file opens the same table', async () => {
    const box: BBox = [9.5, 49.5, 10.5, 50.5];
    const got = await table.read({ bbox: box });
    expect(got.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'id:Int32',
      'lon:Float64',
      'lat:Float64',
      'value:Float64',
      'geometry:Binary',
      'bbox:Struct<{xmin:Float64, ymin:Float64, xmax:Float64, ymax:Float64}>',
    ]);
    const viaMeta = await openTable(built.metadata);
    try {
      expect(viaMeta.chunks(box)).toEqual(table.chunks(box));
      const again = await viaMeta.read({ bbox: box, columns: ['id', 'value'] });
      expect(again.numRows).toBe(got.numRows);
      const sum = await query(
        `SELECT sum(value) AS s FROM pts JOIN read_parquet(${lit(`${built.table}/*.parquet`)}) USING (id) WHERE pts.bbox.xmin <= 10.5 AND pts.bbox.xmax >= 9.5 AND pts.bbox.ymin <= 50.5 AND pts.bbox.ymax >= 49.5`,
      );
      const values = again.getChild('value')!.toArray() as Float64Array;
      expect(values.reduce((a, v) => a + v, 0)).toBeCloseTo(sum[0]!.s as number, 3);
    } finally {
      await viaMeta.close();
    }
  }, 30_000);
});
