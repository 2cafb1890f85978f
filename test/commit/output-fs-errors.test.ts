/**
 * Outputs that cannot be created or written get a coded error naming the path and the reason,
 * and leave nothing behind. Read-only and full disks are real tmpfs mounts (the tests run as root).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import type { GeopartError } from '../../src/errors.js';
import { dataPath } from '../helpers/data.js';
import { failure as rejection, scratch } from '../helpers/outputs.js';

const { root: tmp } = scratch('geopart-output-fs-');

/** The coded error an ingest of `input` to `output` ends with. */
const failure = (input: string, output: string): Promise<GeopartError> =>
  rejection(ingest(input, output).runLocal({ threads: 1 }));

function mounted(options: string, run: (dir: string) => Promise<void>): Promise<void> {
  const dir = join(tmp, `mnt-${options.replace(/\W/g, '')}`);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  return run(dir).finally(() => execFileSync('umount', [dir]));
}

const FGB = dataPath('flatgeobuf/countries.fgb');

describe('outputs that cannot be created', () => {
  it('a path under /proc', async () => {
    const err = await failure(FGB, '/proc/geopart-out');
    expect(err.code).toBe('OUTPUT_NOT_WRITABLE');
    expect(err.message).toContain('cannot create /proc/geopart-out');
    expect(err.message).toContain('/proc does not accept new files');
    const deeper = await failure(FGB, '/proc/geopart-sub/out');
    expect(deeper.code).toBe('OUTPUT_NOT_WRITABLE');
    expect(deeper.message).toContain('cannot create /proc/geopart-sub/out');
  });

  it('a parent that is a file', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'not a folder');
    const err = await failure(FGB, join(file, 'sub', 'out'));
    expect(err.code).toBe('OUTPUT_NOT_WRITABLE');
    expect(err.message).toContain(`its parent ${file} is a file, not a folder`);
  });

  it('a read-only file system', async () => {
    await mounted('ro', async (dir) => {
      const err = await failure(FGB, join(dir, 'out'));
      expect(err.code).toBe('OUTPUT_NOT_WRITABLE');
      expect(err.message).toContain(`cannot create ${join(dir, 'out')}: read-only file system`);
    });
  });

  it('a full disk names the folder, says the disk is full, and leaves nothing', async () => {
    await mounted('size=200k', async (dir) => {
      const err = await failure(dataPath('flatgeobuf/tiger_roads.geojson'), join(dir, 'out'));
      expect(err.code).toBe('DISK_FULL');
      expect(err.message).toContain(`the disk is full (no space left in ${dir})`);
      expect(readdirSync(dir)).toEqual([]);
    });
  });
});
