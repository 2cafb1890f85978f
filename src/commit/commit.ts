/**
 * Atomic commit of an output table (a folder). Everything is written into a hidden staging
 * folder beside the output; the output appears only by renames once every file is complete.
 * With `overwrite`, the old table stays in place, whole and readable, until the new one is
 * complete: it is then renamed aside, the new one renamed in, and the old one deleted.
 *
 * A run killed at any point leaves at most a hidden `.NAME.geopart-*` folder beside the
 * output, never a partial table in it; the next run on the same output removes such folders
 * (and puts an old table back should a run have died between the two renames).
 *
 * An `s3://` output is staged in a folder under the system's temporary folder (`TMPDIR`) and
 * published by {@link publishToS3}: its commit marker (`_sample` for a table, `_SUCCESS` for the
 * results of a UDF step) is uploaded last.
 */
import { chmod, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { GeopartError } from '../errors.js';
import { isS3Url } from '../io/s3-url.js';
import { createOutputError, makeFolders } from './fs-errors.js';
import { TABLE_MARKER } from './markers.js';
import { checkReplaceable, localOutputState } from './replace-rule.js';
import { checkS3Output, publishToS3 } from './s3-publish.js';

const TMP = 'geopart-tmp';
const OLD = 'geopart-old';
const S3_STAGING = 'geopart-s3-staging';

export { SUCCESS_MARKER, TABLE_MARKER } from './markers.js';

/** How {@link finishCommit} publishes; used by `s3://` outputs only. */
export interface FinishOptions {
  readonly signal?: AbortSignal;
  /**
   * Files of an `s3://` output that are already in S3: name (relative to the output) -> the
   * object to copy there, inside S3, instead of a file in the staging folder.
   */
  readonly copies?: Readonly<Record<string, string>>;
  /** Called after each object of an `s3://` output is uploaded, the marker last. */
  readonly onUpload?: (url: string) => void | Promise<void>;
}

/** A table being written: files go into `dir`, which becomes `output` on {@link finishCommit}. */
export interface Staging {
  readonly output: string;
  readonly dir: string;
  readonly overwrite: boolean;
  /** The file (relative to `dir`) that an `s3://` output uploads last. */
  readonly marker: string;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes staging folders of dead runs, and restores an old table a dead run had set aside. */
async function cleanStale(output: string): Promise<void> {
  const parent = dirname(output);
  const name = basename(output);
  const entries = await readdir(parent).catch(() => [] as string[]);
  for (const entry of entries) {
    const m = new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(${TMP}|${OLD})-(\\d+)-`).exec(
      entry,
    );
    if (!m || pidAlive(Number(m[2]))) continue;
    const path = join(parent, entry);
    if (m[1] === OLD && !(await exists(output))) await rename(path, output);
    else await rm(path, { recursive: true, force: true });
  }
}

/**
 * Starts writing table `output`: refuses what the rule of replace-rule.ts refuses (an existing
 * output without `overwrite`; anything geopart did not write, whatever `overwrite`), and creates
 * the staging folder beside it (same file system, so the final renames are atomic). The
 * writer must put `marker` in the staging folder before {@link finishCommit}.
 */
export async function beginCommit(
  output: string,
  overwrite: boolean,
  marker: string = TABLE_MARKER,
): Promise<Staging> {
  if (isS3Url(output)) return beginS3Commit(output, overwrite, marker);
  const out = resolve(output);
  await makeFolders(dirname(out)).catch(failedToCreate(output));
  await cleanStale(out);
  checkReplaceable(output, await localOutputState(out, marker), overwrite);
  const dir = await mkdtemp(join(dirname(out), `.${basename(out)}.${TMP}-${process.pid}-`)).catch(
    failedToCreate(output),
  );
  // mkdtemp makes the folder private (0700); the table gets a plain folder's mode.
  await chmod(dir, 0o777 & ~process.umask());
  return { output: out, dir, overwrite, marker };
}

/** A rejection handler that rethrows a failure to create `output` as a coded error. */
function failedToCreate(output: string): (err: unknown) => Promise<never> {
  return async (err) => {
    throw await createOutputError(err, output);
  };
}

/** Publishes the staged table at its output (see the module comment). */
export async function finishCommit(staging: Staging, options: FinishOptions = {}): Promise<void> {
  const { output, dir } = staging;
  if (isS3Url(output)) {
    await publishToS3(dir, output, { ...options, marker: staging.marker, overwrite: staging.overwrite });
    await rm(dir, { recursive: true, force: true });
    return;
  }
  // The rule again: something may have appeared at the output while the table was written.
  const state = await localOutputState(output, staging.marker);
  try {
    checkReplaceable(output, state, staging.overwrite);
  } catch (err) {
    if (!(err instanceof GeopartError)) throw err;
    throw new GeopartError(
      err.code,
      `${err.message} (found when committing; it was left as it is)`,
      err.context,
    );
  }
  if (state.kind === 'absent') {
    await rename(dir, output);
    return;
  }
  const old = await mkdtemp(join(dirname(output), `.${basename(output)}.${OLD}-${process.pid}-`));
  await rm(old, { recursive: true });
  await rename(output, old);
  try {
    await rename(dir, output);
  } catch (err) {
    await rename(old, output);
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}

/** Drops a staged table after a failure. */
export async function abortCommit(staging: Staging): Promise<void> {
  await rm(staging.dir, { recursive: true, force: true });
}

/**
 * Starts an `s3://` output: refuses an existing output unless `overwrite` before any work is
 * done, and stages in a fresh temporary folder (after removing those of dead runs).
 */
async function beginS3Commit(output: string, overwrite: boolean, marker: string): Promise<Staging> {
  await checkS3Output(output, marker, overwrite);
  const root = tmpdir();
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries) {
    const m = new RegExp(`^${S3_STAGING}-(\\d+)-`).exec(entry);
    if (m && !pidAlive(Number(m[1]))) await rm(join(root, entry), { recursive: true, force: true });
  }
  const dir = await mkdtemp(join(root, `${S3_STAGING}-${process.pid}-`));
  return { output, dir, overwrite, marker };
}
