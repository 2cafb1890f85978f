/**
 * Shared pieces of the benchmarks: a seeded RNG, the cache folder for generated inputs,
 * one-measurement-per-child-process timing (so peak RSS is the measured reader's own), and
 * table printing. Benchmarks never fail CI; they print figures beside a baseline from the
 * same run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
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
  console.log(`\n### ${title}\n`);
  console.log('| reader | rows | time (s) | rows/s | peak RSS (MB) | time vs first |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const m of rows) {
    const ratio = base ? (m.seconds / base.seconds).toFixed(2) : '-';
    console.log(
      `| ${m.label} | ${m.rows.toLocaleString('en-US')} | ${m.seconds.toFixed(3)} | ${Math.round(m.rows / m.seconds).toLocaleString('en-US')} | ${m.peakRssMb.toFixed(0)} | ${ratio}x |`,
    );
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
