import { describe, expect, it } from 'vitest';
import { GeopartError } from '../../src/errors.js';
import { type LayerReaderOptions, openLayerReader } from '../../src/io/native.js';
import { dataPath } from '../helpers/data.js';
import { batchFeatures, featureDiffs, type Geom, ogrFeatures } from '../helpers/ogr.js';

function read(path: string, options: LayerReaderOptions) {
  const reader = openLayerReader(path, options);
  try {
    const batches = [...reader];
    return { reader, features: batchFeatures(batches, reader.geometryColumn), batches: batches.length };
  } finally {
    reader.close();
  }
}

/** Every [x, y] of a geometry. */
function positions(g: Geom): number[][] {
  const out: number[][] = [];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') out.push(c as number[]);
    else if (Array.isArray(c)) c.forEach(walk);
  };
  walk(g.coordinates);
  return out;
}

describe('targetSrs', () => {
  it.each(['geoarrow/example-crs_vermont-utm.fgb', 'geoarrow/example-crs_vermont-custom.fgb'])(
    'reprojects %s to EPSG:4326 lon/lat as ogr2ogr -t_srs does, within 1e-9 degrees',
    (rel) => {
      const path = dataPath(rel);
      const { reader, features } = read(path, { targetSrs: 'EPSG:4326' });
      expect(reader.reprojected).toBe(true);
      expect(reader.crs).toMatch(/^PROJCRS\[/);
      const expected = ogrFeatures(path, ['-t_srs', 'EPSG:4326']);
      expect(featureDiffs(features, expected, 1e-9)).toEqual([]);
      // Vermont: longitude about -73.4..-71.5, latitude about 42.7..45.0.
      for (const [x, y] of positions(features[0]!.geometry!)) {
        expect(x).toBeGreaterThan(-73.6);
        expect(x).toBeLessThan(-71.4);
        expect(y).toBeGreaterThan(42.6);
        expect(y).toBeLessThan(45.1);
      }
    },
  );

  it('agrees with the same polygon stored in EPSG:4326', () => {
    const utm = read(dataPath('geoarrow/example-crs_vermont-utm.fgb'), { targetSrs: 'EPSG:4326' });
    const wgs84 = read(dataPath('geoarrow/example-crs_vermont-4326.fgb'), { targetSrs: 'EPSG:4326' });
    expect(wgs84.reader.reprojected).toBe(false);
    expect(featureDiffs(utm.features, wgs84.features, 1e-6)).toEqual([]);
  });

  it('reprojects batch by batch: countries to EPSG:3857 in batches of 50 as ogr2ogr does', () => {
    const path = dataPath('flatgeobuf/countries.fgb');
    const { reader, features, batches } = read(path, { targetSrs: 'EPSG:3857', batchSize: 50 });
    expect(reader.reprojected).toBe(true);
    expect(batches).toBe(4);
    expect(featureDiffs(features, ogrFeatures(path, ['-t_srs', 'EPSG:3857']), 1e-6)).toEqual([]);
  });

  it('leaves a layer without CRS as it is (crs null, reprojected false)', () => {
    const path = dataPath('flatgeobuf/countries_nocrs.fgb');
    const { reader, features } = read(path, { targetSrs: 'EPSG:3857' });
    expect(reader.crs).toBeNull();
    expect(reader.reprojected).toBe(false);
    expect(featureDiffs(features, ogrFeatures(path))).toEqual([]);
  });

  it('names the row whose geometry cannot be reprojected, counting across batches', () => {
    const path = dataPath('flatgeobuf/countries.fgb');
    // Seen from the south pole, the first country reaching north of the equator fails.
    const plain = read(path, {}).features;
    const firstNorthern = plain.findIndex((f) => positions(f.geometry!).some(([, y]) => y! > 0));
    expect(firstNorthern).toBeGreaterThan(5);
    let err: unknown;
    try {
      read(path, { targetSrs: '+proj=ortho +lat_0=-90 +lon_0=0', batchSize: 5 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GeopartError);
    const e = err as GeopartError;
    expect(e.code).toBe('CORRUPT_INPUT');
    expect(e.context).toMatchObject({ file: path, layer: 'countries', row: firstNorthern });
    expect(e.message).toContain(`row ${firstNorthern} `);
  });
});
