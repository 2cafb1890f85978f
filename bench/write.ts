/**
 * Write benchmark: the GeoParquet writer (src/write, zstd from the system libzstd through the
 * codec addon) against hyparquet-writer fed the same columns (zstd from a WebAssembly build at
 * the same level), and parquet-wasm's writeParquet as a reference, on
 * N seeded points (id int64, name utf8, value float64, category int32, WKB geometry, bbox)
 * cut into row groups of 2,000 rows, as an ingest with 500 chunks would write them.
 *
 *   npx tsx bench/write.ts [--points N] [--chunk ROWS] [--codecs]
 *
 * `--codecs` runs geopart's writer once per compression setting instead (zstd levels, snappy,
 * gzip, lz4_raw, none, and the GEOMETRY logical type with and without the covering), beside the default zstd level 1: the
 * table behind the default level.
 *
 * Each writer runs in a child process of its own (peak RSS is its own); the time is the best
 * of three writes, measured inside the child, excluding data generation.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  Binary,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm/node';
import { wkbColumnFromData } from '../src/arrow/binary.js';
import { DEFAULT_LEVELS, type Compression as PageCompression } from '../src/write/compression.js';
import { bboxColumn } from '../src/write/geo-columns.js';
import { writeGeoParquetFile } from '../src/write/geoparquet-writer.js';
import { CACHE, rng } from './lib.js';

const BATCH_ROWS = 65_536;

/** N seeded points in clusters, ordered by a coarse grid cell then x (a stand-in for Hilbert order). */
function makeBatches(n: number): RecordBatch[] {
  const next = rng(7);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const centres = Array.from({ length: 200 }, () => [next() * 340 - 170, next() * 150 - 75] as const);
  for (let i = 0; i < n; i++) {
    const [cx, cy] = centres[Math.floor(next() * centres.length)]!;
    xs[i] = cx + (next() - 0.5) * 8;
    ys[i] = cy + (next() - 0.5) * 8;
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) =>
      Math.floor(ys[a]!) - Math.floor(ys[b]!) || Math.floor(xs[a]!) - Math.floor(xs[b]!) || xs[a]! - xs[b]!,
  );
  const fields = [
    new Field('id', new Int64(), true),
    new Field('name', new Utf8(), true),
    new Field('value', new Float64(), true),
    new Field('category', new Int32(), true),
    new Field('geometry', new Binary(), true),
  ];
  const batches: RecordBatch[] = [];
  for (let start = 0; start < n; start += BATCH_ROWS) {
    const len = Math.min(BATCH_ROWS, n - start);
    const wkb = new Uint8Array(len * 21);
    const view = new DataView(wkb.buffer);
    const offsets = new Int32Array(len + 1);
    const ids = new BigInt64Array(len);
    const values = new Float64Array(len);
    const cats = new Int32Array(len);
    const names: string[] = [];
    for (let k = 0; k < len; k++) {
      const i = order[start + k]!;
      wkb[21 * k] = 1;
      view.setUint32(21 * k + 1, 1, true);
      view.setFloat64(21 * k + 5, xs[i]!, true);
      view.setFloat64(21 * k + 13, ys[i]!, true);
      offsets[k + 1] = 21 * (k + 1);
      ids[k] = BigInt(i);
      values[k] = Math.round(next() * 1e6) / 100;
      cats[k] = Math.floor(next() * 20);
      names.push(`place ${i % 5000}`);
    }
    const columns = [
      makeData({ type: new Int64(), length: len, data: ids }),
      vectorFromArray(names, new Utf8()).data[0]!,
      makeData({ type: new Float64(), length: len, data: values }),
      makeData({ type: new Int32(), length: len, data: cats }),
      makeData({ type: new Binary(), length: len, valueOffsets: offsets, data: wkb }),
    ];
    const data = makeData({ type: new Struct(fields), length: len, nullCount: 0, children: columns });
    batches.push(new RecordBatch(new Schema(fields), data));
  }
  return batches;
}

function chunkSizes(n: number, chunk: number): number[] {
  const sizes: number[] = [];
  for (let left = n; left > 0; left -= chunk) sizes.push(Math.min(chunk, left));
  return sizes;
}

type Writer = (batches: RecordBatch[], sizes: number[], path: string) => Promise<void>;

const ZSTD_LEVEL = DEFAULT_LEVELS.zstd!;

/** geopart's writer with other settings, for `--codecs` (the first is the default). */
const SETTINGS: Record<
  string,
  { compression: PageCompression; geoTypes?: 'yes' | 'only'; pageIndex?: boolean; dictionary?: boolean }
