/**
 * `geopart info` for Parquet and GeoParquet inputs, which GDAL builds without a Parquet
 * driver cannot open. The file is opened as `ingest` opens it (parquet-source.ts: the same
 * checks and the same decoder worker, so a damaged file fails with the same coded errors),
 * and only its footer is read: the description is what the footer and the `geo` metadata
 * declare, never a scan of the rows.
 */
import { basename, extname } from 'node:path';
import { type DataType, type Field, Type, tableFromIPC } from 'apache-arrow';
import { parquetMetadataAsync } from 'hyparquet';
import { GeopartError } from '../errors.js';
import {
  crsWktOf,
  type DatasetInfo,
  type DescribeOptions,
  type FieldInfo,
  type LayerInfo,
} from '../io/gdal.js';
import { crsText, type GeoColumnMeta, type GeoParquetMeta, parseGeoMetadata } from '../io/geoparquet-meta.js';
import { logicalTypeGeo, openParquetFooter } from '../io/parquet-source.js';
import { rangeBuffer } from '../io/range-blob.js';
import { openRangeReader } from '../io/range-reader.js';
import { chunksFromRowGroups, geoLayout } from '../read/plain-chunks.js';

/** The `driver` {@link describeParquet} reports, plain Parquet and GeoParquet alike (as GDAL's driver). */
export const PARQUET_DRIVER = 'Parquet';

/**
 * Describes a Parquet or GeoParquet file (local, `s3://` or `http(s)://`) in the shape of
 * {@link DatasetInfo}: one layer named after the file's stem, as GDAL's Parquet driver names it.
 *
 * - Geometry: the `geo` metadata's primary column; its type from `geometry_types` (one type,
 *   or a type and its Multi form, gives that type; anything else `Unknown (any)`). A file
 *   without `geo` metadata has geometry `None`.
 * - Feature count: the footer's row count.
 * - CRS: the column's PROJJSON `id` as `AUTHORITY:CODE` (else its name); an absent `crs` is
 *   `OGC:CRS84`, as GeoParquet says; `crs: null` (unknown) is null.
 * - Extent: the `bbox` of the `geo` metadata, else the union of the row-group statistics of the
 *   bbox covering column when every row group has them, else null.
 * - Fields: every other column, with its Arrow type named as OGR names field types
 *   ({@link ogrFieldType}); the covering column is left out, as GDAL does.
 *
 * GDAL open options do not apply (the file is not read through GDAL): passing any is an
 * `INVALID_ARGUMENT` error. Errors name the file: `INPUT_NOT_FOUND`, `UNKNOWN_FORMAT`,
 * `CORRUPT_INPUT` (truncated file, undecodable footer, bad `geo` metadata), `LAYER_NOT_FOUND`.
 */
export async function describeParquet(path: string, options: DescribeOptions = {}): Promise<DatasetInfo> {
  const openOptions = Object.keys(options.openOptions ?? {});
  if (openOptions.length > 0) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `${path}: open options (${openOptions.join(', ')}) are GDAL's, and a Parquet file is read by geopart's own reader; leave them out`,
      { file: path, option: openOptions[0]! },
    );
  }
  const { reader, footer } = await openParquetFooter(path);
  reader.close();
  const name = layerName(path);
  const layer = options.layer;
  if (layer !== undefined && layer !== null && layer !== 0 && layer !== name) {
    throw new GeopartError(
      'LAYER_NOT_FOUND',
      `${path}: no layer ${JSON.stringify(layer)}; its layers are: ${name}`,
      { file: path, layer: String(layer) },
    );
  }
  const schema = tableFromIPC(footer.schema).schema;
  // A file without `geo` metadata may still declare its geometry by the GEOMETRY logical type.
  const geoJson = footer.geo ?? (await logicalTypeGeo(path));
  const geo = geoJson === null ? null : parseGeoMetadata(geoJson, path);
  const primary = geo === null ? null : geo.columns.get(geo.primaryColumn)!;
  if (primary !== null && !schema.fields.some((f) => f.name === primary.name)) {
    const available = schema.fields.map((f) => f.name).join(', ');
    throw new GeopartError(
      'CORRUPT_INPUT',
      `${path}: GeoParquet primary column '${primary.name}' is not in the file; its columns are: ${available}`,
      { file: path, column: primary.name },
    );
  }
  const hidden = new Set<string>();
  if (primary !== null) hidden.add(primary.name);
  for (const c of geo?.columns.values() ?? []) if (c.coveringColumn !== null) hidden.add(c.coveringColumn);
  const fields: FieldInfo[] = schema.fields
    .filter((f) => !hidden.has(f.name))
    // Other geometry columns are read as WKB attributes (native encodings converted).
    .map((f) => ({ name: f.name, type: geo?.columns.has(f.name) ? 'binary' : ogrFieldType(f.type) }));
  const crs = primary === null ? null : crsOf(primary);
  const crsSource = primary === null ? null : crsText(primary);
  const info: LayerInfo = {
    name,
    geometryType: primary === null ? 'None' : geometryTypeName(primary.geometryTypes),
    geometryColumn: primary?.name ?? '',
    featureCount: footer.numRows,
    crs,
    crsWkt: crsSource === null ? null : crsWktOf(crsSource),
    extent: geo === null || geoJson === null ? null : await extentOf(path, geoJson, geo),
    fields,
  };
  return { path, driver: PARQUET_DRIVER, layers: [info] };
}

