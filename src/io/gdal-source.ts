/**
 * GDAL input: a {@link Source} over one OGR layer, streamed by the native addon as Arrow
 * batches and reprojected to EPSG:4326 (lon/lat) in C++. Batches leave with a little-endian
 * ISO WKB `geometry` column (Z kept, M dropped) and the selected attribute columns, renamed
 * where a reader would rename them (column-names.ts).
 */
import { Binary, type Data, Field, type RecordBatch, Schema } from 'apache-arrow';
import { makeBatch } from '../arrow/batch.js';
import { binaryDataFromWkb, wkbColumnFromData } from '../arrow/binary.js';
import { GeopartError } from '../errors.js';
import { normalizeWkb } from '../geometry/normalize.js';
import { readerNames, renameWarning } from './column-names.js';
import { type LayerReader, openLayerReader } from './native.js';
import { GEOMETRY_COLUMN, type Source, type SourceInfo } from './source.js';

/** The CRS every source yields; layers in another CRS are reprojected to it. */
export const TARGET_CRS = 'EPSG:4326';

/** Options of {@link openGdalSource}; everything optional. */
export interface GdalSourceOptions {
  /** GDAL open options, e.g. `{ X_POSSIBLE_NAMES: 'lon' }` for CSV. */
  readonly openOptions?: Readonly<Record<string, string>>;
  /** Layer name or 0-based index; default: the only layer. */
  readonly layer?: string | number | null;
  /** `load_columns`: attribute columns to read (default all). */
  readonly columns?: readonly string[] | null;
  /** `remove_cols`: attribute columns to leave out; names not in the layer are ignored. */
  readonly removeCols?: readonly string[] | null;
  /** Rows per batch (default: the addon's). */
  readonly batchSize?: number;
  /** Called with warnings (a layer without CRS, GDAL warnings while reading). */
  readonly onWarning?: (message: string) => void;
}

/**
 * Opens one layer of a GDAL dataset as a {@link Source}. A layer without a CRS is taken as
 * EPSG:4326 with a warning. A layer without geometry is an error (`NO_GEOMETRY`) that says
 * how to build points from columns.
 */
export function openGdalSource(path: string, options: GdalSourceOptions = {}): Source {
  const attrs = attributeSelection(path, options);
  const reader = openLayerReader(path, {
    openOptions: options.openOptions ?? {},
    layer: options.layer ?? null,
    targetSrs: TARGET_CRS,
    columns: attrs,
    batchSize: options.batchSize,
  });
  try {
    if (reader.geometryColumn === null) {
      const names = reader.schema.fields.map((f) => f.name).join(', ');
      throw new GeopartError(
        'NO_GEOMETRY',
        `${path}: layer ${reader.layerName} has no geometry column (columns: ${names || 'none'}); ` +
          'to build points from two columns give lonlat_cols (--lonlat LON,LAT)',
        { file: path, layer: reader.layerName },
      );
    }
    // Some drivers (FlatGeobuf) declare a geometry column of unknown type for attribute-only
    // layers: such a layer has no geometry when its first batch holds none.
    const first = reader.next();
    if (reader.geometryType === 'Unknown (any)' && first !== null && allNull(first, reader.geometryColumn)) {
      throw new GeopartError(
        'NO_GEOMETRY',
        `${path}: layer ${reader.layerName} has no geometries (every row's geometry is empty); ` +
          'to build points from two columns give lonlat_cols (--lonlat LON,LAT)',
        { file: path, layer: reader.layerName },
      );
    }
    // GDAL's warnings while opening (an unknown open option) are said now, not at the first
    // batch: a file opened only for its schema is never streamed.
    for (const w of reader.takeWarnings()) options.onWarning?.(`${path}: ${w}`);
    if (reader.crs === null) {
      options.onWarning?.(`${path}: layer ${reader.layerName} has no CRS; taking it as ${TARGET_CRS}`);
    }
    return new GdalSource(reader, first, options.removeCols ?? [], options.onWarning);
  } catch (err) {
    reader.close();
    throw err;
  }
}