> = {
  'geopart zstd 1 (default: page index, dictionary)': { compression: { codec: 'zstd', level: 1 } },
  'geopart as before: no page index, no dictionary': {
    compression: { codec: 'zstd', level: 1 },
    pageIndex: false,
    dictionary: false,
  },
  'geopart zstd 1, no page index': { compression: { codec: 'zstd', level: 1 }, pageIndex: false },
  'geopart zstd 1, no dictionary': { compression: { codec: 'zstd', level: 1 }, dictionary: false },
  'geopart zstd 3': { compression: { codec: 'zstd', level: 3 } },
  'geopart zstd 6': { compression: { codec: 'zstd', level: 6 } },
  'geopart zstd 9': { compression: { codec: 'zstd', level: 9 } },
  'geopart zstd 15': { compression: { codec: 'zstd', level: 15 } },
  'geopart zstd 19': { compression: { codec: 'zstd', level: 19 } },
  'geopart snappy': { compression: { codec: 'snappy' } },
  'geopart gzip 6': { compression: { codec: 'gzip', level: 6 } },
  'geopart lz4_raw': { compression: { codec: 'lz4_raw' } },
  'geopart none': { compression: { codec: 'none' } },
  'geopart zstd 1, GEOMETRY type': { compression: { codec: 'zstd', level: 1 }, geoTypes: 'yes' },
  'geopart zstd 1, GEOMETRY type only (no bbox)': {
    compression: { codec: 'zstd', level: 1 },
    geoTypes: 'only',
  },
};

const CODEC_WRITERS: Record<string, () => Promise<Writer>> = Object.fromEntries(
  Object.entries(SETTINGS).map(([label, options]) => [
    label,
    async () => async (batches: RecordBatch[], sizes: number[], path: string) => {
      await writeGeoParquetFile(path, { batches, rowGroupSizes: sizes }, options);
    },
  ]),
);

