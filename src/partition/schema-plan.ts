import Flatbush from 'flatbush';
import { GeopartError } from '../errors.js';
import { gatherCentroids } from './hilbert.js';
import type { KeyTable } from './key-table.js';
import { checkKeys, finishPlan, type Plan } from './plan.js';

/**
 * Boxes of a `partitioning_schema_input` table, one entry per box, as flat columns; degrees.
 * Usually an earlier table's chunk metadata.
 */
export interface SchemaBoxes {
  readonly fileId: Int32Array;
  readonly chunkId: Int32Array;
  readonly minx: Float64Array;
  readonly miny: Float64Array;
  readonly maxx: Float64Array;
  readonly maxy: Float64Array;
}

const OPTION = 'partitioning_schema_input';

/**
 * Plans by given boxes instead of by splitting: each row goes to the box that holds its centroid
 * (boxes are closed, so a centroid on an edge is held), the lowest (file_id, chunk_id) winning
 * when several do; a row no box holds goes to the nearest box (Euclidean distance in degrees from
 * the centroid to the box, ties again to the lowest (file_id, chunk_id)). Boxes with equal
 * (file_id, chunk_id) act as one chunk. Boxes that get no rows are dropped, file and chunk ids
 * are renumbered densely in (file_id, chunk_id) order, and the output boxes are recomputed from
 * the rows. Rows of a chunk are in Hilbert order, as in {@link plan}. No caps apply: the plan's
 * `maxPerFile` and `maxPerChunk` are Infinity.
 *
 * Throws `GeopartError('INVALID_CONFIG')` when there are rows but no boxes, or a box is not
 * finite with min <= max.
 */
export function planFromBoxes(keys: KeyTable, boxes: SchemaBoxes): Plan {
  checkKeys(keys);
  const nb = checkBoxes(boxes);
  const n = keys.length;
  const caps = { maxPerFile: Number.POSITIVE_INFINITY, maxPerChunk: Number.POSITIVE_INFINITY };
  if (n === 0) {
    const none = new Float64Array(0);
    return finishPlan(keys, new Int32Array(0), none, none, new Int32Array(1), new Int32Array(0), 0, caps);
  }
  if (nb === 0) {
    throw new GeopartError(
      'INVALID_CONFIG',
      `${OPTION}: the schema has no boxes, so the ${n} rows have nowhere to go`,
      {
        option: OPTION,
      },
    );
  }

  // Group = dense rank of (file_id, chunk_id); lower group wins ties.
  const { fileId, chunkId, minx, miny, maxx, maxy } = boxes;
  const byId = new Int32Array(nb);
  for (let i = 0; i < nb; i++) byId[i] = i;
  byId.sort((p, q) => fileId[p]! - fileId[q]! || chunkId[p]! - chunkId[q]! || p - q);
  const group = new Int32Array(nb);
  const groupFile = new Int32Array(nb);
  let numGroups = 0;
  for (let k = 0; k < nb; k++) {
    const b = byId[k]!;
    const prev = k > 0 ? byId[k - 1]! : -1;
    if (prev < 0 || fileId[prev] !== fileId[b] || chunkId[prev] !== chunkId[b])
      groupFile[numGroups++] = fileId[b]!;
    group[b] = numGroups - 1;
  }

  const index = new Flatbush(nb);
  for (let i = 0; i < nb; i++) index.add(minx[i]!, miny[i]!, maxx[i]!, maxy[i]!);
  index.finish();

  let best = 0;
  let bestDist = 0;
  let px = 0;
  let py = 0;
  const holding = (i: number) => {
    if (group[i]! < best) best = group[i]!;
    return false; // nothing collected: no result array grows
  };
  const nearest = (i: number) => {
    const d = boxDist2(px, py, minx[i]!, miny[i]!, maxx[i]!, maxy[i]!);
    if (d < bestDist || (d === bestDist && group[i]! < best)) {
      bestDist = d;
      best = group[i]!;
    }
    return false;
  };

  const rowGroup = new Int32Array(n);
  const { cx, cy } = keys;
  for (let r = 0; r < n; r++) {
    px = cx[r]!;
    py = cy[r]!;
    best = numGroups;
    index.search(px, py, px, py, holding);
    if (best === numGroups) {
      const i = index.neighbors(px, py, 1)[0]!;
      best = group[i]!;
      bestDist = boxDist2(px, py, minx[i]!, miny[i]!, maxx[i]!, maxy[i]!);
      // Every box at the same distance lies in this square; the filter keeps the lowest group.
      const reach = Math.sqrt(bestDist) * (1 + 1e-9) + Number.MIN_VALUE;
      index.search(px - reach, py - reach, px + reach, py + reach, nearest);
    }
    rowGroup[r] = best;
  }

  // Counting sort by group: stable, so rows start each chunk in input order.
  const start = new Int32Array(numGroups + 1);
  for (let r = 0; r < n; r++) start[rowGroup[r]! + 1]!++;
  for (let g = 0; g < numGroups; g++) start[g + 1]! += start[g]!;
  const order = new Int32Array(n);
  const fill = start.slice(0, numGroups);
  for (let r = 0; r < n; r++) order[fill[rowGroup[r]!]!++] = r;

  const bounds: number[] = [0];
  const chunkFile: number[] = [];
  let file = -1;
  let lastFileId = 0;
  for (let g = 0; g < numGroups; g++) {
    if (start[g + 1] === start[g]) continue; // no rows: dropped
    if (file < 0 || groupFile[g] !== lastFileId) {
      file++;
      lastFileId = groupFile[g]!;
    }
    bounds.push(start[g + 1]!);
    chunkFile.push(file);
  }
  const { xs, ys } = gatherCentroids(keys, order, 0, n);
  return finishPlan(keys, order, xs, ys, Int32Array.from(bounds), Int32Array.from(chunkFile), file + 1, caps);
}

function boxDist2(x: number, y: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = Math.max(x0 - x, x - x1, 0);
  const dy = Math.max(y0 - y, y - y1, 0);
  return dx * dx + dy * dy;
}

function checkBoxes(boxes: SchemaBoxes): number {
  const nb = boxes.fileId.length;
  for (const name of ['chunkId', 'minx', 'miny', 'maxx', 'maxy'] as const) {
    if (boxes[name].length !== nb) {
      throw new GeopartError(
        'INVALID_CONFIG',
        `${OPTION}: column ${name} has ${boxes[name].length} entries, file_id has ${nb}`,
        { option: OPTION },
      );
    }
  }
  const { fileId, chunkId, minx, miny, maxx, maxy } = boxes;
  for (let i = 0; i < nb; i++) {
    const ok =
      Number.isFinite(minx[i]!) &&
      Number.isFinite(miny[i]!) &&
      Number.isFinite(maxx[i]!) &&
      Number.isFinite(maxy[i]!) &&
      minx[i]! <= maxx[i]! &&
      miny[i]! <= maxy[i]!;
    if (!ok) {
      throw new GeopartError(
        'INVALID_CONFIG',
        `${OPTION}: box ${i} (file_id ${fileId[i]}, chunk_id ${chunkId[i]}) is [${minx[i]}, ${miny[i]}, ${maxx[i]}, ${maxy[i]}]; boxes need finite bounds with min <= max`,
        { option: OPTION, row: i },
      );
    }
  }
  return nb;
}
