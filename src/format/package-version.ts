/**
 * This geopart's version, from its package.json (two folders up from src/format and from
 * dist/format alike), for the `created_by` of the files it writes.
 */
import { readFileSync } from 'node:fs';

/** The `version` of geopart's package.json, e.g. `0.1.0`. */
export const PACKAGE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
