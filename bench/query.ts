/**
 * Bbox read benchmark: `openTable(OUT).read({ bbox })` against DuckDB scanning every data file
 * of the same table and filtering on the bbox column, for boxes covering 1% of the table's
 * extent, on 1M seeded points ingested by geopart (cached in bench/.cache).
 *
 *   npm run build && npx tsx bench/query.ts [--points N] [--runs R]
 *
 * Each reader runs in a child process of its own (geopart from dist/, as users load it) and
 * answers the same 21 seeded boxes; times are measured inside the child after the libraries
 * are loaded. "First query" is the first box in the process: for geopart it includes loading the
 * codec addon (which decodes the pages) and the first calls of every code path. "Next queries" is the
 * median over the other 20 boxes. Every geopart query opens the table afresh (reading
 * `_sample`'s footer). Each figure is the median of R runs, every run in a fresh process
 * (warm OS page cache for both readers).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CACHE, rng, seededPoints } from './lib.js';

const BIN = fileURLToPath(new URL('../bin/geopart.js', import.meta.url));
type Box = [number, number, number, number];
/** Boxes queried in each process: the first one cold, the rest warm. */
const QUERIES = 21;

interface Result {
  /** Rows returned for each box. */
  readonly rows: readonly number[];
  /** Row groups read for the first box (geopart only). */
  readonly rowGroups: number | null;
  /** Seconds for the first box in the process, and the median over the following boxes. */
  readonly first: number;
  readonly next: number;
}

async function child(reader: string, table: string, boxes: readonly Box[]): Promise<void> {
  const times: number[] = [];
  const rows: number[] = [];
  let rowGroups: number | null = null;
  if (reader === 'geopart') {
    const { openTable } = await import('../dist/read/open-table.js');
    for (const box of boxes) {
      const t0 = performance.now();
      const t = await openTable(table);
      rows.push((await t.read({ bbox: box })).numRows);
      times.push((performance.now() - t0) / 1000);
      rowGroups ??= t.stats.rowGroupsRead;
      await t.close();
    }
  } else {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    await conn.run('SELECT 1');
    for (const box of boxes) {
      const t0 = performance.now();
      const reader2 = await conn.runAndReadAll(
        `SELECT * FROM read_parquet('${table}/*.parquet') WHERE bbox.xmin <= ${box[2]} AND bbox.xmax >= ${box[0]} AND bbox.ymin <= ${box[3]} AND bbox.ymax >= ${box[1]}`,
      );
      rows.push(reader2.currentRowCount);
      times.push((performance.now() - t0) / 1000);
    }
    conn.closeSync();
  }
  const result: Result = { rows, rowGroups, first: times[0]!, next: median(times.slice(1)) };
  console.log(JSON.stringify(result));
}

function runChild(reader: string, table: string, boxes: readonly Box[]): Result {
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const r = spawnSync(
    tsx,
    [fileURLToPath(import.meta.url), '--child', reader, table, `--boxes=${JSON.stringify(boxes)}`],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`${reader} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Result;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      child: { type: 'string' },
      points: { type: 'string', default: '1000000' },
      runs: { type: 'string', default: '5' },
      boxes: { type: 'string' },
    },
  });
  if (values.child) {
    await child(values.child, positionals[0]!, JSON.parse(values.boxes!) as Box[]);
    return;
  }
  const n = Number(values.points);
  const table = `${CACHE}query-points-${n}`;
  if (!existsSync(`${table}/_sample`)) {
    const { fgb } = seededPoints(n, false);
    const r = spawnSync(process.execPath, [BIN, 'ingest', fgb, '-o', table, '--overwrite'], {
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('ingest failed');
  }
  const { openTable } = await import('../src/read/open-table.js');
  const t = await openTable(table);
  const [x0, y0, x1, y1] = t.bbox!;
  const chunks = t.chunks().length;
  await t.close();
  // Boxes of 10% x 10% of the extent (1% of its area), placed by a seeded draw.
  const next = rng(99);
  const w = (x1 - x0) / 10;
  const h = (y1 - y0) / 10;
  const boxes = Array.from({ length: QUERIES }, (): Box => {
    const bx = x0 + next() * (x1 - x0 - w);
    const by = y0 + next() * (y1 - y0 - h);
    return [bx, by, bx + w, by + h];
  });
  const runs = Number(values.runs);
  const rows: { label: string; r: Result }[] = [];
  for (const [label, reader] of [
    ['geopart openTable + read({ bbox })', 'geopart'],
    ['DuckDB read_parquet(OUT/*.parquet) WHERE bbox...', 'duckdb'],
  ] as const) {
    const results = Array.from({ length: runs }, () => runChild(reader, table, boxes));
    rows.push({
      label,
      r: {
        ...results[0]!,
        first: median(results.map((x) => x.first)),
        next: median(results.map((x) => x.next)),
      },
    });
  }
  console.log(
    `\n### bbox read, ${n.toLocaleString('en-US')} points, ${chunks} chunks, ${QUERIES} boxes of 1% of the extent\n`,
  );
  console.log(
    '| reader | rows (first box) | row groups read (first box) | first query (s) | next queries (s, median) | next vs first reader |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const { label, r } of rows) {
    console.log(
      `| ${label} | ${r.rows[0]!.toLocaleString('en-US')} | ${r.rowGroups ?? 'all'} | ${r.first.toFixed(3)} | ${r.next.toFixed(3)} | ${(r.next / rows[0]!.r.next).toFixed(2)}x |`,
    );
  }
  if (rows[0]!.r.rows.join() !== rows[1]!.r.rows.join()) throw new Error('row counts differ');
}

await main();
