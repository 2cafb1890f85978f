import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** Absolute path of a bundled test fixture, e.g. `dataPath('flatgeobuf/countries.fgb')`. */
export function dataPath(rel: string): string {
  const path = `${FIXTURES}${rel}`;
  if (!existsSync(path)) throw new Error(`fixture ${rel} is missing: expected it at ${path}`);
  return path;
}
