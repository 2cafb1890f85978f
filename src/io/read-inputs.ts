/**
 * The input side of a partition step: expands `input` into files, opens each as a
 * {@link Source} (GDAL or Parquet), and streams their batches with the step's input options
 * applied, all conformed to one schema.
 *
 * Files with different columns are unioned by name, like GeoPandas `concat` or DuckDB's
 * `union_by_name` (letter case aside, as DuckDB): a column missing from a file is null in its rows. The same column with
 * two different types is an error that names both files and types.
 */
import { extname } from 'node:path';
import { type Field, type RecordBatch, Schema } from 'apache-arrow';
import { conformBatch } from '../arrow/conform.js';
import { GeopartError } from '../errors.js';
import { shareRange } from '../util/share.js';
import {
  batchBounds,
  checkFinite,
  dropOutOfBounds,
  explodeBatch,
  splitAntimeridianBatch,
} from './batch-transforms.js';
import { gdalPath } from './gdal-s3.js';
import { openGdalSource, TARGET_CRS } from './gdal-source.js';
import { needsReprojection } from './geoparquet-meta.js';
import { isHttpUrl } from './http-range-reader.js';
import { expandInputs } from './inputs.js';
import { openParquetSource } from './parquet-source.js';
import { reprojected } from './reprojected-source.js';
import { GEOMETRY_COLUMN, type Source } from './source.js';

/** The input options of a partition step (README.md, "Inputs"), in library names. */
export interface ReadOptions {
  /** A path, URL, directory or glob, or a list of them. */
  readonly input: string | readonly string[];
  /** Keep only files ending with this when expanding directories and globs. */
  readonly fileSuffix?: string | null;
  /** GDAL open options and layer. */
  readonly openOptions?: Readonly<Record<string, string>>;
  readonly layer?: string | number | null;
  /** `[lon, lat]` columns to build points from (Parquet and CSV). */
  readonly lonlatCols?: readonly [string, string] | null;
  /** Attribute columns to keep (default all) and to drop. */
  readonly loadColumns?: readonly string[] | null;
  readonly removeCols?: readonly string[] | null;
  /** One row per part of multi-part geometries. Default false. */
  readonly explodeGeometries?: boolean;
  /** Split rows that cross the antimeridian into one row per side. Default false (ingest turns it on). */
  readonly splitAntimeridian?: boolean;
  /** Drop rows with coordinates outside lon [-180,180] / lat [-90,90]. Default true. */
  readonly dropOutOfBounds?: boolean;
  /**
   * Leave the antimeridian split and the out-of-bounds drop to the caller, which runs them
   * later on each batch (ingest does, in its scan tasks): batches come as read and exploded.
   * The finite check of kept out-of-bounds rows still runs here, where the file row is known.
   */
  readonly boundsStepsLater?: boolean;
  /** Rows per batch. */
  readonly batchSize?: number;
  readonly onWarning?: (message: string) => void;
}

/**
 * Counts of what reading did, for the job report. With `boundsStepsLater` the antimeridian and
 * out-of-bounds counts stay 0: whoever runs those steps counts them.
 */
export interface ReadStats {
  /** Files read. */
  files: number;
  /** Rows read from the inputs, before exploding and dropping. */
  rowsRead: number;
  /** Rows added by exploding multi-part geometries (parts minus rows). */
  rowsAddedByExplode: number;
  /** Rows that crossed the antimeridian and were cut there. */
  rowsCrossingAntimeridian: number;
  /** Rows added by cutting rows at the antimeridian (one row per side). */
  rowsAddedByAntimeridian: number;
  /** Rows dropped for lying outside the WGS84 bounds. */
  rowsDroppedOutOfBounds: number;
}

/** A batch and the index (into `files`) of the file it came from. */
export interface InputBatch {
  readonly batch: RecordBatch;
  readonly fileIndex: number;
}

const PARQUET_EXTENSIONS = new Set(['.parquet', '.geoparquet', '.pq']);
const CSV_EXTENSIONS = new Set(['.csv', '.tsv', '.txt', '.psv']);

