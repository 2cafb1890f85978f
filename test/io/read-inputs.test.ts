import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RecordBatch, Schema } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { conformBatch } from '../../src/arrow/conform.js';
import { ingest } from '../../src/config/ingest.js';
import { GeopartError } from '../../src/errors.js';
import {
  type InputSet,
  type InputShare,
  openInputs,
  type ReadOptions,
  unionSchema,
} from '../../src/io/read-inputs.js';
import { dataPath } from '../helpers/data.js';
import { batchFeatures, featureDiffs, ogrFeatures } from '../helpers/ogr.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-read-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function readAll(
  options: ReadOptions & { share?: InputShare },
): Promise<{ set: InputSet; batches: RecordBatch[] }> {
  const { share, ...read } = options;
  const set = await openInputs({ dropOutOfBounds: false, ...read }, share);
  const batches: RecordBatch[] = [];
  for await (const { batch } of set.batches()) batches.push(batch);
  return { set, batches };
}

async function failure(options: ReadOptions): Promise<GeopartError> {
  const err = await readAll(options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GeopartError);
  return err as GeopartError;
}

// Every readable file of the test data, read through the whole input pipeline and compared
// row by row with `ogr2ogr -f GeoJSONSeq` on the same file: count, attributes, coordinates.
const OGR_CASES: [string, string | null, readonly string[]][] = [
  ['flatgeobuf/countries.fgb', null, []],
  ['flatgeobuf/countries.shp', null, []],
  ['flatgeobuf/countries_nocrs.fgb', null, []],
  ['flatgeobuf/tiger_roads.geojson', null, []],
  ['flatgeobuf/alldatatypes.fgb', null, []],
  ['flatgeobuf/heterogeneous.fgb', null, []],
  ['flatgeobuf/mp_overlapping.fgb', null, []],
  ['flatgeobuf/poly00.fgb', null, ['-t_srs', 'EPSG:4326']],
  ['flatgeobuf/unknown_feature_count.fgb', null, []],
  ['flatgeobuf/empty.fgb', null, []],
  ['geoarrow/natural-earth_cities.fgb', null, []],
  ['geoarrow/quadrangles_100k.fgb', null, []],
  ['geoarrow/example-crs_vermont-4326.fgb', null, []],
  ['geoarrow/example-crs_vermont-utm.fgb', null, ['-t_srs', 'EPSG:4326']],
  ['geoarrow/example-crs_vermont-custom.fgb', null, ['-t_srs', 'EPSG:4326']],
  ['osm/liechtenstein-2013-08-03.osm.pbf', 'points', ['points']],
  ['osm/liechtenstein-2013-08-03.osm.pbf', 'lines', ['lines']],
  ['osm/liechtenstein-2013-08-03.osm.pbf', 'multilinestrings', ['multilinestrings']],
  ['osm/liechtenstein-2013-08-03.osm.pbf', 'multipolygons', ['multipolygons']],
  ['osm/liechtenstein-2013-08-03.osm.pbf', 'other_relations', ['other_relations']],
];

