import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GeopartError } from '../../src/errors.js';
import { type LayerReaderOptions, listLayers, openLayerReader } from '../../src/io/native.js';
import { dataPath } from '../helpers/data.js';

const COUNTRIES = dataPath('flatgeobuf/countries.fgb');
const OSM = dataPath('osm/liechtenstein-2013-08-03.osm.pbf');

const scratch = mkdtempSync(join(tmpdir(), 'geopart-native-errors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The GeopartError that opening (and reading) `path` throws. */
function failure(path: string, options: LayerReaderOptions = {}): GeopartError {
  try {
    const reader = openLayerReader(path, options);
    try {
      while (reader.next());
    } finally {
      reader.close();
    }
  } catch (err) {
    expect(err).toBeInstanceOf(GeopartError);
    return err as GeopartError;
  }
  throw new Error(`reading ${path} did not fail`);
}

describe('openLayerReader errors', () => {
  it('names a missing file: INPUT_NOT_FOUND', () => {
    const path = join(scratch, 'missing.fgb');
    const err = failure(path);
    expect(err.code).toBe('INPUT_NOT_FOUND');
    expect(err.message).toContain(path);
    expect(err.context).toMatchObject({ file: path });
  });

  it('names a file no driver recognises: UNKNOWN_FORMAT', () => {
    const path = join(scratch, 'junk.txt');
    writeFileSync(path, 'this is not geodata\n\u0001\u0002\u0003');
    const err = failure(path);
    expect(err.code).toBe('UNKNOWN_FORMAT');
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/not recognized as a supported file format/);
  });

  it('names the allowed drivers when none of them recognises the file', () => {
    const err = failure(COUNTRIES, { drivers: ['GPKG'] });
    expect(err.code).toBe('UNKNOWN_FORMAT');
    expect(err.message).toContain('allowed drivers: GPKG');
  });

  it("gives GDAL's reason and the path for a corrupt FlatGeobuf (fuzz-crash.fgb)", () => {
    const path = dataPath('flatgeobuf/fuzz-crash.fgb');
    const err = failure(path);
    expect(['CORRUPT_INPUT', 'UNKNOWN_FORMAT']).toContain(err.code);
    expect(err.message).toContain('Header failed consistency verification');
    expect(err.message).toContain(path);
    expect(() => listLayers(path)).toThrow(/Header failed consistency verification/);
  });

  it('names a missing layer and lists the ones there are: LAYER_NOT_FOUND', () => {
    const err = failure(COUNTRIES, { layer: 'rivers' });
    expect(err.code).toBe('LAYER_NOT_FOUND');
    expect(err.message).toContain("'rivers'");
    expect(err.message).toContain('available layers: countries');
    expect(err.context).toMatchObject({ file: COUNTRIES, layer: 'rivers' });
    expect(failure(COUNTRIES, { layer: 1 }).message).toMatch(/index 1 is out of range.*countries/);
  });

  it('lists the 5 OSM layers when several are there and none is chosen', () => {
    const err = failure(OSM);
    expect(err.code).toBe('LAYER_NOT_FOUND');
    for (const name of ['points', 'lines', 'multilinestrings', 'multipolygons', 'other_relations']) {
      expect(err.message).toContain(name);
    }
    expect(err.message).toContain('has 5 layers');
  });

  it('names a column that is not in the layer: INVALID_CONFIG', () => {
    const err = failure(COUNTRIES, { columns: ['name', 'population'] });
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toMatch(/'population'.*columns are: id, name/);
  });

  it('rejects malformed options with TypeError/RangeError naming the option', () => {
    expect(() => openLayerReader(COUNTRIES, { targetSrs: 'EPSG:99999' })).toThrow(RangeError);
    expect(() => openLayerReader(COUNTRIES, { targetSrs: 'EPSG:99999' })).toThrow(/targetSrs/);
    expect(() => openLayerReader(COUNTRIES, { layer: 0.5 })).toThrow(TypeError);
    expect(() => openLayerReader(COUNTRIES, { openOptions: { A: 1 as unknown as string } })).toThrow(
      /openOptions\.A/,
    );
  });
});
