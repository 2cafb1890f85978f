/**
 * The direct row-group decoder against parquet-wasm (arrow-rs), an independent reader: on tables
 * geopart writes (every codec, dictionaries on and off, small pages, the GEOMETRY type, nulls,
 * Z) and on files DuckDB writes (every integer width, floats, booleans, dates, strings, blobs,
 * structs with nulls), each row group must decode to the same Arrow schema and the same values.
 * Every geopart file must take the direct path; what it does not read must be refused (null),
 * never decoded differently.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Int32,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Table,
  tableFromIPC,
  tableToIPC,
} from 'apache-arrow';
import { type FileMetaData, parquetMetadata } from 'hyparquet';
import { readParquet, Table as WasmTable, writeParquet } from 'parquet-wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestOptions, ingest } from '../../src/config/ingest.js';
import { GeopartError } from '../../src/errors.js';
import { CHUNK_TABLE_KEY } from '../../src/format/keys.js';
import { openTable } from '../../src/read/open-table.js';
import {
  arrowLayout,
  decodeRowGroup,
  decodeRowGroupSpan,
  decodeRowGroupSpans,
  spansBoxMask,
} from '../../src/read/row-group-decoder.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { tempDir, writeMixedZGeoJson } from '../write/helpers.js';

const tmp = tempDir('geopart-decoder-');
afterAll(() => tmp.cleanup());

function metadataOf(bytes: Uint8Array): FileMetaData {
  return parquetMetadata(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  );
}

function fields(t: { schema: Table['schema'] }): string[] {
  return t.schema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`);
}

/** Rows as JSON text, bytes as hex and bigints marked, so equal values give equal text. */
function rowsText(t: Table | RecordBatch): string {
  return JSON.stringify(
    t.toArray().map((r) => r.toJSON()),
    (_k, v) =>
      typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `0x${Buffer.from(v).toString('hex')}` : v,
  );
}

/** Compares every row group of `path`; returns how many the direct decoder read. */
function compareFile(path: string): { groups: number; decoded: number } {
  const bytes = new Uint8Array(readFileSync(path));
  const metadata = metadataOf(bytes);
  const layout = arrowLayout(metadata);
  let decoded = 0;
  for (let rg = 0; rg < metadata.row_groups.length; rg++) {
    const wasm = tableFromIPC(readParquet(bytes, { rowGroups: [rg] }).intoIPCStream());
    if (layout === null) continue;
    expect(fields(layout), path).toEqual(fields(wasm));
    // arrow-rs keeps schema metadata in a hash map: compared as a set.
    expect([...layout.schema.metadata].sort()).toEqual([...wasm.schema.metadata].sort());
    const ours = decodeRowGroup(metadata, layout, rg, null, (o, l) => bytes.subarray(o, o + l));
    if (ours === null) continue;
    decoded++;
    expect(ours.numRows).toBe(wasm.numRows);
    expect(fields(ours)).toEqual(fields(wasm));
    expect(rowsText(ours), `${path}, row group ${rg}`).toBe(rowsText(wasm));
    // A column subset decodes the same values.
    const last = layout.schema.fields.at(-1)!.name;
    const some = decodeRowGroup(metadata, layout, rg, [last], (o, l) => bytes.subarray(o, o + l))!;
    expect(some.schema.fields.map((f) => f.name)).toEqual([last]);
    expect(rowsText(some)).toBe(rowsText(wasm.select([last])));
  }
  return { groups: metadata.row_groups.length, decoded };
}

