/**
 * GeoParquet `geo` key-value metadata (versions 1.0.0 and 1.1.0): parsing, and deciding from a
 * column's CRS whether its coordinates need reprojecting to lon/lat.
 */

import type { FileMetaData } from 'hyparquet';
import { GeopartError } from '../errors.js';
import type { GeoArrowEncoding } from '../geometry/geoarrow-to-wkb.js';
import { GEOARROW_ENCODINGS } from '../geometry/geoarrow-to-wkb.js';

/** A GeoParquet column encoding: WKB, or a GeoArrow native layout (GeoParquet 1.1). */
export type GeoParquetEncoding = 'WKB' | GeoArrowEncoding;

/** One entry of `geo.columns`. */
export interface GeoColumnMeta {
  readonly name: string;
  readonly encoding: GeoParquetEncoding;
  /** As declared, e.g. `["Polygon", "MultiPolygon Z"]`; empty when any type may occur. */
  readonly geometryTypes: readonly string[];
  /**
   * The `crs` member: a PROJJSON object (or string), `null` when the file says the CRS is
   * unknown, `undefined` when the member is absent (GeoParquet then means OGC:CRS84).
   */
  readonly crs: unknown;
  /** Top-level column holding the 1.1 `covering.bbox` struct, or null. */
  readonly coveringColumn: string | null;
}

/** The parsed `geo` metadata of a file. */
export interface GeoParquetMeta {
  readonly version: string;
  readonly primaryColumn: string;
  readonly columns: ReadonlyMap<string, GeoColumnMeta>;
}

const NATIVE = new Set<string>(GEOARROW_ENCODINGS);

/**
 * Parses the `geo` metadata JSON of `file`. Encodings are matched case-insensitively (`wkb`,
 * `geoarrow.point` are accepted too). Throws `CORRUPT_INPUT` naming the file when the JSON is
 * malformed, the primary column is not described, or an encoding is unknown.
 */
export function parseGeoMetadata(json: string, file: string): GeoParquetMeta {
  const bad = (why: string): GeopartError =>
    new GeopartError('CORRUPT_INPUT', `${file}: invalid GeoParquet 'geo' metadata: ${why}`, { file });
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw bad(`not JSON (${(err as Error).message})`);
  }
  if (!isObject(raw)) throw bad('not a JSON object');
  const primary = raw.primary_column;
  if (typeof primary !== 'string') throw bad('primary_column is missing');
  if (!isObject(raw.columns)) throw bad('columns is missing');

  const columns = new Map<string, GeoColumnMeta>();
  for (const [name, c] of Object.entries(raw.columns)) {
    if (!isObject(c)) throw bad(`columns.${name} is not an object`);
    const enc = String(c.encoding ?? '')
      .toLowerCase()
      .replace(/^geoarrow\./, '');
    if (enc !== 'wkb' && !NATIVE.has(enc)) {
      throw bad(`columns.${name}.encoding '${String(c.encoding)}' is not WKB or a GeoArrow encoding`);
    }
    const types = Array.isArray(c.geometry_types) ? c.geometry_types.map(String) : [];
    columns.set(name, {
      name,
      encoding: enc === 'wkb' ? 'WKB' : (enc as GeoArrowEncoding),
      geometryTypes: types,
      crs: 'crs' in c ? c.crs : undefined,
      coveringColumn: coveringColumnOf(c.covering),
    });
  }
  if (!columns.has(primary)) throw bad(`primary_column '${primary}' is not in columns`);
  return { version: typeof raw.version === 'string' ? raw.version : '', primaryColumn: primary, columns };
}

/**
 * The CRS of a column as a string for `SourceInfo.crs`: PROJJSON text, or `'OGC:CRS84'` when
 * the member is absent (the GeoParquet default), or null when the file says it is unknown.
 */
export function crsText(col: GeoColumnMeta): string | null {
  if (col.crs === undefined) return 'OGC:CRS84';
  if (col.crs === null) return null;
  return typeof col.crs === 'string' ? col.crs : JSON.stringify(col.crs);
}

const LONLAT_CODES = new Set(['EPSG:4326', 'OGC:CRS84', 'OGC:CRS84H', 'OGC:1.3:CRS84']);

/**
 * True when coordinates in `crs` must be reprojected to reach EPSG:4326 lon/lat, so the
 * GDAL path has to read the file. `crs` is a PROJJSON object, a JSON/WKT/`AUTH:CODE` string,
 * `undefined` (absent: OGC:CRS84 by the GeoParquet spec) or `null` (unknown: taken as
 * EPSG:4326, nothing to reproject to). EPSG:4326 counts as lon/lat because GeoParquet always
 * stores x = longitude whatever the CRS's axis order. Anything not recognised as EPSG:4326 or
 * OGC:CRS84 answers true; reprojecting an equivalent CRS is harmless.
 */
