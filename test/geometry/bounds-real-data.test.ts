import { openAsBlob } from 'node:fs';
import { type RecordBatch, tableFromIPC } from 'apache-arrow';
import { ParquetFile } from 'parquet-wasm/node';
import { describe, expect, it } from 'vitest';
import { wkbColumnFromData } from '../../src/arrow/binary.js';
import { wkbBounds } from '../../src/geometry/bounds.js';
import { totalBounds } from '../../src/geometry/total-bounds.js';
import { dataPath } from '../helpers/data.js';

/** Reads a WKB GeoParquet file directly (not through the source): its batches and `geo` metadata. */
interface GeoMeta {
  primary_column: string;
  columns: Record<string, { bbox?: number[] }>;
}

async function readRaw(rel: string): Promise<{ batches: RecordBatch[]; geo: GeoMeta }> {
  const file = await ParquetFile.fromFile(await openAsBlob(dataPath(rel)));
  const geo: GeoMeta = JSON.parse(file.metadata().fileMetadata().keyValueMetadata().get('geo'));
  const table = tableFromIPC((await file.read()).intoIPCStream());
  file.free();
  return { batches: table.batches, geo };
}

function boundsOf(batches: RecordBatch[], column: string): Float64Array {
  const parts = batches.map((b) => wkbBounds(wkbColumnFromData(b.getChild(column)!.data[0]!)));
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('wkbBounds on real GeoParquet files', () => {
  it.each([
    'geoarrow/natural-earth_countries_geo.parquet',
    'geoarrow/natural-earth_cities_geo.parquet',
    'geoarrow/example-crs_vermont-utm_geo.parquet',
  ])('%s: the total of the row boxes is the bbox in the geo metadata', async (rel) => {
    const { batches, geo } = await readRaw(rel);
    const column = geo.primary_column;
    const declared = geo.columns[column]!.bbox!;
    expect(Array.from(totalBounds(boundsOf(batches, column)))).toEqual(declared);
  });

  it('example.parquet: the row boxes lie within the declared bbox (the spec example declares the full dataset)', async () => {
    const { batches, geo } = await readRaw('geoparquet/example.parquet');
    const [xmin, ymin, xmax, ymax] = geo.columns.geometry!.bbox!;
    const total = totalBounds(boundsOf(batches, 'geometry'));
    expect(total[0]).toBeGreaterThanOrEqual(xmin!);
    expect(total[1]).toBeGreaterThanOrEqual(ymin!);
    expect(total[2]).toBeLessThanOrEqual(xmax!);
    expect(total[3]).toBeLessThanOrEqual(ymax!);
  });

  it('example.parquet: every row box equals the 1.1 covering bbox column', async () => {
    const { batches } = await readRaw('geoparquet/example.parquet');
    const rows = boundsOf(batches, 'geometry');
    let i = 0;
    for (const b of batches) {
      const cover = b.getChild('bbox')!;
      for (let r = 0; r < b.numRows; r++, i++) {
        const c = cover.get(r)!;
        expect(Array.from(rows.subarray(4 * i, 4 * i + 4))).toEqual([c.xmin, c.ymin, c.xmax, c.ymax]);
      }
    }
    expect(i).toBe(5);
  });
});