const GEOPART: { name: string; input: () => string; options: IngestOptions }[] = [
  {
    name: 'countries, defaults',
    input: () => dataPath('flatgeobuf/countries.fgb'),
    options: { targetNumChunks: 12 },
  },
  {
    name: 'countries, gzip, GEOMETRY type, no dictionary',
    input: () => dataPath('flatgeobuf/countries.fgb'),
    options: { targetNumChunks: 5, compression: 'gzip', parquetGeoTypes: 'yes', useDictionary: false },
  },
  {
    name: 'TIGER roads, snappy, 8 KiB pages',
    input: () => dataPath('flatgeobuf/tiger_roads.geojson'),
    options: { partitioningMaximumPerChunk: 700, compression: 'snappy', dataPageSize: 8192 },
  },
  {
    name: 'OSM multipolygons, lz4_raw',
    input: () => dataPath('osm/liechtenstein-2013-08-03.osm.pbf'),
    options: { targetNumChunks: 8, compression: 'lz4_raw', gdalConfig: { layer: 'multipolygons' } },
  },
  {
    name: 'OSM points, zstd 19, 4 KiB pages',
    input: () => dataPath('osm/liechtenstein-2013-08-03.osm.pbf'),
    options: {
      targetNumChunks: 6,
      compression: 'zstd',
      compressionLevel: 19,
      dataPageSize: 4096,
      gdalConfig: { layer: 'points' },
    },
  },
  {
    name: 'Z and nulls, uncompressed',
    input: () => writeMixedZGeoJson(tmp.path('z.geojson'), true),
    options: { partitioningMaximumPerChunk: 2, compression: 'none' },
  },
];

