/**
 * What an `s3://` input names: one object, every object under a prefix (a "folder"), or the
 * objects whose keys match a glob. The caller filters the result as it does a local folder.
 */
import { isDynamicPattern } from 'tinyglobby';
import { headObject, listObjects } from './s3.js';
import { formatS3Url, parseS3Url } from './s3-url.js';

/** The objects an `s3://` input stands for, and how they were found. */
export interface S3InputListing {
  /** `object`: the URL names an object; `prefix`: a folder; `pattern`: a glob over keys. */
  readonly kind: 'object' | 'prefix' | 'pattern';
  /** Object URLs, sorted; hidden objects (a name starting with `.`) left out of folders and globs. */
  readonly urls: readonly string[];
}

/** A regular expression for a glob over keys: `*` and `?` stay within one `/` segment, `**` crosses them. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more whole segments.
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        const body = glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else if (c === '{') {
      const close = glob.indexOf('}', i + 1);
      if (close < 0) re += '\\{';
      else {
        const alts = glob.slice(i + 1, close).split(',');
        re += `(?:${alts.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function hidden(key: string): boolean {
  return (key.split('/').pop() ?? '').startsWith('.');
}

/**
 * Lists what `url` names. A key with glob characters is a pattern; else an existing object is
 * taken as it is; else (or for a key ending in `/`, or a bucket alone) the objects under
 * `key/` are listed. An empty listing is returned as such; the caller says what is missing.
 *
 * @throws GeopartError `INVALID_CONFIG` for a malformed URL, and the errors of the S3 calls.
 */
export async function listS3Input(url: string): Promise<S3InputListing> {
  const { bucket, key } = parseS3Url(url);
  if (isDynamicPattern(key)) {
    const meta = key.search(/[*?[{]/);
    const literal = key.slice(0, key.lastIndexOf('/', meta) + 1);
    const match = globToRegExp(key);
    const listed = await listObjects(formatS3Url({ bucket, key: literal }));
    const urls = listed
      .map((o) => parseS3Url(o.url).key)
      .filter((k) => match.test(k) && !hidden(k))
      .map((k) => formatS3Url({ bucket, key: k }));
    return { kind: 'pattern', urls };
  }
  if (key !== '' && !key.endsWith('/') && (await headObject(url)) !== null)
    return { kind: 'object', urls: [url] };
  const folder = key === '' || key.endsWith('/') ? key : `${key}/`;
  const listed = await listObjects(formatS3Url({ bucket, key: folder }));
  const urls = listed.filter((o) => !hidden(o.url) && !o.url.endsWith('/')).map((o) => o.url);
  return { kind: 'prefix', urls };
}
