/**
 * One file written atomically: into a hidden temporary file beside it, renamed into place when
 * complete, so a reader never sees it half-written and a failed write leaves the old file.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Calls `write` with a temporary path beside `path` (same folder, so the rename is atomic),
 * then renames it to `path`. On failure the temporary file is removed and the error rethrown.
 */
export async function writeFileAtomically(
  path: string,
  write: (tmp: string) => Promise<void>,
): Promise<void> {
  const tmp = join(
    dirname(path),
    `.${basename(path)}.geopart-tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  try {
    await write(tmp);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
