/**
 * An opened table: chunk lookups through the chunk index, and bbox reads that fetch only the
 * row groups of the chunks a box touches.
 */
import { type Field, RecordBatch, Schema, Table } from 'apache-arrow';
import { makeBatch } from '../arrow/batch.js';
import { concatBatches } from '../arrow/concat.js';
import { GeopartError } from '../errors.js';
import type { RangeReader } from '../io/range.js';
import { countingReader } from '../io/range.js';
import { openRangeReader } from '../io/range-reader.js';
import { takeRowsMulti } from '../io/take-multi.js';
import { eachBounded } from '../util/bounded.js';
import { checkBBox } from './bbox.js';
import { ChunkIndex } from './chunk-index.js';
import type { ChunkList } from './chunk-list.js';
import { openParquetFile, type ParquetFileReader } from './parquet-file.js';
import type { GeoLayout } from './plain-chunks.js';
import { rowMask } from './row-filter.js';
import {
  type ArrowLayout,
  decodeRowGroupSpan,
  decodeRowGroupSpans,
  decodesSpans,
  spansBoxMask,
} from './row-group-decoder.js';
import type { BBox, ChunkInfo, GeoTable, TableReadOptions, TableStats } from './types.js';

/** Row groups read at once; enough to overlap remote round trips without holding much. */
const CONCURRENCY = 4;
/** Chunks whose kept rows are gathered in one copy, at most (see readChunks). */
const WINDOW = 32;
/** Compressed bytes of the row groups one window holds, at most (one row group may exceed it). */
const WINDOW_BYTES = 16 << 20;
/** Rows one window holds when the chunk table does not give the row groups' sizes. */
const WINDOW_ROWS = 131_072;

/** A chunk's rows in the result's columns, and which of them a box keeps (null: all). */
interface Fetched {
  readonly batch: RecordBatch;
  readonly keep: Uint8Array | null;
}

/** The rows of `parts` their masks keep, gathered in one copy (without masks: the batches). */
function keptRows(parts: readonly Fetched[]): RecordBatch[] {
  if (parts.every((p) => p.keep === null)) return parts.map((p) => p.batch).filter((b) => b.numRows > 0);
  let n = 0;
  for (const p of parts)
    for (let r = 0; r < p.batch.numRows; r++) if (p.keep === null || p.keep[r] !== 0) n++;
  if (n === 0) return [];
  const batchOf = new Int32Array(n);
  const rowOf = new Int32Array(n);
  let j = 0;
  for (const [b, p] of parts.entries()) {
    for (let r = 0; r < p.batch.numRows; r++) {
      if (p.keep !== null && p.keep[r] === 0) continue;
      batchOf[j] = b;
      rowOf[j++] = r;
    }
  }
  return [
    takeRowsMulti(
      parts.map((p) => p.batch),
      batchOf,
      rowOf,
    ),
  ];
}

/** `batch`'s columns named by `fields`, as a batch of those fields. */
function project(batch: RecordBatch, fields: readonly Field[]): RecordBatch {
  const cols = fields.map(
    (f) => batch.data.children[batch.schema.fields.findIndex((g) => g.name === f.name)]!,
  );
  return makeBatch(fields, cols, undefined, batch.numRows);
}

/** What {@link openTable} found, handed to the table. */
export interface TableParts {
  readonly url: string;
  readonly files: readonly string[];
  readonly chunks: ChunkList;
  readonly layout: GeoLayout;
  readonly bbox: BBox | null;
  readonly report: Record<string, unknown> | null;
  readonly stats: TableStats;
  /** Files opened while opening the table, by file id, reused for reads. */
  readonly opened: ReadonlyMap<number, ParquetFileReader>;
  /** A file with the table's schema, for a table without chunks (e.g. `_sample`). */
  readonly schemaFile: ParquetFileReader | null;
  /**
   * The data files' columns and page codec, when known without their footers (from `_sample`,
   * docs/FORMAT.md): a chunk whose byte span the chunk list gives is then read as that span alone.
   */
  readonly direct: DirectRead | null;
  readonly signal?: AbortSignal;
}

/** How to decode a chunk from its byte span alone. */
export interface DirectRead {
  readonly layout: ArrowLayout;
  readonly codec: string;
}

/** Columns of one read: those fetched, and the fields and schema of the result. */
interface ResolvedColumns {
  readonly read: readonly string[];
  readonly outFields: readonly Field[];
  readonly outSchema: Schema;
}

