import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType, type RecordBatch, Type } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { type LayerReaderOptions, listLayers, openLayerReader } from '../../src/io/native.js';
import { dataPath } from '../helpers/data.js';
import {
  batchFeatures,
  decodeWkb,
  featureDiffs,
  maxCoordDiff,
  ogrFeatures,
  ogrSummary,
} from '../helpers/ogr.js';

const COUNTRIES = dataPath('flatgeobuf/countries.fgb');
const ALL_TYPES = dataPath('flatgeobuf/alldatatypes.fgb');
const OSM = dataPath('osm/liechtenstein-2013-08-03.osm.pbf');

const scratch = mkdtempSync(join(tmpdir(), 'geopart-native-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every batch of a layer, and the (closed) reader's metadata. */
function readAll(path: string, options: LayerReaderOptions = {}) {
  const reader = openLayerReader(path, options);
  try {
    return { reader, batches: [...reader] };
  } finally {
    reader.close();
  }
}

function rows(batches: readonly RecordBatch[]): number {
  return batches.reduce((n, b) => n + b.numRows, 0);
}

/** The Arrow type OGR's Arrow stream gives each field type `ogrinfo` prints. */
const ARROW_TYPE_OF_OGR: Record<string, string> = {
  String: 'Utf8',
  Integer: 'Int32',
  'Integer(Int16)': 'Int16',
  'Integer(Boolean)': 'Bool',
  Integer64: 'Int64',
  Real: 'Float64',
  'Real(Float32)': 'Float32',
  DateTime: 'Timestamp<MILLISECOND>',
  Binary: 'Binary',
};

/**
 * `utc`: DateTime columns whose every value carries a UTC offset, which the reader types
 * as UTC instants (`Timestamp<MILLISECOND, UTC>`).
 */
function expectSchemaMatchesOgrinfo(
  path: string,
  layer: string,
  reader: ReturnType<typeof openLayerReader>,
  utc: readonly string[] = [],
) {
  const { fields } = ogrSummary(path, layer);
  expect(fields.size).toBeGreaterThan(0);
  const attributes = reader.schema.fields.filter((f) => f.name !== reader.geometryColumn);
  expect(attributes.map((f) => f.name)).toEqual([...fields.keys()]);
  for (const f of attributes) {
    const ogrType = fields.get(f.name)!;
    const want = utc.includes(f.name) ? 'Timestamp<MILLISECOND, UTC>' : ARROW_TYPE_OF_OGR[ogrType];
    expect(String(f.type), `${f.name} (${ogrType})`).toBe(want);
  }
}

describe('openLayerReader on FlatGeobuf', () => {
  it('reads countries.fgb: 179 rows, the columns ogrinfo lists, WKB equal to ogr2ogr coordinates', () => {
    const { reader, batches } = readAll(COUNTRIES);
    expect(rows(batches)).toBe(179);
    expect(batches).toHaveLength(1);
    expect(reader.layerName).toBe('countries');
    expect(reader.featureCount).toBe(179);
    expect(reader.geometryType).toBe('Multi Polygon');
    expect(reader.crs).toMatch(/^GEOGCRS\["WGS 84"/);
    expect(reader.crs).toContain('ID["EPSG",4326]');
    expect(reader.reprojected).toBe(false);
    expectSchemaMatchesOgrinfo(COUNTRIES, 'countries', reader);

    const geomField = reader.schema.fields.find((f) => f.name === reader.geometryColumn)!;
    expect(geomField.typeId).toBe(Type.Binary);
    expect(geomField.metadata.get('ARROW:extension:name')).toBe('ogc.wkb');

    const expected = ogrFeatures(COUNTRIES);
    const first = decodeWkb(batches[0]!.getChild(reader.geometryColumn!)!.get(0) as Uint8Array);
    expect(first.type).toBe('MultiPolygon');
    expect(maxCoordDiff(first, expected[0]!.geometry)).toBe(0);
    expect(featureDiffs(batchFeatures(batches, reader.geometryColumn), expected)).toEqual([]);
  });

  it('reads every attribute type of alldatatypes.fgb with the values ogr2ogr gives', () => {
    const { reader, batches } = readAll(ALL_TYPES);
    // Its one DateTime value is 2020/02/29 12:34:56+00 (ogrinfo): an instant, so UTC.
    expectSchemaMatchesOgrinfo(ALL_TYPES, 'test', reader, ['datetime']);
    const got = batchFeatures(batches, reader.geometryColumn);
    // GDAL 3.6's fast FlatGeobuf stream reads int8 as uint8; the addon must avoid it here.
    expect(got[0]!.properties.byte).toBe(-1);
    expect(got[0]!.properties.ulong).toBe(18446744073709552000);
    expect(featureDiffs(got, ogrFeatures(ALL_TYPES))).toEqual([]);
  });

  it.each([
    'flatgeobuf/heterogeneous.fgb',
    'flatgeobuf/poly00.fgb',
    'flatgeobuf/unknown_feature_count.fgb',
    'flatgeobuf/mp_overlapping.fgb',
    'flatgeobuf/countries_nocrs.fgb',
    'geoarrow/natural-earth_cities.fgb',
    'geoarrow/quadrangles_100k.fgb',
  ])('reads %s as ogr2ogr does', (rel) => {
    const { reader, batches } = readAll(dataPath(rel), { batchSize: 1000 });
    // ogr2ogr's GeoJSON rounds to 15 decimals.
    expect(
      featureDiffs(batchFeatures(batches, reader.geometryColumn), ogrFeatures(dataPath(rel)), 1e-12),
    ).toEqual([]);
  });

  it('bounds batches to batchSize rows: countries in batches of 50, 50, 50, 29', () => {
    const { reader, batches } = readAll(COUNTRIES, { batchSize: 50 });
    expect(batches.map((b) => b.numRows)).toEqual([50, 50, 50, 29]);
    expect(featureDiffs(batchFeatures(batches, reader.geometryColumn), ogrFeatures(COUNTRIES))).toEqual([]);
  });

  it('cuts batches by bytes of the file: a tenth of countries.fgb a batch gives batches of 17 rows', () => {
    const size = statSync(COUNTRIES).size;
    const { reader, batches } = readAll(COUNTRIES, { batchBytes: size / 10 });
    // 179 features in size bytes: a tenth of the size is 17.9 features' worth, rounded down.
    expect(batches.map((b) => b.numRows)).toEqual([...Array(10).fill(17), 9]);
    expect(featureDiffs(batchFeatures(batches, reader.geometryColumn), ogrFeatures(COUNTRIES))).toEqual([]);
    // batchSize still bounds the rows; null turns the byte rule off.
    expect(readAll(COUNTRIES, { batchBytes: size / 10, batchSize: 5 }).batches[0]!.numRows).toBe(5);
    expect(readAll(COUNTRIES, { batchBytes: null }).batches.map((b) => b.numRows)).toEqual([179]);
    // The default (8 MiB) is far more than this small file.
    expect(readAll(COUNTRIES).batches.map((b) => b.numRows)).toEqual([179]);
    expect(() => openLayerReader(COUNTRIES, { batchBytes: 0 })).toThrow(/batchBytes/);
  });

  it('rejects a batchSize outside 1..1,000,000 naming the option', () => {
    expect(() => openLayerReader(COUNTRIES, { batchSize: 0 })).toThrow(RangeError);
    expect(() => openLayerReader(COUNTRIES, { batchSize: 2_000_000 })).toThrow(/batchSize/);
    expect(() => openLayerReader(COUNTRIES, { batchSize: 1.5 })).toThrow(/batchSize/);
  });

  it('reads only the chosen columns, geometry always included', () => {
    const { reader, batches } = readAll(COUNTRIES, { columns: ['name'] });
    expect(reader.schema.fields.map((f) => f.name)).toEqual(['name', reader.geometryColumn]);
    expect(batches[0]!.numCols).toBe(2);
    expect(batches[0]!.getChild('name')!.get(0)).toBe('Antarctica');
  });

  it('reads empty.fgb as no batch, without error', () => {
    const { reader, batches } = readAll(dataPath('flatgeobuf/empty.fgb'));
    expect(batches).toEqual([]);
    expect(reader.geometryType).toBe('Polygon');
    expect(reader.schema.fields.length).toBeGreaterThan(1);
  });

  it('reads countries_nogeo.fgb: 179 rows, every geometry null', () => {
    // FlatGeobuf always declares a geometry field (GDAL: "Unknown (any)"), so the layer has a
    // geometry column; GDAL 3.6 streams each missing geometry as a zero-length value, which
    // the addon turns into null.
    const { reader, batches } = readAll(dataPath('flatgeobuf/countries_nogeo.fgb'));
    expect(rows(batches)).toBe(179);
    expect(reader.geometryType).toBe('Unknown (any)');
    const geoms = batches[0]!.getChild(reader.geometryColumn!)!;
    expect(geoms.nullCount).toBe(179);
    expect(geoms.get(0)).toBeNull();
    expect(batches[0]!.getChild('name')!.get(0)).toBe('Antarctica');
  });

  it('close() is idempotent and next() after close says so', () => {
    const reader = openLayerReader(COUNTRIES);
    reader.close();
    reader.close();
    expect(() => reader.next()).toThrow(/closed/);
  });
});

describe('openLayerReader on other formats', () => {
  it('gives geometryColumn null for a layer without geometry (CSV)', () => {
    const csv = join(scratch, 'plain.csv');
    writeFileSync(csv, 'name,n\nx,1\ny,2\n');
    const { reader, batches } = readAll(csv);
    expect(reader.geometryColumn).toBeNull();
    expect(reader.geometryType).toBe('None');
    expect(reader.schema.fields.map((f) => f.name)).toEqual(['name', 'n']);
    expect(batches[0]!.getChild('name')!.toArray()).toEqual(['x', 'y']);
  });

  it('reads list, date, time and nullable columns (GeoJSON)', () => {
    const path = join(scratch, 'types.geojson');
    const feature = (properties: object, geometry: object | null) => ({
      type: 'Feature',
      properties,
      geometry,
    });
    const point = { type: 'Point', coordinates: [1.5, -2.25] };
    const collection = {
      type: 'FeatureCollection',
      features: [
        feature(
          { il: [1, 2, 3], rl: [1.5, 2.5], sl: ['a', 'bc'], d: '2020-01-02', t: '12:34:56', n: null },
          point,
        ),
        feature({ il: null, rl: [], sl: ['x'], d: null, t: '01:02:03', n: 5 }, null),
        feature({ il: [4], rl: [3.25], sl: null, d: '1969-07-20', t: null, n: null }, point),
        feature({ il: [], rl: null, sl: [], d: '1900-01-01', t: '23:59:59', n: -7 }, null),
      ],
    };
    writeFileSync(path, JSON.stringify(collection));
    const { reader, batches } = readAll(path, { batchSize: 2 });
    const types = Object.fromEntries(reader.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toMatchObject({
      il: 'List<Int32>',
      rl: 'List<Float64>',
      sl: 'List<Utf8>',
      d: 'Date32<DAY>',
    });
    expect(types.t).toBe('Time32<MILLISECOND>');

    const [b0, b1] = batches;
    expect(b0!.getChild('il')!.get(0)!.toArray()).toEqual(Int32Array.from([1, 2, 3]));
    expect(b0!.getChild('il')!.get(1)).toBeNull();
    expect([...b0!.getChild('sl')!.get(0)!]).toEqual(['a', 'bc']);
    expect(b0!.getChild('rl')!.get(1)!.length).toBe(0);
    expect(b0!.getChild('d')!.get(0)).toBe(Date.UTC(2020, 0, 2));
    // GDAL's generic stream puts dates before 1970 one day late; the addon corrects them.
    expect(b1!.getChild('d')!.get(0)).toBe(Date.UTC(1969, 6, 20));
    expect(b1!.getChild('d')!.get(1)).toBe(Date.UTC(1900, 0, 1));
    expect(b1!.getChild('t')!.get(1)).toBe(86_399_000);
    expect(b1!.getChild('il')!.get(1)!.length).toBe(0);
    expect(b1!.getChild('rl')!.get(1)).toBeNull();
    expect(b0!.getChild('t')!.get(1)).toBe(((1 * 60 + 2) * 60 + 3) * 1000);
    expect(b0!.getChild('n')!.get(1)).toBe(5);
    expect(b0!.getChild(reader.geometryColumn!)!.get(1)).toBeNull();
    expect(decodeWkb(b1!.getChild(reader.geometryColumn!)!.get(0) as Uint8Array)).toEqual(point);
  });

  it('reads the OSM points layer when chosen: as many rows as ogr2ogr writes', () => {
    const { reader, batches } = readAll(OSM, { layer: 'points' });
    expect(reader.layerName).toBe('points');
    expect(rows(batches)).toBe(ogrFeatures(OSM, ['points']).length);
    expect(rows(batches)).toBe(1359);
  });

  it('chooses a layer by index', () => {
    const reader = openLayerReader(OSM, { layer: 1 });
    expect(reader.layerName).toBe('lines');
    reader.close();
  });
});

describe('listLayers', () => {
  it('lists the layers of a multi-layer file', () => {
    const layers = listLayers(OSM);
    expect(layers.map((l) => l.name)).toEqual([
      'points',
      'lines',
      'multilinestrings',
      'multipolygons',
      'other_relations',
    ]);
    expect(layers.map((l) => l.geometryType)).toEqual([
      'Point',
      'Line String',
      'Multi Line String',
      'Multi Polygon',
      'Geometry Collection',
    ]);
  });

  it('gives the feature count when the driver knows it cheaply', () => {
    expect(listLayers(COUNTRIES)).toEqual([
      { name: 'countries', geometryType: 'Multi Polygon', featureCount: 179 },
    ]);
    expect(listLayers(OSM)[0]!.featureCount).toBeNull();
  });

  it('is typed: DataType guards work on the schema it builds', () => {
    const reader = openLayerReader(ALL_TYPES);
    expect(DataType.isTimestamp(reader.schema.fields.find((f) => f.name === 'datetime')!.type)).toBe(true);
    reader.close();
  });
});
