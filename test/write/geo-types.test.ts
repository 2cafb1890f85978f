/**
 * Parquet's GEOMETRY logical type and geospatial statistics (`parquet_geo_types: "yes"`),
 * read by three readers that are not geopart's: DuckDB (`parquet_schema`, `parquet_metadata`
 * geo_bbox / geo_types, and its GEOMETRY type), hyparquet's footer parser (with its GeoParquet
 * inference off, so only the file's own annotation counts) and parquet-wasm (arrow-rs) for the
 * values.
 */
import { mkdtempSync, openAsBlob, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { parquetMetadata } from 'hyparquet';
import { ParquetFile } from 'parquet-wasm/node';
import { afterAll, describe, expect, it } from 'vitest';
import { GeospatialPartitionJobStepConfig } from '../../src/config/geospatial-step.js';
import { ingest } from '../../src/config/ingest.js';
import { WKB_TYPE_NAMES } from '../../src/geometry/wkb.js';
import { openTable } from '../../src/read/open-table.js';
import { geopart } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { decodeWkb, type Geom } from '../helpers/ogr.js';
import { writeMixedZGeoJson } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-geo-types-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The ISO WKB code of a GeoJSON type name, or of DuckDB's lower-case `geo_types` name. */
const codeOf = (name: string) => WKB_TYPE_NAMES.findIndex((t) => t.toLowerCase() === name.toLowerCase());
const duckCode = (name: string) => codeOf(name.replace(/_z$/, '')) + (name.endsWith('_z') ? 1000 : 0);

function zValues(g: Geom): number[] {
  const out: number[] = [];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      if (c.length > 2) out.push(c[2] as number);
    } else if (Array.isArray(c)) for (const x of c) walk(x);
  };
  walk(g.coordinates);
  for (const p of g.geometries ?? []) out.push(...zValues(p));
  return out;
}

/** The x/y extent of `geoms`' coordinates. */
function extentOf(geoms: Geom[]): { xmin: number; xmax: number; ymin: number; ymax: number } {
  const xs: number[] = [];
  const ys: number[] = [];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      xs.push(c[0] as number);
      ys.push(c[1] as number);
    } else if (Array.isArray(c)) for (const x of c) walk(x);
  };
  const visit = (g: Geom): void => {
    walk(g.coordinates);
    for (const p of g.geometries ?? []) visit(p);
  };
  for (const g of geoms) visit(g);
  return { xmin: Math.min(...xs), xmax: Math.max(...xs), ymin: Math.min(...ys), ymax: Math.max(...ys) };
}

/**
 * Checks every row group of every data file of `dir` against its rows: the logical type, and
 * the geospatial statistics as DuckDB and hyparquet decode them, equal to the box, Z range and
 * WKB types of the rows (decoded by the test's own WKB reader). The box is the covering
 * column's, or without one (`only`) the extent of the decoded rows.
 */
