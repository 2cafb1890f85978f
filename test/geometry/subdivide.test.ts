import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type FlatPolygon,
  multiPolygonFromCoordinates,
  polygonFromCoordinates,
  polygonToCoordinates,
} from '../../src/geometry/flat.js';
import { multiPolygonArea, polygonArea } from '../../src/geometry/measure.js';
import { type Axis, splitByAxisLine } from '../../src/geometry/split.js';
import {
  SUBDIVIDE_TOLERANCE,
  subdivideMultiPolygon,
  subdividePolygon,
} from '../../src/geometry/subdivide.js';
import { dataPath } from '../helpers/data.js';
import {
  combPolygon,
  geojsonArea,
  type Pos,
  polygonProblems,
  type Rings,
  sawPolygon,
  shoelace,
  starPolygon,
} from './polygons.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-subdivide-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const rect = (x0: number, y0: number, x1: number, y1: number): Pos[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];

const rings = (p: FlatPolygon) => polygonToCoordinates(p) as Rings;
const areaOf = (ps: FlatPolygon[]) => ps.reduce((a, p) => a + geojsonArea(rings(p)), 0);
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

function expectValid(pieces: FlatPolygon[]): void {
  for (const p of pieces) expect(polygonProblems(rings(p)), JSON.stringify(rings(p))).toEqual([]);
}

/** Area of one ring clipped to c < v (Sutherland-Hodgman: degenerate topology, right area). */
function clippedRingArea(ring: readonly Pos[], axis: Axis, v: number, below: boolean): number {
  const inside = (p: Pos) => (below ? p[axis] <= v : p[axis] >= v);
  const out: Pos[] = [];
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    if (inside(a)) out.push(a);
    if (inside(a) !== inside(b)) {
      const t = (v - a[axis]) / (b[axis] - a[axis]);
      const q: Pos = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
      q[axis] = v;
      out.push(q);
    }
  }
  if (out.length < 3) return 0;
  out.push(out[0]!);
  return Math.abs(shoelace(out));
}

function clippedArea(rs: Rings, axis: Axis, v: number, below: boolean): number {
  return rs.reduce((a, r, i) => a + (i === 0 ? 1 : -1) * clippedRingArea(r, axis, v, below), 0);
}

