/**
 * What a test checks after a run that must not lose or leave anything: the state of a folder
 * (to compare before and after), the staging folders left in it, two tables byte for byte, and
 * the coded error a run ended with.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, expect } from 'vitest';
import { GeopartError } from '../../src/errors.js';

/**
 * A temporary folder for the tests of one file, removed after them (`root`), and `place()`: a
 * fresh, empty folder in it for each case.
 */
export function scratch(prefix: string): { readonly root: string; place(): string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  return {
    root,
    place: () => {
      const dir = join(root, `case-${n++}`);
      mkdirSync(dir);
      return dir;
    },
  };
}

/** Every entry under `dir` (relative path -> file bytes as base64, `dir/` or `-> link target`). */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(e.parentPath, e.name);
    const rel = relative(dir, path);
    if (e.isSymbolicLink()) out[rel] = `-> ${readlinkSync(path)}`;
    else if (e.isDirectory()) out[rel] = 'dir/';
    else out[rel] = readFileSync(path).toString('base64');
  }
  return out;
}

/** Hidden staging or set-aside folders a run of geopart leaves in `dir` (there should be none). */
export function debris(dir: string): string[] {
  return readdirSync(dir).filter((f) => /\.geopart-(tmp|old)-/.test(f));
}

/** Expects the folders `a` and `b` to hold the same file names, each file byte for byte. */
export function expectSameFiles(a: string, b: string): void {
  const names = readdirSync(a).sort();
  expect(readdirSync(b).sort()).toEqual(names);
  for (const name of names)
    expect(readFileSync(join(a, name)).equals(readFileSync(join(b, name))), name).toBe(true);
}

/** The error `promise` rejects with, checked to be a GeopartError. */
export async function failure(promise: Promise<unknown>): Promise<GeopartError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GeopartError);
  return err as GeopartError;
}