/** The {@link GeoTable} over {@link TableParts}. */
export class OpenedTable implements GeoTable {
  readonly url: string;
  readonly files: readonly string[];
  readonly bbox: BBox | null;
  readonly report: Record<string, unknown> | null;
  readonly stats: TableStats;
  readonly geometryColumn: string;
  readonly geometryEncoding: string;
  private readonly list: ChunkList;
  private readonly index: ChunkIndex;
  private readonly layout: GeoLayout;
  private readonly open = new Map<number, Promise<ParquetFileReader>>();
  /** Data files opened for span reads (no footer read), by file id. */
  private readonly spans = new Map<number, Promise<RangeReader>>();
  private readonly direct: DirectRead | null;
  private schemaPromise: Promise<Schema> | null = null;
  private readonly schemaFile: ParquetFileReader | null;
  private closed = false;

  constructor(parts: TableParts) {
    this.url = parts.url;
    this.files = parts.files;
    this.bbox = parts.bbox;
    this.report = parts.report;
    this.stats = parts.stats;
    this.list = parts.chunks;
    this.index = new ChunkIndex(parts.chunks);
    this.layout = parts.layout;
    this.geometryColumn = parts.layout.geometry;
    this.geometryEncoding = parts.layout.encoding;
    this.schemaFile = parts.schemaFile;
    this.direct = parts.direct;
    for (const [id, file] of parts.opened) this.open.set(id, Promise.resolve(file));
  }

  chunks(bbox?: BBox): ChunkInfo[] {
    const box = bbox === undefined ? undefined : checkBBox(bbox);
    return Array.from(this.index.search(box), (i) => this.chunkInfo(i));
  }

  async read(options: TableReadOptions = {}): Promise<Table> {
    this.checkOpen();
    const { signal } = options;
    const bbox = options.bbox === undefined ? undefined : checkBBox(options.bbox);
    if (bbox !== undefined && !this.layout.lonLat) {
      throw new GeopartError(
        'INVALID_ARGUMENT',
        `${this.url}: its coordinates are not longitude/latitude (its 'geo' metadata names another CRS), and a bbox is in degrees; reproject it first, e.g. with geopart ingest, which writes EPSG:4326`,
        { file: this.url, option: 'bbox' },
      );
    }
    const exact = options.exact === true && bbox !== undefined;
    const filterCols = new Set<string>();
    if (bbox !== undefined) {
      const cov = this.layout.covering;
      filterCols.add(
        cov !== null && (await this.columnNames(signal)).includes(cov.column)
          ? cov.column
          : this.layout.geometry,
      );
      if (exact) filterCols.add(this.layout.geometry);
    }
    const cols = await this.resolveColumns(options.columns, filterCols, signal);
    return this.readChunks(this.index.search(bbox), cols, bbox, exact, signal);
  }

  async readChunk(
    fileId: number,
    chunkId: number,
    options: Pick<TableReadOptions, 'columns' | 'signal'> = {},
  ): Promise<Table> {
    this.checkOpen();
    const l = this.list;
    let i = 0;
    while (i < l.length && !(l.fileId[i] === fileId && l.chunkId[i] === chunkId)) i++;
    if (i === l.length) {
      throw new GeopartError(
        'INVALID_ARGUMENT',
        `${this.url}: no chunk ${chunkId} in file ${fileId}; table.chunks() lists the chunks`,
        { option: 'chunk' },
      );
    }
    const cols = await this.resolveColumns(options.columns, new Set(), options.signal);
    return this.readChunks([i], cols, undefined, false, options.signal);
  }

  /** Names of the data files' columns. */
  private async columnNames(signal?: AbortSignal): Promise<string[]> {
    return (await this.schema(signal)).fields.map((f) => f.name);
  }

  /**
   * The columns to read (the requested ones plus `filterCols`, in file order) and the fields
   * and schema of the result; unknown or repeated requested columns are an error.
   */
  private async resolveColumns(
    requested: readonly string[] | undefined,
    filterCols: ReadonlySet<string>,
    signal?: AbortSignal,
  ): Promise<ResolvedColumns> {
    const schema = await this.schema(signal);
    const names = schema.fields.map((f) => f.name);
    const columns = requested === undefined ? names : [...requested];
    const unknown = columns.filter((c) => !names.includes(c));
    if (unknown.length > 0 || new Set(columns).size !== columns.length) {
      const what =
        unknown.length > 0
          ? `unknown column ${unknown.map((c) => `'${c}'`).join(', ')}`
          : 'a column is listed twice';
      throw new GeopartError(
        'INVALID_ARGUMENT',
        `${this.url}: ${what}; available columns: ${names.join(', ')}`,
        {
          option: 'columns',
        },
      );
    }
    const outFields = columns.map((c) => schema.fields[names.indexOf(c)]!);
    return {
      read: names.filter((n) => columns.includes(n) || filterCols.has(n)),
      outFields,
      outSchema: new Schema(outFields, schema.metadata),
    };
  }

