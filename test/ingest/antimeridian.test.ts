/**
 * Rows at the antimeridian on real data: Natural Earth's countries (Russia and Fiji cut at
 * ±180, Antarctica around the pole), countries-land-10m's Pacific (Fiji, Kiribati and the US
 * Minor Outlying Islands on both sides), and a polygon across 180 reprojected from a
 * Pacific-centred CRS by GDAL. DuckDB reads the tables back; GDAL's ogr2ogr reads the inputs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import type { IngestReport } from '../../src/ingest/report.js';
import { openTable } from '../../src/read/open-table.js';
import type { BBox } from '../../src/read/types.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { decodeWkb, type Geom, ogrFeatures } from '../helpers/ogr.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-antimeridian-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Row {
  name: string;
  xmin: number;
  xmax: number;
  chunk: string;
  geometry: Geom;
}

/** Every row of a table as DuckDB reads it, with the chunk (file and row group) it is in. */
async function tableRows(dir: string, nameColumn: string): Promise<Row[]> {
  const glob = lit(join(dir, '*.parquet'));
  const rows = await query(
    `WITH r AS (SELECT filename, file_row_number AS i, "${nameColumn}" AS name, bbox,
                       hex(ST_AsWKB(geometry)) AS wkb
                FROM read_parquet(${glob}, filename = true, file_row_number = true)),
          g AS (SELECT file_name, row_group_id, row_group_num_rows AS n,
                       sum(row_group_num_rows) OVER (PARTITION BY file_name ORDER BY row_group_id) AS upto
                FROM (SELECT DISTINCT file_name, row_group_id, row_group_num_rows FROM parquet_metadata(${glob})))
     SELECT r.name, r.bbox.xmin AS xmin, r.bbox.xmax AS xmax, r.wkb, g.file_name || '#' || g.row_group_id AS chunk
     FROM r JOIN g ON r.filename = g.file_name AND r.i >= g.upto - g.n AND r.i < g.upto`,
  );
  return rows.map((r) => ({
    name: String(r.name),
    xmin: r.xmin as number,
    xmax: r.xmax as number,
    chunk: r.chunk as string,
    geometry: decodeWkb(Buffer.from(r.wkb as string, 'hex')),
  }));
}

/** Every vertex of a GeoJSON geometry as "x y" text, sorted (a multiset to compare). */
function vertices(g: Geom | null): string[] {
  const out: string[] = [];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') out.push(`${c[0]} ${c[1]}`);
    else if (Array.isArray(c)) for (const x of c) walk(x);
  };
  walk(g?.coordinates);
  for (const p of g?.geometries ?? []) out.push(...vertices(p));
  return out.sort();
}

/** Names of the rows of each chunk whose box (of its rows) is wider than 180 degrees. */
function wideChunks(rows: readonly Row[]): string[][] {
  const byChunk = new Map<string, Row[]>();
  for (const r of rows) byChunk.set(r.chunk, [...(byChunk.get(r.chunk) ?? []), r]);
  return [...byChunk.values()]
    .filter((rs) => Math.max(...rs.map((r) => r.xmax)) - Math.min(...rs.map((r) => r.xmin)) > 180)
    .map((rs) => rs.map((r) => r.name));
}

/** The names `read({ bbox })` returns, checked against DuckDB filtering the bbox column. */
async function namesIn(dir: string, nameColumn: string, box: BBox): Promise<string[]> {
  const table = await openTable(dir);
  try {
    const got = await table.read({ bbox: box, columns: [nameColumn] });
    const ours = got.getChild(nameColumn)!.toArray().map(String).sort();
    const duck = await query(
      `SELECT "${nameColumn}" AS name FROM read_parquet(${lit(join(dir, '*.parquet'))})
       WHERE bbox.xmin <= ${box[2]} AND bbox.xmax >= ${box[0]} AND bbox.ymin <= ${box[3]} AND bbox.ymax >= ${box[1]}`,
    );
    expect(ours).toEqual(duck.map((r) => String(r.name)).sort());
    // Pruning: the table's chunk boxes agree with its rows' boxes.
    const wide = table.chunks().filter((c) => c.bbox[2] - c.bbox[0] > 180).length;
    const rows = await tableRows(dir, nameColumn);
    expect(wide).toBe(wideChunks(rows).length);
    return ours;
  } finally {
    await table.close();
  }
}

