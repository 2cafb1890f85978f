/**
 * An ingest on AWS Batch, on loopback: 10M seeded uniform points in 8 Parquet files on s3rver,
 * ingested by `runRemote({ engine: 'batch' })` with 1, 2 and 4 children per array (scan,
 * shuffle, write), every child a real `geopart` process run by the fake Batch server of the
 * tests. Prints each stage's wall time (from its first child started to its last ended, polled
 * every 50 ms), the slowest child's own time, and the bytes each stage moved through S3 (from
 * the children's records); beside them, a local `geopart ingest` of the same files measured in
 * the same run. All "machines" here share this one, so the figures are per-stage costs to scale
 * from, not a speed-up.
 *
 *   npx tsx bench/batch.ts [--rows 10m] [--children 1,2,4]
 *
 * The input is made once by DuckDB into bench/.cache and never regenerated.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { ingest } from '../src/config/ingest.js';
import { JobConfig } from '../src/config/job.js';
import { getObject, putObject } from '../src/io/s3.js';
import '../src/run-methods.js';
import { type FakeBatch, registerTestDefinition, startBatch } from '../test/helpers/batch-server.js';
import { type LocalS3, startS3 } from '../test/helpers/s3.js';
import { CACHE, mb, measureNode, printMarkdown } from './lib.js';

const BIN = fileURLToPath(new URL('../bin/geopart.js', import.meta.url));
const PARTS = 8;
const STAGES = ['scan', 'plan', 'shuffle', 'write', 'commit'] as const;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

function parseRows(s: string): number {
  const m = /^(\d+)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`--rows: '${s}' is not a count such as 10m or 500k`);
  return Number(m[1]) * { '': 1, k: 1e3, m: 1e6 }[m[2]!.toLowerCase() as '' | 'k' | 'm'];
}

/** `n` seeded uniform points (id, lon, lat, value) in {@link PARTS} Parquet files, cached. */
async function pointParts(n: number): Promise<string[]> {
  const dir = `${CACHE}points-uniform-${n}-parts${PARTS}/`;
  const files = Array.from({ length: PARTS }, (_, k) => `${dir}part-${k}.parquet`);
  if (files.every((f) => existsSync(f))) return files;
  mkdirSync(dir, { recursive: true });
  console.error(`generating ${n} points in ${PARTS} files into ${dir} ...`);
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const u = (salt: number) => `(hash(i, 42, ${salt})::DOUBLE / 18446744073709551616.0)`;
    for (const [k, file] of files.entries()) {
      const [lo, hi] = [Math.floor((k * n) / PARTS), Math.floor(((k + 1) * n) / PARTS)];
      await con.run(
        `COPY (SELECT i AS id, ${u(1)} * 360 - 180 AS lon, ${u(2)} * 180 - 90 AS lat,
                      round(${u(3)} * 1000, 3) AS value
               FROM range(${lo}, ${hi}) t(i) ORDER BY i)
         TO '${file}.tmp' (FORMAT parquet)`,
      );
      renameSync(`${file}.tmp`, file);
    }
  } finally {
    con.closeSync();
    db.closeSync();
  }
  return files;
}

/** What one stage did in one run. */
interface StageFigures {
  wall: number;
  slowestChild: number;
  down: number;
  up: number;
}

/** Polls the fake server for when each stage's first child started and its last ended. */
function watchStages(batch: FakeBatch, jobId: string): { stop: () => Record<string, number> } {
  const started: Record<string, number> = {};
  const ended: Record<string, number> = {};
  const t0 = performance.now();
  const look = () => {
    const now = (performance.now() - t0) / 1000;
    for (const j of batch.jobs.values()) {
      if (j.environment.GEOPART_JOB_ID !== jobId || j.index !== null) continue;
      const stage = STAGES.find((s) => j.jobName.endsWith(`-step0-${s}`));
      if (!stage) continue;
      const kids = j.children.length > 0 ? j.children : [j];
      if (started[stage] === undefined && kids.some((k) => k.status !== 'PENDING' && k.status !== 'RUNNABLE'))
        started[stage] = now;
      if (ended[stage] === undefined && (j.status === 'SUCCEEDED' || j.status === 'FAILED'))
        ended[stage] = now;
    }
  };
  const timer = setInterval(look, 50);
  return {
    stop: () => {
      clearInterval(timer);
      look();
      return Object.fromEntries(STAGES.map((s) => [s, (ended[s] ?? 0) - (started[s] ?? 0)]));
    },
  };
}

async function json(url: string): Promise<Record<string, unknown>> {
  return JSON.parse(new TextDecoder().decode(await getObject(url)));
}

