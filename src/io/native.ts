/**
 * The bulk read of GDAL vector layers: geopart's native addon streams a layer through
 * OGR's Arrow C interface (`OGR_L_GetArrowStream`) and hands each batch over as copied
 * buffers, which become apache-arrow record batches here with no per-row step in JS.
 *
 * This is the only module that loads the addon (native/build/Release/geopart_native.node).
 * It is context-aware, so readers can be opened in any worker thread.
 */
import { createRequire } from 'node:module';
import type { RecordBatch, Schema } from 'apache-arrow';
import { shiftBitmap } from '../arrow/binary.js';
import { type ErrorCode, type ErrorContext, GeopartError } from '../errors.js';
import type { WkbColumn } from '../geometry/wkb.js';
import { addonLoader } from './addon-file.js';
import { type CArray, type CSchema, recordBatchFromC, schemaFromC } from './arrow-c.js';
import { explainGdalWarning } from './open-options.js';

/** Rows per batch when `batchSize` is not given. */
export const DEFAULT_BATCH_SIZE = 65_536;
/**
 * Bytes of the input file a batch aims at when `batchBytes` is not given: a file of a few large
 * features (countries with millions of vertices) then comes in several batches, which the pool
 * works on while the rest is read, rather than in one at the end.
 */
export const DEFAULT_BATCH_BYTES = 8 * 1024 * 1024;
/** Largest allowed `batchSize` (rows); bounds the memory one batch can take. */
export const MAX_BATCH_SIZE = 1_000_000;

/** How to open a dataset; every field is optional. */
export interface OpenOptions {
  /** Driver open options (`-oo KEY=VALUE` in ogr2ogr), e.g. `{ X_POSSIBLE_NAMES: 'lon' }`. */
  readonly openOptions?: Readonly<Record<string, string>>;
  /** GDAL driver short names allowed to open the file, e.g. `['FlatGeobuf']`; default: all. */
  readonly drivers?: readonly string[];
}

/** Options of {@link openLayerReader}; every field is optional. */
export interface LayerReaderOptions extends OpenOptions {
  /** Layer name or 0-based index; default: the only layer (an error lists them when there are several). */
  readonly layer?: string | number | null;
  /** Rows per batch, 1..{@link MAX_BATCH_SIZE}; default {@link DEFAULT_BATCH_SIZE}. */
  readonly batchSize?: number;
  /**
   * Fewer rows per batch when the file's rows are large: about this many bytes of the file a
   * batch, judged from its size over the layer's feature count (when the driver knows the
   * count without reading; else only `batchSize` applies). Default {@link DEFAULT_BATCH_BYTES};
   * null: rows only.
   */
  readonly batchBytes?: number | null;
  /**
   * CRS to reproject geometries to (anything GDAL's SetFromUserInput takes, e.g. `EPSG:4326`),
   * in traditional GIS order (x = longitude). Layers without a CRS are not reprojected
   * (`crs` is null then). Default: geometries as stored.
   */
  readonly targetSrs?: string | null;
  /** Attribute columns to read, by name; default: all. The geometry column is always read. */
  readonly columns?: readonly string[] | null;
}

/** One layer of a dataset, as {@link listLayers} reports it. */
export interface LayerSummary {
  readonly name: string;
  /** OGR geometry type name, e.g. `Multi Polygon`, `Unknown (any)`; `None` without geometry. */
  readonly geometryType: string;
  /** Features (rows) when the driver knows the count cheaply, else null. */
  readonly featureCount: number | null;
}

/** One layer being streamed as Arrow record batches. */
export interface LayerReader {
  /** The path the reader was opened with. */
  readonly path: string;
  readonly layerName: string;
  /** Short name of the GDAL driver that opened the file, e.g. `GPKG`. */
  readonly driver: string;
  /** Features (rows) when the driver knows the count without reading, else null. */
  readonly featureCount: number | null;
  /** The layer's own CRS as WKT2 (before any reprojection), or null when it has none. */
  readonly crs: string | null;
  /** True when geometries are reprojected to `targetSrs` (false when already in it, or no CRS). */
  readonly reprojected: boolean;
  /** Name of the WKB geometry column in {@link schema}, or null when the layer has no geometry. */
  readonly geometryColumn: string | null;
  /** OGR geometry type name of the layer, e.g. `Point`, `Multi Polygon`, `None`. */
  readonly geometryType: string;
  /** Schema of every batch; the geometry field keeps `ARROW:extension:name = ogc.wkb`. */
  readonly schema: Schema;
  /** The next batch (at most `batchSize` rows, never empty), or null at the end of the layer. */
  next(): RecordBatch | null;
  /**
   * GDAL warnings raised since the last call (at most 100 are kept), opening included: an
   * unknown open option comes with a "did you mean", and a date-time column that mixes
   * values with and without a UTC offset is named.
   */
  takeWarnings(): string[];
  /** Releases the stream and the dataset. Safe to call twice; also done when garbage-collected. */
  close(): void;
  /** Iterates the remaining batches. */
  [Symbol.iterator](): Iterator<RecordBatch>;
}

