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
  it('formats rows scanned and a bar of files written', () => {
    expect(progressLine({ stage: 'scan', rowsScanned: 1234567, filesWritten: 0, files: 0 })).toBe(
      'scanning: 1,234,567 rows scanned',
    );
    expect(progressLine({ stage: 'write', rowsScanned: 0, filesWritten: 3, files: 12 })).toBe(
      `write: [${'#'.repeat(6)}${'.'.repeat(18)}] 3/12 files`,
    );
    expect(progressLine({ stage: 'plan', rowsScanned: 0, filesWritten: 0, files: 0 })).toBe('plan...');
  });

  it('shows on a terminal (script gives the CLI a TTY) and not when stderr is a pipe', () => {
    const out = join(tmp, 'tty');
    const cmd = `${process.execPath} ${ROOT}bin/geopart.js ingest ${dataPath('flatgeobuf/tiger_roads.geojson')} -o ${out} --target-chunks 40`;
    const tty = spawnSync('script', ['-qc', cmd, '/dev/null'], { encoding: 'utf8' });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/write: \[#+\] \d+\/\d+ files/);
    expect(tty.stdout).toContain('scanning: ');
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