async function main(): Promise<void> {
  const rows = parseRows(arg('rows', '10m'));
  const counts = arg('children', '1,2,4')
    .split(',')
    .map((s) => Number(s));
  const files = await pointParts(rows);
  const inputBytes = files.reduce((a, f) => a + statSync(f).size, 0);

  // The baseline: a local ingest of the same files, in the same run.
  const localOut = join(CACHE, 'batch-local-table');
  rmSync(localOut, { recursive: true, force: true });
  const local = await measureNode('local ingest', [
    BIN,
    'ingest',
    ...files,
    '-o',
    localOut,
    '--lonlat',
    'lon,lat',
  ]);
  rmSync(localOut, { recursive: true, force: true });

  const s3: LocalS3 = await startS3();
  const batch = await startBatch({ slots: Math.max(...counts) });
  try {
    await registerTestDefinition(batch);
    const inputs: string[] = [];
    for (const [k, f] of files.entries()) {
      inputs.push(s3.url(`in/part-${k}.parquet`));
      await putObject(inputs[k]!, readFileSync(f));
    }
    const results: { n: number; total: number; stages: Record<string, StageFigures> }[] = [];
    let copied = 0;
    for (const n of counts) {
      const step = ingest(inputs, s3.url(`out/table-${n}`), { lonlatCols: ['lon', 'lat'] });
      const t0 = performance.now();
      const run = await new JobConfig({ name: `bench-${n}`, steps: [step] }).runRemote({
        engine: 'batch',
        jobQueue: 'bench',
        tasks: n,
        writeTasks: n,
        jobPrefix: s3.url('jobs'),
        batchEndpoint: batch.endpoint,
        region: 'us-east-1',
      });
      const watch = watchStages(batch, run.jobId);
      const status = await run.wait({ pollMs: 200 });
      const total = (performance.now() - t0) / 1000;
      if (status.state !== 'succeeded')
        throw new Error(`run with ${n} children: ${status.error}\n${await run.logs()}`);
      // The run is marked succeeded just before the commit's process ends.
      await batch.idle();
      const walls = watch.stop();
      const stages: Record<string, StageFigures> = {};
      for (const stage of STAGES) {
        const size = stage === 'plan' || stage === 'commit' ? 1 : n;
        const f: StageFigures = { wall: walls[stage]!, slowestChild: 0, down: 0, up: 0 };
        for (let i = 0; i < size; i++) {
          const report = (await json(`${run.jobFolder}children/step0-${stage}/${i}.json`)).report as {
            seconds: number & { total: number };
            bytesWritten: number;
            bytesDownloaded: number;
            bytesUploaded: number;
          };
          if (stage === 'commit') {
            // The commit copies the data files inside S3 (counted apart) and uploads `_sample`.
            f.slowestChild = report.seconds.total;
            copied = report.bytesWritten;
          } else {
            f.slowestChild = Math.max(f.slowestChild, report.seconds);
            f.down += report.bytesDownloaded;
            f.up += report.bytesUploaded;
          }
        }
        stages[stage] = f;
      }
      results.push({ n, total, stages });
      console.error(`${n} children: ${total.toFixed(1)} s`);
    }

    console.log(
      `\n## bench/batch: ${rows.toLocaleString('en-US')} points in ${PARTS} Parquet files (${mb(inputBytes)} MB)`,
    );
    console.log(
      `\nBaseline, same run: local \`geopart ingest\` of the same files: ${local.seconds.toFixed(1)} s, peak RSS ${local.peakRssMb.toFixed(0)} MB.`,
    );
    printMarkdown(
      'Stages',
      ['children', 'stage', 'wall s', 'slowest child s', 'MB from S3', 'MB to S3', 'MB moved / input MB'],
      results.flatMap((r) =>
        STAGES.map((s) => {
          const f = r.stages[s]!;
          return [
            String(r.n),
            s,
            f.wall.toFixed(1),
            f.slowestChild.toFixed(1),
            mb(f.down),
            mb(f.up),
            ((f.down + f.up) / inputBytes).toFixed(2),
          ];
        }),
      ),
    );
    console.log(
      `\nThe commit copies the table's ${mb(copied)} MB inside S3 (CopyObject): not counted above, since no byte passes through a job.`,
    );
    printMarkdown(
      'Runs',
      ['children', 'run s (submit to succeeded)', 'run / local', 'MB through S3', 'MB through S3 / input MB'],
      results.map((r) => {
        const moved = STAGES.reduce((a, s) => a + r.stages[s]!.down + r.stages[s]!.up, 0);
        return [
          String(r.n),
          r.total.toFixed(1),
          (r.total / local.seconds).toFixed(2),
          mb(moved),
          (moved / inputBytes).toFixed(2),
        ];
      }),
    );
  } finally {
    await batch.stop();
    await s3.stop();
  }
}

await main();
