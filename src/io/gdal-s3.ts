/**
 * `s3://` inputs read by GDAL go through its `/vsis3/` file system. GDAL takes its S3 settings
 * from configuration options, which it also looks up as environment variables; neither
 * gdal-async's nor the native addon's API sets them, so the settings are put in this process's
 * environment, derived from the same variables the S3 client reads (see `s3.ts`):
 *
 * - `AWS_S3_ENDPOINT`: `host:port` of `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`;
 * - `AWS_HTTPS=NO` when that endpoint is `http://`;
 * - `AWS_VIRTUAL_HOSTING=FALSE` with an endpoint (path-style, as the S3 client uses);
 * - `AWS_REGION` from `AWS_DEFAULT_REGION` when only that is set.
 *
 * A variable the user set is never changed. GDAL reads in this process's main thread, where
 * `process.env` is the real environment (a worker thread's is a copy GDAL does not see).
 */
import { parseS3Url } from './s3-url.js';

const MANAGED = ['AWS_S3_ENDPOINT', 'AWS_HTTPS', 'AWS_VIRTUAL_HOSTING', 'AWS_REGION'] as const;
/** Values this module set, so it can update them (and only them) when the endpoint changes. */
const ours = new Map<string, string>();

/** The GDAL settings for the current S3 environment; unset keys are absent. */
export function gdalS3Config(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  if (endpoint) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      return out;
    }
    out.AWS_S3_ENDPOINT = url.host + url.pathname.replace(/\/+$/, '');
    out.AWS_HTTPS = url.protocol === 'http:' ? 'NO' : 'YES';
    out.AWS_VIRTUAL_HOSTING = 'FALSE';
  }
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (region) out.AWS_REGION = region;
  return out;
}

/** Puts {@link gdalS3Config} into `process.env`, leaving variables the user set alone. */
export function applyGdalS3Config(): void {
  const want = gdalS3Config();
  for (const key of MANAGED) {
    const current = process.env[key];
    const mine = current !== undefined && ours.get(key) === current;
    if (current !== undefined && !mine) continue;
    const value = want[key];
    if (value === undefined) {
      if (mine) delete process.env[key];
      ours.delete(key);
    } else {
      process.env[key] = value;
      ours.set(key, value);
    }
  }
}

/**
 * The path GDAL opens for `input`: `s3://bucket/key` becomes `/vsis3/bucket/key` (with the S3
 * settings applied), `http(s)://...` becomes `/vsicurl/http(s)://...` (read by byte ranges;
 * without the prefix some drivers download the whole file on every open); anything else is
 * returned as it is.
 *
 * @throws GeopartError `INVALID_CONFIG` for a malformed `s3://` URL.
 */
export function gdalPath(input: string): string {
  if (/^https?:\/\//i.test(input)) return `/vsicurl/${input}`;
  if (!/^s3:\/\//i.test(input)) return input;
  const { bucket, key } = parseS3Url(input);
  applyGdalS3Config();
  return `/vsis3/${bucket}/${key}`;
}
