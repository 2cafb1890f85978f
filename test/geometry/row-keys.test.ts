import type { RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { wkbColumnFromData } from '../../src/arrow/binary.js';
import { rowCentroidsAndMeasures, rowMeasures } from '../../src/geometry/row-keys.js';
import { openInputs } from '../../src/io/read-inputs.js';
import { dataPath } from '../helpers/data.js';
import { ogrFeatures } from '../helpers/ogr.js';

async function geometryOf(rel: string, layer: string | null = null) {
  const set = await openInputs({ input: dataPath(rel), layer, dropOutOfBounds: false });
  const batches: RecordBatch[] = [];
  for await (const { batch } of set.batches()) batches.push(batch);
  expect(batches).toHaveLength(1);
  return wkbColumnFromData(batches[0]!.getChild('geometry')!.data[0]!);
}

describe('row centroids and measures', () => {
  it('reads points on the fast path: centroid = the point, one vertex, no area or length', async () => {
    const col = await geometryOf('geoarrow/natural-earth_cities.fgb');
    const want = ogrFeatures(dataPath('geoarrow/natural-earth_cities.fgb')).map(
      (f) => f.geometry!.coordinates as number[],
    );
    const keys = rowCentroidsAndMeasures(col, 'coords');
    // ogr2ogr writes 15 decimals.
    const diff = Math.max(
      ...want.map((p, i) => Math.max(Math.abs(p[0]! - keys.cx[i]!), Math.abs(p[1]! - keys.cy[i]!))),
    );
    expect(diff).toBeLessThan(1e-12);
    expect(Array.from(keys.measure)).toEqual(want.map(() => 1));
    const m = rowMeasures(col);
    expect(Array.from(m.area).every((a) => a === 0)).toBe(true);
    expect(Array.from(m.length).every((a) => a === 0)).toBe(true);
  });

  it.each([
    ['flatgeobuf/countries.fgb', null],
    ['osm/liechtenstein-2013-08-03.osm.pbf', 'lines'],
    ['flatgeobuf/heterogeneous.fgb', null],
  ])('gives the same measures in one pass as per method (%s %s)', async (rel, layer) => {
    const col = await geometryOf(rel, layer);
    const m = rowMeasures(col);
    expect(Array.from(m.coords)).toEqual(Array.from(rowCentroidsAndMeasures(col, 'coords').measure));
    expect(Array.from(m.area)).toEqual(Array.from(rowCentroidsAndMeasures(col, 'area').measure));
    expect(Array.from(m.length)).toEqual(Array.from(rowCentroidsAndMeasures(col, 'length').measure));
    // Vertex counts agree with what ogr2ogr writes.
    const want = ogrFeatures(dataPath(rel), layer ? [layer] : []).map(
      (f) => JSON.stringify(f.geometry).match(/\[-?[\d.e-]+,/g)?.length ?? 0,
    );
    expect(Array.from(m.coords)).toEqual(want);
  });
});
