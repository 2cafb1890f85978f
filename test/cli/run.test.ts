import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as turf from '@turf/turf';
import { afterAll, describe, expect, test } from 'vitest';
import type { JobReport } from '../../src/job/report.js';
import type { UdfStepReport } from '../../src/udf/report.js';
import { geopart, ROOT } from '../helpers/cli.js';
import { lit, query } from '../helpers/duckdb.js';
import { decodeWkb, type TGeom } from '../helpers/wkb-codec.js';

const JOB = join(ROOT, 'fixtures/jobs/quadrangles-chunk-stats.json');
const root = mkdtempSync(join(tmpdir(), 'geopart-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Pos = [number, number];

/** Planar area (deg^2) of a polygon from earcut's triangles (turf.tesselate): holes are left out of them. */
function tesselatedArea(rings: number[][][]): number {
  let area = 0;
  const polygon = turf.polygon(rings.map((r) => r.map((c) => [c[0]!, c[1]!])));
  for (const t of turf.tesselate(polygon).features) {
    const [a, b, c] = t.geometry.coordinates[0] as Pos[];
    area += Math.abs((b![0] - a![0]) * (c![1] - a![1]) - (b![1] - a![1]) * (c![0] - a![0])) / 2;
  }
  return area;
}

function geometryArea(g: TGeom): number {
  if (g.type === 3) return tesselatedArea(g.rings!);
  if (g.type === 6 || g.type === 7) return g.parts!.reduce((s, p) => s + geometryArea(p), 0);
  return 0;
}

function blob(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : (value as { bytes: Uint8Array }).bytes;
}

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE);
}

