/**
 * Rasterisation for `inspect --image`, over flat typed arrays: a per-pixel count of row centres,
 * its log-scaled grey rendering, and one-pixel box outlines in solid colours.
 */
import { pixelX, pixelY, type Viewport } from './viewport.js';

/** Background of the picture: a dark grey, so the grey density ramp and saturated boxes both show. */
export const BACKGROUND = 0x16;

/** Grey level of the faintest non-empty pixel; the busiest pixel is white. */
const FAINTEST = 0x50;

/**
 * Counts row centres per pixel.
 * @param xs centre longitudes, degrees (NaN rows are skipped)
 * @param ys centre latitudes, degrees
 * @returns width * height counts, rows of pixels top to bottom
 */
export function densityCounts(v: Viewport, xs: Float64Array, ys: Float64Array): Uint32Array {
  const counts = new Uint32Array(v.width * v.height);
  for (let i = 0; i < xs.length; i++) {
    const px = Math.floor(pixelX(v, xs[i]!));
    const py = Math.floor(pixelY(v, ys[i]!));
    // The negated test also skips NaN.
    if (!(px >= 0 && px < v.width && py >= 0 && py < v.height)) continue;
    counts[py * v.width + px]!++;
  }
  return counts;
}

/**
 * Renders counts as an opaque RGBA image: empty pixels are the background, others grey from
 * FAINTEST to white by log(1 + count) / log(1 + max), so sparse areas stay visible next to dense ones.
 * @returns width * height * 4 bytes; every pixel is a grey (r = g = b)
 */
export function renderDensity(counts: Uint32Array): Uint8Array {
  let max = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i]! > max) max = counts[i]!;
  const rgba = new Uint8Array(counts.length * 4);
  const norm = max > 0 ? 1 / Math.log1p(max) : 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    const g = c === 0 ? BACKGROUND : Math.round(FAINTEST + (255 - FAINTEST) * Math.log1p(c) * norm);
    rgba[4 * i] = g;
    rgba[4 * i + 1] = g;
    rgba[4 * i + 2] = g;
    rgba[4 * i + 3] = 255;
  }
  return rgba;
}

/**
 * Draws the one-pixel outline of a box in degrees, in a solid colour. The outline runs along the
 * pixels that hold the box's edges, so a box thinner than a pixel still becomes a line or a dot.
 * @param rgba the picture, width * height * 4 bytes
 * @param box degrees [minx, miny, maxx, maxy]
 */
export function strokeBox(
  rgba: Uint8Array,
  v: Viewport,
  box: readonly [number, number, number, number],
  r: number,
  g: number,
  b: number,
): void {
  const x0 = Math.floor(pixelX(v, box[0]));
  const x1 = Math.max(x0, Math.ceil(pixelX(v, box[2])) - 1);
  const y0 = Math.floor(pixelY(v, box[3]));
  const y1 = Math.max(y0, Math.ceil(pixelY(v, box[1])) - 1);
  const set = (x: number, y: number) => {
    if (x < 0 || x >= v.width || y < 0 || y >= v.height) return;
    const o = 4 * (y * v.width + x);
    rgba[o] = r;
    rgba[o + 1] = g;
    rgba[o + 2] = b;
    rgba[o + 3] = 255;
  };
  // Clip the loops to the picture: a box far outside costs nothing.
  for (let x = Math.max(x0, 0); x <= Math.min(x1, v.width - 1); x++) {
    set(x, y0);
    set(x, y1);
  }
  for (let y = Math.max(y0, 0); y <= Math.min(y1, v.height - 1); y++) {
    set(x0, y);
    set(x1, y);
  }
}
