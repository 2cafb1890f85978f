/**
 * Multi-part geometries to one row per part, like GeoPandas `explode(index_parts=False)`.
 */
import { isCollectionType, isRowPresent, type WkbColumn, WkbCursor } from './wkb.js';
import { WkbBuilder } from './wkb-builder.js';

/** The exploded column and, for each of its rows, the input row it came from. */
export interface ExplodeResult {
  /** One row per part. */
  readonly wkb: WkbColumn;
  /**
   * `parentRow[j]` is the input row of output row `j` (non-decreasing), so attribute columns
   * can be taken with it.
   */
  readonly parentRow: Int32Array;
}

/**
 * Splits MultiPoint, MultiLineString, MultiPolygon and GeometryCollection rows into one row per
 * part (one level deep, like shapely `get_parts`: a collection nested in a collection stays one
 * row). Parts are copied byte for byte, so they keep their own byte order and dimensions.
 *
 * As in GeoPandas, nothing disappears: a null row stays one null row, an empty multi-geometry
 * stays one row holding that empty geometry, and single geometries pass through unchanged.
 * When no row has a part to split out, the input column is returned as is.
 */
export function explodeWkb(col: WkbColumn): ExplodeResult {
  const n = col.length;
  const cur = new WkbCursor(col.values);

  let outRows = 0;
  let splits = false;
  for (let i = 0; i < n; i++) {
    const parts = isRowPresent(col, i) ? partCount(cur, col, i) : 0;
    if (parts > 0) splits = true;
    outRows += Math.max(1, parts);
  }
  if (!splits) {
    const parentRow = new Int32Array(n);
    for (let i = 0; i < n; i++) parentRow[i] = i;
    return { wkb: col, parentRow };
  }

  const parentRow = new Int32Array(outRows);
  const out = new WkbBuilder(outRows, col.offsets[n]! - col.offsets[0]!);
  const bytes = col.values;
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (!isRowPresent(col, i)) {
      out.appendNull();
      parentRow[j++] = i;
      continue;
    }
    const start = col.offsets[i]!;
    const end = col.offsets[i + 1]!;
    cur.reset(start, end, i);
    const type = cur.readHeader();
    const parts = isCollectionType(type) ? cur.readCount(5) : 0;
    if (parts === 0) {
      out.copy(bytes, start, end);
      out.endRow();
      parentRow[j++] = i;
      continue;
    }
    for (let p = 0; p < parts; p++) {
      const partStart = cur.pos;
      cur.skipGeometry();
      out.copy(bytes, partStart, cur.pos);
      out.endRow();
      parentRow[j++] = i;
    }
  }
  return { wkb: out.finish(), parentRow };
}

/** Number of parts of row `i` when it is a collection type, else 0. */
function partCount(cur: WkbCursor, col: WkbColumn, i: number): number {
  cur.reset(col.offsets[i]!, col.offsets[i + 1]!, i);
  const type = cur.readHeader();
  return isCollectionType(type) ? cur.readCount(5) : 0;
}