  /** Reads the chunks `hits` (indexes into the chunk list), filtered by `bbox` when given. */
  private async readChunks(
    hits: ArrayLike<number>,
    cols: ResolvedColumns,
    bbox: BBox | undefined,
    exact: boolean,
    signal: AbortSignal | undefined,
  ): Promise<Table> {
    const batches: RecordBatch[] = [];
    // A window of chunks at a time: each chunk is held whole only until its window's rows are
    // gathered into one batch, so memory holds the result and one window's chunks.
    for (let w = 0; w < hits.length; ) {
      const ids = this.window(hits, w);
      w += ids.length;
      const direct = await this.readWindow(ids, cols, bbox, exact, signal);
      if (direct !== null) {
        if (direct.numRows > 0) batches.push(direct);
        continue;
      }
      const parts = new Array<Fetched[]>(ids.length);
      await eachBounded(ids.length, CONCURRENCY, async (k) => {
        parts[k] = await this.fetchChunk(ids[k]!, cols.read, cols.outFields, bbox, exact, signal);
      });
      batches.push(...keptRows(parts.flat()));
    }
    if (batches.length === 0) return new Table(cols.outSchema);
    const one = batches.length === 1 ? batches[0]! : concatBatches(batches);
    return new Table(cols.outSchema, [new RecordBatch(cols.outSchema, one.data)]);
  }

  /**
   * The chunks of `hits` from `from` on that one window gathers: at most {@link WINDOW} chunks
   * and {@link WINDOW_BYTES} of their row groups (as the chunk table measures them; a chunk of
   * unknown size counts {@link WINDOW_ROWS} rows instead), and always one.
   */
  private window(hits: ArrayLike<number>, from: number): number[] {
    const ids: number[] = [];
    let bytes = 0;
    let rows = 0;
    for (let k = from; k < hits.length && ids.length < WINDOW; k++) {
      const i = hits[k]!;
      const size = this.list.byteLength[i]!;
      bytes += Number.isFinite(size) ? size : 0;
      rows += Number.isFinite(size) ? 0 : this.list.numRows[i]!;
      if (ids.length > 0 && (bytes > WINDOW_BYTES || rows > WINDOW_ROWS)) break;
      ids.push(i);
    }
    return ids;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const files = [...this.open.values(), ...this.spans.values()];
    this.open.clear();
    this.spans.clear();
    await Promise.all(files.map(async (f) => (await f.catch(() => null))?.close()));
    await this.schemaFile?.close();
  }

  private chunkInfo(i: number): ChunkInfo {
    const l = this.list;
    const nul = (v: number) => (Number.isNaN(v) ? null : v);
    const b = l.boxes;
    return {
      fileId: l.fileId[i]!,
      chunkId: l.chunkId[i]!,
      bbox: [b[4 * i]!, b[4 * i + 1]!, b[4 * i + 2]!, b[4 * i + 3]!],
      numRows: l.numRows[i]!,
      numCoords: nul(l.numCoords[i]!),
      sumArea: nul(l.sumArea[i]!),
      sumLength: nul(l.sumLength[i]!),
      url: this.files[l.fileId[i]!]!,
    };
  }

  /** Reads chunk `i` of the list: its row group, filtered by `bbox` when given. */
  private async fetchChunk(
    i: number,
    readCols: readonly string[],
    outFields: readonly Field[],
    bbox: BBox | undefined,
    exact: boolean,
    signal: AbortSignal | undefined,
  ): Promise<Fetched[]> {
    signal?.throwIfAborted();
    const fileId = this.list.fileId[i]!;
    const url = this.files[fileId] ?? this.url;
    const batches =
      (await this.readSpan(i, readCols, signal)) ??
      (await (await this.file(fileId, signal)).readRowGroup(this.list.chunkId[i]!, readCols, signal)).batches;
    this.stats.rowGroupsRead++;
    return batches.map((batch) => ({
      batch: project(batch, outFields),
      keep: bbox === undefined ? null : rowMask(batch, this.layout, bbox, exact, url),
    }));
  }

