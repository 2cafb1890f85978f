/**
 * Parquet and GeoParquet input: a {@link Source} that reads one row group at a time with
 * parquet-wasm and yields batches with a little-endian ISO WKB `geometry` column.
 *
 * The file is opened as a Node `Blob` (`fs.openAsBlob`; for `s3://` and `http(s)://` inputs a
 * blob of ranged requests) handed to parquet-wasm's async
 * `ParquetFile`, which fetches only the footer and then the byte ranges of the row group and
 * columns being read, so the file is never loaded whole.
 */

import { openAsBlob } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { type Data, type RecordBatch, type Schema, tableFromIPC } from 'apache-arrow';
import { ParquetFile } from 'parquet-wasm/node';
import { makeBatch } from '../arrow/batch.js';
import { binaryDataFromWkb, wkbColumnFromData } from '../arrow/binary.js';
import { toFloat64 } from '../arrow/numeric.js';
import { GeopartError } from '../errors.js';
import { GEO_KEY } from '../format/keys.js';
import { geoarrowToWkb } from '../geometry/geoarrow-to-wkb.js';
import { normalizeWkb } from '../geometry/normalize.js';
import { pointsFromLonLat } from '../geometry/points-from-lonlat.js';
import type { WkbColumn } from '../geometry/wkb.js';
import { renameWarning } from './column-names.js';
import { parseGeoMetadata } from './geoparquet-meta.js';
import { isHttpUrl, openHttpBlob } from './http-blob.js';
import { type ParquetPlan, planParquet } from './parquet-plan.js';
import { openS3Blob } from './s3-blob.js';
import { isS3Url } from './s3-url.js';
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
  // An s3:// or http(s):// input is read by ranged requests through a blob, as a local file
  // is through its own.
  let blob: Blob;
  if (isS3Url(path) || isHttpUrl(path)) {
    blob = isS3Url(path) ? await openS3Blob(path) : await openHttpBlob(path);
    await checkMagic(path, blob);
  } else {
    await checkParquetFile(path);
    blob = await openAsBlob(path);
  }

  let file: ParquetFile;
  try {
    file = await ParquetFile.fromFile(blob);
  } catch (err) {
    throw new GeopartError('CORRUPT_INPUT', `${path}: cannot read the Parquet footer: ${errorText(err)}`, {
      file: path,
    });
  }
  try {
    const meta = file.metadata();
    const fileMeta = meta.fileMetadata();
    const geoJson = fileMeta.keyValueMetadata().get(GEO_KEY) as string | undefined;
    const featureCount = fileMeta.numRows();
    const rowGroups = meta.numRowGroups();
    fileMeta.free();
    meta.free();
    const schema = tableFromIPC(file.schema().intoIPCStream()).schema;
    const geo = geoJson === undefined ? null : parseGeoMetadata(geoJson, path);
    const plan = planParquet(path, schema, geo, options);
    if (plan.renames.length > 0) options.onWarning?.(renameWarning(path, plan.renames));
    const info: SourceInfo = { path, layer: basename(path, extname(path)), featureCount, crs: plan.crs };
    return new ParquetSource(info, file, plan, schema, rowGroups, batchRows);
  } catch (err) {
    file.free();
    throw err;
  }
}

class ParquetSource implements Source {
  readonly info: SourceInfo;
  readonly schema: Schema;
  private file: ParquetFile | null;
  private readonly plan: ParquetPlan;
  private readonly readAll: boolean;
  private readonly rowGroups: number;
  private readonly batchRows: number;

  constructor(
    info: SourceInfo,
    file: ParquetFile,
    plan: ParquetPlan,
    schema: Schema,
    rowGroups: number,
    batchRows: number,
  ) {
    this.info = info;
    this.schema = plan.schema;
    this.file = file;
    this.plan = plan;
    this.readAll = plan.read.length === schema.fields.length;
    this.rowGroups = rowGroups;
    this.batchRows = batchRows;
  }

  async *batches(signal?: AbortSignal): AsyncIterable<RecordBatch> {
    let rowsBefore = 0;
    for (let rg = 0; rg < this.rowGroups; rg++) {
      signal?.throwIfAborted();
      const file = this.file;
      if (file === null) throw new GeopartError('INTERNAL', `${this.info.path}: source read after close()`);
      const table = await file.read({
        rowGroups: [rg],
        batchSize: this.batchRows,
        ...(this.readAll ? {} : { columns: [...this.plan.read] }),
      });
      const batches = tableFromIPC(table.intoIPCStream()).batches;
      for (const batch of batches) {
        signal?.throwIfAborted();
        yield this.convert(batch, rg, rowsBefore);
        rowsBefore += batch.numRows;
      }
    }
  }

  close(): void {
    this.file?.free();
    this.file = null;
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

/** Throws INPUT_NOT_FOUND / UNKNOWN_FORMAT unless `path` is a file with Parquet magic at both ends. */
async function checkParquetFile(path: string): Promise<void> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) {
      throw new GeopartError('UNKNOWN_FORMAT', `${path} is not a file (a directory?); give a .parquet file`, {
        file: path,
      });
    }
    size = st.size;
  } catch (err) {
    if (err instanceof GeopartError) throw err;
    throw new GeopartError('INPUT_NOT_FOUND', `input not found: ${path} (${errorText(err)})`, { file: path });
  }
  const magic = Buffer.alloc(8);
  if (size >= 12) {
    const fh = await open(path, 'r');
    try {
      await fh.read(magic, 0, 4, 0);
      await fh.read(magic, 4, 4, size - 4);
    } finally {
      await fh.close();
    }
  }
  refuseWithoutMagic(path, magic);
}

/** Throws UNKNOWN_FORMAT unless `blob` has Parquet magic at both ends. */
async function checkMagic(path: string, blob: Blob): Promise<void> {
  const magic = Buffer.alloc(8);
  if (blob.size >= 12) {
    magic.set(new Uint8Array(await blob.slice(0, 4).arrayBuffer()), 0);
    magic.set(new Uint8Array(await blob.slice(blob.size - 4).arrayBuffer()), 4);
  }
  refuseWithoutMagic(path, magic);
}

function refuseWithoutMagic(path: string, magic: Buffer): void {
  if (magic.toString('latin1') !== 'PAR1PAR1') {
    throw new GeopartError(
      'UNKNOWN_FORMAT',
      `${path} is not a Parquet file (no PAR1 magic bytes); give a Parquet file or read it through GDAL`,
      { file: path },
    );
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