describe('reading inputs, checked against ogr2ogr', () => {
  it.each(OGR_CASES)('%s %s reads as ogr2ogr -f GeoJSONSeq does', async (rel, layer, args) => {
    const { batches, set } = await readAll({ input: dataPath(rel), layer, batchSize: 500 });
    const want = ogrFeatures(dataPath(rel), args);
    const got = batchFeatures(batches, 'geometry');
    expect(got.length).toBe(want.length);
    expect(set.stats.rowsRead).toBe(want.length);
    // 1e-9 degrees: reprojection by the addon and by ogr2ogr go through the same PROJ.
    expect(featureDiffs(got, want, 1e-9)).toEqual([]);
  });

  it.each([
    ['geoarrow/natural-earth_cities_geo.parquet', 'geoarrow/natural-earth_cities.fgb', []],
    ['geoarrow/quadrangles_100k_geo.parquet', 'geoarrow/quadrangles_100k.fgb', []],
    [
      'geoarrow/example-crs_vermont-utm_geo.parquet',
      'geoarrow/example-crs_vermont-utm.fgb',
      ['-t_srs', 'EPSG:4326'],
    ],
  ])('%s (Parquet) holds what ogr2ogr reads from %s', async (parquet, fgb, args) => {
    const { batches } = await readAll({ input: dataPath(parquet) });
    const want = ogrFeatures(dataPath(fgb), args);
    const got = batchFeatures(batches, 'geometry');
    expect(got.length).toBe(want.length);
    const geometryOnly = (fs: typeof want) => fs.map((f) => ({ properties: {}, geometry: f.geometry }));
    expect(featureDiffs(geometryOnly(got), geometryOnly(want), 1e-9)).toEqual([]);
  });

  it('reprojects the Vermont polygon from UTM and from a custom CRS to within 1e-9 degrees of ogr2ogr', async () => {
    for (const rel of ['geoarrow/example-crs_vermont-utm.fgb', 'geoarrow/example-crs_vermont-custom.fgb']) {
      const { batches } = await readAll({ input: dataPath(rel) });
      const want = ogrFeatures(dataPath(rel), ['-t_srs', 'EPSG:4326']);
      expect(featureDiffs(batchFeatures(batches, 'geometry'), want, 1e-9)).toEqual([]);
      // lon/lat order: Vermont is near (-72.7, 44).
      const g = batchFeatures(batches, 'geometry')[0]!.geometry!;
      const first = (
        g.type === 'Polygon' ? (g.coordinates as number[][][]) : (g.coordinates as number[][][][])[0]!
      )[0]![0]!;
      expect(first[0]).toBeLessThan(-71);
      expect(first[1]).toBeGreaterThan(42);
    }
  });

  it('reads every geoparquet/*.parquet file, WKB and native encodings alike', async () => {
    const names = ['point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon'];
    for (const name of names) {
      const wkb = await readAll({ input: dataPath(`geoparquet/data-${name}-encoding_wkb.parquet`) });
      const native = await readAll({ input: dataPath(`geoparquet/data-${name}-encoding_native.parquet`) });
      expect(wkb.set.stats.rowsRead).toBeGreaterThan(0);
      expect(batchFeatures(native.batches, 'geometry')).toEqual(batchFeatures(wkb.batches, 'geometry'));
    }
    const example = await readAll({ input: dataPath('geoparquet/example.parquet') });
    expect(example.set.stats.rowsRead).toBe(5);
  });
});