const WRITERS: Record<string, () => Promise<Writer>> = {
  geopart: async () => async (batches, sizes, path) => {
    await writeGeoParquetFile(path, { batches, rowGroupSizes: sizes });
  },
  'hyparquet-writer': async () => {
    const zstd = createRequire(import.meta.url)('@foxglove/wasm-zstd') as {
      isLoaded: Promise<unknown>;
      compress(b: Uint8Array, level: number): Uint8Array;
    };
    await zstd.isLoaded;
    return async (batches, sizes, path) => {
      // The columns as hyparquet-writer takes them: typed arrays where it can, otherwise one
      // value (or object) per row; the Arrow-to-JS conversion is part of its cost.
      const n = batches.reduce((s, b) => s + b.numRows, 0);
      const ids = new BigInt64Array(n);
      const values = new Float64Array(n);
      const cats = new Int32Array(n);
      const names: Uint8Array[] = [];
      const geoms: Uint8Array[] = [];
      const bbox: Record<string, number>[] = [];
      let at = 0;
      for (const b of batches) {
        ids.set(b.getChild('id')!.data[0]!.values as BigInt64Array, at);
        values.set(b.getChild('value')!.data[0]!.values as Float64Array, at);
        cats.set(b.getChild('category')!.data[0]!.values as Int32Array, at);
        for (const [col, out] of [
          ['name', names],
          ['geometry', geoms],
        ] as const) {
          const d = b.getChild(col)!.data[0]!;
          const offsets = d.valueOffsets as Int32Array;
          const bytes = d.values as Uint8Array;
          for (let i = 0; i < d.length; i++) out.push(bytes.subarray(offsets[i]!, offsets[i + 1]!));
        }
        const { data } = bboxColumn(wkbColumnFromData(b.getChild('geometry')!.data[0]!));
        const [x0, y0, x1, y1] = data.children.map((c) => c.values as Float64Array);
        for (let i = 0; i < b.numRows; i++)
          bbox.push({ xmin: x0![i]!, ymin: y0![i]!, xmax: x1![i]!, ymax: y1![i]! });
        at += b.numRows;
      }
      const writer = new ByteWriter();
      const dbl = (name: string) => ({ name, type: 'DOUBLE' as const, repetition_type: 'REQUIRED' as const });
      await parquetWrite({
        writer,
        columnData: [
          { name: 'id', data: ids },
          { name: 'name', data: names },
          { name: 'value', data: values },
          { name: 'category', data: cats },
          { name: 'geometry', data: geoms },
          { name: 'bbox', data: bbox },
        ],
        schema: [
          { name: 'root', num_children: 6 },
          { name: 'id', type: 'INT64', repetition_type: 'OPTIONAL' },
          { name: 'name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          { name: 'value', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
          { name: 'category', type: 'INT32', repetition_type: 'OPTIONAL' },
          { name: 'geometry', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
          { name: 'bbox', repetition_type: 'OPTIONAL', num_children: 4 },
          dbl('xmin'),
          dbl('ymin'),
          dbl('xmax'),
          dbl('ymax'),
        ],
        codec: 'ZSTD',
        compressors: { ZSTD: (b: Uint8Array) => zstd.compress(b, ZSTD_LEVEL) },
        rowGroupSize: sizes,
        createdBy: 'bench',
      });
      writeFileSync(path, writer.getBytes());
    };
  },
  'parquet-wasm (fixed row groups)': async () => async (batches, sizes, path) => {
    // parquet-wasm takes one maximum row-group size, not a list: the reference uses the first.
    const withBbox = batches.map((b) => {
      const { data } = bboxColumn(wkbColumnFromData(b.getChild('geometry')!.data[0]!));
      const fields = [...b.schema.fields, new Field('bbox', data.type, true)];
      const struct = makeData({
        type: new Struct(fields),
        length: b.numRows,
        nullCount: 0,
        children: [...b.data.children, data],
      });
      return new RecordBatch(new Schema(fields), struct);
    });
    const ipc = tableToIPC(new Table(withBbox), 'stream');
    const props = new WriterPropertiesBuilder()
      .setCompression(Compression.ZSTD)
      .setMaxRowGroupSize(sizes[0] ?? 1)
      .build();
    writeFileSync(path, writeParquet(WasmTable.fromIPCStream(ipc), props));
  },
};

async function child(label: string, n: number, chunk: number): Promise<void> {
  const batches = makeBatches(n);
  const sizes = chunkSizes(n, chunk);
  const write = await (WRITERS[label] ?? CODEC_WRITERS[label])!();
  const path = `${CACHE}write-${label.replace(/\W+/g, '_')}.parquet`;
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    await write(batches, sizes, path);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  const bytes = statSync(path).size;
  rmSync(path);
  console.log(JSON.stringify({ rows: n, seconds: best, bytes }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      points: { type: 'string', default: '1000000' },
      chunk: { type: 'string', default: '2000' },
      child: { type: 'string' },
      codecs: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  const n = Number(values.points);
  const chunk = Number(values.chunk);
  if (values.child !== undefined) return child(values.child, n, chunk);
  const labels = Object.keys(values.codecs ? CODEC_WRITERS : WRITERS);
  const rows = labels.map((label) => runChild(label, n, chunk));
  const what = values.codecs ? 'compression settings' : `zstd level ${ZSTD_LEVEL}`;
  console.log(
    `\n### GeoParquet write: ${n.toLocaleString('en-US')} points, row groups of ${chunk} rows, ${what}\n`,
  );
  console.log('| writer | time (s) | rows/s | file (MB) | peak RSS (MB) | time vs first | size vs first |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const m of rows) {
    const rate = Math.round(m.rows / m.seconds).toLocaleString('en-US');
    const ratio = (m.seconds / rows[0]!.seconds).toFixed(2);
    const size = (m.bytes / rows[0]!.bytes).toFixed(2);
    console.log(
      `| ${m.label} | ${m.seconds.toFixed(3)} | ${rate} | ${(m.bytes / 1e6).toFixed(1)} | ${m.peakRssMb.toFixed(0)} | ${ratio}x | ${size}x |`,
    );
  }
}

interface Result {
  readonly label: string;
  readonly rows: number;
  readonly seconds: number;
  readonly bytes: number;
  readonly peakRssMb: number;
}

/** Runs one writer in a child process under /usr/bin/time; its last stdout line is JSON. */
function runChild(label: string, n: number, chunk: number): Result {
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const script = fileURLToPath(import.meta.url);
  const args = [tsx, script, '--child', label, '--points', String(n), '--chunk', String(chunk)];
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${label} failed:\n${r.stderr}`);
  const { rows, seconds, bytes } = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Omit<
    Result,
    'label' | 'peakRssMb'
  >;
  const kb = Number(r.stderr.trim().split('\n').at(-1));
  return { label, rows, seconds, bytes, peakRssMb: kb / 1024 };
}

await main();
