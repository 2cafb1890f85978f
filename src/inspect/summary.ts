/**
 * What `inspect` says about a table: its files, chunks and rows, the size of its chunks in the
 * measure the table was partitioned by, its box, and the ingest report's counts. Built from the
 * chunk metadata alone: no data page is read.
 */
import type { BBox, ChunkInfo, GeoTable } from '../read/types.js';
import { type Histogram, histogram } from './histogram.js';

/** The measures a table can be partitioned by, as `partitioning_method` names them. */
export type Measure = 'rows' | 'coords' | 'area' | 'length';

/** Smallest, middle and largest of a set of values, in their unit. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** The ingest report's counts of rows, in rows; null where the report does not say. */
export interface ReportCounts {
  readonly rowsRead: number | null;
  readonly rowsDroppedOutOfBounds: number | null;
  readonly rowsDroppedNoGeometry: number | null;
  readonly rowsSubdivided: number | null;
  readonly rowsAddedBySubdivision: number | null;
  readonly rowsAddedByExplode: number | null;
  /** Rows added by splitting rows at the antimeridian; 0 when the report does not say (none crossed). */
  readonly rowsAddedByAntimeridian: number;
  readonly rowsWritten: number | null;
}

/** Everything `inspect` prints, as plain JSON-able data. */
export interface TableSummary {
  /** What was opened. */
  readonly table: string;
  readonly files: number;
  readonly chunks: number;
  /** Rows in all chunks, from the chunk metadata. */
  readonly rows: number;
  /** Chunks per file. */
  readonly chunksPerFile: Spread | null;
  /** Rows per file. */
  readonly rowsPerFile: Spread | null;
  /** The table's partitioning method as its report names it; null without a report. */
  readonly partitioningMethod: string | null;
  /** The measure chunk sizes are given in: the partitioning method when the chunk table records it, else rows. */
  readonly measure: Measure;
  /** Chunk sizes in that measure (rows; vertices; deg^2; degrees); null when the chunk table lacks it. */
  readonly chunkSize: Spread | null;
  /** Histogram of chunk sizes in that measure. */
  readonly chunkSizeHistogram: Histogram | null;
  /** Caps from the report, in the measure; null when unknown or uncapped. */
  readonly maxPerChunk: number | null;
  readonly maxPerFile: number | null;
  /** Chunks of more than one row above the per-chunk cap (a single row may exceed it); null without a cap. */
  readonly chunksOverCap: number | null;
  /** Box of the table, degrees; null when no chunk has a finite box. */
  readonly bbox: BBox | null;
  /** The ingest report's row counts; null when the table carries no `geopart:report`. */
  readonly report: ReportCounts | null;
  /** Facts the table does not record, in words, for a table written by another tool. */
  readonly unknown: readonly string[];
}

const MEASURES: readonly Measure[] = ['rows', 'coords', 'area', 'length'];

function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  const median = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]! };
}

/** Chunk `c`'s size in measure `m`, null when the chunk table does not record it. */
export function chunkMeasure(c: ChunkInfo, m: Measure): number | null {
  const v = m === 'rows' ? c.numRows : m === 'coords' ? c.numCoords : m === 'area' ? c.sumArea : c.sumLength;
  return v === null || !Number.isFinite(v) ? null : v;
}