export function needsReprojection(crs: unknown): boolean {
  if (crs === undefined || crs === null) return false;
  if (typeof crs === 'string') {
    const s = crs.trim();
    if (s.startsWith('{')) {
      try {
        return needsReprojection(JSON.parse(s));
      } catch {
        return true;
      }
    }
    return !isLonLatCode(s) && !isLonLatWkt(s);
  }
  if (!isObject(crs)) return true;
  const ids = Array.isArray(crs.ids) ? crs.ids : [crs.id];
  for (const id of ids) {
    if (isObject(id) && isLonLatCode(`${String(id.authority)}:${String(id.code)}`)) return false;
  }
  return true;
}

function isLonLatCode(code: string): boolean {
  const c = code
    .toUpperCase()
    .replace(/^URN:OGC:DEF:CRS:/, '')
    .replace(/::/, ':');
  return LONLAT_CODES.has(c) || c === 'CRS84';
}

/** A geographic WKT (1 or 2) whose outermost authority is EPSG:4326 or OGC:CRS84. */
function isLonLatWkt(wkt: string): boolean {
  if (!/^\s*(GEOGCS|GEOGCRS|GEODCRS|GEOGRAPHICCRS)\s*\[/i.test(wkt)) return false;
  const ids = [...wkt.matchAll(/(?:\bID|\bAUTHORITY)\[\s*"([^"]+)"\s*,\s*"?([^",\]]+)"?/gi)];
  const last = ids.at(-1);
  return last !== undefined && isLonLatCode(`${last[1]}:${last[2]}`);
}

function coveringColumnOf(covering: unknown): string | null {
  if (!isObject(covering) || !isObject(covering.bbox)) return null;
  const xmin = covering.bbox.xmin;
  return Array.isArray(xmin) && typeof xmin[0] === 'string' ? xmin[0] : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The `geo` metadata (JSON text, GeoParquet 1.1 form) that a file without one declares through
 * Parquet's GEOMETRY logical type (format 2.11), or null when no column has it. The primary
 * column is the first top-level GEOMETRY column; its `crs` (GEOMETRY's `crs`, `OGC:CRS84` when
 * absent) becomes the GeoParquet `crs`: `projjson:KEY` the PROJJSON in the file's key-value
 * metadata `KEY`, `srid:N` `EPSG:N`, inline PROJJSON that object, anything else as it is
 * (`EPSG:3857`). GEOGRAPHY columns (spherical edges) are not taken as geometry.
 */
export function geoFromLogicalTypes(metadata: FileMetaData): string | null {
  const columns: Record<string, Record<string, unknown>> = {};
  let primary: string | null = null;
  const kv = new Map((metadata.key_value_metadata ?? []).map((e) => [e.key, e.value]));
  // Top-level elements: the root's children, each followed by its own subtree.
  const schema = metadata.schema;
  for (let i = 1, depthLeft = [schema[0]?.num_children ?? 0]; i < schema.length; i++) {
    const e = schema[i]!;
    const top = depthLeft.length === 1;
    depthLeft[depthLeft.length - 1]!--;
    if (e.num_children) depthLeft.push(e.num_children);
    while (depthLeft.length > 1 && depthLeft[depthLeft.length - 1] === 0) depthLeft.pop();
    if (!top || e.logical_type?.type !== 'GEOMETRY' || e.type !== 'BYTE_ARRAY') continue;
    const column: Record<string, unknown> = { encoding: 'WKB', geometry_types: [] };
    const crs = logicalCrs(e.logical_type.crs, kv);
    if (crs !== undefined) column.crs = crs;
    columns[e.name] = column;
    primary ??= e.name;
  }
  if (primary === null) return null;
  return JSON.stringify({ version: '1.1.0', primary_column: primary, columns });
}

/** GEOMETRY's `crs` as a GeoParquet `crs` member (see {@link geoFromLogicalTypes}). */
function logicalCrs(crs: string | undefined, kv: ReadonlyMap<string, string | undefined>): unknown {
  if (crs === undefined || crs === '') return undefined;
  const projjson = /^projjson:(.+)$/i.exec(crs);
  const text = projjson ? kv.get(projjson[1]!) : crs.trim().startsWith('{') ? crs : null;
  if (text !== null && text !== undefined) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  const srid = /^srid:(\d+)$/i.exec(crs);
  return srid ? `EPSG:${srid[1]}` : crs;
}
