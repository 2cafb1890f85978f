/**
 * Parquet and GeoParquet input: a {@link Source} that reads one row group at a time with
 * parquet-wasm and yields batches with a little-endian ISO WKB `geometry` column.
 *
 * The file (local, `s3://` or `http(s)://`) is read through a range reader (range-reader.ts)
 * as a blob of range reads (range-blob.ts) handed to parquet-wasm's async `ParquetFile`, which
 * fetches only the footer and then the byte ranges of the row group and columns being read,
 * so the file is never loaded whole. parquet-wasm runs in a worker thread of its own
 * (parquet-reader.ts), so damaged pages that make it trap fail the read, not the process.
 */

import { basename, extname } from 'node:path';
import { type Data, type RecordBatch, type Schema, tableFromIPC } from 'apache-arrow';
import { parquetMetadataAsync } from 'hyparquet';
import { makeBatch } from '../arrow/batch.js';
import { binaryDataFromWkb, wkbColumnFromData } from '../arrow/binary.js';
import { toFloat64 } from '../arrow/numeric.js';
import { GeopartError } from '../errors.js';
import { isUrl } from '../format/table-location.js';
import { geoarrowToWkb } from '../geometry/geoarrow-to-wkb.js';
import { normalizeWkb } from '../geometry/normalize.js';
import { pointsFromLonLat } from '../geometry/points-from-lonlat.js';
import type { WkbColumn } from '../geometry/wkb.js';
import { renameWarning } from './column-names.js';
import { geoFromLogicalTypes, parseGeoMetadata } from './geoparquet-meta.js';
import { type ParquetPlan, planParquet } from './parquet-plan.js';
import { ParquetReader } from './parquet-reader.js';
import type { ParquetFooter } from './parquet-worker.js';
import type { RangeReader } from './range.js';
import { rangeBuffer } from './range-blob.js';
import { openRangeReader } from './range-reader.js';
import type { Source, SourceInfo } from './source.js';

/** Options of {@link openParquetSource}; everything optional. */
export interface ParquetSourceOptions {
  /** `[longitude, latitude]` numeric columns to build points from (degrees); wins over `geo` metadata. */
  readonly lonlatCols?: readonly [string, string] | null;
  /** `load_columns`: the attribute columns to keep (default: all). */
  readonly columns?: readonly string[] | null;
  /** `remove_cols`: attribute columns to drop; names not in the file are ignored. */
  readonly removeCols?: readonly string[] | null;
  /** Most rows per batch (rows); a larger row group is yielded in several batches. Default 65 536. */
  readonly batchRows?: number;
  /** Called with warnings (columns written under another name). */
  readonly onWarning?: (message: string) => void;
}

const DEFAULT_BATCH_ROWS = 65_536;

/**
 * Opens a Parquet file as a {@link Source}. GeoParquet 1.0/1.1 files (WKB or GeoArrow native
 * encodings) give their primary geometry column; plain Parquet needs `lonlatCols`.
 * `info.crs` is the file's CRS (PROJJSON text, `'OGC:CRS84'` when absent or for lon/lat
 * columns); when `needsReprojection` says so, the caller must reproject (this source does not).
 *
 * Errors: `INPUT_NOT_FOUND` (no such file, object or URL), `UNKNOWN_FORMAT` (not Parquet), `CORRUPT_INPUT`
 * (unreadable footer or bad `geo` metadata), `NO_GEOMETRY` (no `geo` and no `lonlatCols`),
 * `INVALID_CONFIG` (a `columns`/`lonlatCols` name not in the file); each names the file.
 */
export async function openParquetSource(path: string, options: ParquetSourceOptions = {}): Promise<Source> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!Number.isInteger(batchRows) || batchRows < 1) {
    throw new RangeError(`batchRows must be a positive integer, got ${batchRows}`);
  }
  const { reader, footer } = await openParquetFooter(path);
  try {
    const schema = tableFromIPC(footer.schema).schema;
    const geoJson = footer.geo ?? (await logicalTypeGeo(path));
    const geo = geoJson === null ? null : parseGeoMetadata(geoJson, path);
    const plan = planParquet(path, schema, geo, options);
    const info: SourceInfo = {
      path,
      layer: basename(path, extname(path)),
      featureCount: footer.numRows,
      crs: plan.crs,
      partRows: footer.rowGroupRows,
    };
    if (plan.renames.length > 0) options.onWarning?.(renameWarning(path, plan.renames));
    return new ParquetSource(info, reader, plan, schema, footer.rowGroups, batchRows);
  } catch (err) {
    reader.close();
    throw err;
  }
}

