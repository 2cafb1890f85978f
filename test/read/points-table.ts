/**
 * A table of N seeded random points (columns id, lon, lat, value) built with geopart's own
 * ingest from a Parquet file, for the reader's tests. Points are uniform over the world with a
 * dense cluster, so chunks come in many sizes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { geopart } from '../helpers/cli.js';
import { seeded } from '../partition/keys.js';

/** mulberry32, the tests' seeded PRNG. */
export const rng = seeded;

/** A written points table. */
export interface PointsTable {
  readonly dir: string;
  readonly table: string;
  readonly metadata: string;
  readonly rows: number;
}

/** Writes `n` seeded points to a Parquet file and ingests it into `<tmp>/points` (500 chunks). */
export function buildPointsTable(n: number, seed = 1): PointsTable {
  const dir = mkdtempSync(join(tmpdir(), 'geopart-read-'));
  const next = rng(seed);
  const id = new Int32Array(n);
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    id[i] = i;
    if (i % 4 === 0) {
      // A dense cluster around (10, 50): small chunks there.
      lon[i] = 10 + (next() - 0.5) * 2;
      lat[i] = 50 + (next() - 0.5) * 2;
    } else {
      lon[i] = next() * 360 - 180;
      lat[i] = next() * 170 - 85;
    }
    value[i] = Math.round(next() * 1e6) / 1000;
  }
  const input = join(dir, 'points.parquet');
  const bytes = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: id, type: 'INT32' },
      { name: 'lon', data: lon, type: 'DOUBLE' },
      { name: 'lat', data: lat, type: 'DOUBLE' },
      { name: 'value', data: value, type: 'DOUBLE' },
    ],
    rowGroupSize: 100_000,
  });
  writeFileSync(input, new Uint8Array(bytes));
  const table = join(dir, 'points');
  const metadata = join(dir, 'points-chunks.parquet');
  const r = geopart(['ingest', input, '-o', table, '--lonlat', 'lon,lat', '--output-metadata', metadata]);
  if (r.status !== 0) throw new Error(`ingest failed: ${r.stderr}`);
  return { dir, table, metadata, rows: n };
}
