/**
 * The table format version (docs/FORMAT.md, "Format version"). `_sample` records it under
 * {@link FORMAT_VERSION_KEY}; a reader checks it before it trusts the layout, as flatbush checks
 * the version byte of an index before it reads one.
 */
import { GeopartError } from '../errors.js';
import { FORMAT_VERSION_KEY } from './keys.js';

/** The format version of the tables this geopart writes. */
export const FORMAT_VERSION = '5';

/** The format versions this geopart reads. */
export const READABLE_FORMAT_VERSIONS: readonly string[] = [FORMAT_VERSION];

/**
 * Checks the format version `value` that `file` records. A file without one (`undefined`: a
 * GeoParquet file of another tool, or a table written before the key existed) is read as the
 * current version. Throws `UNKNOWN_FORMAT_VERSION` naming both versions for any other value:
 * a newer table needs a newer geopart, an older or malformed one needs to be written again.
 */
export function checkFormatVersion(value: string | undefined, file: string): void {
  if (value === undefined || READABLE_FORMAT_VERSIONS.includes(value)) return;
  const known = READABLE_FORMAT_VERSIONS.join(', ');
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  const newest = Math.max(...READABLE_FORMAT_VERSIONS.map(Number));
  const what =
    number > newest
      ? 'it was written by a newer geopart; upgrade geopart (npm install -g geopart@latest) to read it'
      : Number.isNaN(number)
        ? 'the value is not a version number; write the table again with geopart ingest'
        : 'it was written in an older layout; write the table again with geopart ingest';
  throw new GeopartError(
    'UNKNOWN_FORMAT_VERSION',
    `${file}: table format version ${JSON.stringify(value)} (${FORMAT_VERSION_KEY}) is not one this geopart reads (${known}): ${what}`,
    { file, version: value, readable: known },
  );
}
