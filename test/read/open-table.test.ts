/**
 * openTable on every kind of input (table folder, `_sample`, output_metadata file, plain
 * GeoParquet, http URL with Range), its errors, and exact reads on polygons, checked against
 * DuckDB and turf.
 */
import { cpSync, createReadStream, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bboxPolygon, booleanIntersects, feature } from '@turf/turf';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { wkbToGeoJson } from '../../src/geometry/wkb-text.js';
import { openTable } from '../../src/read/open-table.js';
import type { BBox } from '../../src/read/types.js';
import { writeGeoParquetFile } from '../../src/write/geoparquet-writer.js';
import { geopart } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';

let dir: string;
let table: string;
let meta: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'geopart-open-'));
  table = join(dir, 'countries');
  meta = join(dir, 'meta', 'countries-chunks.parquet');
  const r = geopart([
    'ingest',
    dataPath('flatgeobuf/countries.fgb'),
    '-o',
    table,
    '--target-chunks',
    '40',
    '--max-per-file',
    '40',
    '--output-metadata',
    meta,
  ]);
  if (r.status !== 0) throw new Error(r.stderr);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function duckIds(glob: string, b: BBox, idCol = 'id'): Promise<string[]> {
  const rows = await query(
    `SELECT ${idCol} AS id FROM read_parquet(${lit(glob)}) WHERE bbox.xmin <= ${b[2]} AND bbox.xmax >= ${b[0]} AND bbox.ymin <= ${b[3]} AND bbox.ymax >= ${b[1]} ORDER BY 1`,
  );
  return rows.map((r) => String(r.id));
}

const ids = (t: import('apache-arrow').Table, col = 'id') =>
  Array.from({ length: t.numRows }, (_, i) => String(t.getChild(col)!.get(i))).sort();

const BOX: BBox = [-10, 35, 30, 60];