describe('input options, applied as batches stream', () => {
  it('passes open options and builds points from lonlat_cols for CSV', async () => {
    const csv = join(tmp, 'places.csv');
    writeFileSync(csv, 'name;lon;lat\na;9.5;47.1\nb;9.6;47.2\nc;200;10\n');
    const { batches, set } = await readAll({
      input: csv,
      openOptions: { SEPARATOR: 'SEMICOLON' },
      lonlatCols: ['lon', 'lat'],
      dropOutOfBounds: true,
    });
    const got = batchFeatures(batches, 'geometry');
    expect(got.map((f) => f.geometry?.coordinates)).toEqual([
      [9.5, 47.1],
      [9.6, 47.2],
    ]);
    expect(got.map((f) => f.properties.name)).toEqual(['a', 'b']);
    expect(set.stats.rowsDroppedOutOfBounds).toBe(1);
  });

  it('keeps load_columns and drops remove_cols', async () => {
    const input = dataPath('flatgeobuf/countries.fgb');
    const kept = await readAll({ input, loadColumns: ['name'] });
    expect(kept.set.schema.fields.map((f) => f.name)).toEqual(['name', 'geometry']);
    expect(kept.batches[0]!.schema.fields.map((f) => f.name)).toEqual(['name', 'geometry']);
    const removed = await readAll({ input, removeCols: ['name'] });
    expect(removed.set.schema.fields.map((f) => f.name)).toEqual(['id', 'geometry']);
  });

  it('explodes multi-part geometries into one row per part, attributes repeated', async () => {
    const input = dataPath('flatgeobuf/countries.fgb');
    const { batches, set } = await readAll({ input, explodeGeometries: true });
    const want = ogrFeatures(input, ['-explodecollections']);
    const got = batchFeatures(batches, 'geometry');
    expect(got.length).toBe(want.length);
    expect(set.stats.rowsAddedByExplode).toBe(want.length - 179);
    expect(featureDiffs(got, want, 0)).toEqual([]);
  });

  it('drops rows outside lon/lat bounds and counts them', async () => {
    const input = join(tmp, 'oob.geojson');
    writeFileSync(
      input,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { k: 1 }, geometry: { type: 'Point', coordinates: [10, 10] } },
          { type: 'Feature', properties: { k: 2 }, geometry: { type: 'Point', coordinates: [190, 10] } },
          {
            type: 'Feature',
            properties: { k: 3 },
            geometry: {
              type: 'LineString',
              coordinates: [
                [0, 89],
                [0, 91],
              ],
            },
          },
        ],
      }),
    );
    const dropped = await readAll({ input, dropOutOfBounds: true });
    expect(batchFeatures(dropped.batches, 'geometry').map((f) => f.properties.k)).toEqual([1]);
    expect(dropped.set.stats.rowsDroppedOutOfBounds).toBe(2);
    const kept = await readAll({ input, dropOutOfBounds: false });
    expect(kept.set.stats.rowsDroppedOutOfBounds).toBe(0);
    expect(batchFeatures(kept.batches, 'geometry')).toHaveLength(3);
  });

  it('reads a directory filtered by file_suffix, unioning different columns by name with nulls', async () => {
    const dir = join(tmp, 'mixed');
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('ogr2ogr', [
      '-f',
      'FlatGeobuf',
      join(dir, 'a.fgb'),
      dataPath('geoarrow/natural-earth_cities.fgb'),
    ]);
    execFileSync('ogr2ogr', [
      '-f',
      'FlatGeobuf',
      join(dir, 'b.fgb'),
      dataPath('flatgeobuf/countries.fgb'),
      '-sql',
      "SELECT name, id AS iso FROM countries WHERE name LIKE 'B%'",
    ]);
    writeFileSync(join(dir, 'notes.txt'), 'not data');
    const { batches, set } = await readAll({ input: dir, fileSuffix: '.fgb' });
    expect(set.files.map((f) => f.slice(dir.length + 1))).toEqual(['a.fgb', 'b.fgb']);
    expect(set.schema.fields.map((f) => f.name)).toEqual(['name', 'iso', 'geometry']);
    const got = batchFeatures(batches, 'geometry');
    expect(got.length).toBe(243 + ogrFeatures(join(dir, 'b.fgb')).length);
    expect(got[0]!.properties.iso).toBeNull();
    expect(got.at(-1)!.properties.iso).not.toBeNull();
  });

  it('refuses a column with two types in two files, naming both files and the column', async () => {
    const dir = join(tmp, 'clash');
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'a.geojson'), featureCollection({ v: 1 }));
    writeFileSync(join(dir, 'b.geojson'), featureCollection({ v: 'one' }));
    const err = await failure({ input: dir });
    expect(err.message).toMatch(/column v is .* in .*a\.geojson but .* in .*b\.geojson/);
  });

  it('reads through /vsizip/ and /vsigzip/', async () => {
    const zip = join(tmp, 'countries.zip');
    for (const ext of ['shp', 'shx', 'dbf', 'prj'])
      copyFileSync(dataPath(`flatgeobuf/countries.${ext}`), join(tmp, `countries.${ext}`));
    // python3's zipfile stores the parts flat, as `zip -j` would; python3 is on every build machine.
    execFileSync('python3', [
      '-m',
      'zipfile',
      '-c',
      zip,
      ...['shp', 'shx', 'dbf', 'prj'].map((e) => join(tmp, `countries.${e}`)),
    ]);
    const zipped = await readAll({ input: `/vsizip/${zip}/countries.shp` });
    expect(batchFeatures(zipped.batches, 'geometry')).toHaveLength(179);
    const gz = join(tmp, 'roads.geojson.gz');
    execFileSync('sh', ['-c', `gzip -c ${dataPath('flatgeobuf/tiger_roads.geojson')} > ${gz}`]);
    const gunzipped = await readAll({ input: `/vsigzip/${gz}` });
    expect(batchFeatures(gunzipped.batches, 'geometry')).toHaveLength(8333);
  });
});

