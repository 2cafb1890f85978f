/**
 * Read benchmark: the native Arrow-stream reader against gdal-async feature by feature, on
 * 1M seeded points (FlatGeobuf and CSV, both made with ogr2ogr) and on countries.fgb.
 *
 *   npx tsx bench/read.ts [--points N]
 *
 * Each reader runs in a child process of its own so its peak RSS is its own.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Measurement, measureChild, printTable, seededPoints } from './lib.js';

const CSV_OPTIONS = { X_POSSIBLE_NAMES: 'lon', Y_POSSIBLE_NAMES: 'lat', KEEP_GEOM_COLUMNS: 'NO' };

async function child(reader: string, path: string, oo: Record<string, string>): Promise<void> {
  // Libraries are loaded before the clock starts: the figures are reading, not start-up.
  const { openLayerReader, gdalVersion } = await import('../src/io/native.js');
  const gdal = createRequire(import.meta.url)('gdal-async') as typeof import('gdal-async');
  gdalVersion();
  const t0 = performance.now();
  let rows = 0;
  if (reader === 'native') {
    const r = openLayerReader(path, { openOptions: oo });
    for (let b = r.next(); b; b = r.next()) rows += b.numRows;
    r.close();
  } else {
    // The baseline: gdal-async, one Feature object per row, geometry to WKB and fields to an object.
    const driver = path.endsWith('.csv') ? gdal.drivers.get('CSV') : gdal.open(path).driver;
    const ds = driver.open(
      path,
      'r',
      Object.entries(oo).map(([k, v]) => `${k}=${v}`),
    );
    const layer = ds.layers.get(0);
    for (let f = layer.features.first(); f; f = layer.features.next()) {
      f.getGeometry()?.toWKB();
      f.fields.toObject();
      rows++;
    }
    ds.close();
  }
  console.log(JSON.stringify({ rows, seconds: (performance.now() - t0) / 1000 }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { child: { type: 'string', multiple: true }, points: { type: 'string', default: '1000000' } },
    allowPositionals: true,
    strict: false,
  });
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const [, reader, path, oo] = argv;
    await child(reader!, path!, JSON.parse(oo ?? '{}') as Record<string, string>);
    return;
  }
  const n = Number(values.points);
  const { csv, fgb } = seededPoints(n, false, true);
  const countries = fileURLToPath(new URL('../fixtures/flatgeobuf/countries.fgb', import.meta.url));
  const inputs: [string, string, Record<string, string>][] = [
    [`${n.toLocaleString('en-US')} points, FlatGeobuf`, fgb, {}],
    [`${n.toLocaleString('en-US')} points, CSV`, csv, CSV_OPTIONS],
    ['countries.fgb (179 multipolygons)', countries, {}],
  ];
  for (const [title, path, oo] of inputs) {
    const rows: Measurement[] = [];
    for (const reader of ['native', 'gdal-async']) {
      const label = reader === 'native' ? 'geopart native Arrow stream' : 'gdal-async feature by feature';
      rows.push(measureChild(label, 'read.ts', [reader, path, JSON.stringify(oo)]));
    }
    printTable(title, rows);
    const [ours, base] = rows;
    console.log(`\nspeed-up: ${(base!.seconds / ours!.seconds).toFixed(1)}x`);
  }
}

await main();