describe('openTable', () => {
  test('a table folder, its _sample and its output_metadata file give the same chunks and rows', async () => {
    const want = await duckIds(join(table, '*.parquet'), BOX);
    expect(want.length).toBeGreaterThan(10);
    for (const path of [table, join(table, '_sample'), meta]) {
      const t = await openTable(path);
      try {
        expect(t.files.length).toBe(readdirSync(table).filter((f) => f.endsWith('.parquet')).length);
        expect(t.chunks().length).toBeGreaterThan(5);
        expect(t.report?.rowsWritten).toBe(181); // 179 countries, Russia and Fiji split at the antimeridian into one row per side.
        expect(ids(await t.read({ bbox: BOX }))).toEqual(want);
        expect(t.stats.rowGroupsRead).toBe(t.chunks(BOX).length);
      } finally {
        await t.close();
      }
    }
  });

  test('readChunk returns exactly the rows of one row group, as DuckDB numbers them', async () => {
    const t = await openTable(table);
    try {
      for (const c of t.chunks()) {
        const rows = await t.readChunk(c.fileId, c.chunkId, { columns: ['id'] });
        expect(rows.schema.fields.map((f) => f.name)).toEqual(['id']);
        expect(rows.numRows).toBe(c.numRows);
        const [first] = await query(
          `SELECT coalesce(sum(num_rows), 0)::BIGINT AS n FROM (SELECT DISTINCT row_group_id, row_group_num_rows AS num_rows FROM parquet_metadata(${lit(c.url)}) WHERE row_group_id < ${c.chunkId})`,
        );
        const start = Number(first!.n);
        const want = await query(
          `SELECT id FROM read_parquet(${lit(c.url)}, file_row_number = true) WHERE file_row_number >= ${start} AND file_row_number < ${start + c.numRows} ORDER BY file_row_number`,
        );
        expect(Array.from({ length: rows.numRows }, (_, i) => String(rows.getChild('id')!.get(i)))).toEqual(
          want.map((r) => String(r.id)),
        );
      }
      expect(t.stats.rowGroupsRead).toBe(t.chunks().length);
      await expect(t.readChunk(0, 999)).rejects.toThrow(/no chunk 999 in file 0; table.chunks\(\) lists/);
    } finally {
      await t.close();
    }
  });

  test('a plain GeoParquet file: row groups are chunks boxed by covering statistics', async () => {
    // Another writer's layout: several row groups, the attributes first, no geopart metadata.
    const src = await openTable(table);
    const all = await src.read({ columns: ['id', 'name', 'geometry'] });
    await src.close();
    const path = join(dir, 'plain.parquet');
    await writeGeoParquetFile(path, { batches: all.batches, rowGroupSizes: [60, 60, 61] });
    const t = await openTable(path);
    try {
      expect(t.chunks().map((c) => c.numRows)).toEqual([60, 60, 61]);
      expect(t.report).toBeNull();
      const box: BBox = [0, 0, 10, 10];
      expect(ids(await t.read({ bbox: box }))).toEqual(await duckIds(path, box));
      // The fixture written by another tool (covering column, one row group).
      const ex = await openTable(dataPath('geoparquet/example.parquet'));
      const exBox: BBox = [-100, 20, -60, 60];
      expect(ids(await ex.read({ bbox: exBox }), 'name')).toEqual(
        await duckIds(dataPath('geoparquet/example.parquet'), exBox, 'name'),
      );
      await ex.close();
    } finally {
      await t.close();
    }
  });

  test("a plain file's wrapped covering statistics (xmin > xmax) box its row group as every longitude", async () => {
    // One row whose box crosses the antimeridian, in GeoParquet 1.1's wrapped form.
    const geo = {
      version: '1.1.0',
      primary_column: 'geometry',
      columns: {
        geometry: {
          encoding: 'WKB',
          geometry_types: ['Point'],
          covering: {
            bbox: {
              xmin: ['bbox', 'xmin'],
              ymin: ['bbox', 'ymin'],
              xmax: ['bbox', 'xmax'],
              ymax: ['bbox', 'ymax'],
            },
          },
        },
      },
    };
    const path = join(dir, 'wrapped.parquet');
    await query(
      `COPY (SELECT 1 AS id, unhex('0101000000000000000000F03F0000000000000040') AS geometry, {'xmin': 170.0::DOUBLE, 'ymin': -18.0::DOUBLE, 'xmax': -170.0::DOUBLE, 'ymax': -16.0::DOUBLE} AS bbox) TO ${lit(path)} (FORMAT parquet, KV_METADATA {geo: ${lit(JSON.stringify(geo))}})`,
    );
    const t = await openTable(path);
    try {
      expect(t.chunks().map((c) => c.bbox)).toEqual([[-180, -18, 180, -16]]);
      expect(t.chunks([171, -20, 179, -10]).length).toBe(1);
      expect(t.chunks([171, 0, 179, 10]).length).toBe(0);
    } finally {
      await t.close();
    }
  });

  test('a GeoParquet file without covering column: rows filtered by their geometry box', async () => {
    const path = dataPath('geoarrow/natural-earth_cities_geo.parquet');
    const t = await openTable(path);
    try {
      expect(t.chunks()[0]!.bbox).toEqual([-Infinity, -Infinity, Infinity, Infinity]);
      const box: BBox = [0, 40, 20, 55];
      const got = await t.read({ bbox: box, columns: ['name'] });
      const want = await query(
        `SELECT name FROM read_parquet(${lit(path)}) WHERE ST_X(ST_GeomFromWKB(geometry)) BETWEEN 0 AND 20 AND ST_Y(ST_GeomFromWKB(geometry)) BETWEEN 40 AND 55 ORDER BY 1`,
      ).catch(() => null);
      const names = ids(got, 'name');
      expect(names.length).toBeGreaterThan(3);
      if (want !== null) expect(names).toEqual(want.map((r) => String(r.name)));
      // Independent check without DuckDB's spatial extension: decode every point and filter.
      const everything = await t.read();
      const inBox = ids(await t.read({ bbox: box, columns: ['name', 'geometry'] }), 'name');
      const manual: string[] = [];
      for (let i = 0; i < everything.numRows; i++) {
        const g = wkbToGeoJson(everything.getChild('geometry')!.get(i) as Uint8Array) as {
          coordinates: number[];
        };
        const [x, y] = g.coordinates as [number, number];
        if (x >= 0 && x <= 20 && y >= 40 && y <= 55) manual.push(String(everything.getChild('name')!.get(i)));
      }
      expect(inBox).toEqual(manual.sort());
    } finally {
      await t.close();
    }
  });

  test('errors name the path and say what to do', async () => {
    const noSample = join(dir, 'no-sample');
    cpSync(table, noSample, { recursive: true });
    rmSync(join(noSample, '_sample'));
    await expect(openTable(noSample)).rejects.toMatchObject({
      code: 'INCOMPLETE_TABLE',
      message: expect.stringContaining('_sample'),
    });
    await expect(openTable(join(dir, 'missing'))).rejects.toMatchObject({
      code: 'INPUT_NOT_FOUND',
      message: expect.stringContaining('missing'),
    });
    await expect(openTable(dataPath('flatgeobuf/countries.fgb'))).rejects.toMatchObject({
      code: 'UNKNOWN_FORMAT',
      message: expect.stringContaining('countries.fgb'),
    });
    const plain = join(dir, 'no-geo.parquet');
    writeFileSync(
      plain,
      new Uint8Array(
        parquetWriteBuffer({ columnData: [{ name: 'a', data: Int32Array.of(1, 2), type: 'INT32' }] }),
      ),
    );
    await expect(openTable(plain)).rejects.toMatchObject({
      code: 'NO_GEOMETRY',
      message: expect.stringContaining('no-geo.parquet'),
    });
    await expect(openTable('ftp://host/table')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const t = await openTable(table);
    try {
      await expect(t.read({ bbox: [10, 0, 0, 10] })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('minx <= maxx'),
      });
      await expect(t.read({ bbox: [0, 0, Number.NaN, 1] as unknown as BBox })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await expect(t.read({ columns: ['nope'] })).rejects.toMatchObject({
        message: expect.stringContaining('available columns: id, name, geometry, bbox'),
      });
      const empty = await t.read({ bbox: [100, -89, 101, -88.5], columns: ['id', 'geometry'] });
      expect(empty.numRows).toBe(0);
      expect(empty.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['id:Utf8', 'geometry:Binary']);
    } finally {
      await t.close();
    }
  });

  test('exact: a box inside a polygon bbox but outside the polygon matches only without exact', async () => {
    const t = await openTable(table);
    try {
      const all = await t.read({ columns: ['id', 'geometry'] });
      const geoms = Array.from({ length: all.numRows }, (_, i) => ({
        id: String(all.getChild('id')!.get(i)),
        geom: wkbToGeoJson(all.getChild('geometry')!.get(i) as Uint8Array),
      }));
      // Search a 1x1 degree grid for boxes that hit some country's bbox but no country.
      let checked = 0;
      for (let x = -179; x < 179 && checked < 5; x += 3) {
        for (let y = -60; y < 80 && checked < 5; y += 3) {
          const box: BBox = [x, y, x + 1, y + 1];
          const loose = await t.read({ bbox: box, columns: ['id'] });
          if (loose.numRows === 0) continue;
          const exact = await t.read({ bbox: box, columns: ['id'], exact: true });
          const want = geoms
            .filter((g) => booleanIntersects(feature(g.geom as never), bboxPolygon([...box])))
            .map((g) => g.id)
            .sort();
          expect(ids(exact), `${box}`).toEqual(want);
          if (want.length < loose.numRows) checked++;
        }
      }
      expect(checked).toBe(5);
    } finally {
      await t.close();
    }
  }, 60_000);
});

describe('openTable over http', () => {
  let server: Server;
  let base: string;
  let served = 0;
  let whole = 0;
  let refuseHead = false;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = join(dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
      const size = statSync(path, { throwIfNoEntry: false });
      if (!size?.isFile()) {
        res.writeHead(404).end();
        return;
      }
      if (req.method === 'HEAD' && refuseHead) {
        res.writeHead(403).end();
        return;
      }
      const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (req.method === 'HEAD' || !m) {
        res.writeHead(200, { 'Content-Length': size.size, 'Accept-Ranges': 'bytes' });
        if (req.method === 'HEAD') res.end();
        else {
          whole++;
          createReadStream(path).pipe(res);
        }
        return;
      }
      const a = Number(m[1]);
      const b = Number(m[2]);
      served += b - a + 1;
      res.writeHead(206, { 'Content-Length': b - a + 1, 'Content-Range': `bytes ${a}-${b}/${size.size}` });
      createReadStream(path, { start: a, end: b }).pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('reads the chunks a box touches with Range requests, never whole files', async () => {
    const t = await openTable(`${base}/countries`);
    try {
      const box: BBox = [5, 45, 15, 50];
      const got = await t.read({ bbox: box });
      expect(ids(got)).toEqual(await duckIds(join(table, '*.parquet'), box));
      expect(t.stats.rowGroupsRead).toBe(t.chunks(box).length);
      const total = readdirSync(table).reduce((a, f) => a + statSync(join(table, f)).size, 0);
      expect(whole).toBe(0);
      expect(served).toBe(t.stats.bytesRead);
      expect(served).toBeLessThan(total / 2);
      const viaMeta = await openTable(`${base}/meta/countries-chunks.parquet`);
      expect(ids(await viaMeta.read({ bbox: box }))).toEqual(ids(got));
      await viaMeta.close();
      await expect(openTable(`${base}/nothing`)).rejects.toMatchObject({ code: 'INCOMPLETE_TABLE' });
    } finally {
      await t.close();
    }
  });

  test('the chunk table locates each row group, which is read as that byte span with no data-file footer', async () => {
    // DuckDB's view of every data file's row groups is the oracle for byte_offset and byte_length.
    const spans = await query(
      `SELECT file_id, chunk_id, byte_offset, byte_length FROM read_parquet(${lit(meta)}) ORDER BY 1, 2`,
    );
    const groups = await query(
      `SELECT regexp_extract(file_name, '([0-9]+)[.]parquet$', 1)::INTEGER AS file_id, row_group_id AS chunk_id,
         min(coalesce(dictionary_page_offset, data_page_offset)) AS byte_offset, sum(total_compressed_size) AS byte_length
       FROM parquet_metadata(${lit(join(table, '*.parquet'))}) GROUP BY ALL ORDER BY 1, 2`,
    );
    expect(spans.length).toBeGreaterThan(10);
    expect(spans.map((r) => [r.file_id, r.chunk_id, Number(r.byte_offset), Number(r.byte_length)])).toEqual(
      groups.map((r) => [r.file_id, r.chunk_id, Number(r.byte_offset), Number(r.byte_length)]),
    );
    const t = await openTable(`${base}/countries`);
    try {
      const box: BBox = [5, 45, 15, 50];
      const before = served;
      const got = await t.read({ bbox: box });
      expect(ids(got)).toEqual(await duckIds(join(table, '*.parquet'), box));
      const hit = new Set(t.chunks(box).map((c) => `${c.fileId}/${c.chunkId}`));
      const want = spans
        .filter((r) => hit.has(`${r.file_id}/${r.chunk_id}`))
        .reduce((a, r) => a + Number(r.byte_length), 0);
      // Exactly the touched row groups' bytes: no footer of a data file was fetched.
      expect(served - before).toBe(want);
    } finally {
      await t.close();
    }
  });

  test('a server that refuses HEAD (as presigned GET URLs do) is sized by a one-byte GET', async () => {
    refuseHead = true;
    try {
      const t = await openTable(`${base}/countries`);
      const box: BBox = [5, 45, 15, 50];
      expect(ids(await t.read({ bbox: box }))).toEqual(await duckIds(join(table, '*.parquet'), box));
      await t.close();
      await expect(openTable(`${base}/countries/none.parquet`)).rejects.toMatchObject({
        code: 'INPUT_NOT_FOUND',
        message: expect.stringContaining('HTTP 404'),
      });
    } finally {
      refuseHead = false;
    }
  });
});

describe('openTable edge cases', () => {
  test('closing a table while a read runs waits for it; the process survives', async () => {
    for (const delay of [0, 1, 5, 20]) {
      const t = await openTable(table);
      const reading = t.read().then(
        (r) => r.numRows,
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, delay));
      await t.close();
      const outcome = await reading;
      // Either the read finished before close, or it stopped with an error of ours.
      if (typeof outcome === 'number') expect(outcome).toBe(181);
      else expect(outcome).toMatchObject({ name: 'GeopartError' });
    }
  });

  test('files refused at open give their handles back', async () => {
    const bad = join(dir, 'not-parquet.parquet');
    writeFileSync(bad, 'this is not a Parquet file, though long enough to have a footer');
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    for (let i = 0; i < 50; i++) {
      await expect(openTable(bad)).rejects.toMatchObject({ code: 'UNKNOWN_FORMAT' });
    }
    expect(fds() - before).toBeLessThan(5);
  });

  test('a file:// URL is its local path, percent-decoded', async () => {
    const spaced = join(dir, 'with space', 'countries');
    cpSync(table, spaced, { recursive: true });
    const t = await openTable(pathToFileURL(spaced).href);
    expect(t.url).toBe(spaced);
    expect(t.chunks().length).toBeGreaterThan(5);
    expect((await t.read({ bbox: BOX })).numRows).toBeGreaterThan(10);
    await t.close();
  });

  test('a bbox read on a file whose CRS is not lon/lat is refused, saying what to do', async () => {
    const t = await openTable(dataPath('geoarrow/example-crs_vermont-utm_geo.parquet'));
    try {
      await expect(t.read({ bbox: [-74, 42, -71, 46] })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('not longitude/latitude'),
      });
      expect((await t.read()).numRows).toBe(1);
    } finally {
      await t.close();
    }
  });
});
