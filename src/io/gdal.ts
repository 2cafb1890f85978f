/**
 * GDAL's object API on the main thread (gdal-async): dataset description for `geopart info`
 * (of what GDAL opens; Parquet is described by parquet-info.ts),
 * driver lookups and CRS handling. The bulk read goes through the native addon instead
 * (see native.ts); gdal-async objects must never cross into worker threads.
 */
import { access } from 'node:fs/promises';
import gdal from 'gdal-async';
import { GeopartError } from '../errors.js';
import { gdalPath } from './gdal-s3.js';
import { probeOpen } from './native.js';

/** One attribute field of a layer. */
export interface FieldInfo {
  readonly name: string;
  /** OGR field type name, e.g. `integer`, `real`, `string`, `date`. */
  readonly type: string;
}

/** One layer of a dataset, as `ogrinfo -so` describes it. */
export interface LayerInfo {
  readonly name: string;
  /** OGR geometry type name, e.g. `Multi Polygon`; `None` for attribute-only layers. */
  readonly geometryType: string;
  /** Name of the geometry column when the format names it, else empty. */
  readonly geometryColumn: string;
  /** Exact number of features (counted by reading when the driver does not know it). */
  readonly featureCount: number;
  /** CRS as `AUTHORITY:CODE` when it has one, else its name; null when the layer has no CRS. */
  readonly crs: string | null;
  /** CRS as WKT, null when the layer has no CRS. */
  readonly crsWkt: string | null;
  /** Layer extent in layer CRS units: [minx, miny, maxx, maxy], or null when empty/unknown. */
  readonly extent: readonly [number, number, number, number] | null;
  readonly fields: readonly FieldInfo[];
}

/** What `geopart info` prints about a dataset. */
export interface DatasetInfo {
  readonly path: string;
  /** GDAL driver short name, e.g. `FlatGeobuf`, `OSM`. */
  readonly driver: string;
  readonly layers: readonly LayerInfo[];
}

/** Options for `describeDataset`. */
export interface DescribeOptions {
  /** Restrict the description to one layer, by name or 0-based index. */
  readonly layer?: string | number | null;
  /** GDAL open options (`-oo KEY=VALUE` in ogrinfo). */
  readonly openOptions?: Readonly<Record<string, string>>;
  /** Called once per GDAL warning raised while opening (an unknown open option, say). */
  readonly onWarning?: (message: string) => void;
}

interface GdalLastError {
  readonly message: string;
  readonly level: number;
}

const CE_FAILURE = 3;

function lastFailure(): GdalLastError | null {
  const err = gdal.lastError as GdalLastError | null;
  return err && err.level >= CE_FAILURE ? err : null;
}

async function ensureExists(path: string): Promise<void> {
  if (path.startsWith('/vsi') || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return;
  try {
    await access(path);
  } catch {
    throw new GeopartError('INPUT_NOT_FOUND', `${path}: no such file; check the path`, { file: path });
  }
}

/**
 * Opens a vector dataset read-only. GDAL open options need an explicit driver, so the file
 * is first identified by a plain open and then reopened through that driver with the options.
 * Messages name the input as `name` (what the user gave, e.g. an `s3://` URL for `/vsis3/`).
 */
export async function openVector(
  path: string,
  openOptions: Readonly<Record<string, string>> = {},
  name: string = path,
): Promise<gdal.Dataset> {
  await ensureExists(path);
  const fail = (message: string, cause?: unknown): never => {
    if (/does not exist in the file system/.test(message)) {
      throw new GeopartError(
        'INPUT_NOT_FOUND',
        `${name}: no such file; check the path`,
        { file: name },
        { cause },
      );
    }
    const code = /not recognized as a supported file format/.test(message)
      ? 'UNKNOWN_FORMAT'
      : 'CORRUPT_INPUT';
    const hint =
      code === 'UNKNOWN_FORMAT' ? 'check that it is a vector format GDAL reads' : 'the file may be damaged';
    throw new GeopartError(code, `${name}: ${message} (${hint})`, { file: name }, { cause });
  };
  let ds: gdal.Dataset;
  try {
    ds = openAsVector(path);
    const options = Object.entries(openOptions).map(([k, v]) => `${k}=${v}`);
    if (options.length > 0) {
      const driver = ds.driver;
      ds.close();
      ds = driver.open(path, 'r', options);
    }
  } catch (err) {
    return fail((err as Error).message.replace(/^`?[^`']*'? ?/, '').trim() || String(err), err);
  }
  // Some drivers report a broken header as an error but still return a dataset.
  const failure = lastFailure();
  if (failure) {
    ds.close();
    fail(failure.message);
  }
  if (ds.layers.count() === 0 && ds.bands.count() > 0) {
    ds.close();
    fail('is a raster dataset, not a vector one');
  }
  return ds;
}

/**
 * Opens with GDAL's own driver pick, which reports the reasons a file is refused; only when
 * that pick is a raster driver (a numeric CSV looks like an XYZ grid) is the open retried
 * with the vector drivers alone.
 */
function openAsVector(path: string): gdal.Dataset {
  let first: gdal.Dataset;
  try {
    first = gdal.open(path, 'r');
  } catch (err) {
    try {
      return gdal.open(path, 'r', vectorDrivers());
    } catch {
      throw err;
    }
  }
  if (first.driver.getMetadata().DCAP_VECTOR === 'YES') return first;
  first.close();
  return gdal.open(path, 'r', vectorDrivers());
}

let vectorDriverNames: string[] | undefined;

/** Names of the drivers that read vectors, so a numeric CSV is not taken for an XYZ raster. */
function vectorDrivers(): string[] {
  if (!vectorDriverNames) {
    const names: string[] = [];
    gdal.drivers.forEach((d) => {
      if (d.getMetadata().DCAP_VECTOR === 'YES') names.push(d.description);
    });
    vectorDriverNames = names;
  }
  return vectorDriverNames;
}

function pickLayers(ds: gdal.Dataset, path: string, layer: string | number | null | undefined): gdal.Layer[] {
  const all: gdal.Layer[] = [];
  ds.layers.forEach((l) => {
    all.push(l);
  });
  if (layer === undefined || layer === null) return all;
  const found = typeof layer === 'number' ? all[layer] : all.find((l) => l.name === layer);
  if (!found) {
    const names = all.map((l) => l.name).join(', ') || '(none)';
    throw new GeopartError(
      'LAYER_NOT_FOUND',
      `${path}: no layer ${JSON.stringify(layer)}; its layers are: ${names}`,
      {
        file: path,
        layer: String(layer),
      },
    );
  }
  return [found];
}

function countFeatures(layer: gdal.Layer, path: string): number {
  const quick = layer.features.count(false);
  if (quick >= 0) return quick;
  let n = 0;
  try {
    for (let f = layer.features.first(); f; f = layer.features.next()) n++;
  } catch (err) {
    throw new GeopartError(
      'CORRUPT_INPUT',
      `${path}: layer ${layer.name}: reading failed after ${n} features: ${(err as Error).message}`,
      { file: path, layer: layer.name, row: n },
    );
  }
  return n;
}

function describeCrs(srs: gdal.SpatialReference | null): { crs: string | null; crsWkt: string | null } {
  if (!srs) return { crs: null, crsWkt: null };
  srs.autoIdentifyEPSG?.();
  let crs: string | null = null;
  try {
    const name = srs.getAuthorityName(null);
    const code = srs.getAuthorityCode(null);
    if (name && code) crs = `${name}:${code}`;
  } catch {
    // No authority: fall back to the CRS name below.
  }
  const wkt = srs.toWKT();
  crs ??= /^[A-Z]+\["([^"]+)"/.exec(wkt)?.[1] ?? 'unknown';
  return { crs, crsWkt: wkt };
}