/**
 * For a file without `geo` metadata: what its GEOMETRY logical type declares (parquet-wasm's
 * footer does not show logical types, so hyparquet reads the footer again).
 */
export async function logicalTypeGeo(path: string): Promise<string | null> {
  const reader = await openRangeReader(path);
  try {
    return geoFromLogicalTypes(await parquetMetadataAsync(rangeBuffer(reader)));
  } finally {
    await reader.close().catch(() => undefined);
  }
}

/**
 * Checks that `path` (a local file, `s3://` or `http(s)://` URL) is a whole Parquet file and
 * reads its footer in a decoder worker. Errors as {@link openParquetSource}'s, naming the file:
 * `INPUT_NOT_FOUND`, `UNKNOWN_FORMAT` (no PAR1 magic), `CORRUPT_INPUT` (truncated, or a footer
 * that cannot be decoded). The caller closes the reader.
 */
export async function openParquetFooter(
  path: string,
): Promise<{ reader: ParquetReader; footer: ParquetFooter }> {
  const reader = await openInput(path);
  try {
    await checkMagic(path, reader);
  } finally {
    await reader.close();
  }
  return ParquetReader.open(path);
}

class ParquetSource implements Source {
  readonly info: SourceInfo;
  readonly schema: Schema;
  private reader: ParquetReader | null;
  private readonly plan: ParquetPlan;
  private readonly readAll: boolean;
  private readonly rowGroups: number;
  private readonly batchRows: number;

  constructor(
    info: SourceInfo,
    reader: ParquetReader,
    plan: ParquetPlan,
    schema: Schema,
    rowGroups: number,
    batchRows: number,
  ) {
    this.info = info;
    this.schema = plan.schema;
    this.reader = reader;
    this.plan = plan;
    this.readAll = plan.read.length === schema.fields.length;
    this.rowGroups = rowGroups;
    this.batchRows = batchRows;
  }

  async *batches(signal?: AbortSignal, parts?: readonly [number, number]): AsyncIterable<RecordBatch> {
    const [first, end] = parts ?? [0, this.rowGroups];
    let rowsBefore = (this.info.partRows ?? []).slice(0, first).reduce((a, n) => a + n, 0);
    for (let rg = first; rg < Math.min(end, this.rowGroups); rg++) {
      signal?.throwIfAborted();
      const reader = this.reader;
      if (reader === null) throw new GeopartError('INTERNAL', `${this.info.path}: source read after close()`);
      const ipc = await reader.readRowGroup(rg, this.batchRows, this.readAll ? null : this.plan.read);
      const batches = tableFromIPC(ipc).batches;
      for (const batch of batches) {
        signal?.throwIfAborted();
        yield this.convert(batch, rg, rowsBefore);
        rowsBefore += batch.numRows;
      }
    }
  }

  close(): void {
    this.reader?.close();
    this.reader = null;
  }

  /** The output batch for one read batch: geometry as WKB, attributes selected and renamed. */
  private convert(batch: RecordBatch, rowGroup: number, rowsBefore: number): RecordBatch {
    const columns: Data[] = this.plan.output.map((col) => {
      if (col.kind === 'attribute') return this.column(batch, col.source);
      const wkb = this.located(rowGroup, rowsBefore, () =>
        col.kind === 'geometry'
          ? this.geometryOf(batch)
          : geoarrowToWkb(this.column(batch, col.source), col.encoding),
      );
      return binaryDataFromWkb(wkb);
    });
    return makeBatch(this.schema.fields, columns, undefined, batch.numRows);
  }