function allNull(batch: RecordBatch, column: string): boolean {
  const g = batch.getChild(column);
  return g === null || g.nullCount === batch.numRows;
}

/**
 * The attribute columns to ask the addon for: `load_columns` minus `remove_cols`, or null for
 * all (then `remove_cols` is applied per batch, where the layer's columns are known).
 */
function attributeSelection(path: string, options: GdalSourceOptions): string[] | null {
  if (!options.columns) return null;
  const removed = new Set(options.removeCols ?? []);
  const kept = options.columns.filter((c) => !removed.has(c));
  if (kept.length === 0 && options.columns.length > 0 && removed.size > 0) {
    throw new GeopartError('INVALID_CONFIG', `${path}: remove_cols removes every column of load_columns`, {
      file: path,
      option: 'remove_cols',
    });
  }
  return kept;
}

class GdalSource implements Source {
  readonly info: SourceInfo;
  readonly schema: Schema;
  private readonly reader: LayerReader;
  private readonly geometryIndex: number;
  private readonly keep: readonly number[];
  private readonly fields: readonly Field[];
  private readonly onWarning: ((message: string) => void) | undefined;

  /** The first batch, read at open to look for geometry; yielded first. */
  private pending: RecordBatch | null;

  constructor(
    reader: LayerReader,
    first: RecordBatch | null,
    removeCols: readonly string[],
    onWarning?: (message: string) => void,
  ) {
    this.reader = reader;
    this.pending = first;
    this.onWarning = onWarning;
    this.info = {
      path: reader.path,
      layer: reader.layerName,
      featureCount: reader.featureCount,
      crs: reader.crs,
    };
    const fields = reader.schema.fields;
    this.geometryIndex = fields.findIndex((f) => f.name === reader.geometryColumn);
    const removed = new Set(removeCols);
    this.keep = fields
      .map((f, i) => (i !== this.geometryIndex && !removed.has(f.name) ? i : -1))
      .filter((i) => i >= 0);
    const named = readerNames(
      this.keep.map((i) => fields[i]!.name ?? ''),
      this.keep,
    );
    if (named.renames.length > 0) onWarning?.(renameWarning(reader.path, named.renames));
    this.fields = [
      ...this.keep.map((i, k) => {
        const f = fields[i]!;
        return f.name === named.names[k] ? f : f.clone({ name: named.names[k]! });
      }),
      new Field(GEOMETRY_COLUMN, new Binary(), true),
    ];
    this.schema = new Schema([...this.fields]);
  }

  async *batches(signal?: AbortSignal): AsyncIterable<RecordBatch> {
    let rowsBefore = 0;
    for (;;) {
      signal?.throwIfAborted();
      const batch = this.pending ?? this.reader.next();
      this.pending = null;
      for (const w of this.reader.takeWarnings()) this.onWarning?.(`${this.info.path}: ${w}`);
      if (batch === null) return;
      yield this.convert(batch, rowsBefore);
      rowsBefore += batch.numRows;
      // Let other work (progress, aborts) run between synchronous native reads.
      await Promise.resolve();
    }
  }

  close(): void {
    this.reader.close();
  }

  private convert(batch: RecordBatch, rowsBefore: number): RecordBatch {
    const children = batch.data.children;
    const columns: Data[] = this.keep.map((i) => children[i]!);
    let wkb: ReturnType<typeof normalizeWkb>;
    try {
      wkb = normalizeWkb(wkbColumnFromData(children[this.geometryIndex]!, 'geometry column'));
    } catch (err) {
      if (!(err instanceof GeopartError)) throw err;
      const row = typeof err.context.row === 'number' ? rowsBefore + err.context.row : null;
      throw new GeopartError(
        err.code,
        `${this.info.path}, layer ${this.info.layer}${row === null ? '' : `, row ${row}`}: ${err.message}`,
        { ...err.context, file: this.info.path, layer: this.info.layer, row },
        { cause: err },
      );
    }
    columns.push(binaryDataFromWkb(wkb));
    return makeBatch(this.fields, columns, undefined, batch.numRows);
  }
}