function count(report: Record<string, unknown>, key: string): number | null {
  const v = report[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A cap read from the report; non-finite or absent means uncapped or unknown. */
function capOf(report: Record<string, unknown> | null, key: string): number | null {
  return report ? count(report, key) : null;
}

/** True when a box has four finite sides (tables of other tools may leave a chunk's box unknown). */
export function isFiniteBox(b: BBox): boolean {
  return b.every(Number.isFinite);
}

/** The union of the finite chunk boxes, in degrees; null when there is none. */
export function chunksBox(chunks: readonly ChunkInfo[]): BBox | null {
  let [minx, miny, maxx, maxy] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const c of chunks) {
    if (!isFiniteBox(c.bbox)) continue;
    minx = Math.min(minx, c.bbox[0]);
    miny = Math.min(miny, c.bbox[1]);
    maxx = Math.max(maxx, c.bbox[2]);
    maxy = Math.max(maxy, c.bbox[3]);
  }
  return minx <= maxx ? [minx, miny, maxx, maxy] : null;
}

/**
 * Summarises an opened table from its chunk metadata and report.
 * @param bins most bars of the chunk-size histogram
 */
export function summarize(
  table: Pick<GeoTable, 'url' | 'files' | 'bbox' | 'report' | 'chunks'>,
  bins = 10,
): TableSummary {
  const chunks = table.chunks();
  const unknown: string[] = [];
  const report = table.report;
  let measure: Measure = 'rows';
  if (report === null) {
    unknown.push(
      'no geopart:report in the files: the partitioning method, caps and ingest counts are unknown',
    );
  } else {
    const m = report.partitioningMethod;
    if (typeof m === 'string' && (MEASURES as readonly string[]).includes(m)) measure = m as Measure;
    else
      unknown.push(`the report names no known partitioning method (${JSON.stringify(m)}): sizes are in rows`);
  }

  const partitionedBy = measure;
  let sizes = chunks.map((c) => chunkMeasure(c, measure));
  if (sizes.some((s) => s === null)) {
    unknown.push(`the chunk table does not record ${measure} for every chunk: sizes are in rows`);
    measure = 'rows';
    sizes = chunks.map((c) => c.numRows);
  }
  const values = sizes as number[];

  const perFile = new Map<number, { chunks: number; rows: number }>();
  for (const c of chunks) {
    const f = perFile.get(c.fileId) ?? { chunks: 0, rows: 0 };
    f.chunks++;
    f.rows += c.numRows;
    perFile.set(c.fileId, f);
  }
  const fileStats = table.files.map((_, i) => perFile.get(i) ?? { chunks: 0, rows: 0 });

  const maxPerChunk = capOf(report, 'maxPerChunk');
  const maxPerFile = capOf(report, 'maxPerFile');
  // Caps are compared with a relative tolerance: sums of areas and lengths are rounded. A cap in
  // another measure than the sizes (the chunk table lacks the measure) cannot be checked.
  const cap = measure === partitionedBy ? maxPerChunk : null;
  const over = (v: number, c: ChunkInfo) => cap !== null && c.numRows > 1 && v > cap * (1 + 1e-9);

  const bbox = table.bbox ?? chunksBox(chunks);
  if (bbox === null) unknown.push('no chunk has a known box: the table extent is unknown');
  if (chunks.some((c) => !isFiniteBox(c.bbox))) {
    unknown.push('some chunks have no box in the metadata (no bbox statistics): they are not drawn');
  }

  return {
    table: table.url,
    files: table.files.length,
    chunks: chunks.length,
    rows: chunks.reduce((a, c) => a + c.numRows, 0),
    chunksPerFile: spread(fileStats.map((f) => f.chunks)),
    rowsPerFile: spread(fileStats.map((f) => f.rows)),
    partitioningMethod: report === null ? null : String(report.partitioningMethod ?? '') || null,
    measure,
    chunkSize: spread(values),
    chunkSizeHistogram: chunks.length > 0 ? histogram(values, bins) : null,
    maxPerChunk,
    maxPerFile,
    chunksOverCap: cap === null ? null : chunks.filter((c, i) => over(values[i]!, c)).length,
    bbox,
    report: report === null ? null : reportCounts(report),
    unknown,
  };
}

function reportCounts(r: Record<string, unknown>): ReportCounts {
  return {
    rowsRead: count(r, 'rowsRead'),
    rowsDroppedOutOfBounds: count(r, 'rowsDroppedOutOfBounds'),
    rowsDroppedNoGeometry: count(r, 'rowsDroppedNoGeometry'),
    rowsSubdivided: count(r, 'rowsSubdivided'),
    rowsAddedBySubdivision: count(r, 'rowsAddedBySubdivision'),
    rowsAddedByExplode: count(r, 'rowsAddedByExplode'),
    rowsAddedByAntimeridian: count(r, 'rowsAddedByAntimeridian') ?? 0,
    rowsWritten: count(r, 'rowsWritten'),
  };
}