  /**
   * The chunks `ids` (one window) read as their byte spans and decoded together by the native
   * decoder into one batch of the result's columns. With a bbox, the covering column is decoded
   * first and the other columns only for the rows its boxes keep. Null when a chunk's span is
   * unknown, the spans do not decode that way (a codec the decoder lacks, or a file unlike `_sample`), or the box
   * needs the geometry (`exact`, or no covering): the chunks are then read one by one.
   */
  private async readWindow(
    ids: readonly number[],
    cols: ResolvedColumns,
    bbox: BBox | undefined,
    exact: boolean,
    signal: AbortSignal | undefined,
  ): Promise<RecordBatch | null> {
    const cov = this.layout.covering;
    if (this.direct === null) return null;
    if (bbox !== undefined && (exact || cov === null || !cols.read.includes(cov.column))) return null;
    const { layout, codec } = this.direct;
    // Spans are fetched only when their codec and covering decode so, so none is fetched twice.
    if (!decodesSpans(layout, codec, bbox === undefined ? null : cov)) return null;
    const spans = new Array<Uint8Array | null>(ids.length);
    await eachBounded(ids.length, CONCURRENCY, async (k) => {
      spans[k] = await this.spanBytes(ids[k]!, signal);
    });
    if (spans.some((s) => s === null)) return null;
    const bytes = spans as Uint8Array[];
    const rows = ids.map((i) => this.list.numRows[i]!);
    let keep: Uint8Array | null = null;
    if (bbox !== undefined) {
      keep = spansBoxMask(layout, codec, bytes, rows, cov!.column, cov!.fields, bbox);
      if (keep === null) return null;
    }
    // The result's columns only: the covering was needed for the box alone, tested above.
    const out = cols.outFields.map((f) => f.name);
    const batch = decodeRowGroupSpans(layout, codec, bytes, rows, out, keep);
    if (batch === null) return null;
    this.stats.rowGroupsRead += ids.length;
    return project(batch, cols.outFields);
  }

  /**
   * Chunk `i` read as its byte span alone, when the chunk list gives the span and `_sample` the
   * columns; null otherwise, or when the span does not decode as those columns (the footer is
   * then read, and says what is wrong).
   */
  private async readSpan(
    i: number,
    readCols: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<RecordBatch[] | null> {
    const span = await this.spanBytes(i, signal);
    if (span === null || this.direct === null) return null;
    const { layout, codec } = this.direct;
    const batch = decodeRowGroupSpan(layout, codec, this.list.numRows[i]!, span, readCols);
    return batch === null ? null : [batch];
  }

  /** The bytes of chunk `i`'s row group, when the chunk list locates it and `_sample` gives the columns. */
  private async spanBytes(i: number, signal: AbortSignal | undefined): Promise<Uint8Array | null> {
    const offset = this.list.byteOffset[i]!;
    const length = this.list.byteLength[i]!;
    if (this.direct === null || !Number.isFinite(offset) || !Number.isFinite(length)) return null;
    this.checkOpen();
    const fileId = this.list.fileId[i]!;
    let reader = this.spans.get(fileId);
    if (reader === undefined) {
      const url = this.files[fileId];
      if (url === undefined) return null;
      reader = openRangeReader(url, signal).then((r) => countingReader(r, this.stats));
      this.spans.set(fileId, reader);
      reader.catch(() => this.spans.delete(fileId));
    }
    const r = await reader;
    // A reader enters `spans` only while the table is open, so close() closes it; a read
    // resumed after close() stops here.
    this.checkOpen();
    if (offset < 0 || offset + length > r.size) return null;
    return r.read(offset, length, signal);
  }

  /** The data file `fileId`, opened once (footer only). */
  private file(fileId: number, signal?: AbortSignal): Promise<ParquetFileReader> {
    this.checkOpen();
    let f = this.open.get(fileId);
    if (f === undefined) {
      const url = this.files[fileId];
      if (url === undefined) {
        return Promise.reject(
          new GeopartError(
            'CORRUPT_INPUT',
            `${this.url}: chunk metadata names file ${fileId}, which the table lacks`,
            {
              file: this.url,
            },
          ),
        );
      }
      f = openRangeReader(url, signal).then((r) => openParquetFile(countingReader(r, this.stats), signal));
      this.open.set(fileId, f);
      f.catch(() => this.open.delete(fileId));
    }
    return f;
  }

  /** The Arrow schema of the data files: from `_sample` when known there, else the first file's footer. */
  private schema(signal?: AbortSignal): Promise<Schema> {
    if (this.direct !== null) return Promise.resolve(this.direct.layout.schema);
    this.schemaPromise ??= (async () => {
      const file =
        this.list.length === 0 && this.schemaFile !== null
          ? this.schemaFile
          : await this.file(this.list.length > 0 ? this.list.fileId[0]! : 0, signal);
      return file.schema(signal);
    })();
    this.schemaPromise.catch(() => {
      this.schemaPromise = null;
    });
    return this.schemaPromise;
  }

  private checkOpen(): void {
    if (this.closed)
      throw new GeopartError('INTERNAL', `${this.url}: table read after close()`, { file: this.url });
  }
}
