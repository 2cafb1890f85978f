import { describe, expect, it } from 'vitest';
import { geopart, run } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';

const OSM = dataPath('osm/liechtenstein-2013-08-03.osm.pbf');

/** Counts features per layer the way a full `ogrinfo` listing does. */
function ogrinfoCount(path: string, layer: string): number {
  const out = run('ogrinfo', ['-q', path, layer]);
  return out.split('\n').filter((l) => l.startsWith(`OGRFeature(${layer})`)).length;
}

interface JsonLayer {
  name: string;
  geometryType: string;
  featureCount: number;
  crs: string | null;
  extent: number[] | null;
  fields: { name: string; type: string }[];
}

describe('geopart info', () => {
  it('lists the 5 OSM layers with the feature counts ogrinfo gives', () => {
    const r = geopart(['info', OSM, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout) as { driver: string; layers: JsonLayer[] };
    expect(info.driver).toBe('OSM');
    expect(info.layers.map((l) => l.name)).toEqual([
      'points',
      'lines',
      'multilinestrings',
      'multipolygons',
      'other_relations',
    ]);
    for (const layer of info.layers) {
      expect(layer.featureCount, layer.name).toBe(ogrinfoCount(OSM, layer.name));
      expect(layer.crs).toBe('EPSG:4326');
    }
    expect(info.layers[0]!.featureCount).toBe(1359);
    expect(info.layers[3]!.geometryType).toBe('Multi Polygon');
    expect(info.layers[1]!.fields).toContainEqual({ name: 'z_order', type: 'integer' });
  });

  it('prints layers, geometry type, count, CRS, extent and fields as text', () => {
    const r = geopart(['info', dataPath('flatgeobuf/countries.fgb')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('driver FlatGeobuf');
    expect(r.stdout).toContain('Geometry:      Multi Polygon');
    expect(r.stdout).toContain('Feature count: 179');
    expect(r.stdout).toContain('CRS:           EPSG:4326');
    expect(r.stdout).toMatch(/Extent: +\(-180, -85\.6\d+\) - \(180, 83\.6\d+\)/);
    expect(r.stdout).toContain('    name: string');
  });

  it('picks one layer with --layer and refuses an unknown one, listing the layers', () => {
    const one = geopart(['info', OSM, '--layer', 'lines', '--json']);
    expect(JSON.parse(one.stdout).layers.map((l: JsonLayer) => l.name)).toEqual(['lines']);
    const byIndex = geopart(['info', OSM, '--layer', '4', '--json']);
    expect(JSON.parse(byIndex.stdout).layers[0].name).toBe('other_relations');
    const bad = geopart(['info', OSM, '--layer', 'roads']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('no layer "roads"');
    expect(bad.stderr).toContain('points, lines, multilinestrings, multipolygons, other_relations');
  });

  it('passes --oo open options to GDAL', () => {
    const csv = `${process.env.TMPDIR ?? '/tmp'}/geopart-info-${process.pid}.csv`;
    run('sh', ['-c', `printf 'lon;lat;name\\n9.5;47.1;a\\n9.6;47.2;b\\n' > ${csv}`]);
    const plain = JSON.parse(geopart(['info', csv, '--json']).stdout).layers[0] as JsonLayer;
    expect(plain.geometryType).toBe('None');
    const r = geopart([
      'info',
      csv,
      '--oo',
      'SEPARATOR=SEMICOLON',
      '--oo',
      'X_POSSIBLE_NAMES=lon',
      '--oo',
      'Y_POSSIBLE_NAMES=lat',
      '--json',
    ]);
    const layer = JSON.parse(r.stdout).layers[0] as JsonLayer;
    expect(layer.geometryType).toBe('Point');
    expect(layer.featureCount).toBe(2);
    expect(layer.extent).toEqual([9.5, 47.1, 9.6, 47.2]);
  });

  it('fails on a corrupt file with GDAL reason and the path', () => {
    const path = dataPath('flatgeobuf/fuzz-crash.fgb');
    const r = geopart(['info', path]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(path);
    expect(r.stderr).toContain('Header failed consistency verification');
    expect(r.stdout).toBe('');
  });

  it('fails on a missing file, an unknown format and a bad --oo, naming what is wrong', () => {
    const missing = geopart(['info', 'no/such/file.fgb']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no/such/file.fgb: no such file');
    const unknown = geopart(['info', 'package.json']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('package.json: not recognized as a supported file format');
    const badOo = geopart(['info', OSM, '--oo', 'NOEQUALS']);
    expect(badOo.status).toBe(2);
    expect(badOo.stderr).toContain('--oo "NOEQUALS": expected KEY=VALUE');
  });

  it('lists the commands with --help and refuses unknown commands', () => {
    const help = geopart(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Commands:\n\s+info INPUT/);
    const unknown = geopart(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });
});
