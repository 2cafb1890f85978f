/**
 * Opening a table for reading (docs/FORMAT.md): a geopart table folder, its `_sample`, its
 * `output_metadata` file, or a plain GeoParquet file written by another tool. Only footers
 * are read here; data row groups are read by {@link GeoTable.read}.
 */

import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Schema, Table } from 'apache-arrow';
import { GeopartError } from '../errors.js';
import { BBOX_COLUMN, BBOX_FIELDS, GEOMETRY_COLUMN } from '../format/columns.js';
import { CHUNK_TABLE_KEY, FORMAT_VERSION_KEY, GEO_KEY, REPORT_KEY, TABLE_KEY } from '../format/keys.js';
import { dataFileName, TABLE_MARKER } from '../format/markers.js';
import { isUrl, resolveTableLocation } from '../format/table-location.js';
import { checkFormatVersion } from '../format/version.js';
import { geoFromLogicalTypes } from '../io/geoparquet-meta.js';
import { countingReader } from '../io/range.js';
import { openRangeReader } from '../io/range-reader.js';
import { type ChunkList, chunkListFromTable, isChunkMetadata } from './chunk-list.js';
import { type DirectRead, OpenedTable } from './geo-table.js';
import { openParquetFile, type ParquetFileReader, readParquetBytes } from './parquet-file.js';
import { chunksFromRowGroups, type GeoLayout, geoLayout } from './plain-chunks.js';
import { arrowLayout } from './row-group-decoder.js';
import { joinLocation } from './table-location.js';
import type { BBox, GeoTable, TableStats } from './types.js';

/**
 * First fetch of `_sample`'s footer (bytes): it carries the chunk table, about 150 bytes a
 * chunk, so this opens tables of up to about 1,500 chunks in one request.
 */
const SAMPLE_FOOTER_GUESS = 256 * 1024;

/** How geopart lays out the data files of its tables (docs/FORMAT.md, "Data files"). */
const GEOPART_LAYOUT: GeoLayout = {
  geometry: GEOMETRY_COLUMN,
  encoding: 'WKB',
  covering: { column: BBOX_COLUMN, fields: [...BBOX_FIELDS] },
  bbox: null,
  lonLat: true,
};

/**
 * Opens the table at `pathOrUrl` (local path, `file://`, `http(s)://` or `s3://` URL):
 * - a geopart table folder: its chunks from `_sample`'s `fused:_metadata`;
 * - a table's `_sample`, or its `output_metadata` file (which records the table's location);
 * - any other GeoParquet file: each row group a chunk, boxed by the statistics of the bbox
 *   covering column (a row group without them is read for every box; see plain-chunks.ts).
 *
 * Errors name the path: `INPUT_NOT_FOUND` (missing), `INCOMPLETE_TABLE` (a folder without
 * `_sample`), `UNKNOWN_FORMAT` (not Parquet), `NO_GEOMETRY` (Parquet without `geo` metadata),
 * `CORRUPT_INPUT` (unreadable metadata), `UNKNOWN_FORMAT_VERSION` (a `fused:format_version`
 * this geopart does not read), `UNSUPPORTED` (schemes other than local, http(s) and s3).
 */
export async function openTable(
  pathOrUrl: string,
  options: { signal?: AbortSignal } = {},
): Promise<GeoTable> {
  const { signal } = options;
  const stats: TableStats = { rowGroupsRead: 0, bytesRead: 0 };
  // A file:// URL is a local path (percent-decoded), and is read as one.
  if (/^file:/i.test(pathOrUrl)) pathOrUrl = fileURLToPath(pathOrUrl);
  if (await isFolder(pathOrUrl)) {
    const sample = await openSample(pathOrUrl, stats, signal);
    return fromSample(pathOrUrl, pathOrUrl, sample, stats, signal);
  }
  const file = await openParquetFile(countingReader(await openRangeReader(pathOrUrl, signal), stats), signal);
  try {
    checkFormatVersion(file.keyValue.get(FORMAT_VERSION_KEY), pathOrUrl);
    if (file.keyValue.has(CHUNK_TABLE_KEY))
      return await fromSample(pathOrUrl, parentOf(pathOrUrl), file, stats, signal);
    const names = file.metadata.schema.slice(1).map((e) => e.name);
    const table = file.keyValue.get(TABLE_KEY);
    if (table !== undefined) return await fromOutputMetadata(pathOrUrl, table, file, stats, signal);
    if (isChunkMetadata(names)) {
      throw new GeopartError(
        'CORRUPT_INPUT',
        `${pathOrUrl} is a chunk metadata file without the '${TABLE_KEY}' entry that says where its table is; open the table folder instead`,
        { file: pathOrUrl },
      );
    }
    return fromPlainFile(pathOrUrl, file, stats);
  } catch (err) {
    await file.close();
    throw err;
  }
}

