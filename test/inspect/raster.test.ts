import { describe, expect, it } from 'vitest';
import { BACKGROUND, densityCounts, renderDensity, strokeBox } from '../../src/inspect/raster.js';
import { fitViewport, MARGIN, pixelX, pixelY } from '../../src/inspect/viewport.js';

/** Pixels of an RGBA image that are not the background grey, as "x,y" keys. */
function drawn(rgba: Uint8Array, width: number): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < rgba.length / 4; i++) {
    if (rgba[4 * i] !== BACKGROUND || rgba[4 * i + 1] !== BACKGROUND)
      out.add(`${i % width},${Math.floor(i / width)}`);
  }
  return out;
}

describe('fitViewport', () => {
  it('keeps the aspect of the box and maps its corners inside the margin', () => {
    const v = fitViewport([9.47, 47.05, 9.64, 47.27], 400);
    expect(v.width).toBe(400);
    expect(v.height).toBe(Math.round((0.22 / 0.17) * (400 - 2 * MARGIN)) + 2 * MARGIN);
    expect(pixelX(v, 9.47)).toBeCloseTo(MARGIN, 6);
    expect(pixelX(v, 9.64)).toBeCloseTo(400 - MARGIN, 6);
    expect(pixelY(v, 47.27)).toBeCloseTo(MARGIN, 0);
    expect(pixelY(v, 47.05)).toBeCloseTo(v.height - MARGIN, 0);
  });

  it('gives a table of one point a picture with the point in the middle', () => {
    const v = fitViewport([3, 4, 3, 4], 101);
    expect(Math.floor(pixelX(v, 3))).toBe(50);
    expect(v.height).toBeGreaterThan(2 * MARGIN);
  });

  it('caps the height of a tall thin table at 4 times the width', () => {
    const v = fitViewport([0, -80, 0.1, 80], 100);
    expect(v.height).toBe(400);
    expect(pixelY(v, 80)).toBeCloseTo(MARGIN, 6);
  });

  it('rejects a width too small for the margins', () => {
    expect(() => fitViewport([0, 0, 1, 1], 10)).toThrow(/width must be an integer >= 17/);
  });
});

describe('raster', () => {
  const v = fitViewport([0, 0, 10, 10], 116); // 10 px per degree inside an 8 px margin

  it('counts row centres per pixel and skips those outside or NaN', () => {
    const counts = densityCounts(
      v,
      Float64Array.of(0.05, 0.06, 5, 99, Number.NaN),
      Float64Array.of(0.05, 0.07, 5, 5, 1),
    );
    expect(counts.reduce((a, c) => a + c, 0)).toBe(3);
    expect(counts[Math.floor(pixelY(v, 0.05)) * v.width + Math.floor(pixelX(v, 0.05))]).toBe(2);
  });

  it('renders density in greys from background to white, log-scaled', () => {
    const counts = Uint32Array.of(0, 1, 10, 100);
    const rgba = renderDensity(counts);
    const grey = [0, 1, 2, 3].map((i) => rgba[4 * i]!);
    expect(grey[0]).toBe(BACKGROUND);
    expect(grey[3]).toBe(255);
    expect(grey[1]! > BACKGROUND && grey[1]! < grey[2]! && grey[2]! < 255).toBe(true);
    // log scale: 10 is half-way (in log(1 + c)) between 0 and 100, so about half-way in grey
    expect((grey[2]! - grey[1]!) / (255 - grey[1]!)).toBeGreaterThan(0.4);
    for (let i = 0; i < 4; i++) expect(rgba[4 * i]).toBe(rgba[4 * i + 1]);
  });

  it('draws a box thinner than a pixel as a line, and a point box as one pixel', () => {
    const rgba = renderDensity(new Uint32Array(v.width * v.height));
    strokeBox(rgba, v, [2.01, 3, 2.02, 5], 255, 0, 0);
    const line = drawn(rgba, v.width);
    expect(line.size).toBe(20);
    expect(new Set([...line].map((k) => k.split(',')[0])).size).toBe(1);
    const dot = renderDensity(new Uint32Array(v.width * v.height));
    strokeBox(dot, v, [7.5, 7.5, 7.5, 7.5], 0, 255, 0);
    expect(drawn(dot, v.width).size).toBe(1);
  });

  it('draws the outline of a box along its edge pixels and leaves its inside', () => {
    const rgba = renderDensity(new Uint32Array(v.width * v.height));
    strokeBox(rgba, v, [1, 1, 3, 2], 0, 0, 255);
    // 20 x 10 pixels: 2 * 20 + 2 * 8 on the outline
    expect(drawn(rgba, v.width).size).toBe(56);
    const inside = 4 * (Math.floor(pixelY(v, 1.5)) * v.width + Math.floor(pixelX(v, 2)));
    expect(rgba[inside]).toBe(BACKGROUND);
  });

  it('clips boxes that run off the picture', () => {
    const rgba = renderDensity(new Uint32Array(v.width * v.height));
    strokeBox(rgba, v, [-1000, -1000, 1000, 5], 9, 9, 200);
    expect(drawn(rgba, v.width).size).toBe(v.width);
  });
});
