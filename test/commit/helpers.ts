import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { GeopartError } from '../../src/errors.js';

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

/** The error `promise` rejects with, checked to be a GeopartError. */
export async function failure(promise: Promise<unknown>): Promise<GeopartError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GeopartError);
  return err as GeopartError;
}
