/**
 * One clean input per format the fixtures cover, and how to damage and run each: the files to
 * copy beside the damaged one (a Shapefile's .shx, .dbf and .prj) and the command options.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { query } from '../helpers/duckdb.js';

/** A clean input of one format. */
export interface FormatCase {
  readonly name: string;
  /** The file given to geopart. */
  readonly input: string;
  /** Files damaged in turn, one per variant: the input, or a Shapefile's members. */
  readonly damaged: readonly string[];
  /** Files copied unchanged beside a damaged one. */
  readonly companions: readonly string[];
  /** Options of `ingest` for this format, after INPUT. */
  readonly ingestArgs: readonly string[];
  /** Options of `info` for this format, after INPUT. */
  readonly infoArgs: readonly string[];
}

/**
 * Makes the clean inputs in `dir`: fixtures as they are, and GeoPackage, GeoJSON and CSV
 * converted from a fixture with ogr2ogr, and a plain Parquet with lon/lat columns (several
 * row groups) written by DuckDB.
 */
export async function cleanInputs(dir: string): Promise<FormatCase[]> {
  const countries = dataPath('flatgeobuf/countries.fgb');
  const gpkg = join(dir, 'countries.gpkg');
  run('ogr2ogr', ['-f', 'GPKG', gpkg, countries]);
  const geojson = join(dir, 'countries.geojson');
  run('ogr2ogr', ['-f', 'GeoJSON', geojson, countries]);
  const csv = join(dir, 'cities.csv');
  run('ogr2ogr', [
    '-f',
    'CSV',
    '-lco',
    'GEOMETRY=AS_WKT',
    csv,
    dataPath('geoarrow/natural-earth_cities.fgb'),
  ]);
  const parquet = join(dir, 'points.parquet');
  await query(
    `COPY (SELECT i AS id, ((i * 7919) % 36000) / 100.0 - 180 AS lon, ((i * 104729) % 17000) / 100.0 - 85 AS lat,
       'p' || i AS name FROM range(3000) t(i)) TO '${parquet}' (FORMAT PARQUET, ROW_GROUP_SIZE 500)`,
  );
  const shp = join(dir, 'countries.shp');
  for (const ext of ['shp', 'shx', 'dbf', 'prj'])
    copyFileSync(dataPath(`flatgeobuf/countries.${ext}`), join(dir, `countries.${ext}`));
  const single = (
    name: string,
    input: string,
    ingestArgs: string[] = [],
    infoArgs: string[] = [],
  ): FormatCase => ({
    name,
    input,
    damaged: [input],
    companions: [],
    ingestArgs,
    infoArgs,
  });
  return [
    single('FlatGeobuf', countries),
    single('GeoPackage', gpkg),
    {
      name: 'Shapefile',
      input: shp,
      // The .shp most often; the index and the attribute table too.
      damaged: [shp, shp, join(dir, 'countries.dbf'), shp, join(dir, 'countries.shx')],
      companions: ['shp', 'shx', 'dbf', 'prj'].map((e) => join(dir, `countries.${e}`)),
      ingestArgs: [],
      infoArgs: [],
    },
    single('GeoJSON', geojson),
    single('CSV', csv),
    single(
      'OSM PBF',
      dataPath('osm/liechtenstein-2013-08-03.osm.pbf'),
      ['--layer', 'points'],
      ['--layer', 'points'],
    ),
    single('Parquet', parquet, ['--lonlat', 'lon,lat']),
    single('GeoParquet', dataPath('geoarrow/natural-earth_countries_geo.parquet')),
  ];
}

/** The bytes of a clean file. */
export function bytesOf(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