/** A local folder, or a URL whose last segment has no extension (URLs cannot be listed). */
async function isFolder(pathOrUrl: string): Promise<boolean> {
  if (isUrl(pathOrUrl)) {
    const last = new URL(pathOrUrl).pathname.replace(/\/+$/, '').split('/').at(-1) ?? '';
    return pathOrUrl.endsWith('/') || (last !== TABLE_MARKER && !last.includes('.'));
  }
  const st = await stat(pathOrUrl).catch((err: NodeJS.ErrnoException) => {
    throw new GeopartError(
      'INPUT_NOT_FOUND',
      `${pathOrUrl}: no such table or file (${err.code ?? err.message}); give a table folder written by geopart ingest, its output_metadata file, or a GeoParquet file`,
      {
        file: pathOrUrl,
      },
    );
  });
  return st.isDirectory();
}

function parentOf(pathOrUrl: string): string {
  const i = pathOrUrl.replace(/\/+$/, '').lastIndexOf('/');
  return i < 0 ? '.' : pathOrUrl.slice(0, i) || '/';
}

async function openSample(
  table: string,
  stats: TableStats,
  signal?: AbortSignal,
): Promise<ParquetFileReader> {
  const url = joinLocation(table, TABLE_MARKER);
  let reader: Awaited<ReturnType<typeof openRangeReader>>;
  try {
    reader = await openRangeReader(url, signal);
  } catch (err) {
    if (!(err instanceof GeopartError) || err.code !== 'INPUT_NOT_FOUND') throw err;
    throw new GeopartError(
      'INCOMPLETE_TABLE',
      `${table} has no ${TABLE_MARKER}: it is not a geopart table, or it was not completely written (${TABLE_MARKER} is written last); rewrite it, or give the folder of a complete table`,
      { file: table },
      { cause: err },
    );
  }
  const sample = await openParquetFile(countingReader(reader, stats), signal, SAMPLE_FOOTER_GUESS);
  try {
    checkFormatVersion(sample.keyValue.get(FORMAT_VERSION_KEY), url);
  } catch (err) {
    await sample.close();
    throw err;
  }
  return sample;
}

async function fromSample(
  url: string,
  table: string,
  sample: ParquetFileReader,
  stats: TableStats,
  signal?: AbortSignal,
): Promise<GeoTable> {
  const encoded = sample.keyValue.get(CHUNK_TABLE_KEY);
  if (encoded === undefined) {
    await sample.close();
    throw new GeopartError('CORRUPT_INPUT', `${sample.url} has no '${CHUNK_TABLE_KEY}' chunk metadata`, {
      file: sample.url,
    });
  }
  let chunks: ChunkList;
  try {
    const bytes = Buffer.from(encoded, 'base64');
    chunks = chunkListFromTable(readParquetBytes(bytes), `${sample.url} (${CHUNK_TABLE_KEY})`);
  } catch (err) {
    await sample.close();
    if (err instanceof GeopartError) throw err;
    throw new GeopartError(
      'CORRUPT_INPUT',
      `${sample.url}: cannot decode '${CHUNK_TABLE_KEY}': ${String(err)}`,
      {
        file: sample.url,
      },
    );
  }
  signal?.throwIfAborted();
  const keep = chunks.length === 0;
  if (!keep) await sample.close();
  return geopartTable(
    url,
    table,
    chunks,
    sample.keyValue.get(REPORT_KEY),
    stats,
    keep ? sample : null,
    directRead(sample),
  );
}

