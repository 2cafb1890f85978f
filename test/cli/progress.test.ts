import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/progress.js';
import { ROOT } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-progress-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ingest progress', () => {
  const at = { rowsScanned: 0, filesWritten: 0, files: 0, done: 0, total: 0, bytes: 0 };

  it('formats rows scanned and a bar of files written', () => {
    expect(progressLine({ ...at, stage: 'scan', rowsScanned: 1234567, done: 1234567 })).toBe(
      'scanning: 1,234,567 rows scanned',
    );
    expect(progressLine({ ...at, stage: 'write', filesWritten: 3, files: 12, done: 3, total: 12 })).toBe(
      `write: [${'#'.repeat(6)}${'.'.repeat(18)}] 3/12 files`,
    );
    expect(progressLine({ ...at, stage: 'plan' })).toBe('plan...');
  });

  it('adds the bytes of the stage and, given its seconds so far, the time it has left', () => {
    const scan = {
      ...at,
      stage: 'scan' as const,
      rowsScanned: 250000,
      done: 250000,
      total: 1000000,
      bytes: 14.25e6,
    };
    expect(progressLine(scan, 10)).toBe('scanning: 250,000 of 1,000,000 rows scanned · 14.3 MB · 0:30 left');
    const shuffle = { ...at, stage: 'shuffle' as const, done: 1, total: 4, bytes: 2.1e9 };
    expect(progressLine(shuffle, 1500)).toBe(
      `shuffle: [${'#'.repeat(6)}${'.'.repeat(18)}] 1/4 groups · 2.10 GB · 1:15:00 left`,
    );
    // Nothing is estimated without a total, or once the stage is done.
    expect(progressLine({ ...scan, total: 0 }, 10)).toBe('scanning: 250,000 rows scanned · 14.3 MB');
    expect(progressLine({ ...shuffle, done: 4 }, 1500)).toMatch(/4\/4 groups · 2.10 GB$/);
    expect(progressLine({ ...at, stage: 'write', done: 1, total: 2, bytes: 512 }, 3)).toMatch(
      /512 B · 0:03 left$/,
    );
  });

  it('shows on a terminal (script gives the CLI a TTY) and not when stderr is a pipe', () => {
    const out = join(tmp, 'tty');
    const cmd = `${process.execPath} ${ROOT}bin/geopart.js ingest ${dataPath('flatgeobuf/tiger_roads.geojson')} -o ${out} --target-chunks 40`;
    const tty = spawnSync('script', ['-qc', cmd, '/dev/null'], { encoding: 'utf8' });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/write: \[#+\] \d+\/\d+ files/);
    expect(tty.stdout).toContain('scanning: ');
    expect(tty.stdout).toMatch(/rows scanned · [\d.]+ (kB|MB)/);
    const piped = spawnSync(
      process.execPath,
      [
        `${ROOT}bin/geopart.js`,
        'ingest',
        dataPath('flatgeobuf/tiger_roads.geojson'),
        '-o',
        join(tmp, 'pipe'),
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(piped.status).toBe(0);
    expect(piped.stderr).not.toContain('scanning');
  });
});
