import { describe, expect, it } from 'vitest';
import { crsText, needsReprojection, parseGeoMetadata } from '../../src/io/geoparquet-meta.js';

const utm = {
  type: 'ProjectedCRS',
  name: 'WGS 84 / UTM zone 18N',
  id: { authority: 'EPSG', code: 32618 },
};

describe('needsReprojection', () => {
  it.each([
    ['absent (GeoParquet default OGC:CRS84)', undefined],
    ['null (unknown, taken as EPSG:4326)', null],
    ['PROJJSON EPSG:4326', { type: 'GeographicCRS', id: { authority: 'EPSG', code: 4326 } }],
    ['PROJJSON OGC:CRS84', { type: 'GeographicCRS', id: { authority: 'OGC', code: 'CRS84' } }],
    ['PROJJSON with ids[]', { type: 'GeographicCRS', ids: [{ authority: 'EPSG', code: 4326 }] }],
    ['PROJJSON text', JSON.stringify({ id: { authority: 'OGC', code: 'CRS84' } })],
    ['EPSG:4326', 'EPSG:4326'],
    ['OGC URN', 'urn:ogc:def:crs:OGC:1.3:CRS84'],
    ['EPSG URN', 'urn:ogc:def:crs:EPSG::4326'],
    [
      'WKT1',
      'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],AUTHORITY["EPSG","4326"]]',
    ],
    ['WKT2', 'GEOGCRS["WGS 84",DATUM["World Geodetic System 1984"],CS[ellipsoidal,2],ID["EPSG",4326]]'],
  ])('is false for %s', (_name, crs) => {
    expect(needsReprojection(crs)).toBe(false);
  });

  it.each([
    ['PROJJSON UTM', utm],
    ['EPSG:3857', 'EPSG:3857'],
    ['projected WKT2 based on 4326', 'PROJCRS["x",BASEGEOGCRS["WGS 84",ID["EPSG",4326]],ID["EPSG",32618]]'],
    ['PROJJSON without id', { type: 'GeographicCRS', name: 'custom' }],
    ['unparseable JSON text', '{nope'],
  ])('is true for %s', (_name, crs) => {
    expect(needsReprojection(crs)).toBe(true);
  });
});

describe('parseGeoMetadata', () => {
  it('reads a 1.1 covering and native encoding', () => {
    const meta = parseGeoMetadata(
      JSON.stringify({
        version: '1.1.0',
        primary_column: 'geom',
        columns: {
          geom: {
            encoding: 'WKB',
            geometry_types: ['Polygon'],
            covering: {
              bbox: {
                xmin: ['bb', 'xmin'],
                ymin: ['bb', 'ymin'],
                xmax: ['bb', 'xmax'],
                ymax: ['bb', 'ymax'],
              },
            },
          },
          pts: { encoding: 'geoarrow.point', geometry_types: [], crs: null },
        },
      }),
      'f.parquet',
    );
    expect(meta.primaryColumn).toBe('geom');
    expect(meta.columns.get('geom')).toMatchObject({ encoding: 'WKB', coveringColumn: 'bb', crs: undefined });
    expect(meta.columns.get('pts')).toMatchObject({ encoding: 'point', crs: null });
    expect(crsText(meta.columns.get('geom')!)).toBe('OGC:CRS84');
    expect(crsText(meta.columns.get('pts')!)).toBeNull();
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['no primary column', '{"columns":{}}', /primary_column is missing/],
    ['primary not described', '{"primary_column":"g","columns":{}}', /'g' is not in columns/],
    ['unknown encoding', '{"primary_column":"g","columns":{"g":{"encoding":"WKT"}}}', /'WKT' is not WKB/],
  ])('rejects %s, naming the file', (_name, json, message) => {
    expect(() => parseGeoMetadata(json, 'bad.parquet')).toThrow(message);
    expect(() => parseGeoMetadata(json, 'bad.parquet')).toThrow(/bad\.parquet/);
  });
});