/** The layer name: the file's stem (a URL's path without its query), as GDAL's Parquet driver. */
function layerName(path: string): string {
  const file = basename(path.replace(/[?#].*$/, ''));
  return basename(file, extname(file));
}

/** The column's CRS as `AUTHORITY:CODE` (its PROJJSON `id`), else its name; null when unknown. */
function crsOf(col: GeoColumnMeta): string | null {
  if (col.crs === undefined) return 'OGC:CRS84';
  if (col.crs === null) return null;
  let crs: unknown = col.crs;
  if (typeof crs === 'string') {
    if (!crs.trim().startsWith('{')) {
      const code = /^\s*([A-Za-z]+):+(\w+)\s*$/.exec(crs);
      return code
        ? `${code[1]!.toUpperCase()}:${code[2]}`
        : (/^[A-Z]+\["([^"]+)"/.exec(crs.trim())?.[1] ?? crs);
    }
    try {
      crs = JSON.parse(crs);
    } catch {
      return 'unknown';
    }
  }
  if (typeof crs !== 'object' || crs === null) return 'unknown';
  const projjson = crs as { id?: unknown; ids?: unknown; name?: unknown };
  const id = (Array.isArray(projjson.ids) ? projjson.ids[0] : projjson.id) as
    | { authority?: unknown; code?: unknown }
    | undefined;
  if (
    id &&
    typeof id.authority === 'string' &&
    (typeof id.code === 'string' || typeof id.code === 'number')
  ) {
    return `${id.authority}:${id.code}`;
  }
  return typeof projjson.name === 'string' ? projjson.name : 'unknown';
}

const OGR_GEOMETRY_NAMES: Readonly<Record<string, string>> = {
  point: 'Point',
  linestring: 'Line String',
  polygon: 'Polygon',
  multipoint: 'Multi Point',
  multilinestring: 'Multi Line String',
  multipolygon: 'Multi Polygon',
  geometrycollection: 'Geometry Collection',
};

/**
 * OGR's name for the geometry type of a column declaring `types` (GeoParquet names such as
 * `MultiPolygon Z`): one type gives its name (`3D Multi Polygon` for Z); a type together with
 * its Multi form gives the Multi form, as GDAL's Parquet driver does; anything else, and no
 * declared type, is `Unknown (any)`.
 */
export function geometryTypeName(types: readonly string[]): string {
  const parsed = new Set(
    types.map((t) => {
      const m = /^\s*(\w+?)\s*(Z)?\s*$/i.exec(t);
      return m ? `${m[1]!.toLowerCase()}${m[2] ? ' z' : ''}` : '?';
    }),
  );
  let [only, ...rest] = [...parsed];
  if (rest.length === 1 && only !== undefined) {
    const [a, b] = [only, rest[0]!].sort((x, y) => x.length - y.length);
    if (b === `multi${a}`) [only, rest] = [b, []];
  }
  if (only === undefined || rest.length > 0) return 'Unknown (any)';
  const z = only.endsWith(' z');
  const name = OGR_GEOMETRY_NAMES[z ? only.slice(0, -2) : only];
  if (name === undefined) return 'Unknown (any)';
  return z ? `3D ${name}` : name;
}

/**
 * OGR's name for the field type of an Arrow column: `integer` (8-32 bit, unsigned up to 16),
 * `integer64` (64 bit, unsigned 32 and 64), `real` (floats, decimals), `string`, `binary`,
 * `boolean`, `date`, `time`, `datetime` (timestamps); a list of one of these is that name with
 * `[]` (`integer[]`, `string[]`, ...). Types OGR has no name for are named by their Arrow kind
 * in lower case (`struct`, `map`, `list`, `duration`, `interval`).
 */
export function ogrFieldType(type: DataType): string {
  switch (type.typeId) {
    case Type.Bool:
      return 'boolean';
    case Type.Int: {
      const t = type as DataType<Type.Int> & { bitWidth: number; isSigned: boolean };
      return t.bitWidth < 32 || (t.bitWidth === 32 && t.isSigned) ? 'integer' : 'integer64';
    }
    case Type.Float:
    case Type.Decimal:
      return 'real';
    case Type.Utf8:
    case Type.LargeUtf8:
      return 'string';
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return 'binary';
    case Type.Date:
      return 'date';
    case Type.Time:
      return 'time';
    case Type.Timestamp:
      return 'datetime';
    case Type.Dictionary:
      return ogrFieldType((type as DataType<Type.Dictionary> & { dictionary: DataType }).dictionary);
    case Type.List:
    case Type.FixedSizeList: {
      const child = (type.children as Field[] | null)?.[0];
      const inner = child ? ogrFieldType(child.type) : 'list';
      return ['integer', 'integer64', 'real', 'string', 'boolean'].includes(inner) ? `${inner}[]` : 'list';
    }
    case Type.Struct:
      return 'struct';
    case Type.Map:
      return 'map';
    case Type.Duration:
      return 'duration';
    case Type.Interval:
      return 'interval';
    default:
      return String(type).toLowerCase();
  }
}

/**
 * The layer extent: the `bbox` of the primary column's `geo` metadata (2D or 3D), else the
 * union of the covering column's row-group statistics or of the geometry's geospatial
 * statistics, read from the footer only; null when none is there, or a row group has none.
 */
async function extentOf(path: string, geoJson: string, geo: GeoParquetMeta): Promise<LayerInfo['extent']> {
  const raw = (JSON.parse(geoJson) as { columns: Record<string, { bbox?: unknown }> }).columns[
    geo.primaryColumn
  ];
  const b = raw?.bbox;
  if (Array.isArray(b) && (b.length === 4 || b.length === 6) && b.every((v) => Number.isFinite(v))) {
    const n = b.length / 2;
    return [b[0], b[1], b[n], b[n + 1]] as [number, number, number, number];
  }
  const layout = geoLayout(geoJson, path);
  const reader = await openRangeReader(path);
  try {
    const metadata = await parquetMetadataAsync(rangeBuffer(reader));
    const chunks = chunksFromRowGroups(metadata, layout);
    if (chunks.length === 0) return null;
    const e = [Infinity, Infinity, -Infinity, -Infinity];
    for (let i = 0; i < chunks.length; i++) {
      const box = chunks.boxes.subarray(4 * i, 4 * i + 4);
      if (!box.every(Number.isFinite)) return null;
      e[0] = Math.min(e[0]!, box[0]!);
      e[1] = Math.min(e[1]!, box[1]!);
      e[2] = Math.max(e[2]!, box[2]!);
      e[3] = Math.max(e[3]!, box[3]!);
    }
    return e as [number, number, number, number];
  } catch {
    // The footer decoded for ingest's reader; statistics it cannot give leave the extent unknown.
    return null;
  } finally {
    await reader.close().catch(() => undefined);
  }
}
