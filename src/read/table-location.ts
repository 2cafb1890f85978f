/**
 * Where a table lives relative to its `output_metadata` file. The writer records it under
 * {@link TABLE_KEY} so the metadata file alone is enough to open the table.
 */
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/** True when `pathOrUrl` names something behind a URL scheme rather than a local path. */
export function isUrl(pathOrUrl: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUrl);
}

/** Key-value metadata key of an `output_metadata` file: its table, relative to the file's folder. */
export const TABLE_KEY = 'geopart:table';

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

/** `child` inside table `base` (path or URL). */
export function joinLocation(base: string, child: string): string {
  if (isUrl(base)) return `${base.replace(/\/+$/, '')}/${child}`;
  return resolve(base, child);
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
