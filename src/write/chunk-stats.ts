/**
 * Per-chunk sums for the chunk metadata table: vertex count, area and length.
 */
import { rowMeasures } from '../geometry/row-keys.js';
import type { WkbColumn } from '../geometry/wkb.js';

/**
 * For consecutive chunks of `sizes` rows of `wkb`, `[numCoords, sumArea, sumLength]` per
 * chunk (vertices; deg^2; degrees), flattened.
 */
export function chunkStats(wkb: WkbColumn, sizes: readonly number[]): Float64Array {
  const { coords, area, length } = rowMeasures(wkb);
  const out = new Float64Array(sizes.length * 3);
  let row = 0;
  for (let c = 0; c < sizes.length; c++) {
    let nc = 0;
    let a = 0;
    let l = 0;
    for (const end = row + sizes[c]!; row < end; row++) {
      nc += coords[row]!;
      a += area[row]!;
      l += length[row]!;
    }
    out[3 * c] = nc;
    out[3 * c + 1] = a;
    out[3 * c + 2] = l;
  }
  return out;
}
