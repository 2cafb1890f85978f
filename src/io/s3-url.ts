/**
 * `s3://bucket/key` URLs: recognising, parsing and joining them. Pure string work, so config
 * validation and input expansion can use it without loading the AWS SDK.
 */
import { GeopartError } from '../errors.js';

/** An object (or a key prefix) in a bucket. `key` has no leading slash and may be empty. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

// S3's rules for bucket names: 3-63 lowercase letters, digits, dots and hyphens, starting and
// ending with a letter or digit.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** True for `s3://` URLs (any case of the scheme), whether or not they are well formed. */
export function isS3Url(s: string): boolean {
  return /^s3:\/\//i.test(s);
}

/**
 * Splits `s3://bucket/key` into bucket and key. `s3://bucket` and `s3://bucket/` give an empty
 * key (the whole bucket as a prefix).
 *
 * @throws GeopartError `INVALID_CONFIG` naming the URL and what is wrong with it.
 */
export function parseS3Url(url: string): S3Location {
  const bad = (why: string) =>
    new GeopartError('INVALID_CONFIG', `S3 URL ${JSON.stringify(url)}: ${why}; write it as s3://bucket/key`, {
      url,
    });
  if (!isS3Url(url)) throw bad('not an s3:// URL');
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (bucket === '') throw bad('no bucket name');
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw bad(
      `bucket name ${JSON.stringify(bucket)} is not valid (3-63 lowercase letters, digits, dots and hyphens)`,
    );
  }
  if (key.startsWith('/') || key.includes('//')) throw bad('the key has an empty path segment ("//")');
  for (let i = 0; i < key.length; i++) {
    const ch = key.charCodeAt(i);
    if (ch < 0x20 || ch === 0x7f)
      throw bad(`the key holds control character U+${ch.toString(16).padStart(4, '0')}`);
  }
  return { bucket, key };
}

/** `s3://bucket/key` of a location. */
export function formatS3Url(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** Joins a prefix URL and a relative name with exactly one slash between them. */
export function joinS3Url(prefixUrl: string, name: string): string {
  return `${prefixUrl.replace(/\/+$/, '')}/${name.replace(/^\/+/, '')}`;
}