interface NativeInfo {
  readonly layerName: string;
  readonly driver: string;
  readonly openOptionList: string;
  readonly featureCount: number | null;
  readonly crs: string | null;
  readonly geometryColumn: string | null;
  readonly geometryType: string;
  readonly reprojected: boolean;
  readonly schema: CSchema;
}

interface NativeReader {
  info(): NativeInfo;
  next(): CArray | null;
  takeWarnings(): string[];
  close(): void;
}

interface NativeOpen {
  readonly openOptions: string[];
  readonly drivers: string[];
}

interface NativeAddon {
  readonly gdalVersion: string;
  listLayers(path: string, options: NativeOpen): LayerSummary[];
  probeOpen(
    path: string,
    options: NativeOpen,
  ): { driver: string; openOptionList: string; warnings: string[] };
  LayerReader: new (
    path: string,
    options: NativeOpen & {
      layer: string | number | null;
      batchSize: number;
      batchBytes: number | null;
      targetSrs: string | null;
      columns: string[] | null;
    },
  ) => NativeReader;
  reprojectWkb(
    offsets: Int32Array,
    data: Uint8Array,
    validity: Uint8Array | null,
    sourceCrs: string,
    targetCrs: string,
  ): { offsets: Int32Array; data: Uint8Array; validity: Uint8Array | null };
  makeValidWkb(wkb: Uint8Array): { valid: true } | { valid: false; wkb: Uint8Array | null };
}

/** Error codes the addon sets on the errors it throws. */
const NATIVE_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'INPUT_NOT_FOUND',
  'UNKNOWN_FORMAT',
  'CORRUPT_INPUT',
  'LAYER_NOT_FOUND',
  'INVALID_CONFIG',
  'INTERNAL',
]);

const require = createRequire(import.meta.url);
/** The addon, loaded on first use. */
const loadAddon = addonLoader<NativeAddon>(
  new URL('../../native/build/Release/geopart_native.node', import.meta.url),
  'native addon',
  'Build it with `npm run install` (needs libgdal-dev with gdal-config, a C++17 compiler and Python).',
  // The path is spelled out (it is the URL's) so that `npm run depcheck` sees the import.
  () => require('../../native/build/Release/geopart_native.node'),
);

/** The GDAL release the addon is linked against, e.g. `3.6.2`. */
export function gdalVersion(): string {
  return loadAddon().gdalVersion;
}

/**
 * Reprojects a WKB column from `sourceCrs` to `targetCrs` (anything GDAL's SetFromUserInput
 * takes: PROJJSON, WKT, `EPSG:n`), x = longitude for geographic targets. Null rows stay null.
 * For inputs not read through OGR (GeoParquet with a projected CRS); `file` names the input
 * in errors.
 */
export function reprojectWkb(col: WkbColumn, sourceCrs: string, targetCrs: string, file: string): WkbColumn {
  let validity = col.validity;
  if (validity !== null && col.validityOffset !== 0)
    validity = shiftBitmap(validity, col.validityOffset, col.length);
  const out = callNative(
    () =>
      loadAddon().reprojectWkb(
        col.offsets.subarray(0, col.length + 1),
        col.values,
        validity,
        sourceCrs,
        targetCrs,
      ),
    { file, layer: null },
  );
  return {
    length: col.length,
    offsets: out.offsets,
    values: out.data,
    validity: out.validity,
    validityOffset: 0,
  };
}

/**
 * Checks one WKB geometry with GEOS (through OGR) and, when it is invalid, repairs it as
 * `ogr2ogr -makevalid` does (OGR_G_MakeValid: GEOS MakeValid, "linework" method). Returns null
 * when the geometry is valid (or GEOS could not repair it), else the repaired geometry
 * (little-endian ISO WKB).
 */
export function makeValidWkb(wkb: Uint8Array): Uint8Array | null {
  const r = loadAddon().makeValidWkb(wkb);
  return r.valid ? null : r.wkb;
}

/** Lists a dataset's layers without reading any rows. */
export function listLayers(path: string, options: OpenOptions = {}): LayerSummary[] {
  const open = nativeOpen(path, options);
  return callNative(() => loadAddon().listLayers(path, open), { file: path, layer: null });
}

/**
 * Opens a dataset and closes it again, returning its driver and GDAL's warnings while opening
 * (an unknown open option explained as {@link LayerReader.takeWarnings} does).
 */
export function probeOpen(path: string, options: OpenOptions = {}): { driver: string; warnings: string[] } {
  const open = nativeOpen(path, options);
  const probe = callNative(() => loadAddon().probeOpen(path, open), { file: path, layer: null });
  return {
    driver: probe.driver,
    warnings: probe.warnings.map((w) => explainGdalWarning(w, probe.openOptionList)),
  };
}

/**
 * Opens one layer for streaming. Throws a {@link GeopartError} with code INPUT_NOT_FOUND,
 * UNKNOWN_FORMAT, CORRUPT_INPUT, LAYER_NOT_FOUND (the message lists the layers) or
 * INVALID_CONFIG (a column not in the layer); TypeError/RangeError for malformed options.
 */