describe('rows at the antimeridian', () => {
  const countries = dataPath('flatgeobuf/countries.fgb');

  it('splits Natural Earth Russia and Fiji into one row per side; only Antarctica stays wider than 180 degrees', async () => {
    const dir = join(tmp, 'countries');
    const report: IngestReport = await ingest(countries, dir, { partitioningMaximumPerChunk: 10 }).runLocal({
      threads: 2,
    });
    expect(report.rowsCrossingAntimeridian).toBe(2);
    expect(report.rowsAddedByAntimeridian).toBe(2);
    expect(report.rowsWritten).toBe(179 + 2);

    const rows = await tableRows(dir, 'name');
    expect(rows.filter((r) => r.xmax - r.xmin > 180).map((r) => r.name)).toEqual(['Antarctica']);
    for (const names of wideChunks(rows)) expect(names).toContain('Antarctica');
    // Each side is its own row, and together they hold exactly the input's vertices.
    const input = ogrFeatures(countries);
    for (const name of ['Russia', 'Fiji']) {
      const pieces = rows.filter((r) => r.name === name);
      expect(pieces, name).toHaveLength(2);
      expect(pieces.map((p) => p.xmin >= 0).sort()).toEqual([false, true]);
      const want = vertices(input.find((f) => f.properties.name === name)!.geometry);
      expect(pieces.flatMap((p) => vertices(p.geometry)).sort(), name).toEqual(want);
    }
    // A box on either side of the line finds Fiji.
    expect(await namesIn(dir, 'name', [178, -18, 179.9, -16])).toContain('Fiji');
    expect(await namesIn(dir, 'name', [-179.99, -17, -179.5, -16])).toContain('Fiji');
  });

  it('splits countries-land-10m Fiji, Kiribati and the US Minor Outlying Islands; no row or chunk spans the globe', async () => {
    const input = dataPath('geojson/countries-land-10m-pacific.geojson');
    const dir = join(tmp, 'pacific');
    const report = await ingest(input, dir, { partitioningMaximumPerChunk: 2 }).runLocal({ threads: 2 });
    expect(report.rowsCrossingAntimeridian).toBe(3);
    expect(report.rowsWritten).toBe(5 + 3);
    const rows = await tableRows(dir, 'A3');
    expect(rows.filter((r) => r.xmax - r.xmin > 180)).toEqual([]);
    expect(wideChunks(rows)).toEqual([]);
    const features = ogrFeatures(input);
    for (const a3 of ['FJI', 'KIR', 'UMI', 'TON', 'WSM']) {
      const want = vertices(features.find((f) => f.properties.A3 === a3)!.geometry);
      const got = rows.filter((r) => r.name === a3).flatMap((r) => vertices(r.geometry));
      expect(got.sort(), a3).toEqual(want);
    }
    // Kiribati: the Gilbert Islands at 173 E and the Line Islands at 150 W.
    expect(await namesIn(dir, 'A3', [172.5, 1, 173.5, 2])).toContain('KIR');
    expect(await namesIn(dir, 'A3', [-157.6, 1.7, -157.1, 2.1])).toContain('KIR');
  });

  it('cuts a polygon reprojected across 180 from a Pacific-centred CRS (EPSG:3832), area kept', async () => {
    const src = join(tmp, 'across.geojson');
    const ring = [
      [175, -20],
      [185, -20],
      [185, -15],
      [175, -15],
      [175, -20],
    ];
    writeFileSync(
      src,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { name: 'across' },
            geometry: { type: 'Polygon', coordinates: [ring] },
          },
        ],
      }),
    );
    const fgb = join(tmp, 'across-3832.fgb');
    execFileSync('ogr2ogr', ['-f', 'FlatGeobuf', '-s_srs', 'EPSG:4326', '-t_srs', 'EPSG:3832', fgb, src]);
    const dir = join(tmp, 'across');
    const report = await ingest(fgb, dir).runLocal({ threads: 2 });
    expect(report.rowsCrossingAntimeridian).toBe(1);
    const rows = await tableRows(dir, 'name');
    const boxes = rows.map((r) => [r.xmin, r.xmax].map((x) => Math.round(x * 1e6) / 1e6));
    expect(boxes.sort((a, b) => a[0]! - b[0]!)).toEqual([
      [-180, -175],
      [175, 180],
    ]);
    const area = (g: Geom): number => {
      const r = (g.coordinates as number[][][])[0]!;
      let a = 0;
      for (let i = 0; i + 1 < r.length; i++) a += r[i]![0]! * r[i + 1]![1]! - r[i + 1]![0]! * r[i]![1]!;
      return Math.abs(a / 2);
    };
    expect(area(rows[0]!.geometry) + area(rows[1]!.geometry)).toBeCloseTo(50, 6);
  });

  it('keeps crossing rows whole with split_antimeridian: false, their box spanning the globe', async () => {
    const dir = join(tmp, 'kept');
    const report = await ingest(countries, dir, { splitAntimeridian: false }).runLocal({ threads: 2 });
    expect(report.rowsWritten).toBe(179);
    expect(report.rowsCrossingAntimeridian).toBeUndefined();
    const rows = await tableRows(dir, 'name');
    expect(
      rows
        .filter((r) => r.xmax - r.xmin > 180)
        .map((r) => r.name)
        .sort(),
    ).toEqual(['Antarctica', 'Fiji', 'Russia']);
    expect(rows.find((r) => r.name === 'Fiji')).toMatchObject({ xmin: -180, xmax: 180 });
  });
});
