/**
 * The GeoParquet file writer: Arrow batches in, one GeoParquet 1.1 file out, each entry of
 * `rowGroupSizes` one Parquet row group. Columns are the input's attributes (types kept), the
 * WKB `geometry`, and a `bbox` covering struct with min/max statistics per row group; every
 * page compressed with the codec of `compression` (zstd level 1 by default). The same input
 * and options always give the same bytes.
 *
 * The Parquet encoding is done here rather than by a general writer: PLAIN values copied
 * straight from Arrow buffers, levels from validity bitmaps, data pages compressed by
 * compression.ts (zstd and LZ4 from the system libraries through the codec addon; see
 * bench/write.ts for the measurements behind this choice).
 */
import { open, unlink } from 'node:fs/promises';
import type { Data } from 'apache-arrow';
import { wkbColumnFromData } from '../arrow/binary.js';
import { GeopartError } from '../errors.js';
import { GEO_KEY } from '../format/keys.js';
import { PACKAGE_VERSION } from '../format/package-version.js';
import { ChunkScratch, type ColumnChunkMeta, PAGE_BYTES, writeColumnChunk } from './column-chunk.js';
import { CODEC_CODES, type Compression, compressorFor, DEFAULT_COMPRESSION } from './compression.js';
import {
  encodeColumnIndex,
  encodeFooter,
  encodeOffsetIndex,
  PARQUET_MAGIC,
  type RowGroupMeta,
} from './footer.js';
import {
  BBOX_FIELD,
  type Box,
  bboxColumn,
  collectGeometryTypes,
  geoMetadataJson,
  geometryTypeNames,
  unionBox,
  zRange,
} from './geo-columns.js';
import { checkInput, type GeoParquetInput, rowGroupSegments, segmentColumn } from './input.js';
import { planSchema } from './parquet-schema.js';
import { shred } from './shred.js';

/**
 * The `created_by` of every file, in the form Parquet writers use (`parquet-cpp-arrow version
 * 21.0.0`): fixed for a release, so output is reproducible.
 */
export const CREATED_BY = `geopart version ${PACKAGE_VERSION}`;

/**
 * Whether the geometry column carries Parquet's GEOMETRY logical type (format 2.11) with
 * geospatial statistics per column chunk, and the GeoParquet 1.1 `geo` metadata and `bbox`
 * covering, as GDAL 3.12's `USE_PARQUET_GEO_TYPES`: `no` (the covering only, GDAL's default),
 * `yes` (both) or `only` (the logical type only: no `geo` metadata, no covering column).
 */
export type GeoTypesMode = 'no' | 'yes' | 'only';

/** The modes of {@link GeoTypesMode}. */
export const GEO_TYPES_MODES: readonly GeoTypesMode[] = ['no', 'yes', 'only'];

/** Options of the writer functions; everything optional. */
export interface WriteOptions {
  /** Aborts between row groups; a file being written is removed. */
  readonly signal?: AbortSignal;
  /** Default `no`. */
  readonly geoTypes?: GeoTypesMode;
  /** Page compression; default zstd level 1 (compression.ts). */
  readonly compression?: Compression;
  /** Target uncompressed size of a data page, bytes; default 1 MiB (column-chunk.ts). */
  readonly pageBytes?: number;
  /** Write the page index (ColumnIndex and OffsetIndex) of every column chunk; default true. */
  readonly pageIndex?: boolean;
  /** Dictionary-encode string column chunks where it pays (dictionary.ts); default true. */
  readonly dictionary?: boolean;
}

/** One written row group (one chunk of the partitioned table). */
export interface RowGroupSummary {
  /** Rows in the row group. */
  readonly rows: number;
  /** `[xmin, ymin, xmax, ymax]` of its geometries (degrees), null when all are null or empty. */
  readonly bbox: Box | null;
  /** File offset of its first byte, and its size on disk (bytes, compressed). */
  readonly offset: number;
  readonly compressedBytes: number;
}

/** What a write produced. */
export interface WriteResult {
  /** Size of the file (bytes). */
  readonly bytes: number;
  /** Rows written. */
  readonly rows: number;
  /** One entry per row group, in file order. */
  readonly rowGroups: readonly RowGroupSummary[];
  /** Distinct GeoParquet geometry types seen, sorted, e.g. `['MultiPolygon', 'Point Z']`. */
  readonly geometryTypes: readonly string[];
  /** `[xmin, ymin, xmax, ymax]` of the whole file (degrees), null when no geometry has a coordinate. */
  readonly bbox: Box | null;
  /** The file's Parquet schema and page codec, as {@link parquetLayout} gives them. */
  readonly layout: string;
}

export type { Box, GeoParquetInput };

