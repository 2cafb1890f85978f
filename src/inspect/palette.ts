/**
 * One colour per file of a table, for the chunk outlines of `inspect --image`. Colours are
 * saturated and bright so that none of them is a grey: the density layer underneath is drawn in
 * greys only, so a pixel's colour alone tells a box from the data.
 */

/** Hue step of the sequence: the golden angle keeps consecutive files far apart on the wheel. */
const GOLDEN = 0.381966011250105;

/** Saturation and value of each round of hues; later rounds differ in tone from earlier ones. */
const TONES: readonly (readonly [number, number])[] = [
  [0.95, 1],
  [0.7, 0.85],
  [1, 0.72],
  [0.6, 1],
  [0.85, 0.62],
];

/** Hues per round before the tone changes: enough that hues of one round stay well apart. */
const PER_ROUND = 24;

/** HSV (each in [0, 1]) to 8-bit RGB. */
function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  const [r, g, b] = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][((i % 6) + 6) % 6]!;
  return [Math.round(r! * 255), Math.round(g! * 255), Math.round(b! * 255)];
}

/** The k-th colour of a walk that visits every colour of the RGB cube once (k < 2^24). */
function cubeColour(k: number): [number, number, number] {
  // A multiplier coprime to 2^24 spreads consecutive k over the whole cube.
  const c = Math.imul(k, 0x9e3779) & 0xffffff;
  return [c >>> 16, (c >>> 8) & 0xff, c & 0xff];
}

/** True when an 8-bit RGB colour is a grey (all channels equal), as density pixels are. */
export function isGrey(r: number, g: number, b: number): boolean {
  return r === g && g === b;
}

/**
 * Generates `n` distinct, saturated colours, one per file.
 * @param n number of colours (files), >= 0
 * @returns 3n bytes: file i's colour is RGB at [3i, 3i+3). No two are equal and none is a grey.
 */
export function filePalette(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`filePalette: n must be an integer >= 0, got ${n}`);
  const out = new Uint8Array(n * 3);
  const used = new Set<number>();
  let h = 0.02; // start near red, away from the exact primaries
  let fallback = 0;
  let cubeOnly = false;
  for (let i = 0; i < n; i++) {
    const [s, v] = TONES[Math.floor(i / PER_ROUND) % TONES.length]!;
    // 8-bit rounding can make two hues of a long sequence collide; step on until it does not.
    // Past a few thousand files one tone runs out of 8-bit hues, so after many misses the
    // search walks the RGB cube instead, which always ends (16M colours).
    let key = -1;
    for (let attempt = 0; key < 0; attempt++) {
      if (attempt === 4096) cubeOnly = true;
      const [r, g, b] = cubeOnly ? cubeColour(fallback++) : hsvToRgb(h, s, v);
      if (!cubeOnly) h = (h + GOLDEN) % 1;
      const k = (r << 16) | (g << 8) | b;
      if (!used.has(k) && !isGrey(r, g, b)) key = k;
    }
    used.add(key);
    out[3 * i] = key >>> 16;
    out[3 * i + 1] = (key >>> 8) & 0xff;
    out[3 * i + 2] = key & 0xff;
  }
  return out;
}

/** `#rrggbb` of colour `i` of a palette made by {@link filePalette}. */
export function hexColour(palette: Uint8Array, i: number): string {
  const hex = (k: number) => palette[3 * i + k]!.toString(16).padStart(2, '0');
  return `#${hex(0)}${hex(1)}${hex(2)}`;
}
