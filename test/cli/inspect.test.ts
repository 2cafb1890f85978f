import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filePalette } from '../../src/inspect/palette.js';
import { geopart, run } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { type ChunkRow, chunkTable, dataFiles } from '../ingest/table-check.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-inspect-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const WIDTH = 640;
const MARGIN = 8;
const table = join(tmp, 'roads');
let chunks: ChunkRow[] = [];
let files = 0;
/** The table's extent in degrees, from DuckDB over every row's bbox. */
let extent: [number, number, number, number] = [0, 0, 0, 0];

beforeAll(async () => {
  // 8,333 road lines of Manhattan, forced into several files by a small per-file cap.
  const r = geopart([
    'ingest',
    dataPath('flatgeobuf/tiger_roads.geojson'),
    '-o',
    table,
    '--max-per-file',
    '1500',
    '--max-per-chunk',
    '120',
    '--threads',
    '2',
  ]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  chunks = await chunkTable(table);
  files = dataFiles(table).length;
  const [b] = await query(
    `SELECT min(bbox.xmin) AS x0, min(bbox.ymin) AS y0, max(bbox.xmax) AS x1, max(bbox.ymax) AS y1 FROM read_parquet(${lit(join(table, '*.parquet'))})`,
  );
  extent = [b!.x0, b!.y0, b!.x1, b!.y1] as [number, number, number, number];
});

const key = (r: number, g: number, b: number) => (r << 16) | (g << 8) | b;

/** The frame the picture should have: the extent fitted to WIDTH inside the margin (equirectangular, src/inspect/viewport.ts). */
function frame(height: number) {
  const [x0, y0, x1, y1] = extent;
  const scale = (WIDTH - 2 * MARGIN) / (x1 - x0);
  return { scale, west: (x0 + x1) / 2 - WIDTH / 2 / scale, north: (y0 + y1) / 2 + height / 2 / scale };
}

describe('geopart inspect --image', () => {
  it('draws a PNG with the rows as grey density and exactly one box colour per file', async () => {
    const path = join(tmp, 'roads.png');
    const r = geopart(['inspect', table, '--image', path, '--width', String(WIDTH)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const png = PNG.sync.read(readFileSync(path));
    expect(r.stdout).toContain(`wrote ${path} (${png.width} x ${png.height} px)`);

    // Size: the requested width, the height from the extent's aspect (plate carree).
    const [x0, y0, x1, y1] = extent;
    expect(png.width).toBe(WIDTH);
    expect(
      Math.abs(png.height - 2 * MARGIN - ((WIDTH - 2 * MARGIN) * (y1 - y0)) / (x1 - x0)),
    ).toBeLessThanOrEqual(1);

    const greys = new Map<number, number>();
    const coloured = new Map<number, number[]>();
    let translucent = 0;
    for (let i = 0; i < png.width * png.height; i++) {
      const [r8, g8, b8, a8] = png.data.subarray(4 * i, 4 * i + 4);
      if (a8 !== 255) translucent++;
      if (r8 === g8 && g8 === b8) greys.set(r8!, (greys.get(r8!) ?? 0) + 1);
      else {
        const k = key(r8!, g8!, b8!);
        if (!coloured.has(k)) coloured.set(k, []);
        coloured.get(k)!.push(i);
      }
    }
    expect(translucent).toBe(0);
    // One colour per file, each file's own: the palette's first `files` colours and nothing else.
    const palette = filePalette(files);
    const byFile = Array.from({ length: files }, (_, f) =>
      key(palette[3 * f]!, palette[3 * f + 1]!, palette[3 * f + 2]!),
    );
    expect(coloured.size).toBe(files);
    expect(new Set(coloured.keys())).toEqual(new Set(byFile));

    // Each coloured pixel lies on the outline of a chunk box of its file (within a pixel).
    const { scale, west, north } = frame(png.height);
    for (const [f, colour] of byFile.entries()) {
      const boxes = chunks
        .filter((c) => c.file_id === f)
        .map((c) => [
          (c.bbox_minx - west) * scale,
          (north - c.bbox_maxy) * scale,
          (c.bbox_maxx - west) * scale,
          (north - c.bbox_miny) * scale,
        ]);
      for (const i of coloured.get(colour)!) {
        const x = (i % png.width) + 0.5;
        const y = Math.floor(i / png.width) + 0.5;
        const onOutline = boxes.some(([a, b, c, d]) => {
          const near = x >= a! - 1 && x <= c! + 1 && y >= b! - 1 && y <= d! + 1;
          const inside = x > a! + 1 && x < c! - 1 && y > b! + 1 && y < d! - 1;
          return near && !inside;
        });
        expect(onOutline, `pixel ${i % png.width},${Math.floor(i / png.width)} of file ${f}`).toBe(true);
      }
    }

    // Density: grey pixels other than the background sit exactly on the cells of row centres
    // that DuckDB computes, and most such cells show (box outlines cover the rest).
    const background = [...greys.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const cells = await query(
      `SELECT floor(((bbox.xmin + bbox.xmax) / 2 - CAST('${west}' AS DOUBLE)) * CAST('${scale}' AS DOUBLE)) AS px,
              floor((CAST('${north}' AS DOUBLE) - (bbox.ymin + bbox.ymax) / 2) * CAST('${scale}' AS DOUBLE)) AS py,
              count(*) AS n
       FROM read_parquet(${lit(join(table, '*.parquet'))}) GROUP BY 1, 2`,
    );
    const cellCount = new Map(
      cells.map((c) => [(c.py as number) * png.width + (c.px as number), c.n as number]),
    );
    let density = 0;
    for (let i = 0; i < png.width * png.height; i++) {
      const [r8, g8, b8] = png.data.subarray(4 * i, 4 * i + 3);
      if (r8 !== g8 || g8 !== b8 || r8 === background) continue;
      density++;
      expect(cellCount.has(i), `density pixel ${i % png.width},${Math.floor(i / png.width)}`).toBe(true);
    }
    expect(density).toBeGreaterThan(1000);
    expect(density).toBeGreaterThan(0.5 * cellCount.size);
    // White marks the busiest cells (the log scale tops out there) and only them; an outline
    // may cover one.
    const busiest = Math.max(...cellCount.values());
    expect(busiest).toBeGreaterThan(1);
    for (const [i, n] of cellCount) {
      const [r8, g8, b8] = png.data.subarray(4 * i, 4 * i + 3);
      if (r8 === 255 && g8 === 255 && b8 === 255) expect(n).toBe(busiest);
      else if (n === busiest)
        expect(r8 === g8 && g8 === b8, `busiest cell ${i} is neither white nor covered`).toBe(false);
    }
    expect(greys.get(255)).toBeGreaterThan(0);
  });

  it('draws an SVG with one rect per chunk, grouped per file in distinct colours over the density', async () => {
    const path = join(tmp, 'roads.svg');
    const r = geopart(['inspect', table, '--image', path, '--width', String(WIDTH)]);
    expect(r.status).toBe(0);
    const svg = readFileSync(path, 'utf8');
    expect(svg).toMatch(
      new RegExp(`^<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="\\d+"`),
    );
    const groups = [...svg.matchAll(/<g data-file="(\d+)" stroke="(#[0-9a-f]{6})">([\s\S]*?)<\/g>/g)];
    expect(groups.map((g) => Number(g[1]))).toEqual(Array.from({ length: files }, (_, f) => f));
    expect(new Set(groups.map((g) => g[2])).size).toBe(files);
    for (const [, file, , body] of groups) {
      const rects = [...body!.matchAll(/<rect data-file="(\d+)" data-chunk="(\d+)"/g)];
      const mine = chunks.filter((c) => c.file_id === Number(file));
      expect(rects.length, `file ${file}`).toBe(mine.length);
      expect(rects.every((m) => m[1] === file)).toBe(true);
      expect(new Set(rects.map((m) => Number(m[2])))).toEqual(new Set(mine.map((c) => c.chunk_id)));
    }
    const href = /href="data:image\/png;base64,([^"]+)"/.exec(svg)![1]!;
    const density = PNG.sync.read(Buffer.from(href, 'base64'));
    let lit8 = 0;
    let notGrey = 0;
    for (let i = 0; i < density.data.length; i += 4) {
      if (density.data[i] !== density.data[i + 1] || density.data[i] !== density.data[i + 2]) notGrey++;
      if (density.data[i]! > 0x30) lit8++;
    }
    expect([density.width, notGrey]).toEqual([WIDTH, 0]);
    expect(lit8).toBeGreaterThan(1000);
  });

  it('refuses to overwrite an image unless --overwrite, and leaves it untouched', () => {
    const path = join(tmp, 'exists.png');
    writeFileSync(path, 'keep me');
    const r = geopart(['inspect', table, '--image', path]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/exists\.png exists: pass --overwrite/);
    expect(readFileSync(path, 'utf8')).toBe('keep me');
    const again = geopart(['inspect', table, '--image', path, '--overwrite', '--width', '100']);
    expect(again.status).toBe(0);
    expect(PNG.sync.read(readFileSync(path)).width).toBe(100);
    expect(statSync(path).size).toBeGreaterThan(100);
  });

  it('rejects an image name without .png or .svg and a width without --image, with exit code 2', () => {
    const bad = geopart(['inspect', table, '--image', join(tmp, 'x.jpg')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/must end in \.png or \.svg/);
    const width = geopart(['inspect', table, '--width', '300']);
    expect(width.status).toBe(2);
    expect(width.stderr).toMatch(/--width .* use it with --image/);
  });
});

describe('geopart inspect --image of a GeoParquet file written by another tool', () => {
  it('places rows by their WKB when the file has no bbox column, and draws no box it does not know', () => {
    const path = join(tmp, 'cities.png');
    const r = geopart(['inspect', dataPath('geoarrow/natural-earth_cities_geo.parquet'), '--image', path]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/no box in the metadata/);
    const png = PNG.sync.read(readFileSync(path));
    // The same 243 cities, their coordinates as GDAL writes them from the FlatGeobuf copy.
    const csv = run('ogr2ogr', [
      '-f',
      'CSV',
      '/vsistdout/',
      dataPath('geoarrow/natural-earth_cities.fgb'),
      '-lco',
      'GEOMETRY=AS_XY',
    ]);
    const points = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(0, 2).map(Number) as [number, number]);
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const scale = (png.width - 2 * MARGIN) / (x1 - x0);
    const west = (x0 + x1) / 2 - png.width / 2 / scale;
    const north = (y0 + y1) / 2 + png.height / 2 / scale;
    const cells = new Set(
      points.map(([x, y]) => Math.floor((north - y) * scale) * png.width + Math.floor((x - west) * scale)),
    );
    const shown = new Set<number>();
    let coloured = 0;
    const background = png.data[0];
    for (let i = 0; i < png.width * png.height; i++) {
      const [r8, g8, b8] = png.data.subarray(4 * i, 4 * i + 3);
      if (r8 !== g8 || g8 !== b8) coloured++;
      else if (r8 !== background) shown.add(i);
    }
    expect(coloured).toBe(0);
    expect(shown).toEqual(cells);
  });
});

describe('geopart inspect --image of a table without rows', () => {
  it('says there is nothing to draw, as for a plain GeoParquet file without rows, and writes no picture', async () => {
    const empty = join(tmp, 'empty');
    const ingest = geopart(['ingest', dataPath('flatgeobuf/empty.fgb'), '-o', empty]);
    expect(ingest.status, ingest.stderr).toBe(0);
    const plain = join(tmp, 'empty.parquet');
    const geo = {
      version: '1.1.0',
      primary_column: 'geometry',
      columns: { geometry: { encoding: 'WKB', geometry_types: [] } },
    };
    await query(
      `COPY (SELECT 1 AS id, unhex('0101000000000000000000F03F0000000000000040') AS geometry WHERE false) TO ${lit(plain)} (FORMAT parquet, KV_METADATA {geo: ${lit(JSON.stringify(geo))}})`,
    );
    for (const input of [empty, plain]) {
      const path = join(tmp, 'empty.png');
      const r = geopart(['inspect', input, '--image', path]);
      expect(r.stderr).toBe(
        `geopart inspect: ${input}: no row has a geometry, so there is nothing to draw\n`,
      );
      expect(r.status).toBe(1);
      expect(existsSync(path)).toBe(false);
    }
  });
});

describe('geopart inspect', () => {
  it('prints the summary as JSON that agrees with DuckDB and the chunk table', async () => {
    const r = geopart(['inspect', table, '--json']);
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    const [count] = await query(`SELECT count(*) AS n FROM read_parquet(${lit(join(table, '*.parquet'))})`);
    expect(s.rows).toBe(count!.n);
    expect(s.files).toBe(files);
    expect(s.chunks).toBe(chunks.length);
    expect(s.maxPerChunk).toBe(120);
    expect(s.maxPerFile).toBe(1500);
    expect((s.chunkSize as { max: number }).max).toBe(Math.max(...chunks.map((c) => c.num_rows)));
    expect((s.report as { rowsRead: number }).rowsRead).toBe(count!.n);
  });

  it('prints the summary as text with a histogram of chunk sizes', () => {
    const r = geopart(['inspect', table]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`in ${files} files, ${chunks.length} chunks`);
    const bars = r.stdout.split('\n').filter((l) => / \| #* +\d+$/.test(l));
    expect(bars.length).toBeGreaterThan(1);
    expect(bars.reduce((a, l) => a + Number(/(\d+)$/.exec(l)![1]), 0)).toBe(chunks.length);
  });

  it('is listed in the help', () => {
    expect(geopart(['--help']).stdout).toMatch(/inspect OUT/);
    expect(geopart(['help', 'inspect']).stdout).toMatch(/--image F/);
  });
});