/**
 * Writes `input` to `path` as a GeoParquet file, row group by row group, so memory holds one
 * row group at a time. An existing file at `path` is replaced. On any error (bad input,
 * unsupported column type, I/O, abort) nothing is left at `path`.
 *
 * Input errors are checked before `path` is touched: TypeError / RangeError for a malformed
 * input, `GeopartError` `INVALID_CONFIG` for a column type Parquet output cannot hold.
 */
export async function writeGeoParquetFile(
  path: string,
  input: GeoParquetInput,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const plan = prepare(input, options);
  const compress = compressorFor(plan.compression);
  options.signal?.throwIfAborted();
  const file = await open(path, 'w');
  try {
    const result = await encode(plan, compress, (chunks) => file.writev(chunks), options.signal);
    await file.close();
    return result;
  } catch (err) {
    await file.close().catch(() => {});
    await unlink(path).catch(() => {});
    throw err;
  }
}

/** As {@link writeGeoParquetFile}, into memory (for small files: `_sample`, the chunk metadata). */
export async function encodeGeoParquet(
  input: GeoParquetInput,
  options: WriteOptions = {},
): Promise<{ bytes: Uint8Array; result: WriteResult }> {
  const plan = prepare(input, options);
  const compress = compressorFor(plan.compression);
  const parts: Uint8Array[] = [];
  const keep = (chunks: Uint8Array[]): void => {
    for (const c of chunks) parts.push(c);
  };
  const result = await encode(plan, compress, keep, options.signal);
  const bytes = new Uint8Array(result.bytes);
  let pos = 0;
  for (const p of parts) {
    bytes.set(p, pos);
    pos += p.length;
  }
  return { bytes, result };
}

type Plan = ReturnType<typeof prepare>;

function prepare(input: GeoParquetInput, options: WriteOptions) {
  const schema = checkInput(input);
  const fields = schema.fields;
  const geometry = fields.length - 1;
  const mode = options.geoTypes ?? 'no';
  const geoTypes = mode !== 'no';
  // The covering column and the `geo` metadata, unless the logical type alone says it all.
  const covering = mode !== 'only';
  let parquet = planSchema(covering ? [...fields, BBOX_FIELD] : [...fields]);
  if (geoTypes) {
    // The geometry column is a top-level BYTE_ARRAY leaf: its element follows the root and the
    // elements of the columns before it.
    const at = parquet.elements.findIndex(
      (e, i) => i > 0 && e.name === fields[geometry]!.name && e.type === 'BYTE_ARRAY',
    );
    const elements = parquet.elements.map((e, i) =>
      i === at ? { ...e, logical: { kind: 'GEOMETRY' as const } } : e,
    );
    parquet = { elements, leaves: parquet.leaves };
  }
  const compression = options.compression ?? DEFAULT_COMPRESSION;
  const pageBytes = options.pageBytes ?? PAGE_BYTES;
  if (!Number.isInteger(pageBytes) || pageBytes < 1) {
    throw new RangeError(`pageBytes must be a positive integer, got ${pageBytes}`);
  }
  const pageIndex = options.pageIndex ?? true;
  const dictionary = options.dictionary ?? true;
  return {
    dictionary,
    input,
    arrowSchema: schema,
    geometry,
    schema: parquet,
    geoTypes,
    covering,
    compression,
    pageBytes,
    pageIndex,
  };
}

/** Pending bytes are handed to the output once they reach this size (bytes). */
const FLUSH_BYTES = 4 << 20;

/**
 * Collects encoded bytes and hands them to the output in batches. One hand-over may be in
 * flight while the next row group is encoded, so file writes overlap with encoding.
 */
class Output {
  offset = 0;
  private chunks: Uint8Array[] = [];
  private pending = 0;
  private inflight: Promise<unknown> = Promise.resolve();
  private readonly flush: (chunks: Uint8Array[]) => unknown;

  constructor(flush: (chunks: Uint8Array[]) => unknown) {
    this.flush = flush;
  }

  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.offset += bytes.length;
    this.pending += bytes.length;
  }

  /** Starts handing over what is pending once there is enough (or `force`). */
  async drain(force: boolean): Promise<void> {
    if (this.pending < FLUSH_BYTES && !force) return;
    await this.inflight;
    const chunks = this.chunks;
    this.chunks = [];
    this.pending = 0;
    this.inflight = Promise.resolve(this.flush(chunks));
    // Observed here so a failed write is not reported as unhandled before it is awaited.
    this.inflight.catch(() => {});
    if (force) await this.inflight;
  }
}

