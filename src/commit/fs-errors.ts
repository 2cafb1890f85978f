/**
 * File-system failures of an output, said the way a user can act on them: "cannot create OUT:
 * read-only file system", "OUT's parent ... is a file", "disk full in FOLDER". Everything else
 * is passed through unchanged.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { GeopartError } from '../errors.js';

/** The errno code (`ENOSPC`...) of a Node system error, or of one rebuilt from a worker's wire form. */
export function errnoOf(err: unknown): string | null {
  if (err instanceof GeopartError) return typeof err.context.errno === 'string' ? err.context.errno : null;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return err instanceof Error && typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : null;
}

/**
 * DISK_FULL when `err` is ENOSPC or EDQUOT, naming the folder `output` is written in; else
 * `err` itself. For failures while the output is being written.
 */
export function diskFullError(err: unknown, output: string): unknown {
  const errno = errnoOf(err);
  if (errno !== 'ENOSPC' && errno !== 'EDQUOT') return err;
  const folder = dirname(resolve(output));
  const what = errno === 'ENOSPC' ? 'the disk is full' : 'the disk quota is used up';
  return new GeopartError(
    'DISK_FULL',
    `cannot write ${output}: ${what} (no space left in ${folder}); nothing was committed. ` +
      'Free some space there, or choose an output on another disk.',
    { file: output, folder, errno },
    { cause: err },
  );
}

/**
 * A coded error for a failure to create `output` (its parent folders or the staging folder
 * beside it): OUTPUT_NOT_WRITABLE naming the path and the reason, or DISK_FULL; else `err`.
 */
export async function createOutputError(err: unknown, output: string): Promise<unknown> {
  const errno = errnoOf(err);
  if (errno === null || err instanceof GeopartError) return err;
  const full = diskFullError(err, output);
  if (full !== err) return full;
  const folder = dirname(resolve(output));
  let reason: string;
  switch (errno) {
    case 'EROFS':
      reason = `read-only file system (${folder}); choose an output on a writable disk`;
      break;
    case 'EACCES':
    case 'EPERM':
      reason = `permission denied in ${folder}; choose a folder you can write to`;
      break;
    case 'ENOTDIR':
    case 'EEXIST': {
      const file = await fileAncestor(folder);
      if (file === null) return err;
      reason = `its parent ${file} is a file, not a folder; choose another output`;
      break;
    }
    case 'ENOENT':
      reason = `${folder} does not accept new files (a virtual file system such as /proc or /sys?); choose another output`;
      break;
    default:
      return err;
  }
  return new GeopartError('OUTPUT_NOT_WRITABLE', `cannot create ${output}: ${reason}`, {
    file: output,
    option: 'output',
    errno,
  });
}

/** The nearest existing ancestor of `folder` (itself included) when it is not a folder. */
async function fileAncestor(folder: string): Promise<string | null> {
  for (let p = folder; ; p = dirname(p)) {
    const info = await stat(p).catch(() => null);
    if (info !== null) return info.isDirectory() ? null : p;
    if (dirname(p) === p) return null;
  }
}

/**
 * `mkdir -p folder`, one level at a time: Node's recursive mkdir never returns on a path
 * under /proc, where every new entry fails with ENOENT.
 */
export async function makeFolders(folder: string): Promise<void> {
  const missing: string[] = [];
  let p = resolve(folder);
  while ((await stat(p).catch(() => null)) === null && dirname(p) !== p) {
    missing.push(p);
    p = dirname(p);
  }
  for (const dir of missing.reverse()) {
    await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
}
