/**
 * Scale benchmark of `geopart ingest`: seeded uniform points (1M, 10M, 100M) in Parquet, each
 * ingested twice, with the default caps and with `--max-per-file rows/1000` (a table of at
 * least 1,000 files). Each run reports wall time, peak RSS and bytes read (`rchar`) of the
 * geopart process, the input size, the peak size of the staging folder's `_spill` (polled)
 * and the files and chunks written; then the scale targets and whether each holds.
 *
 *   npx tsx bench/scale.ts [--sizes 1m,10m,100m] [--geopart-args "--threads 2"]
 *
 * Default sizes: 1m,10m (100M only when asked: it takes long and needs several GB of disk).
 * Inputs are made once by DuckDB into bench/.cache (plain Parquet, lon/lat columns read with
 * `--lonlat`: DuckDB's spatial extension cannot be installed offline) and never regenerated.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { CACHE, mb, measureNode, printMarkdown, treeSize } from './lib.js';

const BIN = fileURLToPath(new URL('../bin/geopart.js', import.meta.url));

/** `1m`, `10M`, `500k`, `2000`: a row count. */
function parseSize(s: string): number {
  const m = /^(\d+)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`--sizes: '${s}' is not a size such as 1m, 10m, 100m or 500k`);
  const unit = { '': 1, k: 1e3, m: 1e6 }[m[2]!.toLowerCase() as '' | 'k' | 'm'];
  return Number(m[1]) * unit;
}

/** 1M, 10M, 500k: a row count for people. */
function sizeName(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}

/**
 * N uniform points (columns id, lon, lat, value) over lon [-180,180] x lat [-90,90] as Parquet,
 * made by DuckDB from hashes of the row number (seeded, so every run makes the same file).
 * Cached; written under a temporary name and renamed, so a cut-off run leaves no partial file.
 */
async function uniformPoints(n: number): Promise<string> {
  const path = `${CACHE}points-uniform-${n}.parquet`;
  if (existsSync(path)) return path;
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  console.error(`generating ${sizeName(n)} points into ${path} ...`);
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    // hash() is a 64-bit hash; / 2^64 maps it onto [0, 1).
    const u = (salt: number) => `(hash(i, 42, ${salt})::DOUBLE / 18446744073709551616.0)`;
    await con.run(
      `COPY (SELECT i AS id, ${u(1)} * 360 - 180 AS lon, ${u(2)} * 180 - 90 AS lat,
                    round(${u(3)} * 1000, 3) AS value
             FROM range(${n}) t(i) ORDER BY i)
       TO '${tmp}' (FORMAT parquet)`,
    );
  } finally {
    con.closeSync();
    db.closeSync();
  }
  renameSync(tmp, path);
  return path;
}

/** One ingest run and what it measured. */
interface Run {
  readonly rows: number;
  readonly caps: 'default' | 'files';
  readonly label: string;
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly bytesRead: number;
  readonly inputBytes: number;
  readonly spillBytes: number;
  readonly files: number;
  readonly chunks: number;
}

/** Size of the `_spill` folder of every staging folder of `out` (`.NAME.geopart-tmp-PID-XXXX/`). */
function spillSize(out: string): number {
  const parent = dirname(out);
  const prefix = `.${basename(out)}.geopart-tmp-`;
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return 0;
  }
  return entries
    .filter((e) => e.startsWith(prefix))
    .reduce((a, e) => a + treeSize(join(parent, e, '_spill')), 0);
}

async function ingest(
  rows: number,
  input: string,
  caps: Run['caps'],
  extra: readonly string[],
): Promise<Run> {
  const out = `${CACHE}out-scale`;
  rmSync(out, { recursive: true, force: true });
  const perFile = Math.floor(rows / 1000);
  const capFlags = caps === 'files' ? ['--max-per-file', String(perFile)] : [];
  const label = `${sizeName(rows)}, ${caps === 'files' ? `--max-per-file ${perFile}` : 'default caps'}`;
  console.error(`running ${label} ...`);
  const m = await measureNode(
    label,
    [BIN, 'ingest', input, '-o', out, '--overwrite', '--lonlat', 'lon,lat', '--json', ...capFlags, ...extra],
    { poll: () => spillSize(out), pollMs: 200 },
  );
  rmSync(out, { recursive: true, force: true });
  const report = JSON.parse(m.stdout) as { files: number; chunks: number; rowsWritten: number };
  if (report.rowsWritten !== rows) throw new Error(`${label}: wrote ${report.rowsWritten} rows, not ${rows}`);
  return {
    rows,
    caps,
    label,
    seconds: m.seconds,
    peakRssMb: m.peakRssMb,
    bytesRead: m.bytesRead,
    inputBytes: statSync(input).size,
    spillBytes: m.polledPeak,
    files: report.files,
    chunks: report.chunks,
  };
}