async function encode(
  plan: Plan,
  compress: (bytes: Uint8Array) => Uint8Array,
  flush: (chunks: Uint8Array[]) => unknown,
  signal: AbortSignal | undefined,
): Promise<WriteResult> {
  const { input, arrowSchema, geometry, schema, geoTypes, covering } = plan;
  const sink = new Output(flush);
  const scratch = new ChunkScratch();
  const seen = new Set<number>();
  const groups: RowGroupMeta[] = [];
  const summaries: RowGroupSummary[] = [];
  let box: Box | null = null;
  let rowsBefore = 0;
  sink.push(PARQUET_MAGIC);

  for await (const segments of rowGroupSegments(input.batches, input.rowGroupSizes, arrowSchema)) {
    signal?.throwIfAborted();
    // Top-level column data per segment: the input's columns, then the covering bbox.
    const columns: Data[][] = Array.from({ length: geometry + (covering ? 2 : 1) }, () => []);
    let groupBox: Box | null = null;
    let rows = 0;
    const groupTypes = new Set<number>();
    let groupZ: [number, number] | null = null;
    for (const segment of segments) {
      for (let j = 0; j <= geometry; j++) columns[j]!.push(segmentColumn(segment, j));
      const wkb = wkbColumnFromData(columns[geometry]!.at(-1)!, 'geometry column');
      const bbox = atRow(rowsBefore + rows, () => {
        collectGeometryTypes(wkb, groupTypes);
        return bboxColumn(wkb);
      });
      if (geoTypes && [...groupTypes].some((t) => t >= 1000)) {
        const z = zRange(wkb);
        if (z !== null) groupZ = groupZ === null ? z : [Math.min(groupZ[0], z[0]), Math.max(groupZ[1], z[1])];
      }
      if (covering) columns[geometry + 1]!.push(bbox.data);
      groupBox = unionBox(groupBox, bbox.box);
      rows += segment.length;
    }
    for (const t of groupTypes) seen.add(t);
    rowsBefore += rows;
    const offset = sink.offset;
    const chunks: ColumnChunkMeta[] = schema.leaves.map((leaf) =>
      writeColumnChunk(
        leaf,
        columns[leaf.column]!.map((data) => shred(data, leaf)),
        sink,
        compress,
        scratch,
        plan.pageBytes,
        plan.dictionary,
      ),
    );
    if (geoTypes) {
      const g = schema.leaves.findIndex((leaf) => leaf.column === geometry);
      chunks[g]!.geo = {
        bbox: groupBox,
        z: groupZ,
        types: [...groupTypes].sort((a, b) => a - b),
      };
    }
    groups.push({ numRows: rows, columns: chunks });
    summaries.push({ rows, bbox: groupBox, offset, compressedBytes: sink.offset - offset });
    box = unionBox(box, groupBox);
    await sink.drain(false);
  }

  if (plan.pageIndex) {
    // After the row groups, before the footer: every column index, then every offset index.
    for (const g of groups) {
      for (const c of g.columns) {
        const bytes = encodeColumnIndex(c);
        if (bytes === null) continue;
        c.columnIndex = { offset: sink.offset, length: bytes.length };
        sink.push(bytes);
      }
    }
    for (const g of groups) {
      for (const c of g.columns) {
        const bytes = encodeOffsetIndex(c);
        c.offsetIndex = { offset: sink.offset, length: bytes.length };
        sink.push(bytes);
      }
    }
  }
  const geometryTypes = geometryTypeNames(seen);
  const keyValues: [string, string][] = [
    ...(covering ? [[GEO_KEY, geoMetadataJson(geometryTypes, box)] as [string, string]] : []),
    ...Object.entries(input.keyValueMetadata ?? {}),
  ];
  sink.push(encodeFooter(schema, groups, keyValues, CREATED_BY, CODEC_CODES[plan.compression.codec]));
  await sink.drain(true);
  const rows = summaries.reduce((s, g) => s + g.rows, 0);
  return { bytes: sink.offset, rows, rowGroups: summaries, geometryTypes, bbox: box, layout: layoutOf(plan) };
}

function layoutOf(plan: Plan): string {
  return JSON.stringify({ schema: plan.schema.elements, codec: plan.compression.codec });
}

/**
 * The Parquet schema and page codec a file of `input` written with `options` has, as a string:
 * two files with equal strings have row groups one can decode with the other's footer schema
 * and codec (docs/FORMAT.md, "The chunk table"). Nothing is written.
 */
export function parquetLayout(input: GeoParquetInput, options: WriteOptions = {}): string {
  return layoutOf(prepare(input, options));
}

/** Runs `fn`, turning the segment-relative row of a WKB error into the file row. */
function atRow<T>(firstRow: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof GeopartError) || typeof err.context.row !== 'number') throw err;
    const row = firstRow + err.context.row;
    const message = err.message.replace(/at row \d+/, `at row ${row}`);
    throw new GeopartError(err.code, message, { ...err.context, row }, { cause: err });
  }
}
