import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadable } from '../../src/pool/pool.js';

describe('loadable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'geopart-loadable-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const module = join(dir, 'tasks.js');
  const other = join(dir, 'other.js');
  const bundle = join(dir, 'tasks.bundle.mjs');
  const inputs = join(dir, 'tasks.bundle.inputs.json');
  const href = pathToFileURL(module).href;
  writeFileSync(module, 'export const tasks = {};');
  writeFileSync(other, 'export const x = 1;');

  it('gives the module when there is no bundle, or no list of its inputs', () => {
    expect(loadable(href)).toBe(href);
    writeFileSync(bundle, 'export const tasks = {};');
    expect(loadable(href)).toBe(href);
  });

  it('gives the bundle while no input is newer, and the module once one is', () => {
    writeFileSync(inputs, JSON.stringify(['tasks.js', 'other.js']));
    utimesSync(module, 1000, 1000);
    utimesSync(other, 1000, 1000);
    utimesSync(bundle, 2000, 2000);
    expect(loadable(href)).toBe(pathToFileURL(bundle).href);
    // A module the bundle holds, rebuilt alone (tsc --watch, say): the bundle is stale.
    utimesSync(other, 3000, 3000);
    expect(loadable(href)).toBe(href);
    // An input gone: stale too.
    utimesSync(other, 1000, 1000);
    writeFileSync(inputs, JSON.stringify(['tasks.js', 'gone.js']));
    expect(loadable(href)).toBe(href);
  });

  it('leaves other URLs alone', () => {
    expect(loadable('data:text/javascript,export const tasks = {}')).toBe(
      'data:text/javascript,export const tasks = {}',
    );
  });
});
