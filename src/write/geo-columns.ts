/**
 * The GeoParquet parts of a data file: the `bbox` covering column built from the WKB, the
 * geometry types seen, and the `geo` key-value metadata (GeoParquet 1.1.0).
 */
import { type Data, Field, Float64, makeData, Struct } from 'apache-arrow';
import { BBOX_COLUMN, BBOX_FIELDS, GEOMETRY_COLUMN } from '../format/columns.js';
import { wkbBounds } from '../geometry/bounds.js';
import { isRowPresent, WKB_TYPE_NAMES, type WkbColumn, WkbCursor } from '../geometry/wkb.js';

/**
 * The covering column's field: a nullable struct of four non-nullable float64 (degrees). A row
 * whose geometry is null or empty has a null struct, as GeoPandas and GDAL write it.
 */
export const BBOX_FIELD = new Field(
  BBOX_COLUMN,
  new Struct(BBOX_FIELDS.map((k) => new Field(k, new Float64(), false))),
  true,
);

/** A box `[xmin, ymin, xmax, ymax]` in degrees. */
export type Box = readonly [number, number, number, number];

/**
 * The covering column of a WKB segment, and the segment's overall box (null when no row has a
 * coordinate). Bounds are computed with `wkbBounds` (X and Y only).
 */
export function bboxColumn(wkb: WkbColumn): { data: Data<Struct>; box: Box | null } {
  const n = wkb.length;
  const bounds = wkbBounds(wkb);
  const cols = BBOX_FIELDS.map(() => new Float64Array(n));
  const validity = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  let xmin = Number.POSITIVE_INFINITY;
  let ymin = Number.POSITIVE_INFINITY;
  let xmax = Number.NEGATIVE_INFINITY;
  let ymax = Number.NEGATIVE_INFINITY;
  const [c0, c1, c2, c3] = cols as [Float64Array, Float64Array, Float64Array, Float64Array];
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    const x0 = bounds[o]!;
    if (Number.isNaN(x0)) {
      nulls++;
      continue;
    }
    const y0 = bounds[o + 1]!;
    const x1 = bounds[o + 2]!;
    const y1 = bounds[o + 3]!;
    c0[i] = x0;
    c1[i] = y0;
    c2[i] = x1;
    c3[i] = y1;
    validity[i >> 3]! |= 1 << (i & 7);
    if (x0 < xmin) xmin = x0;
    if (y0 < ymin) ymin = y0;
    if (x1 > xmax) xmax = x1;
    if (y1 > ymax) ymax = y1;
  }
  const children = cols.map((values) =>
    makeData({ type: new Float64(), length: n, nullCount: 0, data: values }),
  );
  const data = makeData({
    type: BBOX_FIELD.type as Struct,
    length: n,
    nullCount: nulls,
    nullBitmap: nulls === 0 ? null : validity,
    children,
  });
  return { data, box: nulls === n ? null : [xmin, ymin, xmax, ymax] };
}

/** Grows `a` to cover `b` (either may be null = empty). */
export function unionBox(a: Box | null, b: Box | null): Box | null {
  if (a === null) return b;
  if (b === null) return a;
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

/**
 * Adds the type of every non-null row to `seen`, as `base + 1000` when it has Z (ISO style).
 * M is ignored: GeoParquet type names have no M.
 */
export function collectGeometryTypes(wkb: WkbColumn, seen: Set<number>): void {
  const cur = new WkbCursor(wkb.values);
  for (let i = 0; i < wkb.length; i++) {
    if (!isRowPresent(wkb, i)) continue;
    cur.reset(wkb.offsets[i]!, wkb.offsets[i + 1]!, i);
    const base = cur.readHeader();
    seen.add(base + (cur.hasZ ? 1000 : 0));
  }
}

/**
 * `[zmin, zmax]` over the Z values of `wkb`'s rows that have Z (NaN skipped), or null when
 * there are none.
 */
export function zRange(wkb: WkbColumn): [number, number] | null {
  const cur = new WkbCursor(wkb.values);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const coords = (n: number): void => {
    const len = cur.coordBytes(n);
    if (cur.hasZ) {
      const step = cur.dims * 8;
      for (let p = cur.pos + 16, end = cur.pos + len; p < end; p += step) {
        const z = cur.view.getFloat64(p, cur.le);
        if (z < min) min = z;
        if (z > max) max = z;
      }
    }
    cur.pos += len;
  };
  const geometry = (): void => {
    const type = cur.readHeader();
    if (type === 1) coords(1);
    else if (type === 2) coords(cur.readCount(cur.dims * 8));
    else if (type === 3) {
      const rings = cur.readCount(4);
      for (let r = 0; r < rings; r++) coords(cur.readCount(cur.dims * 8));
    } else {
      const parts = cur.readCount(5);
      for (let p = 0; p < parts; p++) geometry();
    }
  };
  for (let i = 0; i < wkb.length; i++) {
    if (!isRowPresent(wkb, i)) continue;
    cur.reset(wkb.offsets[i]!, wkb.offsets[i + 1]!, i);
    geometry();
  }
  return min <= max ? [min, max] : null;
}

/** GeoParquet names of type codes from {@link collectGeometryTypes}, sorted (e.g. `Point Z`). */
export function geometryTypeNames(seen: ReadonlySet<number>): string[] {
  return [...seen].map((code) => `${WKB_TYPE_NAMES[code % 1000]}${code >= 1000 ? ' Z' : ''}`).sort();
}

/**
 * The `geo` metadata JSON of a data file. The CRS is left out, which GeoParquet reads as
 * OGC:CRS84 (lon/lat degrees); `bbox` is left out when every geometry is null or empty.
 */
export function geoMetadataJson(geometryTypes: readonly string[], box: Box | null): string {
  const column: Record<string, unknown> = { encoding: 'WKB', geometry_types: geometryTypes };
  if (box !== null) column.bbox = [...box];
  column.covering = {
    bbox: Object.fromEntries(BBOX_FIELDS.map((k) => [k, [BBOX_COLUMN, k]])),
  };
  return JSON.stringify({
    version: '1.1.0',
    primary_column: GEOMETRY_COLUMN,
    columns: { [GEOMETRY_COLUMN]: column },
  });
}