async function checkGeoStats(dir: string, covering = true): Promise<number> {
  let groups = 0;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.parquet'))) {
    const path = join(dir, name);
    const [schema] = await query(
      `SELECT logical_type FROM parquet_schema(${lit(path)}) WHERE name = 'geometry'`,
    );
    expect(schema!.logical_type).toBe('GeometryType(crs=<null>)');
    const [described] = await query(`SELECT column_type FROM (DESCRIBE SELECT geometry FROM ${lit(path)})`);
    expect(described!.column_type).toBe('GEOMETRY');

    const meta = await query(
      `SELECT row_group_id AS g, row_group_num_rows AS n, geo_bbox, geo_types, stats_min, stats_max
       FROM parquet_metadata(${lit(path)}) WHERE path_in_schema = 'geometry' ORDER BY row_group_id`,
    );
    const bytes = readFileSync(path);
    const hy = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), {
      geoparquet: false,
    });
    expect(hy.schema.find((s) => s.name === 'geometry')!.logical_type).toEqual({ type: 'GEOMETRY' });

    // The rows, in file order, with their WKB.
    const rows = await query(
      `SELECT hex(ST_AsWKB(geometry)) AS wkb FROM read_parquet(${lit(path)}, file_row_number = true) ORDER BY file_row_number`,
    );
    let at = 0;
    for (const m of meta) {
      const geoms = rows
        .slice(at, at + (m.n as number))
        .map((r) => decodeWkb(Buffer.from(r.wkb as string, 'hex')));
      at += m.n as number;
      // Box of the rows, from the covering column (exact: the same doubles) or the rows themselves.
      const [box] = covering
        ? await query(
            `SELECT min(bbox.xmin) AS xmin, max(bbox.xmax) AS xmax, min(bbox.ymin) AS ymin, max(bbox.ymax) AS ymax
             FROM read_parquet(${lit(path)}, file_row_number = true)
             WHERE file_row_number >= ${at - (m.n as number)} AND file_row_number < ${at}`,
          )
        : [extentOf(geoms)];
      const zs = geoms.flatMap(zValues);
      const z = zs.length > 0 ? { zmin: Math.min(...zs), zmax: Math.max(...zs) } : { zmin: null, zmax: null };
      expect(m.geo_bbox).toEqual({ ...box, ...z, mmin: null, mmax: null });
      const types = [...new Set(geoms.map((g) => codeOf(g.type) + (zValues(g).length > 0 ? 1000 : 0)))].sort(
        (a, b) => a - b,
      );
      expect((m.geo_types as string[]).map(duckCode).sort((a, b) => a - b)).toEqual(types);
      // Undefined sort order: no min/max statistics.
      expect(m.stats_min).toBeNull();
      expect(m.stats_max).toBeNull();

      const col = hy.row_groups[m.g as number]!.columns.find(
        (c) => c.meta_data!.path_in_schema[0] === 'geometry',
      )!;
      const gs = col.meta_data!.geospatial_statistics!;
      expect(gs.geospatial_types).toEqual(types);
      expect(gs.bbox).toMatchObject({ xmin: box!.xmin, xmax: box!.xmax, ymin: box!.ymin, ymax: box!.ymax });
      if (z.zmin !== null) expect(gs.bbox).toMatchObject(z);
      groups++;
    }
    // parquet-wasm (arrow-rs) reads every row and value back.
    const wasm = tableFromIPC(
      (await (await ParquetFile.fromFile(await openAsBlob(path))).read()).intoIPCStream(),
    );
    expect(wasm.numRows).toBe(rows.length);
    const wkbs = wasm.getChild('geometry')!.toArray() as Uint8Array[];
    expect(wkbs.map((w) => Buffer.from(w).toString('hex').toUpperCase())).toEqual(rows.map((r) => r.wkb));
  }
  return groups;
}

