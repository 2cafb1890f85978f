/**
 * Range reads over http(s) with `fetch` and `Range: bytes=a-b`. The size comes from a HEAD
 * request (or, when HEAD gives none or is refused, from the `Content-Range` of a one-byte GET).
 */
import { GeopartError } from '../errors.js';
import { checkRange, type RangeReader } from './range.js';

/** True for an `http://` or `https://` URL. */
export function isHttpUrl(path: string): boolean {
  return /^https?:\/\//i.test(path);
}

async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw new GeopartError('INPUT_NOT_FOUND', `${url}: request failed (${(err as Error).message})`, {
      file: url,
    });
  }
}

function notFound(url: string, res: Response): GeopartError {
  return new GeopartError('INPUT_NOT_FOUND', `${url}: HTTP ${res.status} ${res.statusText}`, {
    file: url,
    status: res.status,
  });
}

async function sizeOf(url: string, signal?: AbortSignal): Promise<number> {
  const head = await request(url, { method: 'HEAD', signal });
  const length = head.headers.get('content-length');
  if (head.ok && length !== null && /^\d+$/.test(length)) return Number(length);
  // No size from HEAD, or HEAD refused (presigned GET URLs answer it 403): ask a GET instead.
  const res = await request(url, { headers: { Range: 'bytes=0-0' }, signal });
  await res.arrayBuffer();
  if (!res.ok) throw notFound(url, res);
  const total = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1];
  if (res.status !== 206 || total === undefined) {
    throw new GeopartError('UNSUPPORTED', `${url}: the server gives no size and no byte ranges`, {
      file: url,
    });
  }
  return Number(total);
}

/**
 * Opens `url` for range reads. Throws `INPUT_NOT_FOUND` (unreachable, 4xx/5xx) and
 * `UNSUPPORTED` (a server that ignores `Range`), naming the URL.
 */
export async function openHttpRangeReader(url: string, signal?: AbortSignal): Promise<RangeReader> {
  const size = await sizeOf(url, signal);
  return {
    url,
    size,
    async read(offset, length, readSignal) {
      checkRange(url, size, offset, length);
      if (length === 0) return new Uint8Array(0);
      const res = await request(url, {
        headers: { Range: `bytes=${offset}-${offset + length - 1}` },
        signal: readSignal ?? signal,
      });
      if (!res.ok) throw notFound(url, res);
      if (res.status !== 206 && !(offset === 0 && length === size)) {
        // A 200 would stream the whole file: refuse rather than download it.
        await res.body?.cancel();
        throw new GeopartError(
          'UNSUPPORTED',
          `${url}: the server ignores Range requests (HTTP ${res.status})`,
          {
            file: url,
          },
        );
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.byteLength !== length) {
        throw new GeopartError(
          'CORRUPT_INPUT',
          `${url}: asked for ${length} bytes at ${offset}, got ${bytes.byteLength}`,
          {
            file: url,
          },
        );
      }
      return bytes;
    },
    async close() {},
  };
}
