/**
 * Test-side polygon tools, written from GeoJSON coordinates and independent of src/geometry:
 * fast-check generators of valid polygons (star-shaped, with star-shaped holes, combs), a
 * planar shoelace, and an O(n^2) validity checker for small polygons.
 */
import fc from 'fast-check';

export type Pos = [number, number];
export type Rings = Pos[][];

/** Signed planar area (deg^2) of a GeoJSON ring, about its first point; CCW positive. */
export function shoelace(ring: readonly Pos[]): number {
  const [x0, y0] = ring[0]!;
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [ax, ay] = ring[i]!;
    const [bx, by] = ring[i + 1]!;
    s += (ax - x0) * (by - y0) - (bx - x0) * (ay - y0);
  }
  return s / 2;
}

/** Planar polygon area: |exterior| - sum |holes|. */
export function geojsonArea(rings: readonly (readonly Pos[])[]): number {
  return rings.reduce((a, r, i) => a + (i === 0 ? 1 : -1) * Math.abs(shoelace(r)), 0);
}

/**
 * A closed star-shaped ring around (cx, cy): one vertex in the middle 40% of each of n equal
 * sectors, radius from `radii`. With n >= 8 and radii >= rMin, consecutive vertices are less
 * than 63 degrees apart, so the ring holds the disc of radius 0.85 rMin.
 */
export function starRing(cx: number, cy: number, radii: number[], jitter: number[], ccw = true): Pos[] {
  const n = radii.length;
  const ring: Pos[] = radii.map((r, i) => {
    const t = ((i + 0.3 + 0.4 * jitter[i]!) / n) * 2 * Math.PI;
    return [cx + r * Math.cos(t), cy + r * Math.sin(t)];
  });
  if (!ccw) ring.reverse();
  ring.push([...ring[0]!] as Pos);
  return ring;
}

const unit = fc.double({ min: 0, max: 1, noNaN: true });

/** Star-shaped polygons, each with 0-4 star-shaped holes around it, anywhere on the globe. */
export const starPolygon: fc.Arbitrary<Rings> = fc
  .record({
    cx: fc.double({ min: -170, max: 170, noNaN: true }),
    cy: fc.double({ min: -80, max: 80, noNaN: true }),
    size: fc.double({ min: 0.05, max: 20, noNaN: true }),
    outer: fc.array(fc.tuple(unit, unit), { minLength: 8, maxLength: 30 }),
    holes: fc.array(fc.array(fc.tuple(unit, unit), { minLength: 3, maxLength: 10 }), { maxLength: 4 }),
    reverse: fc.boolean(),
  })
  .map(({ cx, cy, size, outer, holes, reverse }) => {
    const rMin = size * 0.5;
    const rings: Rings = [
      starRing(
        cx,
        cy,
        outer.map(([r]) => rMin + r * (size - rMin)),
        outer.map(([, j]) => j),
        !reverse,
      ),
    ];
    const k = holes.length;
    // Hole centres at 0.4 rMin, hole radii below 0.36 rMin: inside the 0.85 rMin disc, and apart.
    const d = rMin * 0.4;
    const h = 0.9 * d * (k <= 1 ? 1 : Math.min(1, Math.sin(Math.PI / k)));
    holes.forEach((hole, j) => {
      const t = (2 * Math.PI * j) / Math.max(k, 1);
      rings.push(
        starRing(
          cx + d * Math.cos(t),
          cy + d * Math.sin(t),
          hole.map(([r]) => h * (0.3 + 0.7 * r)),
          hole.map(([, q]) => q),
          reverse,
        ),
      );
    });
    return rings;
  });

const flipXY = (ring: Pos[]): Pos[] => ring.map(([x, y]) => [y, x] as Pos).reverse();

/**
 * A comb on an integer grid: a base bar with teeth of random height, so cuts at integer values
 * meet vertices and run along edges; some teeth and the base get square holes (half-integer
 * corners), so one cut leaves several pieces with holes. `flip` swaps x and y (teeth along x).
 */
