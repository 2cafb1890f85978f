/**
 * Chunks of a GeoParquet file written by another tool: each row group is a chunk, its box taken
 * from the row-group statistics of the file's bbox covering column (GeoParquet 1.1), else from
 * the geometry column's geospatial statistics (Parquet's GEOMETRY logical type, format 2.11).
 * A row group with neither gets an unknown box: it is read for every query and its rows are
 * tested by the box of their geometry, so nothing is read at open time beyond the footer.
 */
import type { FileMetaData } from 'hyparquet';
import { GeopartError } from '../errors.js';
import { needsReprojection, parseGeoMetadata } from '../io/geoparquet-meta.js';
import { type ChunkList, UNKNOWN_BOX } from './chunk-list.js';
import type { BBox } from './types.js';

/** The geometry layout of a file, as its `geo` metadata declares it. */
export interface GeoLayout {
  /** Primary geometry column. */
  readonly geometry: string;
  /** Encoding of the geometry column, e.g. 'WKB' or 'point'. */
  readonly encoding: string;
  /** Covering struct column and its xmin, ymin, xmax, ymax field names, or null. */
  readonly covering: {
    readonly column: string;
    readonly fields: readonly [string, string, string, string];
  } | null;
  /** The `bbox` member of the primary column (degrees), or null. */
  readonly bbox: BBox | null;
  /** True when coordinates are longitude/latitude (EPSG:4326 / OGC:CRS84), what boxes are in. */
  readonly lonLat: boolean;
}

/**
 * The geometry layout from the `geo` key-value metadata of `url` (or what the GEOMETRY logical
 * type declares, `geoFromLogicalTypes`). Throws `NO_GEOMETRY` when there is none,
 * `CORRUPT_INPUT` when it is malformed, naming the file.
 */
export function geoLayout(geoJson: string | undefined, url: string): GeoLayout {
  if (geoJson === undefined) {
    throw new GeopartError(
      'NO_GEOMETRY',
      `${url}: a Parquet file without GeoParquet 'geo' metadata or a GEOMETRY column; give a geopart table or a GeoParquet file`,
      { file: url },
    );
  }
  const geo = parseGeoMetadata(geoJson, url);
  const col = geo.columns.get(geo.primaryColumn)!;
  const raw = (JSON.parse(geoJson) as { columns: Record<string, Record<string, unknown>> }).columns[
    geo.primaryColumn
  ]!;
  const cov = (raw.covering as { bbox?: Record<string, unknown> } | undefined)?.bbox;
  let covering: GeoLayout['covering'] = null;
  if (cov) {
    const paths = (['xmin', 'ymin', 'xmax', 'ymax'] as const).map((k) => cov[k]);
    const ok = paths.every((p) => Array.isArray(p) && p.length === 2 && p[0] === (paths[0] as string[])[0]);
    if (ok) {
      const fields = paths.map((p) => String((p as string[])[1])) as [string, string, string, string];
      covering = { column: String((paths[0] as string[])[0]), fields };
    }
  }
  const b = raw.bbox;
  const bbox =
    Array.isArray(b) && b.length === 4 && b.every((v) => typeof v === 'number' && Number.isFinite(v))
      ? ([b[0], b[1], b[2], b[3]] as BBox)
      : null;
  return {
    geometry: geo.primaryColumn,
    encoding: col.encoding,
    covering,
    bbox,
    lonLat: !needsReprojection(col.crs),
  };
}

/** One chunk per row group of `metadata`, boxes from covering statistics (see the module comment). */
export function chunksFromRowGroups(metadata: FileMetaData, layout: GeoLayout): ChunkList {
  const n = metadata.row_groups.length;
  const boxes = new Float64Array(4 * n);
  const numRows = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const rg = metadata.row_groups[i]!;
    numRows[i] = Number(rg.num_rows);
    const box =
      (layout.covering === null ? null : statsBox(rg.columns, layout.covering)) ??
      (layout.lonLat ? geoStatsBox(rg.columns, layout.geometry) : null);
    boxes.set(box ?? UNKNOWN_BOX, 4 * i);
  }
  return {
    length: n,
    fileId: new Int32Array(n),
    chunkId: Int32Array.from({ length: n }, (_, i) => i),
    boxes,
    numRows,
    numCoords: new Float64Array(n).fill(Number.NaN),
    sumArea: new Float64Array(n).fill(Number.NaN),
    sumLength: new Float64Array(n).fill(Number.NaN),
    byteOffset: new Float64Array(n).fill(Number.NaN),
    byteLength: new Float64Array(n).fill(Number.NaN),
  };
}

type ColumnChunks = FileMetaData['row_groups'][number]['columns'];

/**
 * The box in the `geospatial_statistics` of column `geometry`, or null when it has none. A
 * wrapped box (xmin > xmax, across the antimeridian) is taken as every longitude.
 */
function geoStatsBox(columns: ColumnChunks, geometry: string): number[] | null {
  const chunk = columns.find(
    (c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === geometry,
  );
  const b = chunk?.meta_data?.geospatial_statistics?.bbox;
  if (!b || ![b.xmin, b.ymin, b.xmax, b.ymax].every(Number.isFinite)) return null;
  return b.xmin > b.xmax ? [-180, b.ymin, 180, b.ymax] : [b.xmin, b.ymin, b.xmax, b.ymax];
}

function statsBox(columns: ColumnChunks, covering: NonNullable<GeoLayout['covering']>): number[] | null {
  const out: number[] = [];
  for (const [k, field] of covering.fields.entries()) {
    const chunk = columns.find(
      (c) =>
        c.meta_data?.path_in_schema.length === 2 &&
        c.meta_data.path_in_schema[0] === covering.column &&
        c.meta_data.path_in_schema[1] === field,
    );
    const s = chunk?.meta_data?.statistics;
    // xmin and ymin bound from below by their minimum, xmax and ymax from above by their maximum.
    const v = k < 2 ? (s?.min_value ?? s?.min) : (s?.max_value ?? s?.max);
    if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    out.push(v);
  }
  // Wrapped row boxes (xmin > xmax, across the antimeridian) can leave xmin above xmax: the
  // chunk then spans every longitude, as a wrapped geospatial statistics box does.
  if (out[0]! > out[2]!) return [-180, out[1]!, 180, out[3]!];
  return out;
}