/** The `geopart-args` string as arguments (split on white space; no quoting). */
function splitArgs(s: string | undefined): string[] {
  return s ? s.split(/\s+/).filter((a) => a.length > 0) : [];
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined) throw new Error(`${name} needs a value`);
  return v;
}

function printRuns(runs: readonly Run[]): void {
  printMarkdown(
    'geopart ingest at scale (uniform points, Parquet)',
    [
      'run',
      'rows',
      'time (s)',
      'rows/s',
      'peak RSS (MB)',
      'read (MB)',
      'input (MB)',
      'spill peak (MB)',
      'read / (input + spill)',
      'files',
      'chunks',
    ],
    runs.map((r) => [
      r.label,
      r.rows.toLocaleString('en-US'),
      r.seconds.toFixed(1),
      Math.round(r.rows / r.seconds).toLocaleString('en-US'),
      r.peakRssMb.toFixed(0),
      mb(r.bytesRead),
      mb(r.inputBytes),
      mb(r.spillBytes),
      `${(r.bytesRead / (r.inputBytes + r.spillBytes)).toFixed(2)}x`,
      r.files.toLocaleString('en-US'),
      r.chunks.toLocaleString('en-US'),
    ]),
  );
}

const RSS_LIMIT_MB = 2048;
const TIME_RATIO_LIMIT = 11;
const SPILL_READS = 3;

function printTargets(runs: readonly Run[]): void {
  const find = (rows: number, caps: Run['caps']) => runs.find((r) => r.rows === rows && r.caps === caps);
  const holds = (ok: boolean) => (ok ? 'yes' : 'NO');
  const na = (what: string) => ['n/a', `n/a (${what} not run)`];
  const rows: string[][] = [];
  for (const caps of ['default', 'files'] as const) {
    const name = caps === 'default' ? 'default caps' : '--max-per-file rows/1000';
    const big = find(100e6, caps);
    rows.push([
      `100M peak RSS <= ${RSS_LIMIT_MB} MB, ${name}`,
      ...(big ? [`${big.peakRssMb.toFixed(0)} MB`, holds(big.peakRssMb <= RSS_LIMIT_MB)] : na('100M')),
    ]);
  }
  for (const caps of ['default', 'files'] as const) {
    const name = caps === 'default' ? 'default caps' : '--max-per-file rows/1000';
    const big = find(100e6, caps);
    const mid = find(10e6, caps);
    rows.push([
      `time(100M) / time(10M) <= ${TIME_RATIO_LIMIT}, ${name}`,
      ...(big && mid
        ? [`${(big.seconds / mid.seconds).toFixed(2)}`, holds(big.seconds / mid.seconds <= TIME_RATIO_LIMIT)]
        : na(big ? '10M' : mid ? '100M' : '100M, 10M')),
    ]);
  }
  const many = runs.filter((r) => r.files >= 1000);
  for (const r of many) {
    const limit = r.inputBytes + SPILL_READS * r.spillBytes;
    rows.push([
      `bytes read <= input + ${SPILL_READS} x spill, ${r.label} (${r.files} files)`,
      `${mb(r.bytesRead)} MB vs ${mb(limit)} MB (${(r.bytesRead / limit).toFixed(1)}x)`,
      holds(r.bytesRead <= limit),
    ]);
  }
  if (many.length === 0) {
    rows.push([
      `bytes read <= input + ${SPILL_READS} x spill, >= 1,000 files`,
      ...na('a run of >= 1,000 files'),
    ]);
  }
  printMarkdown('Targets', ['target', 'measured', 'holds'], rows);
}

const argv = process.argv.slice(2);
const sizes = (flag(argv, '--sizes') ?? '1m,10m').split(',').map(parseSize);
const extra = splitArgs(flag(argv, '--geopart-args'));
const runs: Run[] = [];
for (const rows of sizes) {
  if (rows < 1000) throw new Error(`--sizes: ${rows} rows is too few for 1,000 files`);
  const input = await uniformPoints(rows);
  for (const caps of ['default', 'files'] as const) runs.push(await ingest(rows, input, caps, extra));
}
printRuns(runs);
// What loading geopart alone reads (its modules): part of every run's bytes read.
const startup = await measureNode('geopart ingest --help', [BIN, 'ingest', '--help']);
console.log(`\nStart-up reads (\`geopart ingest --help\`, no worker threads): ${mb(startup.bytesRead)} MB`);
printTargets(runs);