export const combPolygon: fc.Arbitrary<Rings> = fc
  .record({
    x0: fc.integer({ min: -170, max: 100 }),
    y0: fc.integer({ min: -80, max: 40 }),
    base: fc.integer({ min: 1, max: 3 }),
    teeth: fc.array(
      fc.record({
        w: fc.integer({ min: 1, max: 3 }),
        gap: fc.integer({ min: 1, max: 3 }),
        h: fc.integer({ min: 1, max: 8 }),
        hole: fc.boolean(),
      }),
      { minLength: 2, maxLength: 8 },
    ),
    flip: fc.boolean(),
  })
  .map(({ x0, y0, base, teeth, flip }) => {
    // Counter-clockwise: along the bottom, then back over the teeth from the right.
    let x = 0;
    const tops: [number, number, number][] = [];
    const holes: Pos[][] = [];
    for (const t of teeth) {
      tops.push([x, x + t.w, base + t.h]);
      if (t.hole) holes.push(square(x + 0.25, base + 0.25, x + t.w - 0.25, base + t.h - 0.25));
      if (t.hole && t.w >= 2 && base > 1) holes.push(square(x + 0.5, 0.5, x + t.w - 0.5, 1));
      x += t.w + t.gap;
    }
    const width = x - teeth.at(-1)!.gap;
    const pts: Pos[] = [
      [0, 0],
      [width, 0],
    ];
    for (let i = tops.length - 1; i >= 0; i--) {
      const [a, b, top] = tops[i]!;
      pts.push([b, base], [b, top], [a, top], [a, base]);
    }
    pts.push([0, 0]);
    const rings = [pts, ...holes].map((r) => r.map(([px, py]) => [x0 + px, y0 + py] as Pos));
    return flip ? rings.map(flipXY) : rings;
  });

/**
 * A sawtooth on an integer grid: flat bottom, top zigzagging between integer heights, so a cut
 * at a valley's height leaves teeth that touch at single points. Diamond holes with vertices on
 * half-integers sit in the solid part, some touching y = 2 or x = c from inside.
 */
export const sawPolygon: fc.Arbitrary<Rings> = fc
  .record({
    x0: fc.integer({ min: -170, max: 100 }),
    y0: fc.integer({ min: -80, max: 40 }),
    floor: fc.integer({ min: 3, max: 5 }),
    tops: fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 3 })), {
      minLength: 2,
      maxLength: 12,
    }),
    holes: fc.array(fc.boolean(), { maxLength: 12 }),
    flip: fc.boolean(),
  })
  .map(({ x0, y0, floor, tops, holes, flip }) => {
    let x = 0;
    const top: Pos[] = [[0, floor]];
    for (const [h, w] of tops) {
      x += w;
      top.push([x, floor + h]);
    }
    const outer: Pos[] = [[0, 0], [x, 0], ...top.reverse(), [0, 0]];
    const rings: Pos[][] = [outer];
    holes.forEach((on, k) => {
      const c = 2 * k + 1;
      if (!on || c + 1 > x) return;
      rings.push([
        [c, 1],
        [c - 0.5, 1.5],
        [c, 2],
        [c + 0.5, 1.5],
        [c, 1],
      ]);
    });
    const moved = rings.map((r) => r.map(([px, py]) => [x0 + px, y0 + py] as Pos));
    return flip ? moved.map(flipXY) : moved;
  });

/** A closed axis-aligned rectangle, counter-clockwise (or clockwise when x1 < x0). */
function square(x0: number, y0: number, x1: number, y1: number): Pos[] {
  return [
    [x0, y0],
    [x0, y1],
    [x1, y1],
    [x1, y0],
    [x0, y0],
  ];
}

function orient(a: Pos, b: Pos, c: Pos): number {
  const d = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return d > 0 ? 1 : d < 0 ? -1 : 0;
}

function onSegment(a: Pos, b: Pos, p: Pos): boolean {
  return (
    Math.min(a[0], b[0]) <= p[0] &&
    p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] &&
    p[1] <= Math.max(a[1], b[1])
  );
}

function same(a: Pos, b: Pos): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/** How segments ab and cd meet: 'none', 'cross' (interiors cross), or 'touch' (share points). */
function meet(a: Pos, b: Pos, c: Pos, d: Pos): 'none' | 'cross' | 'touch' {
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  if (o1 * o2 < 0 && o3 * o4 < 0) return 'cross';
  if (
    (o1 === 0 && onSegment(a, b, c)) ||
    (o2 === 0 && onSegment(a, b, d)) ||
    (o3 === 0 && onSegment(c, d, a)) ||
    (o4 === 0 && onSegment(c, d, b))
  ) {
    return 'touch';
  }
  return 'none';
}

