/**
 * S3 failures as GeopartErrors: a missing object or bucket is `INPUT_NOT_FOUND`, an aborted
 * request `ABORTED`, anything else (no credentials, access denied, unreachable endpoint)
 * `STORAGE_ERROR`. The SDK's errors are read by name and HTTP status only.
 */
import { GeopartError } from '../errors.js';
import { parseS3Url } from './s3-url.js';

interface SdkError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Turns an S3 SDK failure during `action` ("reading", "writing", ...) on `url` into a
 * GeopartError that names the URL and what to do; `endpoint` is named when S3 cannot be reached.
 */
export function s3Error(
  err: unknown,
  url: string,
  action: string,
  endpoint: string | null,
  signal?: AbortSignal,
): GeopartError {
  if (err instanceof GeopartError) return err;
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? e.Code ?? '';
  const status = e.$metadata?.httpStatusCode;
  const ctx = { url };
  const cause = { cause: err };
  if (signal?.aborted || name === 'AbortError') {
    return new GeopartError('ABORTED', `${action} ${url}: aborted`, ctx, cause);
  }
  if (name === 'NoSuchBucket') {
    const { bucket } = parseS3Url(url);
    return new GeopartError(
      'INPUT_NOT_FOUND',
      `${action} ${url}: bucket ${bucket} does not exist; check the URL`,
      { url, bucket },
      cause,
    );
  }
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new GeopartError('INPUT_NOT_FOUND', `${action} ${url}: no such object; check the URL`, ctx, cause);
  }
  if (name === 'CredentialsProviderError') {
    return new GeopartError(
      'STORAGE_ERROR',
      `${action} ${url}: no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE`,
      ctx,
      cause,
    );
  }
  if (name === 'AccessDenied' || name === 'Forbidden' || status === 403) {
    return new GeopartError(
      'STORAGE_ERROR',
      `${action} ${url}: access denied; check the AWS credentials and the bucket's permissions`,
      ctx,
      cause,
    );
  }
  const where = endpoint ?? 'AWS S3';
  const detail = e.message || name || String(err);
  return new GeopartError('STORAGE_ERROR', `${action} ${url} (${where}): ${detail}`, ctx, cause);
}
