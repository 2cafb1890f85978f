/**
 * Shared pieces of the writer tests: DuckDB as the independent reader, hyparquet as a second
 * one, the GeoParquet JSON schema validator, and small builders for batches and WKB.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { Ajv } from 'ajv';
import { Binary, type Data, Field, type RecordBatch, vectorFromArray } from 'apache-arrow';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { makeBatch } from '../../src/arrow/batch.js';
import { dataPath } from '../helpers/data.js';

/** A temp folder for one test file; call `cleanup` in `afterAll`. */
export function tempDir(prefix: string): { path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `geopart-${prefix}-`));
  return { path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A DuckDB connection; `rows` returns plain JS values, `json` DuckDB's JSON-friendly form. */
export interface Duck {
  rows(sql: string): Promise<unknown[][]>;
  json(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

/** Opens an in-memory DuckDB that reads GeoParquet geometry as plain BLOB (the bytes as stored). */
export async function openDuck(): Promise<Duck> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run('SET enable_geoparquet_conversion = false');
  return {
    rows: async (sql) => (await conn.runAndReadAll(sql)).getRows() as unknown[][],
    json: async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[],
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** SQL string literal. */
export function lit(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Row-group sizes as DuckDB's parquet_metadata reports them, in row-group order. */
export async function rowGroupSizes(duck: Duck, path: string): Promise<number[]> {
  const rows = await duck.rows(
    `SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata(${lit(path)}) ORDER BY row_group_id`,
  );
  return rows.map((r) => Number(r[1]));
}

/** Key-value metadata of a file as a map (DuckDB reads keys and values as BLOBs). */
export async function kvMetadata(duck: Duck, path: string): Promise<Map<string, string>> {
  const rows = await duck.rows(`SELECT decode(key), decode(value) FROM parquet_kv_metadata(${lit(path)})`);
  return new Map(rows.map((r) => [String(r[0]), String(r[1])]));
}

/** Validates a `geo` metadata object against the GeoParquet 1.1.0 JSON schema from fixtures. */
export function validateGeo(geo: unknown): string[] {
  validator ??= makeValidator();
  return validator(geo) ? [] : (validator.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

let validator: ReturnType<typeof makeValidator> | undefined;

function makeValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The schema refers to the PROJJSON schema for `crs`; the writer never writes one, so a
  // permissive stand-in keeps the check offline.
  ajv.addSchema({ $id: 'https://proj.org/schemas/v0.7/projjson.schema.json', type: 'object' });
  return ajv.compile(JSON.parse(readFileSync(dataPath('geoparquet/schema.json'), 'utf8')));
}

/**
 * Reads a file with hyparquet (zstd pages decompressed by libzstd's decoder, gzip by zlib,
 * LZ4_RAW by {@link lz4BlockDecompress}; snappy is hyparquet's own).
 */
export async function readWithHyparquet(
  path: string,
  options: { rawGeometry?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const zstd = createRequire(import.meta.url)('@foxglove/wasm-zstd') as {
    isLoaded: Promise<unknown>;
    decompress(input: Uint8Array, size: number): Uint8Array;
  };
  await zstd.isLoaded;
  const file = await asyncBufferFromFile(path);
  return parquetReadObjects({
    file,
    compressors: {
      ZSTD: (input: Uint8Array, size: number) => zstd.decompress(input, size),
      GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)),
      LZ4_RAW: lz4BlockDecompress,
    },
    // Raw WKB instead of hyparquet's GeoJSON for a GEOMETRY column (logical type or `geo`).
    ...(options.rawGeometry ? { parsers: { geometryFromBytes: (b: Uint8Array) => b }, utf8: true } : {}),
  });
}

/** Little-endian ISO WKB of a 2D point. */
export function pointWkb(x: number, y: number): Uint8Array {
  const b = new Uint8Array(21);
  const v = new DataView(b.buffer);
  b[0] = 1;
  v.setUint32(1, 1, true);
  v.setFloat64(5, x, true);
  v.setFloat64(13, y, true);
  return b;
}

/** A Binary column of WKB (null entries are null rows). */
export function wkbData(geoms: readonly (Uint8Array | null)[]): Data<Binary> {
  return vectorFromArray(geoms as (Uint8Array | null)[], new Binary()).data[0]!;
}

/** A batch of named columns (all fields nullable), in the given order. */
export function batchOf(columns: readonly (readonly [string, Data])[]): RecordBatch {
  const fields = columns.map(([name, data]) => new Field(name, data.type, true));
  return makeBatch(
    fields,
    columns.map(([, data]) => data),
  );
}

/** Uppercase hex of bytes, as DuckDB's `hex()` writes it. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

/**
 * Decompresses one raw LZ4 block (Parquet's LZ4_RAW) into `size` bytes, written here from the
 * block format's description so the test does not trust the compressor's library.
 */
export function lz4BlockDecompress(input: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let i = 0;
  let o = 0;
  const length = (base: number): number => {
    let n = base;
    if (base === 15) {
      let b: number;
      do {
        b = input[i++]!;
        n += b;
      } while (b === 255);
    }
    return n;
  };
  while (i < input.length) {
    const token = input[i++]!;
    const literals = length(token >> 4);
    out.set(input.subarray(i, i + literals), o);
    i += literals;
    o += literals;
    if (i >= input.length) break; // the last sequence holds literals only
    const offset = input[i]! | (input[i + 1]! << 8);
    i += 2;
    const match = length(token & 15) + 4;
    // Byte by byte: a match may overlap the bytes it is copying.
    for (let k = 0; k < match; k++, o++) out[o] = out[o - offset]!;
  }
  if (o !== size) throw new Error(`lz4 block: ${o} bytes decoded, ${size} expected`);
  return out;
}

/**
 * Writes a GeoJSON file of mixed rows for GDAL to read at `path`: a Point Z, a LineString Z, a
 * Polygon without Z, a MultiPoint without Z and, with `withNull`, a row without geometry.
 */
export function writeMixedZGeoJson(path: string, withNull = false): string {
  const geometries: unknown[] = [
    { type: 'Point', coordinates: [1, 2, 30] },
    {
      type: 'LineString',
      coordinates: [
        [0, 0, -5],
        [1, 1, 7.5],
      ],
    },
    {
      type: 'Polygon',
      coordinates: [
        [
          [10, 10],
          [11, 10],
          [11, 11],
          [10, 10],
        ],
      ],
    },
    {
      type: 'MultiPoint',
      coordinates: [
        [20, 20],
        [21, 21],
      ],
    },
    ...(withNull ? [null] : []),
  ];
  const features = geometries.map((geometry, id) => ({
    type: 'Feature',
    properties: { id, label: `r${id}` },
    geometry,
  }));
  writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', features }));
  return path;
}