describe('direct decoder and parquet-wasm agree', () => {
  for (const c of GEOPART) {
    it(`geopart table: ${c.name}`, async () => {
      const dir = tmp.path(c.name.replace(/\W+/g, '-'));
      await ingest(c.input(), dir, c.options).runLocal({ threads: 2 });
      const files = readdirSync(dir).filter((f) => f.endsWith('.parquet') || f === '_sample');
      expect(files.length).toBeGreaterThan(1);
      for (const name of files) {
        const { groups, decoded } = compareFile(join(dir, name));
        // geopart's own files never fall back.
        expect(decoded, name).toBe(groups);
      }
      // The chunk table embedded in _sample too.
      const sample = metadataOf(new Uint8Array(readFileSync(join(dir, '_sample'))));
      const encoded = sample.key_value_metadata!.find((e) => e.key === CHUNK_TABLE_KEY)!.value!;
      const chunkFile = join(dir, 'chunk-table.parquet.bin');
      writeFileSync(chunkFile, Buffer.from(encoded, 'base64'));
      const chunkTable = compareFile(chunkFile);
      expect(chunkTable.decoded).toBe(chunkTable.groups);
    });
  }

  describe('files DuckDB writes', () => {
    const dir = tmp.path('duck');
    beforeAll(async () => {
      mkdirSync(dir);
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const conn = await (await DuckDBInstance.create(':memory:')).connect();
      await conn.run(`CREATE TABLE t AS SELECT i::INTEGER AS i32, (i % 100)::TINYINT AS i8,
        (i % 1000)::SMALLINT AS i16, i::BIGINT * 1000000007 AS i64, (i % 200)::UTINYINT AS u8,
        (i % 60000)::USMALLINT AS u16, (i * 100000)::UINTEGER AS u32, (i::UBIGINT * 1000000000000) AS u64,
        CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 0.5)::DOUBLE END AS d, (i * 0.25)::FLOAT AS f,
        i % 3 = 0 AS b, CASE WHEN i % 5 = 0 THEN NULL ELSE i % 2 = 0 END AS bn,
        DATE '2020-01-01' + (i % 1000)::INTEGER AS dt,
        CASE WHEN i % 11 = 0 THEN NULL ELSE 'name-' || (i % 37) END AS s,
        'unique-' || i || repeat('x', i % 50) AS su,
        CASE WHEN i % 13 = 0 THEN NULL ELSE ('\\x' || lpad(to_hex(i % 256), 2, '0'))::BLOB END AS bl,
        CASE WHEN i % 17 = 0 THEN NULL ELSE {'a': i, 'b': CASE WHEN i % 3 = 0 THEN NULL ELSE 'v' || i END} END AS st
        FROM range(0, 25000) r(i)`);
      for (const codec of ['zstd', 'snappy', 'gzip', 'lz4_raw', 'uncompressed']) {
        await conn.run(
          `COPY t TO '${dir}/v1-${codec}.parquet' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 10000)`,
        );
      }
      await conn.run(
        `COPY t TO '${dir}/v2.parquet' (FORMAT parquet, ROW_GROUP_SIZE 10000, PARQUET_VERSION V2)`,
      );
      await conn.run(
        `COPY (SELECT [i32, i32 + 1] AS l, i32 FROM t) TO '${dir}/lists.parquet' (FORMAT parquet)`,
      );
      conn.closeSync();
    });

    it('decodes every type and codec of data pages v1', () => {
      for (const codec of ['zstd', 'snappy', 'gzip', 'lz4_raw', 'uncompressed']) {
        const { groups, decoded } = compareFile(join(dir, `v1-${codec}.parquet`));
        expect(groups).toBe(3);
        expect(decoded, codec).toBe(3);
      }
    });

    it('refuses, never misreads, what it does not decode', () => {
      // Data pages v2 with DELTA encodings: refused row group by row group; equal where read.
      compareFile(join(dir, 'v2.parquet'));
      // Lists: no direct layout.
      expect(arrowLayout(metadataOf(new Uint8Array(readFileSync(join(dir, 'lists.parquet')))))).toBeNull();
    });

    it('openTable reads a file it falls back on', async () => {
      // A plain GeoParquet file with a list column is read through parquet-wasm.
      const t = await openTable(dataPath('geoparquet/example.parquet'));
      try {
        expect((await t.read()).numRows).toBeGreaterThan(0);
      } finally {
        await t.close();
      }
    });
  });

  it('decodes a row group from its byte span alone, and refuses a span that is not one', async () => {
    const dir = tmp.path('span');
    await ingest(dataPath('osm/liechtenstein-2013-08-03.osm.pbf'), dir, {
      targetNumChunks: 4,
      gdalConfig: { layer: 'multipolygons' },
    }).runLocal({ threads: 1 });
    const bytes = new Uint8Array(readFileSync(join(dir, '0.parquet')));
    const metadata = metadataOf(bytes);
    const layout = arrowLayout(metadata)!;
    const codec = metadata.row_groups[0]!.columns[0]!.meta_data!.codec;
    for (let rg = 0; rg < metadata.row_groups.length; rg++) {
      const cols = metadata.row_groups[rg]!.columns.map((c) => c.meta_data!);
      const start = Math.min(...cols.map((m) => Number(m.dictionary_page_offset ?? m.data_page_offset)));
      const length = cols.reduce((a, m) => a + Number(m.total_compressed_size), 0);
      const rows = Number(metadata.row_groups[rg]!.num_rows);
      const span = bytes.subarray(start, start + length);
      const whole = decodeRowGroup(metadata, layout, rg, null, (o, l) => bytes.subarray(o, o + l))!;
      expect(rowsText(decodeRowGroupSpan(layout, codec, rows, span, null)!)).toBe(rowsText(whole));
      const last = layout.schema.fields.at(-1)!.name;
      expect(rowsText(decodeRowGroupSpan(layout, codec, rows, span, [last])!)).toBe(
        rowsText(decodeRowGroup(metadata, layout, rg, [last], (o, l) => bytes.subarray(o, o + l))!),
      );
      // A span one byte short or long, a wrong row count or a wrong codec: null, never rows.
      expect(
        decodeRowGroupSpan(layout, codec, rows, bytes.subarray(start, start + length - 1), null),
      ).toBeNull();
      expect(
        decodeRowGroupSpan(layout, codec, rows, bytes.subarray(start, start + length + 1), null),
      ).toBeNull();
      expect(decodeRowGroupSpan(layout, codec, rows + 1, span, null)).toBeNull();
      expect(decodeRowGroupSpan(layout, 'SNAPPY', rows, span, null)).toBeNull();
    }
  });

  it('decodes several spans into one batch, keeps only the masked rows, and tests boxes in the spans', async () => {
    // DuckDB's file: null boxes, dictionary pages, row groups of 2,048 rows.
    const duck = tmp.path('spans-duckdb');
    mkdirSync(duck);
    await query(
      `COPY (SELECT i AS id, CASE WHEN i % 7 = 3 THEN NULL ELSE {'xmin': (i % 100)::DOUBLE, 'ymin': (i // 100)::DOUBLE, 'xmax': ((i % 100) + 0.5)::DOUBLE, 'ymax': ((i // 100) + 0.5)::DOUBLE} END AS bbox FROM range(5000) t(i)) TO ${lit(join(duck, '0.parquet'))} (FORMAT parquet, ROW_GROUP_SIZE 2048, COMPRESSION zstd)`,
    );
    const cases: { name: string; dir?: string; input?: string; options?: IngestOptions }[] = [
      { name: 'DuckDB, null boxes', dir: duck },
      {
        name: 'OSM multipolygons, zstd',
        input: dataPath('osm/liechtenstein-2013-08-03.osm.pbf'),
        options: {
          partitioningMaximumPerChunk: 300,
          gdalConfig: { layer: 'multipolygons' },
        } as IngestOptions,
      },
      {
        name: 'Z and null geometries, uncompressed',
        input: writeMixedZGeoJson(tmp.path('spans-z.geojson'), true),
        options: {
          partitioningMaximumPerChunk: 2,
          partitioningMaximumPerFile: 100,
          compression: 'none',
        } as IngestOptions,
      },
    ];
    for (const c of cases) {
      const dir = c.dir ?? tmp.path(`spans-${cases.indexOf(c)}`);
      if (c.dir === undefined) await ingest(c.input!, dir, c.options).runLocal({ threads: 1 });
      // Every row group of every data file (they share _sample's schema and codec).
      const files = readdirSync(dir).filter((f) => /^\d+\.parquet$/.test(f));
      const layout = arrowLayout(metadataOf(new Uint8Array(readFileSync(join(dir, files[0]!)))))!;
      let codec = '';
      const spans: Uint8Array[] = [];
      const rows: number[] = [];
      const wholes: RecordBatch[] = [];
      for (const f of files) {
        const bytes = new Uint8Array(readFileSync(join(dir, f)));
        const metadata = metadataOf(bytes);
        codec = metadata.row_groups[0]!.columns[0]!.meta_data!.codec;
        for (let rg = 0; rg < metadata.row_groups.length; rg++) {
          const cols = metadata.row_groups[rg]!.columns.map((m) => m.meta_data!);
          const start = Math.min(...cols.map((m) => Number(m.dictionary_page_offset ?? m.data_page_offset)));
          const length = cols.reduce((a, m) => a + Number(m.total_compressed_size), 0);
          spans.push(bytes.subarray(start, start + length));
          rows.push(Number(metadata.row_groups[rg]!.num_rows));
          wholes.push(decodeRowGroup(metadata, layout, rg, null, (o, l) => bytes.subarray(o, o + l))!);
        }
      }
      expect(spans.length, c.name).toBeGreaterThan(1);
      const all = wholes.flatMap((w) => JSON.parse(rowsText(w)) as unknown[]);
      // All spans at once: the row groups' rows one after another.
      expect(JSON.parse(rowsText(decodeRowGroupSpans(layout, codec, spans, rows, null, null)!))).toEqual(all);
      // A seeded mask keeps exactly its rows, in order.
      let seed = 7;
      const keep = Uint8Array.from(all, () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % 3 === 0 ? 1 : 0;
      });
      const kept = decodeRowGroupSpans(layout, codec, spans, rows, null, keep)!;
      expect(JSON.parse(rowsText(kept)), c.name).toEqual(all.filter((_, i) => keep[i] === 1));
      // No column: the kept rows' count alone.
      const none = decodeRowGroupSpans(layout, codec, spans, rows, [], keep)!;
      expect([none.numRows, none.numCols]).toEqual([kept.numRows, 0]);
      const some = decodeRowGroupSpans(layout, codec, spans, rows, ['bbox'], keep)!;
      expect(some.schema.fields.map((f) => f.name)).toEqual(['bbox']);
      expect(some.numRows).toBe(kept.numRows);
      // The box test in the spans agrees with one on the decoded boxes (null boxes never match).
      const boxes = all.map(
        (r) => (r as { bbox: { xmin: number; ymin: number; xmax: number; ymax: number } | null }).bbox,
      );
      if (c.dir !== undefined) expect(boxes).toContain(null);
      const finite = boxes.filter((b) => b !== null);
      const [x0, x1] = [Math.min(...finite.map((b) => b.xmin)), Math.max(...finite.map((b) => b.xmax))];
      const [y0, y1] = [Math.min(...finite.map((b) => b.ymin)), Math.max(...finite.map((b) => b.ymax))];
      for (const f of [0.1, 0.3, 0.6, 1]) {
        const box: [number, number, number, number] = [x0, y0, x0 + (x1 - x0) * f, y0 + (y1 - y0) * f];
        const mask = spansBoxMask(layout, codec, spans, rows, 'bbox', ['xmin', 'ymin', 'xmax', 'ymax'], box)!;
        const want = boxes.map((b) =>
          b !== null && b.xmin <= box[2] && b.xmax >= box[0] && b.ymin <= box[3] && b.ymax >= box[1] ? 1 : 0,
        );
        expect(Array.from(mask), `${c.name}, box ${f}`).toEqual(want);
      }
      // A span one byte short, or a column that is not a box covering: null, never rows.
      const short = [...spans];
      short[1] = short[1]!.subarray(0, short[1]!.length - 1);
      expect(decodeRowGroupSpans(layout, codec, short, rows, null, null)).toBeNull();
      expect(
        spansBoxMask(layout, codec, short, rows, 'bbox', ['xmin', 'ymin', 'xmax', 'ymax'], [0, 0, 1, 1]),
      ).toBeNull();
      const other = layout.schema.fields[0]!.name;
      expect(
        spansBoxMask(layout, codec, spans, rows, other, ['xmin', 'ymin', 'xmax', 'ymax'], [0, 0, 1, 1]),
      ).toBeNull();
    }
  });

  it('refuses corrupted spans (flipped bytes, cut short) with null, never a crash or a wrong row count', async () => {
    // The native decoder reads bytes it cannot trust: every corruption must end in null or rows
    // of the right count, in the process that asked. Seeded, over every native codec.
    for (const compression of ['zstd', 'lz4_raw', 'gzip', 'snappy', 'none'] as const) {
      const dir = tmp.path(`fuzz-${compression}`);
      await ingest(dataPath('flatgeobuf/countries.fgb'), dir, {
        partitioningMaximumPerChunk: 40,
        compression,
      }).runLocal({ threads: 1 });
      const bytes = new Uint8Array(readFileSync(join(dir, '0.parquet')));
      const metadata = metadataOf(bytes);
      const layout = arrowLayout(metadata)!;
      const codec = metadata.row_groups[0]!.columns[0]!.meta_data!.codec;
      const cols = metadata.row_groups[0]!.columns.map((m) => m.meta_data!);
      const start = Math.min(...cols.map((m) => Number(m.dictionary_page_offset ?? m.data_page_offset)));
      const length = cols.reduce((a, m) => a + Number(m.total_compressed_size), 0);
      const rows = Number(metadata.row_groups[0]!.num_rows);
      const span = bytes.slice(start, start + length);
      let seed = 11;
      const next = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed;
      };
      let refused = 0;
      for (let trial = 0; trial < 300; trial++) {
        const bad = span.slice(0, trial % 5 === 0 ? next() % span.length : span.length);
        for (let k = 0; k < 1 + (trial % 4); k++) bad[next() % bad.length] = next() % 256;
        const batch = decodeRowGroupSpans(layout, codec, [bad], [rows], null, null);
        const mask = spansBoxMask(
          layout,
          codec,
          [bad],
          [rows],
          'bbox',
          ['xmin', 'ymin', 'xmax', 'ymax'],
          [-180, -90, 180, 90],
        );
        if (batch === null) refused++;
        else expect(batch.numRows).toBe(rows);
        if (mask !== null) expect(mask.length).toBe(rows);
      }
      // Most corruptions are caught; a flipped byte inside a value may decode as another value.
      expect(refused, compression).toBeGreaterThan(0);
    }
  });

  it('leaves the spans out when a data file differs from _sample in schema, and still reads right', async () => {
    // Two inputs whose column `x` differs in nullability, west and east: the files of each
    // side take their schema from their own rows, so files differ in x's repetition.
    const dir = tmp.path('nullability');
    mkdirSync(dir);
    const side = (name: string, lon0: number, nullable: boolean) => {
      const n = 400;
      const table = new Table({
        x: makeVector(
          makeData({ type: new Int32(), length: n, data: Int32Array.from({ length: n }, (_, i) => i) }),
        ),
        lon: makeVector(Float64Array.from({ length: n }, (_, i) => lon0 + (i % 20))),
        lat: makeVector(Float64Array.from({ length: n }, (_, i) => Math.floor(i / 20))),
      });
      const fields = table.schema.fields.map((f) => (f.name === 'x' ? f.clone({ nullable }) : f));
      const typed = new Table(
        new Schema(fields),
        table.batches.map((b) => new RecordBatch(new Schema(fields), b.data)),
      );
      const path = join(dir, name);
      writeFileSync(path, writeParquet(WasmTable.fromIPCStream(tableToIPC(typed, 'stream'))));
      return path;
    };
    const inputs = [side('west.parquet', -100, false), side('east.parquet', 50, true)];
    const out = join(dir, 'table');
    const meta = join(dir, 'chunks.parquet');
    await ingest(inputs, out, {
      lonlatCols: ['lon', 'lat'],
      partitioningMaximumPerFile: 100,
      partitioningMaximumPerChunk: 50,
      outputMetadata: meta,
    }).runLocal({ threads: 2 });
    const repetitions = await query(
      `SELECT DISTINCT repetition_type FROM parquet_schema(${lit(join(out, '*.parquet'))}) WHERE name = 'x'`,
    );
    expect(repetitions.map((r) => r.repetition_type).sort()).toEqual(['OPTIONAL', 'REQUIRED']);
    const columns = (await query(`DESCRIBE SELECT * FROM read_parquet(${lit(meta)})`)).map(
      (r) => r.column_name,
    );
    expect(columns).toContain('num_rows');
    expect(columns).not.toContain('byte_offset');
    const t = await openTable(out);
    try {
      const got = await t.read({ columns: ['x'] });
      const xs = Array.from({ length: got.numRows }, (_, i) => got.getChild('x')!.get(i) as number).sort(
        (a, b) => a - b,
      );
      const want = await query(`SELECT x FROM read_parquet(${lit(join(out, '*.parquet'))}) ORDER BY x`);
      expect(xs).toEqual(want.map((r) => r.x));
      expect(xs.length).toBe(800);
    } finally {
      await t.close();
    }
  });

  it('names the file and row group of a corrupt page', async () => {
    const dir = tmp.path('corrupt');
    await ingest(dataPath('flatgeobuf/countries.fgb'), dir, { targetNumChunks: 3 }).runLocal({ threads: 1 });
    const path = join(dir, '0.parquet');
    const bytes = new Uint8Array(readFileSync(path));
    const metadata = metadataOf(bytes);
    const m = metadata.row_groups[0]!.columns.at(-1)!.meta_data!;
    // Overwrite the page header of the last column chunk of row group 0.
    const at = Number(m.data_page_offset);
    bytes.fill(0xff, at, at + 8);
    writeFileSync(path, bytes);
    const t = await openTable(dir);
    try {
      const err = await t.readChunk(0, 0).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GeopartError);
      expect((err as GeopartError).code).toBe('CORRUPT_INPUT');
      expect((err as GeopartError).message).toContain('0.parquet, row group 0');
    } finally {
      await t.close();
    }
  });
});
