/**
 * The seeded robustness suite: damaged copies of every input format go through `ingest` and
 * `info`. Each run must end, within a bound, either with a coded GeopartError that names the
 * file, or with a table DuckDB reads; never an uncoded or INTERNAL error, a crash, a hang, a
 * changed input or debris (a staging folder, a partial output).
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lit, query } from '../helpers/duckdb.js';
import { damagedVariants, VARIANTS_PER_FILE } from './damage.js';
import { bytesOf, cleanInputs, type FormatCase } from './formats.js';
import { type CommandEnd, runCommands } from './run-commands.js';

/** Each command's time bound; a healthy run on these small inputs takes a few seconds. */
const BOUND_MS = 120_000;
const SEED = 20_261_204;

interface Run {
  readonly format: string;
  readonly label: string;
  readonly command: 'ingest' | 'info';
  /** The file given to geopart, and the damaged file (a Shapefile member may differ). */
  readonly input: string;
  readonly damaged: string;
  readonly damagedBytes: Uint8Array;
  /** The files of the input's folder, sorted. */
  readonly inputFiles: readonly string[];
  /** The folder the output goes into (ingest only). */
  readonly outDir: string;
  readonly clean: boolean;
  readonly argv: readonly string[];
}

const work = mkdtempSync(join(tmpdir(), 'geopart-robust-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The runs of one format: ingest and info of each damaged variant, then of the clean input. */
function runsOf(format: FormatCase, f: number): Run[] {
  const byFile = new Map(format.damaged.map((p, i) => [p, damagedVariants(bytesOf(p), SEED + 101 * f + i)]));
  const runs: Run[] = [];
  for (let v = 0; v <= VARIANTS_PER_FILE; v++) {
    const clean = v === VARIANTS_PER_FILE;
    const target = format.damaged[v % format.damaged.length]!;
    const variant = clean ? { label: 'clean', bytes: bytesOf(target) } : byFile.get(target)![v]!;
    const dir = join(work, 'inputs', `${f}-${v}`);
    mkdirSync(dir, { recursive: true });
    for (const c of format.companions) copyFileSync(c, join(dir, basename(c)));
    const damaged = join(dir, basename(target));
    writeFileSync(damaged, variant.bytes);
    const input = join(dir, basename(format.input));
    const outDir = join(work, 'outputs', `${f}-${v}`);
    mkdirSync(outDir, { recursive: true });
    const inputFiles = readdirSync(dir).sort();
    const base = {
      format: format.name,
      label: variant.label,
      input,
      damaged,
      damagedBytes: variant.bytes,
      inputFiles,
      outDir,
      clean,
    };
    runs.push({
      ...base,
      command: 'ingest',
      argv: ['ingest', input, '-o', join(outDir, 'out'), '--threads', '1', ...format.ingestArgs],
    });
    runs.push({ ...base, command: 'info', argv: ['info', input, ...format.infoArgs] });
  }
  return runs;
}

/** What is wrong with how `run` ended, or null; counts tables written in `tables`. */
async function judge(run: Run, end: CommandEnd | undefined): Promise<string | null> {
  if (end === undefined) return 'never ran';
  if (end.kind !== 'exit')
    return `${end.kind}${end.kind === 'crash' ? ` (${end.signal})` : ''}: ${end.stderr.slice(-600)}`;
  if (!Buffer.from(readFileSync(run.damaged)).equals(Buffer.from(run.damagedBytes)))
    return 'the input was changed';
  const inputs = readdirSync(dirname(run.input)).sort();
  if (inputs.join() !== run.inputFiles.join()) return `the input folder now holds ${inputs.join(', ')}`;
  const left = run.command === 'ingest' ? readdirSync(run.outDir) : [];
  if (end.code !== null) {
    if (end.code === 'INTERNAL' || end.code === 'NOT_CODED') return `${end.code}: ${end.message}`;
    if (!end.message.includes(run.input) && !end.message.includes(run.damaged)) {
      return `${end.code} does not name the file: ${end.message}`;
    }
    if (run.clean) return `the clean input failed: ${end.code}: ${end.message}`;
    if (left.length > 0) return `debris after ${end.code}: ${left.join(', ')}`;
    return null;
  }
  if (end.status !== 0) return `exit status ${end.status}`;
  if (run.command === 'info') return null;
  if (left.join() !== 'out') return `after a written table the folder holds: ${left.join(', ')}`;
  const out = join(run.outDir, 'out');
  try {
    const sample = await query(`SELECT count(*) AS n FROM read_parquet(${lit(join(out, '_sample'))})`);
    if (readdirSync(out).some((e) => e.endsWith('.parquet'))) {
      const rows = await query(`SELECT count(*) AS n FROM read_parquet(${lit(join(out, '*.parquet'))})`);
      if (!(Number(rows[0]!.n) >= Number(sample[0]!.n))) return `the table has fewer rows than its sample`;
    }
  } catch (err) {
    return `DuckDB cannot read the table: ${(err as Error).message}`;
  }
  return null;
}

describe('damaged inputs', () => {
  it(
    `end with a coded error naming the file, or a table DuckDB reads (${VARIANTS_PER_FILE} variants per format)`,
    async () => {
      mkdirSync(join(work, 'clean'));
      const formats = await cleanInputs(join(work, 'clean'));
      const runs = formats.flatMap(runsOf);
      const ends = await runCommands(
        runs.map((r) => r.argv),
        work,
        BOUND_MS,
        2,
      );

      const failures: string[] = [];
      const errorsByCode = new Map<string, number>();
      let tables = 0;
      let infos = 0;
      for (const [i, run] of runs.entries()) {
        const end = ends[i];
        const wrong = await judge(run, end);
        if (wrong !== null)
          failures.push(`${run.format} ${run.command} [${run.label}] ${run.damaged}: ${wrong}`);
        if (end?.kind !== 'exit' || run.clean) continue;
        if (end.code !== null) errorsByCode.set(end.code, (errorsByCode.get(end.code) ?? 0) + 1);
        else if (run.command === 'ingest') tables++;
        else infos++;
      }
      const variants = runs.filter((r) => !r.clean).length / 2;
      const codes = [...errorsByCode].sort().map(([c, n]) => `${c} ${n}`);
      console.log(
        `robustness: ${formats.length} formats, ${variants} damaged variants, ${2 * variants} runs; ` +
          `tables written ${tables}, info described ${infos}; errors by code: ${codes.join(', ')}`,
      );
      expect(failures).toEqual([]);
      expect(variants).toBeGreaterThanOrEqual(30 * formats.length);
    },
    30 * 60_000,
  );
});