describe('parquet_geo_types', () => {
  it('yes: the geometry column is GEOMETRY, with geospatial statistics per row group equal to its rows', async () => {
    const dir = join(tmp, 'countries');
    const report = await ingest(dataPath('flatgeobuf/countries.fgb'), dir, {
      partitioningMaximumPerChunk: 20,
      parquetGeoTypes: 'yes',
    }).runLocal({ threads: 2 });
    expect(await checkGeoStats(dir)).toBe(report.chunks);
    // The GeoParquet 1.1 metadata and the covering stay.
    const [kv] = await query(
      `SELECT decode(value) AS geo FROM parquet_kv_metadata(${lit(join(dir, '0.parquet'))}) WHERE decode(key) = 'geo'`,
    );
    expect(JSON.parse(kv!.geo as string)).toMatchObject({
      version: '1.1.0',
      columns: { geometry: { covering: {} } },
    });
  });

  it('only: the logical type and its statistics, with no geo metadata and no covering column (GDAL ONLY)', async () => {
    const dir = join(tmp, 'only');
    const report = await ingest(dataPath('flatgeobuf/countries.fgb'), dir, {
      partitioningMaximumPerChunk: 20,
      parquetGeoTypes: 'only',
      outputMetadata: join(tmp, 'only-chunks.parquet'),
    }).runLocal({ threads: 2 });
    expect(await checkGeoStats(dir, false)).toBe(report.chunks);
    for (const f of [...readdirSync(dir).map((n) => join(dir, n)), join(tmp, 'only-chunks.parquet')]) {
      const keys = await query(`SELECT decode(key) AS k FROM parquet_kv_metadata(${lit(f)})`);
      expect(keys.map((k) => k.k)).not.toContain('geo');
      const cols = await query(`SELECT name FROM parquet_schema(${lit(f)})`);
      expect(cols.map((c) => c.name)).not.toContain('bbox');
    }
    // geopart reads it back: a box gives the rows the same table written with the covering gives.
    const withCovering = join(tmp, 'only-no');
    await ingest(dataPath('flatgeobuf/countries.fgb'), withCovering, {
      partitioningMaximumPerChunk: 20,
    }).runLocal({
      threads: 2,
    });
    const names = async (path: string) => {
      const t = await openTable(path);
      try {
        const rows = await t.read({ bbox: [0, 40, 20, 60], columns: ['name'] });
        return (rows.getChild('name')!.toArray() as string[]).slice().sort();
      } finally {
        await t.close();
      }
    };
    const want = await names(withCovering);
    expect(want.length).toBeGreaterThan(5);
    expect(await names(dir)).toEqual(want);
    expect(await names(join(tmp, 'only-chunks.parquet'))).toEqual(want);
  });

  it('yes: Z ranges and Z types of mixed rows', async () => {
    const input = writeMixedZGeoJson(join(tmp, 'z.geojson'));
    const dir = join(tmp, 'z');
    await ingest(input, dir, { partitioningMaximumPerChunk: 2, parquetGeoTypes: 'yes' }).runLocal({
      threads: 1,
    });
    expect(await checkGeoStats(dir)).toBeGreaterThanOrEqual(2);
  });

  it('no (the default): a plain BYTE_ARRAY with no geospatial statistics, as before', async () => {
    const dir = join(tmp, 'plain');
    await ingest(dataPath('flatgeobuf/countries.fgb'), dir, { targetNumChunks: 4 }).runLocal({ threads: 2 });
    const path = lit(join(dir, '0.parquet'));
    const [schema] = await query(`SELECT logical_type FROM parquet_schema(${path}) WHERE name = 'geometry'`);
    expect(schema!.logical_type).toBeNull();
    const meta = await query(
      `SELECT geo_bbox FROM parquet_metadata(${path}) WHERE path_in_schema = 'geometry'`,
    );
    expect(meta.every((m) => m.geo_bbox === null)).toBe(true);
  });

  it('is a job-file field with a coded error naming it, and a CLI flag', async () => {
    const dir = join(tmp, 'cli');
    const r = geopart([
      'ingest',
      dataPath('flatgeobuf/countries.fgb'),
      '-o',
      dir,
      '--parquet-geo-types',
      'yes',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const [schema] = await query(
      `SELECT logical_type FROM parquet_schema(${lit(join(dir, '0.parquet'))}) WHERE name = 'geometry'`,
    );
    expect(schema!.logical_type).toBe('GeometryType(crs=<null>)');
    const bad = geopart([
      'ingest',
      dataPath('flatgeobuf/countries.fgb'),
      '-o',
      join(tmp, 'bad'),
      '--parquet-geo-types',
      'maybe',
    ]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/parquet-geo-types|parquet_geo_types/);
    expect(
      GeospatialPartitionJobStepConfig.fromJSON({ input: 'a', parquet_geo_types: 'yes' }).parquetGeoTypes,
    ).toBe('yes');
    expect(
      GeospatialPartitionJobStepConfig.fromJSON({ input: 'a', parquet_geo_types: 'only' }).parquetGeoTypes,
    ).toBe('only');
    expect(() =>
      GeospatialPartitionJobStepConfig.fromJSON({ input: 'a', parquet_geo_types: 'maybe' }),
    ).toThrow(/parquet_geo_types.*"no", "yes" or "only"/s);
  });
});