describe('shares of the inputs (a run spread over machines)', () => {
  /** Eight GeoJSON files, each with a column of its own besides one they share. */
  function eightFiles(): string {
    const dir = join(tmp, 'eight');
    execFileSync('mkdir', ['-p', dir]);
    for (let i = 0; i < 8; i++)
      writeFileSync(join(dir, `${i}.geojson`), featureCollection({ [`c${i % 3}`]: i, common: `f${i}` }));
    return dir;
  }

  /** Each share's batches conformed to the union of the shares' schemas, as the plan makes it. */
  async function byShares(input: string, count: number) {
    const shares = [];
    for (let index = 0; index < count; index++)
      shares.push(await readAll({ input, share: { index, count } }));
    const schema = unionSchema(
      shares.flatMap(({ set }) =>
        set.schema.fields.map((field, i) => ({ path: set.columnFiles[i]!, schema: new Schema([field]) })),
      ),
    );
    const conformed = shares.flatMap(({ batches }) => batches.map((b) => conformBatch(b, schema)));
    return {
      shares,
      schema,
      /** Each conformed batch's fields: name, nullability and type. */
      fields: conformed.map((b) => b.schema.fields.map((f) => `${f.name} ${f.nullable} ${f.type}`)),
      rows: shares.flatMap(({ batches }) =>
        batchFeatures(
          batches.map((b) => conformBatch(b, schema)),
          'geometry',
        ),
      ),
    };
  }

  it('with 4 files or more per machine, each opens its own files only; the union of theirs is the whole schema', async () => {
    const dir = eightFiles();
    const whole = await readAll({ input: dir });
    expect(whole.set.opened).toBe(8);
    const { shares, schema, rows, fields } = await byShares(dir, 2);
    expect(shares.map(({ set }) => [set.opened, set.pieces])).toEqual([
      [4, [0, 4]],
      [4, [4, 8]],
    ]);
    expect(schema.fields.map((f) => f.name)).toEqual(whole.set.schema.fields.map((f) => f.name));
    expect(rows).toEqual(batchFeatures(whole.batches, 'geometry'));
    expect(fields).toEqual(
      whole.batches.map((b) => b.schema.fields.map((f) => `${f.name} ${f.nullable} ${f.type}`)),
    );
  });

  it('with fewer, a Parquet file is shared by row groups and every Parquet footer is read; other files only by their share', async () => {
    const dir = eightFiles();
    const { shares, rows } = await byShares(dir, 3);
    // 8 files, one piece each, over 3 machines: 2, 3 and 3 files, each opened by its own machine.
    expect(shares.map(({ set }) => set.opened)).toEqual([2, 3, 3]);
    expect(rows).toEqual(batchFeatures((await readAll({ input: dir })).batches, 'geometry'));
    // One Parquet file of several row groups (a data file of a table geopart wrote, a row group
    // per chunk): every machine reads its footer and streams its share of the groups.
    const table = join(tmp, 'cities-table');
    await ingest(dataPath('geoarrow/natural-earth_cities.fgb'), table, {
      partitioningMaximumPerFile: 5000,
      partitioningMaximumPerChunk: 50,
    }).runLocal({ threads: 1 });
    const parquet = join(table, '0.parquet');
    const one = await readAll({ input: parquet, batchSize: 10 });
    const split = await byShares(parquet, 3);
    expect(split.shares.map(({ set }) => set.opened)).toEqual([1, 1, 1]);
    expect(split.shares.every(({ set }) => set.pieces[1] > set.pieces[0])).toBe(true);
    expect(split.rows).toEqual(batchFeatures(one.batches, 'geometry'));
  });

  it('a column with two types in two shares fails the union, naming both files', async () => {
    const dir = join(tmp, 'clash-shares');
    execFileSync('mkdir', ['-p', dir]);
    for (let i = 0; i < 8; i++)
      writeFileSync(join(dir, `${i}.geojson`), featureCollection({ v: i < 4 ? i : `s${i}` }));
    const err = await byShares(dir, 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeopartError);
    expect((err as Error).message).toMatch(/column v is .* in .*0\.geojson but .* in .*4\.geojson/);
  });
});

