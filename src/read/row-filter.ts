/**
 * Which rows of a read batch intersect the query box: by the bbox covering column when the file
 * has one (the test DuckDB's `bbox.xmin <= maxx AND ...` makes), else by the box of each row's
 * geometry; with `exact`, the survivors are then tested against their real geometry.
 */
import { type Data, DataType, type RecordBatch } from 'apache-arrow';
import { wkbColumnFromData } from '../arrow/binary.js';
import { wkbBounds } from '../geometry/bounds.js';
import { type GeoArrowEncoding, geoarrowToWkb } from '../geometry/geoarrow-to-wkb.js';
import { intersectsBoxMask } from '../geometry/intersects-box.js';
import type { WkbColumn } from '../geometry/wkb.js';
import { boxMask } from '../io/codecs.js';
import { boxIntersects } from './bbox.js';
import type { GeoLayout } from './plain-chunks.js';
import type { BBox } from './types.js';

function child(batch: RecordBatch, name: string): Data | null {
  const i = batch.schema.fields.findIndex((f) => f.name === name);
  return i < 0 ? null : batch.data.children[i]!;
}

function isValid(data: Data, i: number): boolean {
  const bitmap = data.nullBitmap as Uint8Array | null | undefined;
  if (data.nullCount === 0 || !bitmap || bitmap.length === 0) return true;
  const bit = data.offset + i;
  return ((bitmap[bit >> 3] ?? 0) & (1 << (bit & 7))) !== 0;
}

/** The WKB of the geometry column of `batch` (GeoArrow encodings converted). */
export function geometryWkb(batch: RecordBatch, layout: GeoLayout, url: string): WkbColumn {
  const data = child(batch, layout.geometry)!;
  if (layout.encoding === 'WKB') return wkbColumnFromData(data, `${url}: column '${layout.geometry}'`);
  return geoarrowToWkb(data, layout.encoding as GeoArrowEncoding);
}

/**
 * 1 for each row of `batch` whose box intersects `bbox` (touching counts) and, with `exact`,
 * whose geometry does. Rows with a null box, a null bound in it, or a null geometry never match. `batch` must hold the
 * covering column (when the layout has one) and, with `exact` or without a covering, the
 * geometry column.
 */
export function rowMask(
  batch: RecordBatch,
  layout: GeoLayout,
  bbox: BBox,
  exact: boolean,
  url: string,
): Uint8Array {
  const n = batch.numRows;
  const [qx0, qy0, qx1, qy1] = bbox;
  let mask: Uint8Array;
  const cov = layout.covering === null ? null : child(batch, layout.covering.column);
  if (cov !== null && DataType.isStruct(cov.type)) {
    const names = cov.type.children.map((f) => f.name);
    const parts = layout.covering!.fields.map((f) => cov.children[names.indexOf(f)]!);
    // Arrow's sliced Data has its values already sliced (the offset is for the bitmap only).
    const [vx0, vy0, vx1, vy1] = parts.map((p) => p.values as Float64Array | Float32Array);
    const validity = cov.nullCount === 0 ? null : ((cov.nullBitmap as Uint8Array | undefined) ?? null);
    const leafNulls = parts.some((p) => p.nullCount > 0);
    if (!leafNulls && [vx0, vy0, vx1, vy1].every((v) => v instanceof Float64Array && v.length === n)) {
      // Native: a first query would otherwise run this loop in the interpreter.
      mask = boxMask(
        vx0 as Float64Array,
        vy0 as Float64Array,
        vx1 as Float64Array,
        vy1 as Float64Array,
        validity,
        cov.offset,
        bbox,
      );
      return exact ? intersectsBoxMask(geometryWkb(batch, layout, url), bbox, mask) : mask;
    }
    mask = new Uint8Array(n);
    const [px0, py0, px1, py1] = parts as [Data, Data, Data, Data];
    for (let i = 0; i < n; i++) {
      // A null box, or a null bound in it, never matches (as SQL's comparisons with NULL).
      if (!isValid(cov, i)) continue;
      if (leafNulls && !(isValid(px0, i) && isValid(py0, i) && isValid(px1, i) && isValid(py1, i))) continue;
      const x0 = vx0![i]!;
      const y0 = vy0![i]!;
      const x1 = vx1![i]!;
      const y1 = vy1![i]!;
      // NaN (null or empty geometry) fails every comparison, so it never matches.
      if (x0 <= qx1 && x1 >= qx0 && y0 <= qy1 && y1 >= qy0) mask[i] = 1;
    }
  } else {
    const b = wkbBounds(geometryWkb(batch, layout, url));
    mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (boxIntersects(b, i, bbox)) mask[i] = 1;
  }
  return exact ? intersectsBoxMask(geometryWkb(batch, layout, url), bbox, mask) : mask;
}
