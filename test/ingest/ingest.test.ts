import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { SPLIT_METHODS } from '../../src/config/plan-defaults.js';
import { GeopartError } from '../../src/errors.js';
import { geopart, ROOT } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { expectSameFiles } from '../helpers/outputs.js';
import { checkTable, dataFiles } from './table-check.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-ingest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const out = (name: string) => join(tmp, `${name}-${n++}`);

/** Total planar area (deg^2) of a layer, computed by GDAL's SQLite dialect (GEOS). */
function ogrTotalArea(path: string, layer: string): number {
  const text = execFileSync(
    'ogrinfo',
    ['-q', '-dialect', 'sqlite', '-sql', `SELECT SUM(ST_Area(geometry)) AS a FROM "${layer}"`, path],
    { encoding: 'utf8' },
  );
  return Number(/a \(Real\) = ([\d.e+-]+)/.exec(text)![1]);
}

/** Writes n seeded points as CSV (id, lon, lat), clustered around a few centres. */
function pointsCsv(path: string, count: number, seed = 7): void {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const lines = ['id,lon,lat'];
  for (let i = 0; i < count; i++) {
    const c = i % 3;
    lines.push(`${i},${(-100 + 60 * c + rand() * 20).toFixed(6)},${(-30 + 25 * c + rand() * 15).toFixed(6)}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

describe('ingest: tables read back by DuckDB', () => {
  it('partitions countries by area with subdivision: caps hold, area is conserved', async () => {
    const dir = out('countries');
    const input = dataPath('flatgeobuf/countries.fgb');
    const report = await ingest(input, dir, {
      partitioningMethod: 'area',
      subdivideStart: 20,
      subdivideStop: 10,
      partitioningMaximumPerFile: 2000,
      partitioningMaximumPerChunk: 100,
      makeValid: true,
    }).runLocal({ threads: 2 });
    expect(report.rowsRead).toBe(179);
    expect(report.rowsSubdivided).toBeGreaterThan(20);
    // Russia and Fiji are split at the antimeridian first, one row per side.
    expect(report.rowsAddedByAntimeridian).toBe(2);
    expect(report.rowsWritten).toBe(
      report.rowsRead -
        report.rowsDroppedOutOfBounds +
        report.rowsAddedByAntimeridian! +
        report.rowsAddedBySubdivision,
    );
    const chunks = await checkTable(dir, report.rowsWritten);
    expect(chunks).toHaveLength(report.chunks);
    for (const c of chunks) if (c.num_rows > 1) expect(c.sum_area).toBeLessThanOrEqual(100 * (1 + 1e-9));
    const perFile = new Map<number, number>();
    for (const c of chunks) perFile.set(c.file_id, (perFile.get(c.file_id) ?? 0) + c.sum_area);
    for (const a of perFile.values()) expect(a).toBeLessThanOrEqual(2000 * (1 + 1e-9));
    // Antarctica's ring crosses itself: make_valid repairs it first (GEOS MakeValid), so the
    // pieces' area is GEOS's area of the input made valid, as ogr2ogr -makevalid makes it.
    expect(report.rowsMadeValid).toBeGreaterThanOrEqual(1);
    const valid = join(tmp, 'countries-valid.fgb');
    execFileSync('ogr2ogr', ['-f', 'FlatGeobuf', valid, input, '-makevalid', '-nln', 'countries']);
    const total = chunks.reduce((a, c) => a + c.sum_area, 0);
    expect(Math.abs(total - ogrTotalArea(valid, 'countries')) / total).toBeLessThan(1e-9);
  });

  it('conserves area when it subdivides valid polygons (USGS quadrangles)', async () => {
    const dir = out('quads');
    const input = dataPath('geoarrow/quadrangles_100k.fgb');
    const report = await ingest(input, dir, {
      partitioningMethod: 'area',
      subdivideStart: 0.05,
      subdivideStop: 0.02,
    }).runLocal();
    expect(report.rowsSubdivided).toBe(1809);
    const chunks = await checkTable(dir, report.rowsWritten);
    const total = chunks.reduce((a, c) => a + c.sum_area, 0);
    expect(Math.abs(total - ogrTotalArea(input, 'quadrangles_100k')) / total).toBeLessThan(1e-9);
    const [largest] = await query(
      `SELECT max(abs((bbox.xmax - bbox.xmin) * (bbox.ymax - bbox.ymin))) AS a FROM read_parquet(${lit(join(dir, '*.parquet'))})`,
    );
    expect(largest!.a as number).toBeGreaterThan(0);
  });

  it('partitions OSM lines by length and keeps their attributes and types', async () => {
    const dir = out('lines');
    const report = await ingest(dataPath('osm/liechtenstein-2013-08-03.osm.pbf'), dir, {
      partitioningMethod: 'length',
      targetNumChunks: 20,
      gdalConfig: { layer: 'lines' },
    }).runLocal({ threads: 2 });
    expect(report.rowsWritten).toBe(3014);
    const chunks = await checkTable(dir, 3014);
    const cap = report.maxPerChunk;
    for (const c of chunks) if (c.num_rows > 1) expect(c.sum_length).toBeLessThanOrEqual(cap * (1 + 1e-9));
    const cols = await query(`DESCRIBE SELECT * FROM read_parquet(${lit(join(dir, '0.parquet'))})`);
    const types = Object.fromEntries(cols.map((c) => [c.column_name, c.column_type]));
    expect(types).toMatchObject({ osm_id: 'VARCHAR', z_order: 'INTEGER' });
    // DuckDB reads the GeoParquet metadata and types the column as geometry in lon/lat.
    expect(types.geometry).toBe("GEOMETRY('OGC:CRS84')");
    const [roads] = await query(
      `SELECT count(*) AS n FROM read_parquet(${lit(join(dir, '*.parquet'))}) WHERE highway = 'residential'`,
    );
    const want = execFileSync(
      'ogrinfo',
      [
        '-q',
        '-sql',
        "SELECT COUNT(*) FROM lines WHERE highway = 'residential'",
        dataPath('osm/liechtenstein-2013-08-03.osm.pbf'),
      ],
      { encoding: 'utf8' },
    );
    expect(roads!.n).toBe(Number(/= (\d+)/.exec(want)![1]));
  });

  it('writes output_metadata as a GeoParquet file equal to the chunk table in _sample', async () => {
    const dir = out('cities');
    const meta = join(tmp, `cities-meta-${n++}.parquet`);
    const report = await ingest(dataPath('geoarrow/natural-earth_cities_geo.parquet'), dir, {
      outputMetadata: meta,
      partitioningMaximumPerFile: 100,
      partitioningMaximumPerChunk: 10,
    }).runLocal();
    const chunks = await checkTable(dir, 243);
    expect(report.files).toBeGreaterThanOrEqual(3);
    const fromFile = await query(
      `SELECT * EXCLUDE (geometry) FROM read_parquet(${lit(meta)}) ORDER BY file_id, chunk_id`,
    );
    expect(fromFile).toEqual(chunks);
    for (const c of chunks) expect(c.num_rows).toBeLessThanOrEqual(10);
  });

  it('places rows in the boxes of an earlier table with partitioning_schema_input', async () => {
    const first = out('schema-src');
    const meta = join(tmp, `schema-meta-${n++}.parquet`);
    await ingest(dataPath('geoarrow/natural-earth_cities.fgb'), first, {
      outputMetadata: meta,
      partitioningMaximumPerFile: 80,
      partitioningMaximumPerChunk: 20,
    }).runLocal();
    const boxes = await checkTable(first, 243);
    // The same rows through the same boxes give the same files and chunks.
    const again = out('schema-dst');
    const report = await ingest(dataPath('geoarrow/natural-earth_cities_geo.parquet'), again, {
      partitioningSchemaInput: meta,
    }).runLocal();
    const chunks = await checkTable(again, 243);
    expect(report.files).toBe(new Set(boxes.map((b) => b.file_id)).size);
    expect(chunks.map((c) => [c.file_id, c.chunk_id, c.num_rows])).toEqual(
      boxes.map((c) => [c.file_id, c.chunk_id, c.num_rows]),
    );
  });

  it('gives byte-identical files on a rerun and with 1 or 2 threads', async () => {
    const input = dataPath('flatgeobuf/tiger_roads.geojson');
    const options = { partitioningMethod: 'coords' as const, targetNumChunks: 40 };
    const a = out('det');
    const b = out('det');
    const c = out('det');
    await ingest(input, a, options).runLocal({ threads: 2 });
    await ingest(input, b, options).runLocal({ threads: 2 });
    await ingest(input, c, options).runLocal({ threads: 1 });
    expect(readdirSync(a).length).toBeGreaterThan(2);
    expectSameFiles(a, b);
    expectSameFiles(a, c);
  });

  it('refuses an existing output unless overwrite, and replaces it with overwrite', async () => {
    const dir = out('exists');
    const input = dataPath('geoarrow/natural-earth_cities.fgb');
    await ingest(input, dir).runLocal();
    const err = await ingest(input, dir)
      .runLocal()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeopartError);
    expect((err as GeopartError).code).toBe('OUTPUT_EXISTS');
    expect((err as GeopartError).message).toContain('overwrite');
    const report = await ingest(dataPath('geoarrow/quadrangles_100k.fgb'), dir, {
      overwrite: true,
    }).runLocal();
    await checkTable(dir, report.rowsWritten);
    expect(report.rowsWritten).toBe(1809);
    expect(readdirSync(tmp).filter((f) => f.includes('geopart-'))).toEqual([]);
  });

  it('leaves nothing behind when a run fails', async () => {
    const dir = out('fails');
    const err = await ingest(dataPath('flatgeobuf/countries_nogeo.fgb'), dir)
      .runLocal()
      .catch((e: unknown) => e);
    expect((err as GeopartError).code).toBe('NO_GEOMETRY');
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(tmp).filter((f) => f.includes('geopart-'))).toEqual([]);
  });

  it('keeps the old table whole when a run overwriting it is killed mid-write (SIGKILL)', async () => {
    const csv = join(tmp, 'many.csv');
    pointsCsv(csv, 300_000);
    const dir = out('killed');
    const first = geopart(['ingest', dataPath('geoarrow/quadrangles_100k.fgb'), '-o', dir]);
    expect(first.status, first.stderr).toBe(0);
    const before = dataFiles(dir).map((f) => readFileSync(f));
    const child = spawn(
      process.execPath,
      [
        `${ROOT}bin/geopart.js`,
        'ingest',
        csv,
        '--lonlat',
        'lon,lat',
        '-o',
        dir,
        '--overwrite',
        '--threads',
        '1',
        '--max-per-file',
        '5000',
        '--max-per-chunk',
        '500',
      ],
      { stdio: 'ignore' },
    );
    // Kill as soon as the new table has its first data file in staging.
    const deadline = Date.now() + 60_000;
    let staged = false;
    while (!staged && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      staged = readdirSync(tmp).some(
        (f) => f.includes('geopart-tmp') && readdirSync(join(tmp, f)).some((g) => g.endsWith('.parquet')),
      );
    }
    expect(staged).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    // The old table is untouched and complete.
    expect(dataFiles(dir).map((f) => readFileSync(f))).toEqual(before);
    await checkTable(dir, 1809);
    // The next run cleans the debris of the killed one and writes the new table.
    const again = geopart(['ingest', csv, '--lonlat', 'lon,lat', '-o', dir, '--overwrite', '--json']);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).rowsWritten).toBe(300_000);
    expect(readdirSync(tmp).filter((f) => f.includes('geopart-'))).toEqual([]);
  });
});

describe('ingest: invariants on random inputs', () => {
  it('puts every input row in exactly one chunk, chunks and files under their caps', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.double({ min: -179, max: 179, noNaN: true }),
            fc.double({ min: -89, max: 89, noNaN: true }),
          ),
          {
            minLength: 1,
            maxLength: 400,
          },
        ),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(...SPLIT_METHODS),
        async (points, chunkCap, filesPer, splitMethod) => {
          const csv = join(tmp, `prop-${n++}.csv`);
          // Duplicated points make identical-centroid groups.
          writeFileSync(csv, `id,lon,lat\n${points.map(([x, y], i) => `${i},${x},${y}`).join('\n')}\n`);
          const dir = out('prop');
          const report = await ingest(csv, dir, {
            lonlatCols: ['lon', 'lat'],
            partitioningMaximumPerChunk: chunkCap,
            partitioningMaximumPerFile: chunkCap * filesPer,
            partitioningSplitMethod: splitMethod,
          }).runLocal({ threads: 2 });
          const chunks = await checkTable(dir, points.length);
          expect(report.rowsWritten).toBe(points.length);
          const ids = await query(
            `SELECT CAST(id AS INTEGER) AS id FROM read_parquet(${lit(join(dir, '*.parquet'))}) ORDER BY 1`,
          );
          expect(ids.map((r) => Number(r.id))).toEqual(points.map((_, i) => i));
          for (const c of chunks) expect(c.num_rows).toBeLessThanOrEqual(chunkCap);
          rmSync(dir, { recursive: true });
        },
      ),
      { numRuns: 8 },
    );
  }, 240_000);
});

describe('geopart ingest (CLI)', () => {
  it('takes the flags of README.md "Command line" and prints the report', () => {
    const dir = out('cli');
    const r = geopart([
      'ingest',
      dataPath('osm/liechtenstein-2013-08-03.osm.pbf'),
      '-o',
      dir,
      '--layer',
      'multipolygons',
      '--method',
      'area',
      '--target-chunks',
      '50',
      '--split-method',
      'median',
      '--columns',
      'name,building',
      '--explode',
      '--threads',
      '2',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote .*cli-\d+: [\d,]+ rows in \d+ files, \d+ chunks/);
    expect(r.stdout).toContain('partitioned by area');
    const json = geopart([
      'ingest',
      dataPath('geoarrow/natural-earth_cities.fgb'),
      '-o',
      out('cli'),
      '--json',
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({ rowsRead: 243, rowsWritten: 243 });
  });

  it('names a bad flag value and the option', () => {
    const bad = geopart([
      'ingest',
      dataPath('geoarrow/natural-earth_cities.fgb'),
      '-o',
      out('cli'),
      '--max-per-chunk',
      'lots',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--max-per-chunk "lots": expected a number');
    const cfg = geopart([
      'ingest',
      dataPath('geoarrow/natural-earth_cities.fgb'),
      '-o',
      out('cli'),
      '--method',
      'volume',
    ]);
    expect(cfg.status).toBe(1);
    expect(cfg.stderr).toContain('partitioning_method');
    const noOut = geopart(['ingest', dataPath('geoarrow/natural-earth_cities.fgb')]);
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toContain('-o OUT');
  });
});