/** The layer's CRS; a CRS GDAL cannot read (a damaged header) is CORRUPT_INPUT naming the file. */
function layerCrs(layer: gdal.Layer, path: string): ReturnType<typeof describeCrs> {
  try {
    return describeCrs(layer.srs);
  } catch (err) {
    throw new GeopartError(
      'CORRUPT_INPUT',
      `${path}: layer ${layer.name}: its CRS cannot be read (${(err as Error).message}); the file may be damaged`,
      { file: path, layer: layer.name },
    );
  }
}

function describeLayer(layer: gdal.Layer, path: string): LayerInfo {
  const fields: FieldInfo[] = [];
  layer.fields.forEach((f) => {
    fields.push({ name: f.name, type: f.type });
  });
  let extent: LayerInfo['extent'] = null;
  try {
    const e = layer.getExtent(true);
    if (Number.isFinite(e.minX)) extent = [e.minX, e.minY, e.maxX, e.maxY];
  } catch {
    // Empty layers and some drivers have no extent.
  }
  return {
    name: layer.name,
    geometryType: gdal.Geometry.getName(layer.geomType) ?? 'Unknown',
    geometryColumn: layer.geomColumn ?? '',
    featureCount: countFeatures(layer, path),
    ...layerCrs(layer, path),
    extent,
    fields,
  };
}

/**
 * GDAL's warnings while opening, which gdal-async does not hand over: the native addon opens
 * the dataset once more to collect them. Errors are the first open's to report.
 */
function openWarnings(path: string, openOptions: Readonly<Record<string, string>> = {}): string[] {
  try {
    return probeOpen(path, { openOptions }).warnings;
  } catch {
    return [];
  }
}

/** WKT of a CRS given as PROJJSON, WKT or `AUTHORITY:CODE` text; null when GDAL cannot read it. */
export function crsWktOf(text: string): string | null {
  try {
    return gdal.SpatialReference.fromUserInput(text).toWKT();
  } catch {
    return null;
  }
}

/**
 * Describes a vector dataset GDAL opens: its driver and, per layer, geometry type, count, CRS,
 * extent, fields. `describeDataset` (describe.ts) picks this or the Parquet reader.
 */
export async function describeGdalDataset(path: string, options: DescribeOptions = {}): Promise<DatasetInfo> {
  // An s3:// URL is opened through GDAL's /vsis3/; messages name what the user gave.
  // First: some drivers warn once per process (GeoJSON's clamped integers).
  const warnings = options.onWarning ? openWarnings(gdalPath(path), options.openOptions) : [];
  const ds = await openVector(gdalPath(path), options.openOptions, path);
  for (const w of new Set(warnings)) options.onWarning?.(`${path}: ${w}`);
  try {
    const layers = pickLayers(ds, path, options.layer).map((l) => describeLayer(l, path));
    return { path, driver: ds.driver.description, layers };
  } finally {
    ds.close();
  }
}