function featureCollection(properties: Record<string, unknown>): string {
  return JSON.stringify({
    type: 'FeatureCollection',
    features: [{ type: 'Feature', properties, geometry: { type: 'Point', coordinates: [1, 2] } }],
  });
}

describe('input errors', () => {
  it('names a missing file', async () => {
    const err = await failure({ input: join(tmp, 'nope.fgb') });
    expect(err.code).toBe('INPUT_NOT_FOUND');
    expect(err.message).toContain('nope.fgb');
  });

  it('names a file of unknown format', async () => {
    const junk = join(tmp, 'junk.dat');
    writeFileSync(junk, 'this is not geodata\n\u0000\u0001');
    const err = await failure({ input: junk });
    expect(err.code).toBe('UNKNOWN_FORMAT');
    expect(err.message).toContain('junk.dat');
  });

  it("gives GDAL's reason and the path for a corrupt file", async () => {
    const path = dataPath('flatgeobuf/fuzz-crash.fgb');
    const err = await failure({ input: path });
    expect(err.message).toContain(path);
    expect(err.message).toContain('Header failed consistency verification');
  });

  it('names a layer that is not there and lists those that are', async () => {
    const err = await failure({ input: dataPath('osm/liechtenstein-2013-08-03.osm.pbf'), layer: 'roads' });
    expect(err.code).toBe('LAYER_NOT_FOUND');
    expect(err.message).toMatch(/roads/);
    expect(err.message).toMatch(/points.*lines.*multilinestrings.*multipolygons.*other_relations/);
  });

  it('refuses a layer without geometry, saying to give lonlat_cols', async () => {
    const err = await failure({ input: dataPath('flatgeobuf/countries_nogeo.fgb') });
    expect(err.code).toBe('NO_GEOMETRY');
    expect(err.message).toContain('countries_nogeo.fgb');
    expect(err.message).toContain('lonlat_cols');
  });

  it('reads an empty layer as zero rows without error', async () => {
    const { batches, set } = await readAll({ input: dataPath('flatgeobuf/empty.fgb') });
    expect(batches).toHaveLength(0);
    expect(set.stats.rowsRead).toBe(0);
  });

  it('reads mixed geometry types in one layer, each row keeping its own type', async () => {
    const { batches } = await readAll({ input: dataPath('flatgeobuf/heterogeneous.fgb') });
    const types = new Set(batchFeatures(batches, 'geometry').map((f) => f.geometry?.type));
    expect(types.size).toBeGreaterThan(1);
  });

  it('keeps Z and drops M coordinates', async () => {
    const input = join(tmp, 'zm.csv');
    writeFileSync(input, 'WKT,k\n"POINT ZM (1 2 3 4)",a\n"LINESTRING M (0 0 5,1 1 6)",b\n');
    const { batches } = await readAll({ input });
    const got = batchFeatures(batches, 'geometry');
    expect(got[0]!.geometry!.coordinates).toEqual([1, 2, 3]);
    expect(got[1]!.geometry!.coordinates).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });
});
