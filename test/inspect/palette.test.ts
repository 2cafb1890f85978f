import { describe, expect, it } from 'vitest';
import { filePalette, hexColour, isGrey } from '../../src/inspect/palette.js';

function colours(p: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < p.length; i += 3) out.push((p[i]! << 16) | (p[i + 1]! << 8) | p[i + 2]!);
  return out;
}

describe('filePalette', () => {
  it.each([1, 2, 7, 64, 500, 5000])('gives %i distinct colours, none of them grey', (n) => {
    const p = filePalette(n);
    expect(p).toHaveLength(3 * n);
    const c = colours(p);
    expect(new Set(c).size).toBe(n);
    for (let i = 0; i < n; i++)
      expect(isGrey(p[3 * i]!, p[3 * i + 1]!, p[3 * i + 2]!), `colour ${i}`).toBe(false);
  });

  it('keeps the first colours far apart (a few files are easy to tell apart)', () => {
    const p = filePalette(12);
    let closest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 12; i++) {
      for (let j = 0; j < i; j++) {
        const d = Math.hypot(
          p[3 * i]! - p[3 * j]!,
          p[3 * i + 1]! - p[3 * j + 1]!,
          p[3 * i + 2]! - p[3 * j + 2]!,
        );
        closest = Math.min(closest, d);
      }
    }
    expect(closest).toBeGreaterThan(40);
  });

  it('is a prefix of itself: adding files does not recolour the earlier ones', () => {
    expect(filePalette(300).subarray(0, 3 * 40)).toEqual(filePalette(40));
  });

  it('still ends with more files than one tone has 8-bit hues', () => {
    const c = colours(filePalette(20000));
    expect(new Set(c).size).toBe(20000);
  });

  it('formats colours as #rrggbb', () => {
    expect(hexColour(Uint8Array.of(255, 8, 0, 1, 2, 171), 1)).toBe('#0102ab');
  });
});
