/**
 * Conformance: a broad sample of tables (polygons, lines, Z, subdivided pieces; every codec;
 * the GEOMETRY logical type; small pages) read by three readers that are not geopart's —
 * DuckDB, parquet-wasm (arrow-rs) and hyparquet — which must agree on every row and value; the
 * row groups of every file must be the chunks of the chunk table, and the `geo` metadata must
 * validate against the GeoParquet 1.1 JSON schema (or be absent, with `parquet_geo_types: only`).
 */
import { openAsBlob, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { ParquetFile } from 'parquet-wasm/node';
import { afterAll, describe, expect, it } from 'vitest';
import { type IngestOptions, ingest } from '../../src/config/ingest.js';
import { openTable } from '../../src/read/open-table.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import {
  kvMetadata,
  openDuck,
  readWithHyparquet,
  tempDir,
  validateGeo,
  writeMixedZGeoJson,
} from './helpers.js';

const tmp = tempDir('geopart-conformance-');
afterAll(() => tmp.cleanup());

const CASES: { name: string; input: () => string; options: IngestOptions }[] = [
  {
    name: 'countries, defaults',
    input: () => dataPath('flatgeobuf/countries.fgb'),
    options: { targetNumChunks: 20 },
  },
  {
    name: 'countries by area, subdivided, GEOMETRY type, gzip',
    input: () => dataPath('flatgeobuf/countries.fgb'),
    options: { partitioningMethod: 'area', subdivideStart: 20, parquetGeoTypes: 'yes', compression: 'gzip' },
  },
  {
    name: 'TIGER roads, snappy, 8 KiB pages',
    input: () => dataPath('flatgeobuf/tiger_roads.geojson'),
    options: { partitioningMaximumPerChunk: 500, compression: 'snappy', dataPageSize: 8192 },
  },
  {
    name: 'OSM multipolygons by area, lz4_raw',
    input: () => dataPath('osm/liechtenstein-2013-08-03.osm.pbf'),
    options: {
      partitioningMethod: 'area',
      targetNumChunks: 30,
      compression: 'lz4_raw',
      gdalConfig: { layer: 'multipolygons' },
    },
  },
  {
    name: 'USGS quadrangles by vertices, zstd 19',
    input: () => dataPath('geoarrow/quadrangles_100k.fgb'),
    options: { partitioningMethod: 'coords', targetNumChunks: 25, compression: 'zstd', compressionLevel: 19 },
  },
  {
    name: 'OSM multipolygons, GEOMETRY type only (no geo metadata, no covering)',
    input: () => dataPath('osm/liechtenstein-2013-08-03.osm.pbf'),
    options: { targetNumChunks: 10, parquetGeoTypes: 'only', gdalConfig: { layer: 'multipolygons' } },
  },
  {
    name: 'Z and nulls, uncompressed',
    input: () => writeMixedZGeoJson(tmp.path('z.geojson'), true),
    options: { partitioningMaximumPerChunk: 2, compression: 'none' },
  },
];

/** A value as a string all three readers can be compared by. */
function show(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(17);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${k}:${show(o[k])}`)
      .join(',')}}`;
  }
  return String(v);
}

describe('three readers agree on a broad sample of tables', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const dir = tmp.path(c.name.replace(/\W+/g, '-'));
      await ingest(c.input(), dir, c.options).runLocal({ threads: 2 });
      const table = await openTable(dir);
      const chunks = table.chunks();
      await table.close();
      const duck = await openDuck();
      try {
        const files = readdirSync(dir).filter((f) => f.endsWith('.parquet'));
        let rowsTotal = 0;
        for (const name of files) {
          const path = join(dir, name);
          const fileId = Number(name.replace('.parquet', ''));
          // Row groups are the chunks of the chunk table, in order.
          const groups = await query(
            `SELECT DISTINCT row_group_id AS g, row_group_num_rows AS n FROM parquet_metadata(${lit(path)}) ORDER BY g`,
          );
          expect(groups.map((g) => g.n)).toEqual(
            chunks.filter((k) => k.fileId === fileId).map((k) => k.numRows),
          );
          // The geo metadata validates; with the logical type only, there is none (GDAL's ONLY).
          const geoText = (await kvMetadata(duck, path)).get('geo');
          if (c.options.parquetGeoTypes === 'only') expect(geoText).toBeUndefined();
          else expect(validateGeo(JSON.parse(geoText!))).toEqual([]);

          // DuckDB: every column, geometry as WKB bytes.
          const cols = (await query(`DESCRIBE SELECT * FROM read_parquet(${lit(path)})`)).map((r) =>
            String(r.column_name),
          );
          const select = cols
            .map((k) => (k === 'geometry' ? 'ST_AsWKB(geometry) AS geometry' : `"${k}"`))
            .join(', ');
          const duckRows = await query(
            `SELECT ${select} FROM read_parquet(${lit(path)}, file_row_number = true) ORDER BY file_row_number`,
          );
          const wasm = tableFromIPC(
            (await (await ParquetFile.fromFile(await openAsBlob(path))).read()).intoIPCStream(),
          );
          const hy = await readWithHyparquet(path, { rawGeometry: true });
          expect(wasm.numRows).toBe(duckRows.length);
          expect(hy.length).toBe(duckRows.length);
          for (const k of cols) {
            const d = duckRows.map((r) => {
              const v = r[k];
              return show(
                v !== null && typeof v === 'object' && 'bytes' in (v as object)
                  ? (v as { bytes: Uint8Array }).bytes
                  : v,
              );
            });
            const w = Array.from({ length: wasm.numRows }, (_, i) => {
              const v = wasm.getChild(k)!.get(i);
              return show(
                v !== null && typeof v === 'object' && !(v instanceof Uint8Array) ? { ...v.toJSON() } : v,
              );
            });
            const h = hy.map((r) => show(r[k]));
            expect(w, `${name} ${k}: parquet-wasm vs DuckDB`).toEqual(d);
            expect(h, `${name} ${k}: hyparquet vs DuckDB`).toEqual(d);
          }
          rowsTotal += duckRows.length;
        }
        expect(rowsTotal).toBe(chunks.reduce((s, k) => s + k.numRows, 0));
      } finally {
        duck.close();
      }
    });
  }
});