describe('geopart run', () => {
  test('runs the example job: ingest quadrangles by area, then one summary row per chunk that DuckDB and turf agree with', async () => {
    const r = geopart(['run', JOB, '--output-dir', root, '--threads', '2', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as JobReport;
    expect(report.name).toBe('quadrangles-chunk-stats');
    const [ingest, udf] = report.steps as [JobReport['steps'][number], UdfStepReport];
    expect(ingest).toMatchObject({ type: 'partition_geospatial', rowsWritten: 1809 });
    const chunks = (ingest as { chunks: number }).chunks;
    expect(chunks).toBeGreaterThan(3);
    expect(udf).toMatchObject({
      type: 'udf',
      inputs: chunks,
      done: chunks,
      files: chunks,
      rowsWritten: chunks,
    });

    const table = join(root, 'out/quadrangles');
    const stats = await query(
      `SELECT file_id::INT AS file_id, chunk_id::INT AS chunk_id, num_rows::INT AS num_rows, total_area
       FROM read_parquet(${lit(join(root, 'out/chunk-stats/*.parquet'))}) ORDER BY file_id, chunk_id`,
    );
    expect(stats).toHaveLength(chunks);

    // Rows per chunk: the data files' row-group row counts.
    const groups = await query(
      `SELECT file_name AS f, row_group_id AS rg, any_value(row_group_num_rows) AS n
       FROM parquet_metadata(${lit(join(table, '*.parquet'))}) GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    const counted = groups
      .map((g) => ({ file_id: Number.parseInt(basename(g.f as string), 10), chunk_id: g.rg, num_rows: g.n }))
      .sort((a, b) => a.file_id - b.file_id || (a.chunk_id as number) - (b.chunk_id as number));
    expect(stats.map(({ file_id, chunk_id, num_rows }) => ({ file_id, chunk_id, num_rows }))).toEqual(
      counted,
    );

    // Area: the chunk table's sum_area (output_metadata, read by DuckDB) ...
    const meta = await query(
      `SELECT file_id, chunk_id, sum_area FROM read_parquet(${lit(join(root, 'out/quadrangles-chunks.parquet'))}) ORDER BY file_id, chunk_id`,
    );
    expect(meta.map((m) => [m.file_id, m.chunk_id])).toEqual(stats.map((s) => [s.file_id, s.chunk_id]));
    // ... and the area of each chunk's geometries from turf's triangles.
    const oracle = new Map<string, number>();
    for (const file of readdirSync(table).filter((f) => f.endsWith('.parquet'))) {
      const fileId = Number.parseInt(file, 10);
      const sizes = counted.filter((c) => c.file_id === fileId).map((c) => c.num_rows as number);
      const rows = await query(
        `SELECT geometry FROM read_parquet(${lit(join(table, file))}, file_row_number = true) ORDER BY file_row_number`,
      );
      let at = 0;
      sizes.forEach((size, chunkId) => {
        const area = rows
          .slice(at, at + size)
          .reduce((s, row) => s + geometryArea(decodeWkb(blob(row.geometry))), 0);
        oracle.set(`${fileId}/${chunkId}`, area);
        at += size;
      });
    }
    stats.forEach((s, i) => {
      const total = s.total_area as number;
      expect(total).toBeGreaterThan(0);
      expect(rel(total, meta[i]!.sum_area as number)).toBeLessThan(1e-9);
      expect(rel(total, oracle.get(`${s.file_id}/${s.chunk_id}`)!)).toBeLessThan(1e-9);
    });
  });

  test('prints a text report by default', () => {
    const out = join(root, 'text');
    const r = geopart(['run', JOB, '--output-dir', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^job quadrangles-chunk-stats: 2 step\(s\) in/);
    expect(r.stdout).toMatch(/\[1\] udf -> .*chunk-stats: (\d+)\/\1 inputs done/);
  });

  test('an invalid job name fails before anything runs, naming the file and field', () => {
    const file = join(root, 'bad-name.json');
    writeFileSync(
      file,
      JSON.stringify({ name: '9 lives', steps: [{ type: 'udf', udf: 'x.mjs', output: 'out/x' }] }),
    );
    const r = geopart(['run', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`invalid job file ${file}`);
    expect(r.stderr).toContain('name: got "9 lives"; expected a name matching');
  });

  test('a failing UDF input exits non-zero, naming the input', () => {
    const file = join(root, 'fails.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'fails',
        steps: [
          {
            type: 'udf',
            udf: {
              module: join(ROOT, 'test/udf/modules/cases.mjs'),
              name: 'tenfold',
              parameters: { fail_on: 'b' },
            },
            input: ['a', 'b'],
            output: 'out/fails',
          },
        ],
      }),
    );
    const r = geopart(['run', file, '--threads', '1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('input 1 "b" failed');
    expect(existsSync(join(root, 'out/fails'))).toBe(false);
  });

  test('with --output-dir, a chunks_of naming an existing table beside the job file is read from there', async () => {
    const beside = join(root, 'beside');
    const table = join(beside, 'src-table');
    const ingest = geopart([
      'ingest',
      join(ROOT, 'fixtures/geoarrow/quadrangles_100k.fgb'),
      '-o',
      table,
      '--max-per-chunk',
      '600',
    ]);
    expect(ingest.status).toBe(0);
    const file = join(beside, 'echo.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'echo-chunks',
        steps: [
          {
            type: 'udf',
            udf: { module: join(ROOT, 'test/udf/modules/cases.mjs'), name: 'echo' },
            input: { chunks_of: 'src-table' },
            output: 'out/echo',
          },
        ],
      }),
    );
    const moved = join(root, 'moved');
    const r = geopart(['run', file, '--output-dir', moved, '--threads', '2', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [udf] = (JSON.parse(r.stdout) as JobReport).steps as [UdfStepReport];
    const [meta] = await query(
      `SELECT count(*)::INTEGER AS n FROM read_parquet(${lit(join(table, '*.parquet'))})`,
    );
    expect(meta!.n).toBe(1809);
    expect(udf.inputs).toBeGreaterThan(1);
    expect(udf.files).toBe(udf.inputs);
    const rows = await query(
      `SELECT DISTINCT json_extract_string(input, '$.table') AS t FROM read_parquet(${lit(join(moved, 'out/echo/*.parquet'))})`,
    );
    expect(rows).toEqual([{ t: table }]);
  });

  test('a later step whose output exists stops the job before the ingest runs, naming the step', () => {
    const out = join(root, 'taken');
    mkdirSync(join(out, 'out/chunk-stats'), { recursive: true });
    const r = geopart(['run', JOB, '--output-dir', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`steps[1].output: ${join(out, 'out/chunk-stats')} already exists`);
    expect(r.stderr).toContain('"overwrite": true');
    expect(existsSync(join(out, 'out/quadrangles'))).toBe(false);
  });

  test('refuses a bad --timeout and shows help', () => {
    const r = geopart(['run', JOB, '--timeout', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--timeout "0": expected a number in (0, 2147483]');
    expect(geopart(['run', '--help']).stdout).toContain('Usage: geopart run JOB.json');
    const help = geopart(['help', 'run']).stdout;
    expect(help).toContain('--output-dir DIR');
    expect(help).toContain("chunks_of naming an earlier step's output");
  });
});
