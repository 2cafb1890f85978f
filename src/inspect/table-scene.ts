/**
 * The picture's content from an opened table: chunk boxes from the chunk metadata, row centres
 * from the `bbox` covering column (four doubles per row), so a geopart table's geometry is never
 * decoded. A GeoParquet file of another tool without a `bbox` column is read whole once, and its
 * rows placed by their covering column or, failing that, the bounds of their WKB or points.
 */
import type { Data, Table, Vector } from 'apache-arrow';
import { wkbColumnFromData } from '../arrow/binary.js';
import { GeopartError } from '../errors.js';
import { BBOX_COLUMN, BBOX_FIELDS, GEOMETRY_COLUMN } from '../format/columns.js';
import { GEO_KEY } from '../format/keys.js';
import { wkbBounds } from '../geometry/bounds.js';
import type { BBox, GeoTable } from '../read/types.js';
import type { Scene, SceneChunk } from './picture.js';
import { chunksBox, isFiniteBox } from './summary.js';

/** Per-row boxes as four columns, in degrees; NaN where a row has no box. */
interface RowBoxes {
  readonly xmin: Float64Array;
  readonly ymin: Float64Array;
  readonly xmax: Float64Array;
  readonly ymax: Float64Array;
}

/** A numeric column's values as doubles, NaN where null. */
function doubles(v: Vector): Float64Array {
  const out = new Float64Array(v.length);
  let at = 0;
  for (const d of v.data) {
    const values = d.values as ArrayLike<number>;
    for (let i = 0; i < d.length; i++) out[at + i] = d.getValid(i) ? Number(values[i]) : Number.NaN;
    at += d.length;
  }
  return out;
}

function field(struct: Vector, name: string, column: string): Float64Array {
  // An empty table's struct column may hold no child data, from which Arrow cannot make a vector.
  if (struct.length === 0) return new Float64Array(0);
  const child = (struct as Vector & { getChild(n: string): Vector | null }).getChild(name);
  if (child === null) {
    throw new GeopartError('CORRUPT_INPUT', `the ${column} column has no field ${JSON.stringify(name)}`, {
      column,
    });
  }
  return doubles(child);
}

function columnOf(rows: Table, name: string): Vector {
  const v = rows.getChild(name);
  if (v === null)
    throw new GeopartError('CORRUPT_INPUT', `the table has no column ${JSON.stringify(name)}`, {});
  return v;
}

/** Boxes from a covering struct column whose fields are xmin, ymin, xmax, ymax (named by `fields`). */
function coveringBoxes(rows: Table, column: string, fields: readonly string[]): RowBoxes {
  const v = columnOf(rows, column);
  const [xmin, ymin, xmax, ymax] = fields.map((f) => field(v, f, column)) as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  return { xmin, ymin, xmax, ymax };
}

/** Boxes from the geometry itself: WKB bounds, or a GeoArrow point's x and y. */
function geometryBoxes(rows: Table, column: string, encoding: string): RowBoxes {
  const v = columnOf(rows, column);
  if (encoding === 'point') {
    const x = field(v, 'x', column);
    const y = field(v, 'y', column);
    return { xmin: x, ymin: y, xmax: x, ymax: y };
  }
  if (encoding.toUpperCase() !== 'WKB') {
    throw new GeopartError(
      'UNSUPPORTED',
      `inspect --image places rows by a bbox covering column, WKB or point geometry; column ${JSON.stringify(column)} is GeoArrow ${encoding}: rewrite the file with a bbox covering (e.g. geopart ingest)`,
      { column },
    );
  }
  const n = v.length;
  const out = {
    xmin: new Float64Array(n),
    ymin: new Float64Array(n),
    xmax: new Float64Array(n),
    ymax: new Float64Array(n),
  };
  let at = 0;
  for (const d of v.data as Data[]) {
    const b = wkbBounds(wkbColumnFromData(d, `geometry column ${JSON.stringify(column)}`));
    for (let i = 0; i < d.length; i++) {
      out.xmin[at + i] = b[4 * i]!;
      out.ymin[at + i] = b[4 * i + 1]!;
      out.xmax[at + i] = b[4 * i + 2]!;
      out.ymax[at + i] = b[4 * i + 3]!;
    }
    at += d.length;
  }
  return out;
}

