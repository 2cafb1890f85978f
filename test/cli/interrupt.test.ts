/**
 * Ctrl-C on a long command: the first SIGINT stops the work and removes what was staged, the
 * command exits 130 and leaves nothing beside its output.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'geopart-interrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('SIGINT during an ingest exits 130 and leaves no staging folder and no table', async () => {
  // Enough rows that the ingest is still running when the signal arrives.
  const lines = ['id,lon,lat'];
  for (let i = 0; i < 600_000; i++)
    lines.push(`${i},${((i * 7919) % 36000) / 100 - 180},${((i * 104729) % 18000) / 100 - 90}`);
  const csv = join(dir, 'points.csv');
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const out = join(dir, 'tables');
  const child = spawn(process.execPath, [
    `${ROOT}bin/geopart.js`,
    'ingest',
    csv,
    '--lonlat',
    'lon,lat',
    '-o',
    join(out, 't'),
  ]);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // The staging folder beside the output appears when the ingest starts.
  await expect
    .poll(
      () => {
        try {
          return readdirSync(out).some((f) => f.startsWith('.t.geopart-tmp-'));
        } catch {
          return false;
        }
      },
      { timeout: 20_000, interval: 20 },
    )
    .toBe(true);
  child.kill('SIGINT');
  expect(await exited).toBe(130);
  expect(stderr).toContain('interrupted by SIGINT; nothing was committed');
  expect(readdirSync(out)).toEqual([]);
}, 60_000);

test('SIGINT during a UDF step stops its workers, exits 130 and commits nothing', async () => {
  const started = join(dir, 'started');
  const module = join(dir, 'slow.mjs');
  writeFileSync(
    module,
    `import { writeFileSync } from 'node:fs';\nexport default async function slow() { writeFileSync(${JSON.stringify(started)}, ''); await new Promise((r) => setTimeout(r, 60000)); return [{ a: 1 }]; }\n`,
  );
  const job = join(dir, 'job.json');
  writeFileSync(
    job,
    JSON.stringify({
      name: 'slow',
      steps: [{ type: 'udf', udf: { module }, input: [1, 2], output: 'udf-out' }],
    }),
  );
  const t0 = Date.now();
  const child = spawn(process.execPath, [`${ROOT}bin/geopart.js`, 'run', job, '--threads', '2']);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await expect.poll(() => readdirSync(dir).includes('started'), { timeout: 20_000, interval: 20 }).toBe(true);
  child.kill('SIGINT');
  expect(await exited).toBe(130);
  expect(Date.now() - t0).toBeLessThan(30_000);
  expect(stderr).toContain('interrupted by SIGINT');
  expect(readdirSync(dir).filter((f) => f.includes('udf-out'))).toEqual([]);
}, 60_000);
