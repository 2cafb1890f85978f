/**
 * How an `output_metadata` file names its table (docs/FORMAT.md, "The output_metadata file"):
 * under the `geopart:table` key (`TABLE_KEY` in keys.ts), a path relative to the file's folder (`/` separators) when both are
 * local or on one origin, else the table's own path or URL. The metadata file alone is then
 * enough to open the table.
 */
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/** True when `pathOrUrl` names something behind a URL scheme rather than a local path. */
export function isUrl(pathOrUrl: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUrl);
}

/**
 * The value to record for table `table` in metadata file `metadataPath`: a relative path with
 * `/` separators when both are local (or URLs of one origin), else `table` itself.
 */
export function tableLocationFor(metadataPath: string, table: string): string {
  if (isUrl(metadataPath) || isUrl(table)) {
    if (!isUrl(metadataPath) || !isUrl(table)) return table;
    const m = new URL(metadataPath);
    const t = new URL(table);
    if (m.protocol !== t.protocol || m.host !== t.host) return table;
    return relativePosix(dirnamePosix(m.pathname), t.pathname) || '.';
  }
  return (
    relative(dirname(resolve(metadataPath)), resolve(table))
      .split(sep)
      .join('/') || '.'
  );
}

/** The table path/URL recorded as `value` in the metadata file at `metadataUrl`. */
export function resolveTableLocation(metadataUrl: string, value: string): string {
  if (isUrl(value) || isAbsolute(value)) return value;
  if (isUrl(metadataUrl))
    return new URL(value.endsWith('/') ? value : `${value}/`, metadataUrl).href.replace(/\/$/, '');
  return resolve(dirname(metadataUrl), value);
}

function dirnamePosix(p: string): string {
  return p.slice(0, p.lastIndexOf('/') + 1) || '/';
}

function relativePosix(fromDir: string, to: string): string {
  const a = fromDir.split('/').filter(Boolean);
  const b = to.split('/').filter(Boolean);
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return [...a.slice(k).map(() => '..'), ...b.slice(k)].join('/');
}
