import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeopartError } from '../../src/errors.js';
import { expandInputs } from '../../src/io/inputs.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'geopart-inputs-'));
  await mkdir(join(dir, 'sub'));
  for (const f of [
    'b.fgb',
    'a.fgb',
    'c.csv',
    'roads.shp',
    'roads.shx',
    'roads.dbf',
    'roads.prj',
    'lone.dbf',
    '.hidden.fgb',
  ]) {
    await writeFile(join(dir, f), '');
  }
  await writeFile(join(dir, 'sub', 'd.fgb'), '');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('expandInputs', () => {
  it('expands a directory recursively, sorted, without sidecars or hidden files', async () => {
    const files = await expandInputs(dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      'a.fgb',
      'b.fgb',
      'c.csv',
      'lone.dbf',
      'roads.shp',
      'sub/d.fgb',
    ]);
  });

  it('filters a directory by file_suffix', async () => {
    const files = await expandInputs(dir, '.fgb');
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['a.fgb', 'b.fgb', 'sub/d.fgb']);
  });

  it('expands a glob and filters it by suffix', async () => {
    expect((await expandInputs(join(dir, '*.fgb'))).map((f) => f.slice(dir.length + 1))).toEqual([
      'a.fgb',
      'b.fgb',
    ]);
    expect((await expandInputs(join(dir, '**/*'), '.csv')).map((f) => f.slice(dir.length + 1))).toEqual([
      'c.csv',
    ]);
  });

  it('keeps a list in order, takes named files unfiltered, removes duplicates and passes /vsi paths', async () => {
    const files = await expandInputs(
      [join(dir, 'c.csv'), '/vsizip/x.zip/y.shp', join(dir, 'a.fgb'), join(dir, 'c.csv')],
      '.fgb',
    );
    expect(files).toEqual([join(dir, 'c.csv'), '/vsizip/x.zip/y.shp', join(dir, 'a.fgb')]);
  });

  it('names the path that matched nothing', async () => {
    await expect(expandInputs(join(dir, 'missing.fgb'))).rejects.toThrow(
      /missing\.fgb: no such file or directory/,
    );
    await expect(expandInputs(join(dir, '*.gpkg'))).rejects.toThrow(/matches no files/);
    const err = await expandInputs(dir, '.gpkg').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeopartError);
    expect((err as GeopartError).code).toBe('INPUT_NOT_FOUND');
    expect((err as GeopartError).message).toContain('has no files ending in ".gpkg"');
  });
});
