/**
 * Whether a single-file build (a bundle, made by scripts/bundle.mjs) still holds the code of
 * the modules it was made from: its list of inputs (`inputs`, a JSON array of paths relative to
 * the list's folder) must exist, and no input may be newer than the bundle. A module rebuilt
 * alone (by `tsc`, or by hand) thus makes its bundle stale, and the caller loads the module.
 */
import { readFileSync, statSync } from 'node:fs';

export function freshBundle(bundle: URL, inputs: URL): boolean {
  const made = statSync(bundle, { throwIfNoEntry: false });
  if (made === undefined) return false;
  let list: unknown;
  try {
    list = JSON.parse(readFileSync(inputs, 'utf8'));
  } catch {
    return false;
  }
  if (!Array.isArray(list) || list.length === 0) return false;
  for (const path of list) {
    if (typeof path !== 'string') return false;
    const input = statSync(new URL(path, inputs), { throwIfNoEntry: false });
    if (input === undefined || input.mtimeMs > made.mtimeMs) return false;
  }
  return true;
}
