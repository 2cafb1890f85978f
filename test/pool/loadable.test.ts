import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadable } from '../../src/pool/pool.js';

describe('loadable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'geopart-loadable-'));
  const module = join(dir, 'tasks.js');
  const bundle = join(dir, 'tasks.bundle.mjs');
  const href = pathToFileURL(module).href;
  writeFileSync(module, 'export const tasks = {};');

  it('gives the module when there is no bundle', () => {
    expect(loadable(href)).toBe(href);
  });

  it('gives the bundle when it is no older than the module, and the module when it is', () => {
    writeFileSync(bundle, 'export const tasks = {};');
    utimesSync(module, 1000, 1000);
    utimesSync(bundle, 2000, 2000);
    expect(loadable(href)).toBe(pathToFileURL(bundle).href);
    // A module rebuilt without its bundle (tsc alone): the stale bundle is not used.
    utimesSync(module, 3000, 3000);
    expect(loadable(href)).toBe(href);
  });

  it('leaves other URLs alone', () => {
    expect(loadable('data:text/javascript,export const tasks = {}')).toBe(
      'data:text/javascript,export const tasks = {}',
    );
  });
});