/** The covering column and primary geometry column that a file's `geo` metadata declares. */
function geoColumns(rows: Table): {
  covering: { column: string; fields: string[] } | null;
  geometry: string;
  encoding: string;
} {
  const text = rows.schema.metadata.get(GEO_KEY);
  const geo =
    text === undefined
      ? null
      : (JSON.parse(text) as { primary_column?: string; columns?: Record<string, unknown> });
  const geometry = geo?.primary_column ?? GEOMETRY_COLUMN;
  const col = (geo?.columns?.[geometry] ?? {}) as {
    encoding?: string;
    covering?: { bbox?: Record<string, unknown> };
  };
  const cov = col.covering?.bbox;
  const paths = BBOX_FIELDS.map((k) => cov?.[k]);
  const ok = paths.every((p) => Array.isArray(p) && p.length === 2 && p[0] === (paths[0] as string[])[0]);
  return {
    covering: ok
      ? { column: String((paths[0] as string[])[0]), fields: paths.map((p) => String((p as string[])[1])) }
      : null,
    geometry,
    encoding: col.encoding ?? 'WKB',
  };
}

/** Every row's box: the `bbox` column when the table has one, else the whole table read once. */
async function rowBoxes(table: GeoTable, signal?: AbortSignal): Promise<RowBoxes> {
  try {
    const columns = [BBOX_COLUMN];
    const rows = await table.read({ columns, signal });
    return coveringBoxes(rows, BBOX_COLUMN, [...BBOX_FIELDS]);
  } catch (e) {
    // The reader names no schema before a read, so a missing column shows as a bad `columns` option.
    if (!(e instanceof GeopartError && e.context.option === 'columns')) throw e;
  }
  const rows = await table.read({ signal });
  const g = geoColumns(rows);
  if (g.covering && rows.getChild(g.covering.column))
    return coveringBoxes(rows, g.covering.column, g.covering.fields);
  return geometryBoxes(rows, g.geometry, g.encoding);
}

/** Union of the finite row boxes, in degrees; null when there is none. */
function rowsExtent(b: RowBoxes): BBox | null {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < b.xmin.length; i++) {
    if (!(b.xmin[i]! <= b.xmax[i]! && b.ymin[i]! <= b.ymax[i]!)) continue;
    x0 = Math.min(x0, b.xmin[i]!);
    y0 = Math.min(y0, b.ymin[i]!);
    x1 = Math.max(x1, b.xmax[i]!);
    y1 = Math.max(y1, b.ymax[i]!);
  }
  return x0 <= x1 ? [x0, y0, x1, y1] : null;
}

/**
 * Builds the picture's scene of a table: its chunk boxes, and the centre of every row's box.
 * The frame is the union of the chunk boxes, or of the row boxes when no chunk has a known box.
 * @throws GeopartError when no row has a box (nothing to draw)
 */
export async function tableScene(table: GeoTable, signal?: AbortSignal): Promise<Scene> {
  const all = table.chunks();
  const chunks: SceneChunk[] = all
    .filter((c) => isFiniteBox(c.bbox))
    .map((c) => ({ fileId: c.fileId, chunkId: c.chunkId, bbox: c.bbox }));
  const boxes = await rowBoxes(table, signal);
  const bbox = chunksBox(all) ?? rowsExtent(boxes);
  if (bbox === null) {
    throw new GeopartError(
      'NO_GEOMETRY',
      `${table.url}: no row has a geometry, so there is nothing to draw`,
      {
        file: table.url,
      },
    );
  }
  // The centres overwrite the xmin/ymin columns: they are not needed afterwards.
  const { xmin: xs, ymin: ys, xmax, ymax } = boxes;
  for (let i = 0; i < xs.length; i++) {
    xs[i] = (xs[i]! + xmax[i]!) / 2;
    ys[i] = (ys[i]! + ymax[i]!) / 2;
  }
  return { bbox, chunks, xs, ys };
}