async function fromOutputMetadata(
  url: string,
  location: string,
  file: ParquetFileReader,
  stats: TableStats,
  signal?: AbortSignal,
): Promise<GeoTable> {
  const table = resolveTableLocation(url, location);
  const parts: Table[] = [];
  for (let rg = 0; rg < file.metadata.row_groups.length; rg++)
    parts.push(await file.readRowGroup(rg, null, signal));
  const batches = parts.flatMap((t) => t.batches);
  const chunks = chunkListFromTable(
    batches.length === 0 ? new Table(await file.schema()) : new Table(batches),
    url,
  );
  // The metadata file is written before the table is published: make sure the table is there.
  const sample = await openSample(table, stats, signal);
  await sample.close();
  await file.close();
  return geopartTable(url, table, chunks, file.keyValue.get(REPORT_KEY), stats, null, directRead(sample));
}

function geopartTable(
  url: string,
  table: string,
  chunks: ChunkList,
  report: string | undefined,
  stats: TableStats,
  schemaFile: ParquetFileReader | null,
  direct: DirectRead | null,
): GeoTable {
  let files = 0;
  for (let i = 0; i < chunks.length; i++) files = Math.max(files, chunks.fileId[i]! + 1);
  return new OpenedTable({
    url,
    files: Array.from({ length: files }, (_, id) => joinLocation(table, dataFileName(id))),
    chunks,
    layout: GEOPART_LAYOUT,
    bbox: unionBox(chunks.boxes),
    report: parseReport(report),
    stats,
    opened: new Map(),
    schemaFile,
    direct,
  });
}

function fromPlainFile(url: string, file: ParquetFileReader, stats: TableStats): GeoTable {
  const layout = geoLayout(
    file.keyValue.get(GEO_KEY) ?? geoFromLogicalTypes(file.metadata) ?? undefined,
    url,
  );
  const names = file.metadata.schema.map((e) => e.name);
  const covering =
    layout.covering !== null && names.includes(layout.covering.column) ? layout.covering : null;
  const used = { ...layout, covering };
  const chunks = chunksFromRowGroups(file.metadata, used);
  return new OpenedTable({
    url,
    files: [url],
    chunks,
    layout: used,
    bbox: layout.bbox ?? unionBox(chunks.boxes),
    report: parseReport(file.keyValue.get(REPORT_KEY)),
    stats,
    opened: new Map([[0, file]]),
    schemaFile: null,
    direct: null,
  });
}

/**
 * What a geopart table's data files hold, read from its `_sample` (docs/FORMAT.md: the same
 * columns and codec): the columns as the direct decoder reads them and the pages' codec; null
 * when `_sample` has no row group to take the codec from, mixes codecs, or has columns the
 * direct decoder does not read. The schema carries `_sample`'s `geo` and report metadata.
 */
function directRead(sample: ParquetFileReader): DirectRead | null {
  const group = sample.metadata.row_groups[0];
  const codecs = new Set(group?.columns.map((c) => c.meta_data?.codec));
  const layout = arrowLayout(sample.metadata);
  if (group === undefined || codecs.size !== 1 || layout === null) return null;
  const [codec] = codecs;
  if (codec === undefined) return null;
  const metadata = new Map(
    [...layout.schema.metadata].filter(([k]) => k !== CHUNK_TABLE_KEY && k !== FORMAT_VERSION_KEY),
  );
  return { layout: { ...layout, schema: new Schema(layout.schema.fields, metadata) }, codec };
}

/** Union of the finite boxes in `boxes` (4 per chunk), null when there is none. */
function unionBox(boxes: Float64Array): BBox | null {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < boxes.length; i += 4) {
    const a = boxes[i]!;
    const b = boxes[i + 1]!;
    const c = boxes[i + 2]!;
    const d = boxes[i + 3]!;
    if (!(Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c) && Number.isFinite(d))) continue;
    x0 = Math.min(x0, a);
    y0 = Math.min(y0, b);
    x1 = Math.max(x1, c);
    y1 = Math.max(y1, d);
  }
  return x0 <= x1 && y0 <= y1 ? [x0, y0, x1, y1] : null;
}

function parseReport(json: string | undefined): Record<string, unknown> | null {
  if (json === undefined) return null;
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
