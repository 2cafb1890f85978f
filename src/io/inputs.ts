import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { GeopartError } from '../errors.js';
import { listS3Input } from './s3-inputs.js';
import { isS3Url } from './s3-url.js';

/**
 * Files that only make sense next to a main file of the same name (Shapefile parts, GDAL
 * sidecars). A directory input skips them when the main file is there, so a folder of
 * Shapefiles reads each layer once.
 */
const SIDECARS: Readonly<Record<string, readonly string[]>> = {
  '.shp': ['.shx', '.dbf', '.prj', '.cpg', '.qix', '.sbn', '.sbx', '.qmd'],
  '.tab': ['.dat', '.id', '.map', '.ind'],
};
const ALWAYS_SKIPPED = new Set(['.aux.xml', '.ovr', '.md5']);

/** True for paths GDAL or the S3 layer resolves, which are never looked up on the local disk. */
export function isRemotePath(path: string): boolean {
  return path.startsWith('/vsi') || /^[a-z][a-z0-9+.-]*:\/\//i.test(path);
}

function stem(path: string): string {
  return path.slice(0, path.length - extname(path).length);
}

function dropSidecars(files: readonly string[]): string[] {
  const present = new Set(files.map((f) => f.toLowerCase()));
  return files.filter((f) => {
    const lower = f.toLowerCase();
    if ([...ALWAYS_SKIPPED].some((s) => lower.endsWith(s))) return false;
    const ext = extname(lower);
    for (const [main, parts] of Object.entries(SIDECARS)) {
      if (parts.includes(ext) && present.has(stem(lower) + main)) return false;
    }
    return true;
  });
}

async function listDirectory(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function bySuffix(files: readonly string[], fileSuffix: string | null): string[] {
  return fileSuffix ? files.filter((f) => f.endsWith(fileSuffix)) : [...files];
}

/** Expands an `s3://` input as {@link expandInputs} says, with a local folder's filters. */
async function expandS3(url: string, fileSuffix: string | null): Promise<string[]> {
  const listing = await listS3Input(url);
  if (listing.kind === 'object') return [...listing.urls];
  const found = dropSidecars(bySuffix(listing.urls, fileSuffix));
  if (found.length > 0) return found;
  const suffix = fileSuffix ? ` ending in ${JSON.stringify(fileSuffix)}` : '';
  const what =
    listing.kind === 'pattern'
      ? `pattern ${url} matches no objects${suffix}`
      : `${url}: no such object, and no objects${suffix} under ${url.replace(/\/*$/, '/')}`;
  throw new GeopartError('INPUT_NOT_FOUND', `input ${what}; check the URL and file_suffix`, { file: url });
}

/**
 * Expands the `input` of a partition step into the list of files to read, in a stable order.
 *
 * - a file is taken as it is (`fileSuffix` does not filter explicitly named files);
 * - a directory expands to the files under it (recursively, sorted, hidden files and the
 *   sidecars of Shapefiles skipped), filtered by `fileSuffix`;
 * - a glob (`data/*.fgb`, `tiles/**\/*.parquet`) expands to the files it matches, filtered by
 *   `fileSuffix`;
 * - an `s3://` URL is an object, or else a prefix that expands like a directory, or a glob over
 *   keys (`s3://bucket/tiles/*.parquet`); objects are listed, never downloaded;
 * - GDAL virtual paths (`/vsizip/...`, `/vsicurl/...`) and other URLs are passed through untouched.
 *
 * @throws GeopartError `INPUT_NOT_FOUND` naming the path or pattern that matched nothing.
 */
export async function expandInputs(
  input: string | readonly string[],
  fileSuffix: string | null = null,
): Promise<string[]> {
  const items = typeof input === 'string' ? [input] : input;
  const out: string[] = [];
  for (const item of items) {
    if (isS3Url(item)) {
      out.push(...(await expandS3(item, fileSuffix)));
      continue;
    }
    if (isRemotePath(item)) {
      out.push(item);
      continue;
    }
    const info = await stat(item).catch(() => null);
    if (info?.isFile()) {
      out.push(resolve(item));
      continue;
    }
    let found: string[];
    let what: string;
    if (info?.isDirectory()) {
      found = dropSidecars(bySuffix(await listDirectory(item), fileSuffix));
      what = `directory ${item} has no files${fileSuffix ? ` ending in ${JSON.stringify(fileSuffix)}` : ''}`;
    } else if (isDynamicPattern(item)) {
      const matched = await glob(item, { absolute: true, onlyFiles: true, dot: false });
      found = dropSidecars(bySuffix(matched.sort(), fileSuffix));
      what = `pattern ${item} matches no files${fileSuffix ? ` ending in ${JSON.stringify(fileSuffix)}` : ''}`;
    } else {
      throw new GeopartError('INPUT_NOT_FOUND', `input ${item}: no such file or directory; check the path`, {
        file: item,
      });
    }
    if (found.length === 0) {
      throw new GeopartError('INPUT_NOT_FOUND', `input ${what}; check the path and file_suffix`, {
        file: item,
      });
    }
    out.push(...found);
  }
  return [...new Set(out)];
}