/** Where (x, y) is relative to a ring: 1 inside, 0 on the boundary, -1 outside. */
export function whereInRing(p: Pos, ring: readonly Pos[]): number {
  let inside = false;
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    if (orient(a, b, p) === 0 && onSegment(a, b, p)) return 0;
    if (a[1] > p[1] !== b[1] > p[1] && p[0] < a[0] + ((p[1] - a[1]) * (b[0] - a[0])) / (b[1] - a[1])) {
      inside = !inside;
    }
  }
  return inside ? 1 : -1;
}

/**
 * Problems that make a polygon invalid (empty when valid), for small polygons: rings closed with
 * >= 4 points and no repeated consecutive point, exterior CCW and holes CW, no ring crossing or
 * touching itself, rings of a polygon meeting at single points only, holes inside the exterior
 * and outside each other.
 */
export function polygonProblems(rings: Rings): string[] {
  const problems: string[] = [];
  rings.forEach((ring, r) => {
    if (ring.length < 4) problems.push(`ring ${r}: ${ring.length} points`);
    if (!same(ring[0]!, ring.at(-1)!)) problems.push(`ring ${r}: not closed`);
    for (let i = 1; i < ring.length; i++) {
      if (same(ring[i]!, ring[i - 1]!)) problems.push(`ring ${r}: repeated point ${ring[i]}`);
    }
    const a = shoelace(ring);
    if (r === 0 ? !(a > 0) : !(a < 0)) problems.push(`ring ${r}: area ${a} has the wrong sign`);
  });
  if (problems.length > 0) return problems;
  for (let r = 0; r < rings.length; r++) {
    const ring = rings[r]!;
    const n = ring.length - 1;
    // Within a ring: neighbours share exactly their common vertex; others do not meet.
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const [a, b, c, d] = [ring[i]!, ring[i + 1]!, ring[j]!, ring[j + 1]!];
        const m = meet(a, b, c, d);
        const adjacent = j === i + 1 || (i === 0 && j === n - 1);
        if (!adjacent && m !== 'none') problems.push(`ring ${r}: edges ${i} and ${j} ${m}`);
        if (adjacent) {
          const [p, q, s] = j === i + 1 ? [a, b, d] : [c, a, b];
          if (orient(p, q, s) === 0 && (s[0] - q[0]) * (p[0] - q[0]) + (s[1] - q[1]) * (p[1] - q[1]) > 0) {
            problems.push(`ring ${r}: spike at ${q}`);
          }
        }
      }
    }
    // Between rings: no crossing; touching allowed at isolated points only (checked coarsely:
    // no collinear overlap).
    for (let s = r + 1; s < rings.length; s++) {
      const other = rings[s]!;
      for (let i = 0; i + 1 < ring.length; i++) {
        for (let j = 0; j + 1 < other.length; j++) {
          const [a, b, c, d] = [ring[i]!, ring[i + 1]!, other[j]!, other[j + 1]!];
          const m = meet(a, b, c, d);
          if (m === 'cross') problems.push(`rings ${r} and ${s} cross`);
          if (m === 'touch' && orient(a, b, c) === 0 && orient(a, b, d) === 0) {
            const shared = [c, d].filter((p) => onSegment(a, b, p) && !same(p, a) && !same(p, b));
            if (shared.length > 0 || (onSegment(c, d, a) && onSegment(c, d, b))) {
              problems.push(`rings ${r} and ${s} overlap along an edge`);
            }
          }
        }
      }
    }
  }
  for (let h = 1; h < rings.length; h++) {
    const hole = rings[h]!;
    if (hole.some((p) => whereInRing(p, rings[0]!) < 0)) problems.push(`hole ${h} outside the exterior`);
    for (let o = 1; o < rings.length; o++) {
      if (o !== h && hole.some((p) => whereInRing(p, rings[o]!) > 0))
        problems.push(`hole ${h} inside hole ${o}`);
    }
  }
  return problems;
}