/** True for inputs read with the Parquet reader rather than GDAL (a URL by its path, without the query). */
export function isParquetPath(path: string): boolean {
  const name = isHttpUrl(path) ? path.replace(/[?#].*$/, '') : path;
  return PARQUET_EXTENSIONS.has(extname(name).toLowerCase());
}

function isCsvPath(path: string): boolean {
  const p = path.toLowerCase().replace(/\.gz$/, '');
  return CSV_EXTENSIONS.has(extname(p));
}

/** Opens one expanded input file with the reader its format needs. */
export async function openSource(path: string, options: ReadOptions): Promise<Source> {
  if (isParquetPath(path)) {
    const source = await openParquetSource(path, {
      lonlatCols: options.lonlatCols ?? null,
      columns: options.loadColumns ?? null,
      removeCols: options.removeCols ?? null,
      batchRows: options.batchSize,
      onWarning: options.onWarning,
    });
    return needsReprojection(source.info.crs) ? reprojected(source, TARGET_CRS) : source;
  }
  const openOptions = { ...options.openOptions };
  if (options.lonlatCols) {
    if (!isCsvPath(path)) {
      throw new GeopartError(
        'INVALID_CONFIG',
        `${path}: lonlat_cols applies to CSV and Parquet inputs only; this file is read by GDAL with its own geometry`,
        { file: path, option: 'lonlat_cols' },
      );
    }
    openOptions.X_POSSIBLE_NAMES = options.lonlatCols[0];
    openOptions.Y_POSSIBLE_NAMES = options.lonlatCols[1];
  }
  const opened = gdalPath(path);
  try {
    return openGdalSource(opened, {
      openOptions,
      layer: options.layer ?? null,
      columns: options.loadColumns ?? null,
      removeCols: options.removeCols ?? null,
      batchSize: options.batchSize,
      onWarning: options.onWarning,
    });
  } catch (err) {
    // Name the input as the user gave it (`s3://...`, `https://...`), not GDAL's /vsi path.
    if (opened === path || !(err instanceof GeopartError)) throw err;
    // The addon's hint about /vsi prefixes does not apply to a URL geopart prefixed itself.
    const message = err.message
      .replaceAll(opened, path)
      .replace(/\. Check the path; zipped or remote inputs need a \/vsizip\/.*$/, '. Check the URL.');
    throw new GeopartError(err.code, message, { ...err.context, file: path }, { cause: err });
  }
}

/**
 * The union of the files' schemas, by column name in first-seen order, geometry last. Names
 * that differ only in letter case are one column (as DuckDB's `union_by_name` reads them),
 * under the spelling seen first.
 */
export function unionSchema(schemas: readonly { path: string; schema: Schema }[]): Schema {
  // Keyed in lower case: names differing only in letter case are one column, as in DuckDB.
  const byName = new Map<string, { field: Field; path: string }>();
  for (const { path, schema } of schemas) {
    for (const field of schema.fields) {
      const seen = byName.get(field.name.toLowerCase());
      if (!seen) {
        byName.set(field.name.toLowerCase(), { field: field.clone({ nullable: true }), path });
      } else if (String(seen.field.type) !== String(field.type)) {
        throw new GeopartError(
          'INVALID_CONFIG',
          `column ${seen.field.name} is ${seen.field.type} in ${seen.path} but ${field.name} is ${field.type} in ${path}; ` +
            'convert one of the files, or leave the column out with remove_cols',
          { file: path, column: field.name },
        );
      }
    }
  }
  const fields = [...byName.values()].map((v) => v.field);
  return new Schema([
    ...fields.filter((f) => f.name !== GEOMETRY_COLUMN),
    ...fields.filter((f) => f.name === GEOMETRY_COLUMN),
  ]);
}

/**
 * Files per machine at and above which a share of the inputs is whole files (see
 * {@link openInputs}).
 */
export const WHOLE_FILE_SHARE = 4;

/** One machine's share of a step's inputs, in a run spread over `count` machines. */
export interface InputShare {
  readonly index: number;
  readonly count: number;
}

/** The inputs of a step, opened and ready to stream. */
export interface InputSet {
  /** The expanded input files, in reading order. */
  readonly files: readonly string[];
  /**
   * The pieces `[first, end)` that {@link batches} streams, of every file's pieces in file order
   * (a Parquet file's row groups; one piece for a file read whole): all of them unless a share
   * was asked for.
   */
  readonly pieces: readonly [number, number];
  /** The pieces of all the files. */
  readonly pieceCount: number;
  /**
   * The union of the files' schemas, which every batch is conformed to. With a share: the union
   * of the files it streams ({@link unionSchema} of the shares' schemas in share order is the
   * whole input's), and the batches come as read, each with its file's columns, for the caller
   * to conform to the whole input's schema as this does without a share (`arrow/conform.ts`: a
   * batch conformed twice, to the share's and then to the whole schema, could keep fields the
   * once-conformed batch would not).
   */
  readonly schema: Schema;
  /** For each column of {@link schema}, the file it was first seen in (for messages). */
  readonly columnFiles: readonly string[];
  /** Files opened: every file without a share; with one, see {@link openInputs}. */
  readonly opened: number;
  /** Rows the inputs hold when every file knows its count cheaply, else null. */
  readonly featureCount: number | null;
  readonly stats: ReadStats;
  /** Streams every file's batches in order, with the options applied. */
  batches(signal?: AbortSignal): AsyncIterable<InputBatch>;
}

/** Distinct warnings said for one step's inputs before the rest are left out. */
export const MAX_WARNINGS = 100;

/**
 * Expands and opens the inputs of a step. Every file is opened once up front, so a missing
 * layer, a file without geometry or clashing column types fail before any row is read; the
 * others are reopened when their turn comes, so at most two files are open while streaming.
 *
 * With `share` (machine `index` of `count` in a run spread over several), the machine streams
 * the pieces `shareRange(index, count, pieces)` (`util/share.ts`) of every file's pieces in file
 * order, and opens only what that needs:
 * - with at least {@link WHOLE_FILE_SHARE} files per machine, a piece is a file: the machine
 *   opens its own files only;
 * - with fewer, a Parquet file's pieces are its row groups (which read alike alone or
 *   together) and any other file is one piece: the machine opens every Parquet file's footer
 *   for the count, and its own other files.
 * The schema is then the union of the files the share streams (and of those without pieces
 * whose place falls in it); the whole input's is the union of the shares', which the caller
 * makes, and conforms the batches to (`arrow/conform.ts`): a share's batches come unconformed.
 */
export async function openInputs(options: ReadOptions, share?: InputShare): Promise<InputSet> {
  const files = await expandInputs(options.input, options.fileSuffix ?? null);
  const n = files.length;
  const byFiles = share !== undefined && n >= WHOLE_FILE_SHARE * share.count;
  /** Each file's parts' rows (null: read whole, one piece), and the first piece of each file. */
  const partRows: (readonly number[] | null)[] = new Array(n).fill(null);
  const firstPiece: number[] = [0];
  // Files are opened twice (schema, then rows): say each warning once, and stop after
  // MAX_WARNINGS distinct ones (a driver may warn once per row).
  const said = new Set<string>();
  const warn = options.onWarning;
  options = {
    ...options,
    onWarning: (message) => {
      if (said.has(message) || said.size > MAX_WARNINGS) return;
      said.add(message);
      warn?.(
        said.size > MAX_WARNINGS ? `more than ${MAX_WARNINGS} warnings; the rest are not shown` : message,
      );
    },
  };
  /** What opening each file found (null: not opened). */
  const found: ({ schema: Schema; featureCount: number | null } | null)[] = new Array(n).fill(null);
  // The first file streamed stays open: some drivers (GeoJSON) parse the whole file when it is
  // opened, so a single input is opened once.
  let firstSource: Source | null = null;
  let firstIndex = -1;
  let opened = 0;
  /** Opens file `i` once, noting what it holds; keeps it open when `keep`. */
  const look = async (i: number, keep: boolean): Promise<void> => {
    if (found[i] !== null) return;
    const source = await openSource(files[i]!, options);
    opened++;
    found[i] = { schema: source.schema, featureCount: source.info.featureCount };
    if (!byFiles) partRows[i] = source.info.partRows ?? null;
    if (keep) [firstSource, firstIndex] = [source, i];
    else source.close();
  };
  let pieces: readonly [number, number];
  /** The parts of file `i` in the share, `[first, end)` of its parts; null when none. */
  const partsOf = (i: number): [number, number] | null => {
    const lo = Math.max(pieces[0], firstPiece[i]!);
    const hi = Math.min(pieces[1], firstPiece[i + 1]!);
    return lo < hi ? [lo - firstPiece[i]!, hi - firstPiece[i]!] : null;
  };
  /** Whether the schema of file `i` is the share's: it streams it, or the file has no pieces and its place is in the share. */
  const inSchema = (i: number): boolean =>
    partsOf(i) !== null ||
    (firstPiece[i] === firstPiece[i + 1] &&
      firstPiece[i]! >= pieces[0] &&
      (firstPiece[i]! < pieces[1] || (pieces[1] === firstPiece[n] && share!.index === share!.count - 1)));
  let schema: Schema;
  const columnFiles: string[] = [];
  try {
    if (share === undefined || !byFiles) {
      // Piece counts: every file without a share (each is opened anyway), every Parquet file's
      // footer with one.
      for (let i = 0; i < n; i++)
        if (share === undefined || isParquetPath(files[i]!)) await look(i, share === undefined && i === 0);
    }
    for (let i = 0; i < n; i++) firstPiece.push(firstPiece[i]! + (partRows[i]?.length ?? 1));
    pieces = share ? shareRange(share.index, share.count, firstPiece[n]!) : [0, firstPiece[n]!];
    const mine = Array.from({ length: n }, (_, i) => i).filter((i) => share === undefined || inSchema(i));
    for (const i of mine) await look(i, firstSource === null && partsOf(i) !== null);
    const schemas = mine.map((i) => ({ path: files[i]!, schema: found[i]!.schema }));
    schema = unionSchema(schemas);
    for (const f of schema.fields) {
      const at = schemas.find((s) =>
        s.schema.fields.some((g) => g.name.toLowerCase() === f.name.toLowerCase()),
      );
      columnFiles.push(at?.path ?? '');
    }
  } catch (err) {
    (firstSource as Source | null)?.close();
    throw err;
  }
  let featureCount: number | null = 0;
  for (const i of Array.from({ length: n }, (_, k) => k).filter((k) => partsOf(k) !== null)) {
    const count = found[i]!.featureCount;
    featureCount = featureCount === null || count === null ? null : featureCount + count;
  }
  // A file kept open that has nothing to stream (a Parquet file without row groups) is closed.
  if (firstSource !== null && partsOf(firstIndex) === null) {
    (firstSource as Source).close();
    firstSource = null;
  }
  const stats: ReadStats = {
    files: files.length,
    rowsRead: 0,
    rowsAddedByExplode: 0,
    rowsCrossingAntimeridian: 0,
    rowsAddedByAntimeridian: 0,
    rowsDroppedOutOfBounds: 0,
  };
  return {
    files,
    pieces,
    pieceCount: firstPiece[n]!,
    schema,
    columnFiles,
    opened,
    featureCount,
    stats,
    async *batches(signal?: AbortSignal): AsyncIterable<InputBatch> {
      const later = options.boundsStepsLater ?? false;
      const dropping = !later && (options.dropOutOfBounds ?? true);
      const wrapping = !later && (options.splitAntimeridian ?? false);
      const finiteCheck = !(options.dropOutOfBounds ?? true);
      for (const [fileIndex, path] of files.entries()) {
        const parts = partsOf(fileIndex);
        if (parts === null) continue;
        const kept = fileIndex === firstIndex ? firstSource : null;
        if (kept !== null) firstSource = null;
        const source = kept ?? (await openSource(path, options));
        const whole = parts[0] === 0 && parts[1] === firstPiece[fileIndex + 1]! - firstPiece[fileIndex]!;
        // The file's rows before its first part read, so that a row is named by its row in the file.
        let fileRows = (partRows[fileIndex] ?? []).slice(0, parts[0]).reduce((a, n) => a + n, 0);
        try {
          for await (let batch of source.batches(signal, whole ? undefined : parts)) {
            stats.rowsRead += batch.numRows;
            // Before exploding, so the row named is the file's row.
            if (finiteCheck) checkFinite(batch, path, fileRows);
            fileRows += batch.numRows;
            if (options.explodeGeometries) {
              const before = batch.numRows;
              batch = explodeBatch(batch);
              stats.rowsAddedByExplode += batch.numRows - before;
            }
            // Before dropping: a row reaching past 180 that is cut there is in bounds after.
            let bounds = wrapping || dropping ? batchBounds(batch) : null;
            if (wrapping) {
              const before = batch.numRows;
              const r = splitAntimeridianBatch(batch, bounds!);
              stats.rowsCrossingAntimeridian += r.crossing;
              stats.rowsAddedByAntimeridian += r.batch.numRows - before;
              batch = r.batch;
              bounds = r.bounds;
            }
            if (dropping) {
              const r = dropOutOfBounds(batch, bounds!);
              stats.rowsDroppedOutOfBounds += r.dropped;
              batch = r.batch;
            }
            if (batch.numRows > 0)
              yield { batch: share === undefined ? conformBatch(batch, schema) : batch, fileIndex };
          }
        } finally {
          source.close();
        }
      }
    },
  };
}