/** GEOS (through GDAL's SQLite dialect with SpatiaLite) reasons for the invalid pieces, or null when unavailable. */
function geosInvalid(name: string, pieces: { id: string; rings: Rings }[]): string[] | null {
  const file = join(tmp, `${name}.geojsonl`);
  const lines = pieces.map((p) =>
    JSON.stringify({
      type: 'Feature',
      properties: { id: p.id },
      geometry: { type: 'Polygon', coordinates: p.rings },
    }),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
  const sql = `SELECT id, IsValidReason(geometry) AS why FROM "${name}" WHERE ST_IsValid(geometry) <> 1`;
  const r = spawnSync('ogrinfo', ['-q', '-dialect', 'sqlite', '-sql', sql, file], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const ids = [...r.stdout.matchAll(/id \(String\) = (.*)/g)].map((m) => m[1]!);
  const whys = [...r.stdout.matchAll(/why \(String\) = (.*)/g)].map((m) => m[1]!);
  return ids.map((id, i) => `${id}: ${whys[i]}`);
}

const hasSpatialite = geosInvalid('probe', [{ id: 'a', rings: [rect(0, 0, 1, 1)] }]) !== null;

describe('subdividePolygon: named cases', () => {
  const square10 = polygonFromCoordinates([rect(0, 0, 10, 10)]);

  it('returns a polygon of area <= start as is', () => {
    expect(subdividePolygon(square10, 100, 1)[0]).toBe(square10);
    expect(subdividePolygon(square10, 100, 1)).toHaveLength(1);
    expect(subdividePolygon(square10, 1000)).toEqual([square10]);
  });

  it('rejects a zero, negative or missing stop and a stop above start, naming the option', () => {
    expect(() => subdividePolygon(square10, 1, 0)).toThrow(/subdivide_stop must be a finite area > 0/);
    expect(() => subdividePolygon(square10, 1, -1)).toThrow(RangeError);
    expect(() => subdividePolygon(square10, 1, Number.NaN)).toThrow(/subdivide_stop/);
    expect(() => subdividePolygon(square10, 1, 2)).toThrow(
      /subdivide_start \(1\) must be >= subdivide_stop \(2\)/,
    );
  });

  it('uses start as stop when stop is not given', () => {
    const pieces = subdividePolygon(square10, 7);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(polygonArea(p)).toBeLessThanOrEqual(7);
    expect(areaOf(pieces)).toBeCloseTo(100, 9);
  });

  it('cuts a 10 x 10 square with stop 1 into 100 pieces of area <= 1', () => {
    const pieces = subdividePolygon(square10, 1, 1);
    expect(pieces).toHaveLength(100);
    for (const p of pieces) expect(polygonArea(p)).toBeLessThanOrEqual(1 + 1e-12);
    expect(rel(areaOf(pieces), 100)).toBeLessThan(1e-12);
    expectValid(pieces);
  });

  it('gives the teeth of a comb cut through them as separate pieces', () => {
    // Base 0..9 x 0..1, five teeth 1 wide reaching y = 5.
    const comb: Pos[] = [
      [0, 0],
      [9, 0],
    ];
    for (let x = 8; x >= 0; x -= 2) comb.push([x + 1, 1], [x + 1, 5], [x, 5], [x, 1]);
    comb.pop();
    comb.push([0, 0]);
    const p = polygonFromCoordinates([comb]);
    const { left, right } = splitByAxisLine(p, 1, 3);
    expect(left).toHaveLength(1);
    expect(right).toHaveLength(5);
    for (const tooth of right) expect(polygonArea(tooth)).toBe(2);
    expect(polygonArea(left[0]!)).toBe(9 + 5 * 2);
    expectValid([...left, ...right]);
    // Subdivision keeps the teeth apart as well: no piece spans a gap.
    const pieces = subdividePolygon(p, 1.5);
    expectValid(pieces);
    for (const piece of pieces) {
      const pts = rings(piece)[0]!;
      if (Math.min(...pts.map((q) => q[1])) < 1) continue;
      expect(Math.max(...pts.map((q) => q[0])) - Math.min(...pts.map((q) => q[0]))).toBeLessThanOrEqual(1);
    }
    expect(rel(areaOf(pieces), 29)).toBeLessThan(1e-12);
  });

  it('makes a hole crossed by the cut part of both exteriors, and keeps a hole inside a half', () => {
    const p = polygonFromCoordinates([
      rect(0, 0, 10, 10),
      rect(4, 4, 6, 6).reverse(),
      rect(1, 1, 2, 2).reverse(),
    ]);
    const { left, right } = splitByAxisLine(p, 0, 5);
    expect(left.map(rings)).toEqual([
      [
        [
          [5, 10],
          [0, 10],
          [0, 0],
          [5, 0],
          [5, 4],
          [4, 4],
          [4, 6],
          [5, 6],
          [5, 10],
        ],
        [
          [1, 1],
          [1, 2],
          [2, 2],
          [2, 1],
          [1, 1],
        ],
      ],
    ]);
    expect(right.map(rings)).toEqual([
      [
        [
          [5, 0],
          [10, 0],
          [10, 10],
          [5, 10],
          [5, 6],
          [6, 6],
          [6, 4],
          [5, 4],
          [5, 0],
        ],
      ],
    ]);
    expectValid([...left, ...right]);
  });

  it('handles vertices on the cut line, edges along it and a hole touching it', () => {
    // A diamond with two vertices on x = 0, a square whose side lies on x = 2.
    const diamond = polygonFromCoordinates([
      [
        [0, -2],
        [2, 0],
        [0, 2],
        [-2, 0],
        [0, -2],
      ],
    ]);
    const d = splitByAxisLine(diamond, 0, 0);
    expect(d.left.map(rings)).toEqual([
      [
        [
          [0, 2],
          [-2, 0],
          [0, -2],
          [0, 2],
        ],
      ],
    ]);
    expect(d.right.map(rings)).toEqual([
      [
        [
          [0, -2],
          [2, 0],
          [0, 2],
          [0, -2],
        ],
      ],
    ]);
    const sq = polygonFromCoordinates([rect(0, 0, 2, 2)]);
    expect(splitByAxisLine(sq, 0, 2)).toEqual({ left: [sq], right: [] });
    expect(splitByAxisLine(sq, 1, 0)).toEqual({ left: [], right: [sq] });
    // The hole's tip touches x = 5: it stays a hole, touching the new boundary at one point.
    const touch = polygonFromCoordinates([
      rect(0, 0, 10, 10),
      [
        [5, 5],
        [3, 4],
        [3, 6],
        [5, 5],
      ],
    ]);
    const t = splitByAxisLine(touch, 0, 5);
    expect(t.left.map(rings)).toEqual([
      [
        [
          [5, 10],
          [0, 10],
          [0, 0],
          [5, 0],
          [5, 5],
          [5, 10],
        ],
        [
          [5, 5],
          [3, 4],
          [3, 6],
          [5, 5],
        ],
      ],
    ]);
    expect(t.right.map(rings)).toEqual([[rect(5, 0, 10, 10)]]);
    // A notch whose tip touches x = 0 from the west: two lobes that meet at one point.
    const notch = polygonFromCoordinates([
      [
        [-2, -2],
        [2, -2],
        [2, 2],
        [-2, 2],
        [-2, 1],
        [0, 0],
        [-2, -1],
        [-2, -2],
      ],
    ]);
    const n = splitByAxisLine(notch, 0, 0);
    expect(n.left.map(rings)).toEqual([
      [
        [
          [0, 2],
          [-2, 2],
          [-2, 1],
          [0, 0],
          [0, 2],
        ],
      ],
      [
        [
          [0, 0],
          [-2, -1],
          [-2, -2],
          [0, -2],
          [0, 0],
        ],
      ],
    ]);
    expect(n.right.map(rings)).toEqual([[rect(0, -2, 2, 2)]]);
    expectValid([...d.left, ...d.right, ...t.left, ...t.right, ...n.left, ...n.right]);
  });

  it('orients and cleans any input: clockwise exterior, repeated points', () => {
    const messy = polygonFromCoordinates([
      [
        [0, 0],
        [0, 4],
        [0, 4],
        [4, 4],
        [4, 0],
        [0, 0],
      ],
    ]);
    const pieces = subdividePolygon(messy, 1, 1);
    expect(pieces).toHaveLength(16);
    expectValid(pieces);
  });

  it('is deterministic', () => {
    const p = polygonFromCoordinates([rect(0, 0, 7, 3), rect(1, 1, 2.5, 2).reverse()]);
    expect(subdividePolygon(p, 0.3).map(rings)).toEqual(subdividePolygon(p, 0.3).map(rings));
  });
});

describe('subdivideMultiPolygon', () => {
  const mp = multiPolygonFromCoordinates([
    [rect(0, 0, 1, 1)],
    [rect(10, 0, 14, 4), rect(11, 1, 12, 2).reverse()],
  ]);

  it('compares the total area with start, and keeps small parts whole', () => {
    expect(multiPolygonArea(mp)).toBe(16);
    const whole = subdivideMultiPolygon(mp, 16, 1);
    expect(whole.map(rings)).toEqual([
      [rect(0, 0, 1, 1)],
      [rect(10, 0, 14, 4), rect(11, 1, 12, 2).reverse()],
    ]);
    const pieces = subdivideMultiPolygon(mp, 15, 2);
    expect(rings(pieces[0]!)).toEqual([rect(0, 0, 1, 1)]);
    expect(pieces.length).toBeGreaterThan(8);
    for (const p of pieces) expect(polygonArea(p)).toBeLessThanOrEqual(2);
    expect(rel(areaOf(pieces), 16)).toBeLessThan(1e-12);
    expectValid(pieces);
  });
});

const anyPolygon = fc.oneof(starPolygon, combPolygon, sawPolygon);

describe('properties', () => {
  it('splitByAxisLine: each side holds its clipped area, stays on its side, and is valid', () => {
    const cases = anyPolygon.chain((rs) =>
      fc.record({
        rs: fc.constant(rs),
        axis: fc.constantFrom<Axis>(0, 1),
        // Half the time the line goes through a vertex, else anywhere across the polygon.
        vertex: fc.option(fc.constantFrom(...rs.flat()), { freq: 2 }),
        frac: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
    );
    fc.assert(
      fc.property(cases, ({ rs, axis, vertex, frac }) => {
        const cs = rs.flat().map((p) => p[axis]);
        const v =
          vertex !== null ? vertex[axis] : Math.min(...cs) + frac * (Math.max(...cs) - Math.min(...cs));
        const { left, right } = splitByAxisLine(polygonFromCoordinates(rs), axis, v);
        const total = geojsonArea(rs);
        expect(Math.abs(areaOf(left) - clippedArea(rs, axis, v, true)) / total).toBeLessThan(1e-9);
        expect(Math.abs(areaOf(right) - clippedArea(rs, axis, v, false)) / total).toBeLessThan(1e-9);
        for (const p of left)
          for (const r of rings(p)) for (const q of r) expect(q[axis]).toBeLessThanOrEqual(v);
        for (const p of right)
          for (const r of rings(p)) for (const q of r) expect(q[axis]).toBeGreaterThanOrEqual(v);
        expectValid([...left, ...right]);
      }),
      { numRuns: 500 },
    );
  });

  it('subdividePolygon: pieces at most stop, area conserved, every piece valid', () => {
    const cases = anyPolygon.chain((rs) => {
      const area = geojsonArea(rs);
      return fc.record({
        rs: fc.constant(rs),
        stop: fc.double({ min: area / 60, max: area * 1.5, noNaN: true }),
        startOver: fc.double({ min: 1, max: 2, noNaN: true }),
      });
    });
    fc.assert(
      fc.property(cases, ({ rs, stop, startOver }) => {
        const input = polygonFromCoordinates(rs);
        const area = geojsonArea(rs);
        const start = stop * startOver;
        const pieces = subdividePolygon(input, start, stop);
        if (area <= start) {
          expect(pieces).toEqual([input]);
          return;
        }
        for (const p of pieces) expect(polygonArea(p)).toBeLessThanOrEqual(stop * (1 + SUBDIVIDE_TOLERANCE));
        expect(rel(areaOf(pieces), area)).toBeLessThan(1e-9);
        expectValid(pieces);
      }),
      { numRuns: 300 },
    );
  });

  it.skipIf(!hasSpatialite)('GEOS finds every piece of a seeded sample valid', () => {
    const sample = fc.sample(
      fc.record({ rs: anyPolygon, n: fc.integer({ min: 2, max: 40 }), axis: fc.constantFrom<Axis>(0, 1) }),
      { numRuns: 300, seed: 42 },
    );
    const pieces: { id: string; rings: Rings }[] = [];
    sample.forEach(({ rs, n, axis }, i) => {
      const input = polygonFromCoordinates(rs);
      subdividePolygon(input, geojsonArea(rs) / n).forEach((p, k) => {
        pieces.push({ id: `sub${i}.${k}`, rings: rings(p) });
      });
      // And one cut through a vertex: the degenerate case.
      const v = rs[rs.length - 1]![1]![axis];
      const { left, right } = splitByAxisLine(input, axis, v);
      [...left, ...right].forEach((p, k) => {
        pieces.push({ id: `cut${i}.${k}`, rings: rings(p) });
      });
    });
    expect(pieces.length).toBeGreaterThan(3000);
    expect(geosInvalid('sample', pieces)).toEqual([]);
  });
});

describe('real polygons: countries.fgb', () => {
  const features = execFileSync(
    'ogr2ogr',
    ['-f', 'GeoJSONSeq', '/vsistdout/', dataPath('flatgeobuf/countries.fgb')],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  )
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as { properties: { name: string }; geometry: { type: string; coordinates: unknown } },
    );
  const asMulti = (g: { type: string; coordinates: unknown }) =>
    multiPolygonFromCoordinates((g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as Pos[][][]);

  it.each(['Russia', 'Canada'])('%s with stop 1: pieces at most 1, area conserved, pieces valid', (name) => {
    const mp = asMulti(features.find((f) => f.properties.name === name)!.geometry);
    const area = multiPolygonArea(mp);
    expect(area).toBeGreaterThan(1000);
    const pieces = subdivideMultiPolygon(mp, 1, 1);
    expect(pieces.length).toBeGreaterThan(area);
    for (const p of pieces) expect(polygonArea(p)).toBeLessThanOrEqual(1 + 1e-12);
    expect(rel(areaOf(pieces), area)).toBeLessThan(1e-9);
    // Canada's input has a spike on Haida Gwaii (-132.710008 54.040009 -> -132.710009 54.040009
    // and back; GEOS: "Ring Self-intersection"); the piece holding it keeps it. Every other piece
    // must be valid.
    const problems = pieces
      .map(rings)
      .filter((rs) => polygonProblems(rs).length > 0)
      .map((rs) => polygonProblems(rs).join('; '));
    if (name === 'Canada') {
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('spike at -132.710009,54.040009');
    } else {
      expect(problems).toEqual([]);
    }
  });

  it.skipIf(!hasSpatialite)('GEOS: every piece of every valid country (stop 1) is valid', () => {
    const invalidInputs = execFileSync(
      'ogrinfo',
      [
        '-q',
        '-dialect',
        'sqlite',
        '-sql',
        'SELECT name FROM countries WHERE ST_IsValid(geometry) <> 1',
        dataPath('flatgeobuf/countries.fgb'),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const skip = new Set([...invalidInputs.matchAll(/name \(String\) = (.*)/g)].map((m) => m[1]!));
    expect([...skip].sort()).toEqual(['Antarctica', 'Canada']);
    const pieces: { id: string; rings: Rings }[] = [];
    let checked = 0;
    for (const f of features) {
      if (skip.has(f.properties.name)) continue;
      const mp = asMulti(f.geometry);
      const out = subdivideMultiPolygon(mp, 1, 1);
      expect(rel(areaOf(out), multiPolygonArea(mp))).toBeLessThan(1e-9);
      out.forEach((p, k) => {
        pieces.push({ id: `${f.properties.name}.${k}`, rings: rings(p) });
      });
      checked++;
    }
    expect(checked).toBe(177);
    expect(pieces.length).toBeGreaterThan(15000);
    expect(geosInvalid('countries_pieces', pieces)).toEqual([]);
  });
});
