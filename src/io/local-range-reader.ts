/**
 * Range reads from a local file through one open file handle.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { GeopartError } from '../errors.js';
import { checkRange, type RangeReader } from './range.js';

/**
 * Opens the local file `path` (reported as `url`, default the path). Throws `INPUT_NOT_FOUND`
 * when it does not exist, `UNKNOWN_FORMAT` when it is a folder, naming the path.
 */
export async function openLocalRangeReader(path: string, url: string = path): Promise<RangeReader> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new GeopartError(
      'INPUT_NOT_FOUND',
      `${url}: cannot open (${(err as Error).message})`,
      { file: url },
      { cause: err },
    );
  }
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw new GeopartError('UNKNOWN_FORMAT', `${url} is not a file`, { file: url });
  }
  const size = st.size;
  let closed = false;
  return {
    url,
    size,
    async read(offset, length, signal) {
      signal?.throwIfAborted();
      if (closed) throw new GeopartError('INTERNAL', `${url}: read after close()`, { file: url });
      checkRange(url, size, offset, length);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, offset + done);
        if (bytesRead === 0) {
          throw new GeopartError('CORRUPT_INPUT', `${url}: file shrank while being read`, { file: url });
        }
        done += bytesRead;
      }
      return out;
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}
