import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { subdivideWkbColumn } from '../../src/geometry/subdivide-wkb.js';
import { lit, query } from '../helpers/duckdb.js';
import { decodeWkb, encodeWkb, rowBytes, type TGeom, wkbColumnOf } from '../helpers/wkb-codec.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-subdivide-z-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A plane: linear interpolation along any edge, or along any cut, gives exactly its value. */
const plane = (x: number, y: number) => 2 * x - 3 * y + 100;

/** An L-shaped 12 x 10 degree polygon with a hole, the given Z on every vertex. */
function lPolygon(zOf: (x: number, y: number, i: number) => number): number[][][] {
  const shell = [
    [0, 0],
    [12, 0],
    [12, 4],
    [5, 4],
    [5, 10],
    [0, 10],
    [0, 0],
  ];
  const hole = [
    [1, 1],
    [1, 3],
    [3, 3],
    [3, 1],
    [1, 1],
  ];
  let i = 0;
  return [shell, hole].map((ring) => {
    const out = ring.slice(0, -1).map(([x, y]) => [x!, y!, zOf(x!, y!, i++)]);
    return [...out, out[0]!]; // closed in Z too
  });
}

const polygonZ = (rings: number[][][]): TGeom => ({
  type: 3,
  z: true,
  m: false,
  le: true,
  ewkb: false,
  rings,
});

function ringArea(ring: number[][]): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++)
    a += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  return a / 2;
}
const area = (g: TGeom) => g.rings!.reduce((s, r) => s + ringArea(r), 0);

function subdivided(rings: number[][][], stop: number): TGeom[] {
  const r = subdivideWkbColumn(wkbColumnOf([encodeWkb(polygonZ(rings))]), stop, stop);
  return Array.from({ length: r.wkb.length }, (_, j) => decodeWkb(rowBytes(r.wkb, j)!));
}

/** Where (x, y) lies on segment a-b, as the fraction from a, or null when it is not on it. */
function along(x: number, y: number, a: number[], b: number[]): number | null {
  const dx = b[0]! - a[0]!;
  const dy = b[1]! - a[1]!;
  const cross = dx * (y - a[1]!) - dy * (x - a[0]!);
  if (Math.abs(cross) > 1e-9 * Math.hypot(dx, dy)) return null;
  const t = ((x - a[0]!) * dx + (y - a[1]!) * dy) / (dx * dx + dy * dy);
  return t > 0 && t < 1 ? t : null;
}

describe('subdividing a polygon with Z', () => {
  it('gives Polygon Z pieces whose vertices lie on the Z plane of the input, area conserved', () => {
    const input = lPolygon(plane);
    const pieces = subdivided(input, 4);
    expect(pieces.length).toBeGreaterThan(10);
    let total = 0;
    let cutVertices = 0;
    const original = new Set(input.flat().map(([x, y]) => `${x} ${y}`));
    for (const p of pieces) {
      expect(p.type).toBe(3);
      expect(p.z).toBe(true);
      expect(area(p)).toBeLessThanOrEqual(4 * (1 + 1e-9));
      total += area(p);
      for (const [x, y, z] of p.rings!.flat()) {
        expect(z).toBeCloseTo(plane(x!, y!), 9);
        if (!original.has(`${x} ${y}`)) cutVertices++;
      }
    }
    expect(cutVertices).toBeGreaterThan(0);
    expect(total).toBeCloseTo(area(polygonZ(input)), 9);
  });

  it('keeps the Z of input vertices and interpolates it along the input edge a cut crosses', () => {
    // A Z that no plane fits: each vertex its own.
    const input = lPolygon((_x, _y, i) => ((i * 37) % 11) * 10 - 40);
    const zOf = new Map(input.flat().map(([x, y, z]) => [`${x} ${y}`, z!]));
    const edges = input.flatMap((ring) => ring.slice(1).map((b, i) => [ring[i]!, b] as const));
    let onEdges = 0;
    for (const p of subdivided(input, 4)) {
      expect(p.z).toBe(true);
      for (const [x, y, z] of p.rings!.flat()) {
        const own = zOf.get(`${x} ${y}`);
        if (own !== undefined) {
          expect(z).toBe(own);
          continue;
        }
        expect(Number.isFinite(z)).toBe(true);
        for (const [a, b] of edges) {
          const t = along(x!, y!, a, b);
          if (t === null) continue;
          expect(z).toBeCloseTo(a[2]! + t * (b[2]! - a[2]!), 9);
          onEdges++;
        }
      }
    }
    expect(onEdges).toBeGreaterThan(0);
  });

  it('writes Polygon Z pieces through ingest, read back by DuckDB', async () => {
    const input = join(tmp, 'l-shape-z.geojson');
    const feature = {
      type: 'Feature',
      properties: { id: 7 },
      geometry: { type: 'Polygon', coordinates: lPolygon(plane) },
    };
    writeFileSync(input, JSON.stringify({ type: 'FeatureCollection', features: [feature] }));
    const dir = join(tmp, 'table');
    const report = await ingest(input, dir, { subdivideStart: 4, subdivideStop: 4 }).runLocal({ threads: 1 });
    expect(report.rowsSubdivided).toBe(1);
    const glob = lit(join(dir, '*.parquet'));
    const rows = (await query(`SELECT id, geometry FROM ${glob}`)) as { id: number; geometry: Uint8Array }[];
    expect(rows.length).toBe(report.rowsWritten);
    expect(rows.length).toBeGreaterThan(10);
    let total = 0;
    for (const row of rows) {
      expect(row.id).toBe(7);
      const g = decodeWkb(row.geometry);
      expect([g.type, g.z]).toEqual([3, true]);
      total += area(g);
      for (const [x, y, z] of g.rings!.flat()) expect(z).toBeCloseTo(plane(x!, y!), 9);
    }
    expect(total).toBeCloseTo(area(polygonZ(lPolygon(plane))), 9);
    const [meta] = await query(
      `SELECT decode(value) AS geo FROM parquet_kv_metadata(${lit(join(dir, '0.parquet'))}) WHERE decode(key) = 'geo'`,
    );
    expect(JSON.parse(meta!.geo as string).columns.geometry.geometry_types).toEqual(['Polygon Z']);
  });
});