  private geometryOf(batch: RecordBatch): WkbColumn {
    const g = this.plan.geometry;
    switch (g.kind) {
      case 'lonlat':
        return pointsFromLonLat(toFloat64(this.column(batch, g.lon)), toFloat64(this.column(batch, g.lat)));
      case 'native':
        return geoarrowToWkb(this.column(batch, g.column), g.encoding);
      case 'wkb':
        return normalizeWkb(wkbColumnFromData(this.column(batch, g.column), `column '${g.column}'`));
    }
  }

  private column(batch: RecordBatch, name: string): Data {
    const i = batch.schema.fields.findIndex((f) => f.name === name);
    return batch.data.children[i]!;
  }

  /** Runs `fn`, adding the file, row group and file row to a geometry error. */
  private located<T>(rowGroup: number, rowsBefore: number, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof GeopartError) || err.code !== 'CORRUPT_INPUT') throw err;
      const row = typeof err.context.row === 'number' ? rowsBefore + err.context.row : null;
      const where = row === null ? `row group ${rowGroup}` : `row ${row} (row group ${rowGroup})`;
      throw new GeopartError(
        'CORRUPT_INPUT',
        `${this.info.path}, ${where}: ${err.message}`,
        { ...err.context, file: this.info.path, rowGroup, row },
        { cause: err },
      );
    }
  }
}

/**
 * Opens `path` for range reads. Throws `INPUT_NOT_FOUND` (`input not found: ...`) when there
 * is no such file, object or URL, and `UNKNOWN_FORMAT` for a local folder, naming the path.
 */
async function openInput(path: string): Promise<RangeReader> {
  try {
    return await openRangeReader(path);
  } catch (err) {
    if (!(err instanceof GeopartError)) throw err;
    if (err.code === 'INPUT_NOT_FOUND') {
      const detail = isUrl(path)
        ? `${err.message.replace(/; check the URL$/, '')}; check the URL`
        : `${path} (${errorText(err.cause ?? err)})`;
      throw new GeopartError('INPUT_NOT_FOUND', `input not found: ${detail}`, err.context, { cause: err });
    }
    if (err.code === 'UNKNOWN_FORMAT' && !isUrl(path)) {
      throw new GeopartError(
        'UNKNOWN_FORMAT',
        `${path} is not a file (a directory?); give a .parquet file`,
        { file: path },
        { cause: err },
      );
    }
    throw err;
  }
}

/** Throws UNKNOWN_FORMAT / CORRUPT_INPUT unless `reader`'s file has Parquet magic at both ends. */
async function checkMagic(path: string, reader: RangeReader): Promise<void> {
  const ends = Buffer.alloc(12);
  ends.set(await reader.read(0, Math.min(4, reader.size)), 0);
  if (reader.size >= 12) ends.set(await reader.read(reader.size - 8, 8), 4);
  checkEnds(path, ends, reader.size);
}

/**
 * Checks a file's first 4 and last 8 bytes (`ends`): PAR1 at the start, and the footer length
 * and PAR1 at the end. A file that starts as Parquet but has no footer was cut off.
 */
function checkEnds(path: string, ends: Buffer, size: number): void {
  if (size < 12 && ends.toString('latin1', 0, 4) === 'PAR1') {
    throw new GeopartError(
      'UNKNOWN_FORMAT',
      `${path} is not a Parquet file: ${size} bytes is too small to hold a footer (a truncated file?)`,
      { file: path },
    );
  }
  if (ends.toString('latin1', 0, 4) !== 'PAR1') {
    throw new GeopartError(
      'UNKNOWN_FORMAT',
      `${path} is not a Parquet file (no PAR1 magic bytes); give a Parquet file or read it through GDAL`,
      { file: path },
    );
  }
  const footerLength = ends.readUInt32LE(4);
  if (ends.toString('latin1', 8, 12) !== 'PAR1' || footerLength > size - 12) {
    throw new GeopartError(
      'CORRUPT_INPUT',
      `${path} is truncated: it starts as a Parquet file but its footer is missing or cut off ` +
        `(${size} bytes); the copy or download was probably interrupted: write or fetch it again`,
      { file: path },
    );
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