export function openLayerReader(path: string, options: LayerReaderOptions = {}): LayerReader {
  const open = nativeOpen(path, options);
  const layer = options.layer ?? null;
  if (layer !== null && typeof layer !== 'string' && !Number.isInteger(layer)) {
    throw new TypeError(`layer must be a name, a 0-based integer index or null, got ${String(layer)}`);
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`batchSize must be an integer from 1 to ${MAX_BATCH_SIZE} (rows), got ${batchSize}`);
  }
  const batchBytes = options.batchBytes === undefined ? DEFAULT_BATCH_BYTES : options.batchBytes;
  if (batchBytes !== null && !(Number.isFinite(batchBytes) && batchBytes > 0)) {
    throw new RangeError(`batchBytes must be a positive number of bytes or null, got ${batchBytes}`);
  }
  const targetSrs = options.targetSrs ?? null;
  if (targetSrs !== null && (typeof targetSrs !== 'string' || targetSrs === '')) {
    throw new TypeError(`targetSrs must be a non-empty string such as 'EPSG:4326', got ${String(targetSrs)}`);
  }
  const columns = options.columns ? [...options.columns] : null;
  if (columns?.some((c) => typeof c !== 'string'))
    throw new TypeError('columns must be an array of column names');

  const where = { file: path, layer: typeof layer === 'number' ? String(layer) : layer };
  const native = callNative(
    () => new (loadAddon().LayerReader)(path, { ...open, layer, batchSize, batchBytes, targetSrs, columns }),
    where,
  );
  try {
    return new NativeLayerReader(path, native);
  } catch (err) {
    native.close();
    throw err;
  }
}

class NativeLayerReader implements LayerReader {
  readonly path: string;
  readonly layerName: string;
  readonly driver: string;
  readonly featureCount: number | null;
  readonly crs: string | null;
  readonly reprojected: boolean;
  readonly geometryColumn: string | null;
  readonly geometryType: string;
  readonly schema: Schema;
  readonly #native: NativeReader;
  readonly #optionList: string;
  #closed = false;

  constructor(path: string, native: NativeReader) {
    const info = native.info();
    this.path = path;
    this.layerName = info.layerName;
    this.driver = info.driver;
    this.#optionList = info.openOptionList;
    this.featureCount = info.featureCount;
    this.crs = info.crs;
    this.reprojected = info.reprojected;
    this.geometryColumn = info.geometryColumn;
    this.geometryType = info.geometryType;
    this.#native = native;
    // Every column type is checked here, before the first row is read.
    this.schema = this.#convert(() => schemaFromC(info.schema));
  }

  next(): RecordBatch | null {
    if (this.#closed) {
      throw new Error(
        `LayerReader for layer '${this.layerName}' of ${this.path} is closed; open a new reader`,
      );
    }
    const array = callNative(() => this.#native.next(), { file: this.path, layer: this.layerName });
    return array ? this.#convert(() => recordBatchFromC(this.schema, array)) : null;
  }

  takeWarnings(): string[] {
    if (this.#closed) return [];
    return this.#native.takeWarnings().map((w) => explainGdalWarning(w, this.#optionList));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#native.close();
  }

  *[Symbol.iterator](): Iterator<RecordBatch> {
    for (let batch = this.next(); batch; batch = this.next()) yield batch;
  }

  #convert<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new GeopartError(
        'INTERNAL',
        `layer '${this.layerName}' of ${this.path}: ${(err as Error).message}`,
        { file: this.path, layer: this.layerName },
        { cause: err },
      );
    }
  }
}

function nativeOpen(path: string, options: OpenOptions): NativeOpen {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  const openOptions = Object.entries(options.openOptions ?? {}).map(([key, value]) => {
    if (typeof value !== 'string') {
      throw new TypeError(`openOptions.${key} must be a string, got ${typeof value}`);
    }
    if (key === '' || key.includes('='))
      throw new RangeError(`openOptions key '${key}' must be a bare option name`);
    return `${key}=${value}`;
  });
  const drivers = [...(options.drivers ?? [])];
  if (drivers.some((d) => typeof d !== 'string' || d === '')) {
    throw new TypeError('drivers must be an array of GDAL driver short names, e.g. ["FlatGeobuf"]');
  }
  return { openOptions, drivers };
}

/** Runs an addon call, turning its coded errors into {@link GeopartError}s. */
function callNative<T>(fn: () => T, where: { file: string; layer: string | null }): T {
  try {
    return fn();
  } catch (err) {
    const e = err as Error & { code?: unknown; file?: string; layer?: string; row?: number };
    if (e instanceof Error && typeof e.code === 'string' && NATIVE_CODES.has(e.code)) {
      const context: ErrorContext = {
        file: e.file ?? where.file,
        layer: e.layer ?? where.layer,
        ...(e.row === undefined ? {} : { row: e.row }),
      };
      throw new GeopartError(e.code as ErrorCode, e.message, context, { cause: err });
    }
    throw err;
  }
}
