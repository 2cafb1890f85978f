import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { SAMPLE_BYTES } from '../../src/ingest/run-ingest.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-sample-bytes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A closed ring of `n` vertices on a circle, as GeoJSON coordinates. */
function circle(cx: number, cy: number, r: number, n: number): number[][] {
  const ring = Array.from({ length: n }, (_, i) => {
    const a = (2 * Math.PI * i) / n;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  });
  ring.push(ring[0]!);
  return ring;
}

/** Sum of the sizes of every file of a table folder. */
function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
}

describe('_sample is bounded in bytes', () => {
  it('leaves out a row too large for the budget, keeps the others, and counts its size in bytesWritten', async () => {
    // 120,000 vertices: 1.9 MB of WKB, past the 1 MiB budget on its own.
    const big = circle(10, 10, 5, 120_000);
    const features = [
      { id: 1, ring: circle(-60, -20, 1, 16) },
      { id: 2, ring: big },
      { id: 3, ring: circle(60, 30, 1, 16) },
    ].map(({ id, ring }) => ({
      type: 'Feature',
      properties: { id },
      geometry: { type: 'Polygon', coordinates: [ring] },
    }));
    const input = join(tmp, 'big.geojson');
    writeFileSync(input, JSON.stringify({ type: 'FeatureCollection', features }));
    const dir = join(tmp, 'big');
    const report = await ingest(input, dir).runLocal({ threads: 2 });
    expect(report.rowsWritten).toBe(3);

    const sample = join(dir, '_sample');
    const rows = await query(`SELECT id FROM read_parquet(${lit(sample)}) ORDER BY id`);
    expect(rows.map((r) => r.id)).toEqual([1, 3]);
    expect(statSync(sample).size).toBeLessThan(SAMPLE_BYTES);
    // The data files hold every row, the big one whole.
    const glob = lit(join(dir, '*.parquet'));
    const all = await query(`SELECT id FROM read_parquet(${glob}) ORDER BY id`);
    expect(all.map((r) => r.id)).toEqual([1, 2, 3]);
    const [g] = await query(
      `SELECT sum(total_uncompressed_size) AS n FROM parquet_metadata(${glob}) WHERE path_in_schema = 'geometry'`,
    );
    expect(g!.n).toBeGreaterThan(SAMPLE_BYTES);
    expect(report.bytesWritten).toBe(folderBytes(dir));
  });

  it('keeps every sampled row of a table of small rows (the row count is the bound)', async () => {
    const dir = join(tmp, 'countries');
    const report = await ingest(dataPath('flatgeobuf/countries.fgb'), dir).runLocal({ threads: 2 });
    const [r] = await query(`SELECT count(*) AS n FROM read_parquet(${lit(join(dir, '_sample'))})`);
    expect(r!.n).toBe(report.rowsWritten);
    expect(report.bytesWritten).toBe(folderBytes(dir));
  });
});
