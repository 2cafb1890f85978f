/**
 * Real data: the Natural Earth countries (GeoParquet 1.0 fixture) read with the Parquet source
 * and written back with uneven row groups; DuckDB compares the result with the original file.
 */
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wkbColumnFromData } from '../../src/arrow/binary.js';
import { wkbBounds } from '../../src/geometry/bounds.js';
import { openParquetSource } from '../../src/io/parquet-source.js';
import { type WriteResult, writeGeoParquetFile } from '../../src/write/geoparquet-writer.js';
import { dataPath } from '../helpers/data.js';
import { type Duck, hex, kvMetadata, lit, openDuck, rowGroupSizes, tempDir, validateGeo } from './helpers.js';

const SOURCE = dataPath('geoarrow/natural-earth_countries_geo.parquet');
const SIZES = [1, 60, 2, 13, 100, 1]; // 177 rows

const tmp = tempDir('write-countries');
const file = tmp.path('countries.parquet');
let duck: Duck;
let batches: RecordBatch[];
let result: WriteResult;

beforeAll(async () => {
  // Small read batches, so row groups span several of them.
  const source = await openParquetSource(SOURCE, { batchRows: 50 });
  batches = [];
  for await (const b of source.batches()) batches.push(b);
  source.close();
  result = await writeGeoParquetFile(file, {
    batches,
    rowGroupSizes: SIZES,
    keyValueMetadata: { job: 'countries' },
  });
  duck = await openDuck();
});

afterAll(() => {
  duck?.close();
  tmp.cleanup();
});

describe('Natural Earth countries', () => {
  it('has the requested row groups and the original attributes, in order', async () => {
    expect(batches.length).toBeGreaterThan(1);
    expect(await rowGroupSizes(duck, file)).toEqual(SIZES);
    const [src, out] = await Promise.all([
      duck.json(`SELECT name, continent FROM ${lit(SOURCE)}`),
      duck.json(`SELECT name, continent FROM ${lit(file)}`),
    ]);
    expect(out).toHaveLength(177);
    expect(out).toEqual(src);
  });

  it('stores the source WKB and its bounds', async () => {
    const wkb = batches.flatMap((b) => {
      const col = wkbColumnFromData(b.getChild('geometry')!.data[0]!);
      return Array.from({ length: col.length }, (_, i) =>
        col.values.subarray(col.offsets[i]!, col.offsets[i + 1]!),
      );
    });
    const boxes = batches.flatMap((b) => [...wkbBounds(wkbColumnFromData(b.getChild('geometry')!.data[0]!))]);
    const rows = await duck.rows(
      `SELECT hex(geometry), bbox.xmin, bbox.ymin, bbox.xmax, bbox.ymax FROM ${lit(file)}`,
    );
    expect(rows.map((r) => r[0])).toEqual(wkb.map(hex));
    expect(rows.flatMap((r) => r.slice(1))).toEqual(boxes);
  });

  it('declares valid geo metadata whose box covers the world’s countries', async () => {
    const kv = await kvMetadata(duck, file);
    const geo = JSON.parse(kv.get('geo')!);
    expect(validateGeo(geo)).toEqual([]);
    expect(geo.columns.geometry.geometry_types).toEqual(['MultiPolygon', 'Polygon']);
    const [xmin, ymin, xmax, ymax] = geo.columns.geometry.bbox;
    expect(xmin).toBeCloseTo(-180, 0);
    expect(xmax).toBeCloseTo(180, 0);
    expect(ymin).toBeLessThan(-80); // Antarctica
    expect(ymax).toBeGreaterThan(80);
    expect(kv.get('job')).toBe('countries');
    expect(result.rowGroups.map((g) => g.rows)).toEqual(SIZES);
  });

  it('gives each row group bbox statistics that match its reported box', async () => {
    const stats = await duck.rows(
      `SELECT row_group_id, stats_min_value::DOUBLE FROM parquet_metadata(${lit(file)})
       WHERE path_in_schema = 'bbox, xmin' ORDER BY row_group_id`,
    );
    expect(stats).toHaveLength(SIZES.length);
    result.rowGroups.forEach((g, i) => {
      expect(stats[i]![1]).toBe(g.bbox![0]);
    });
  });
});
