/**
 * The one rule of what an output may replace (README.md, "The output table"). Every path that
 * writes an output folder or prefix (an ingest, a UDF step, a job's preflight, an `s3://`
 * publish) asks {@link outputState} what is there and {@link verdict} whether it may write:
 *
 * - nothing there: written;
 * - an output of geopart (a folder or prefix holding a commit marker, `_sample` or
 *   `_SUCCESS`), or an empty folder: replaced with `overwrite`, refused without;
 * - anything else (a folder of other files, a file, a symbolic link, a prefix with objects but
 *   no marker): refused whatever `overwrite` says, since geopart cannot tell it made it.
 */
import { lstat, readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { GeopartError } from '../errors.js';
import { isS3Url, listObjects } from '../io/s3.js';
import { COMMIT_MARKERS } from './markers.js';

/** What is at an output location. */
export type OutputState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'output'; readonly s3: boolean }
  | {
      readonly kind: 'foreign';
      readonly s3: boolean;
      /** What is there, after the location: `is a file`, `holds 2 object(s) but no _sample (...)`. */
      readonly what: string;
    };

/** Whether a location may be written: at once, only with `overwrite`, or never. */
export type Verdict = 'write' | 'needs-overwrite' | 'never';

/** Entries named in a refusal; the rest are counted. */
const SHOWN = 3;

function sample(names: readonly string[]): string {
  const shown = names.slice(0, SHOWN).map((n) => JSON.stringify(n));
  return names.length > SHOWN ? `${shown.join(', ')}, ...` : shown.join(', ');
}

function markerText(markers: readonly string[]): string {
  return markers.join(' or ');
}

/** The markers that make a location an output of geopart: `marker` and every kind geopart writes. */
function markersWith(marker: string | undefined): string[] {
  return [...new Set([...(marker === undefined ? [] : [marker]), ...COMMIT_MARKERS])];
}

/** What is at the local path `path` (symbolic links are not followed). */
export async function localOutputState(path: string, marker?: string): Promise<OutputState> {
  const info = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw err;
  });
  if (info === null) return { kind: 'absent' };
  if (info.isSymbolicLink()) {
    return { kind: 'foreign', s3: false, what: 'is a symbolic link (geopart replaces no link)' };
  }
  if (!info.isDirectory()) return { kind: 'foreign', s3: false, what: 'is a file, not a folder' };
  const names = (await readdir(path)).sort();
  if (names.length === 0) return { kind: 'empty' };
  const markers = markersWith(marker);
  if (names.some((n) => markers.includes(n))) return { kind: 'output', s3: false };
  return {
    kind: 'foreign',
    s3: false,
    what:
      `is a folder of ${names.length} entr${names.length === 1 ? 'y' : 'ies'} (${sample(names)}) ` +
      `without a ${markerText(COMMIT_MARKERS)} marker, so not an output of geopart`,
  };
}

/** What is under the `s3://` prefix `url`: S3 has no empty folders, so no objects is `absent`. */
export async function s3OutputState(
  url: string,
  marker?: string,
  signal?: AbortSignal,
): Promise<OutputState> {
  const folder = `${url.replace(/\/+$/, '')}/`;
  const objects = await listObjects(folder, { signal });
  if (objects.length === 0) return { kind: 'absent' };
  const names = objects.map((o) => o.url.slice(folder.length)).sort();
  const markers = markersWith(marker);
  if (names.some((n) => markers.includes(n))) return { kind: 'output', s3: true };
  return {
    kind: 'foreign',
    s3: true,
    what:
      `holds ${names.length} object(s) but no ${markerText(markersWith(marker))} ` +
      `(an interrupted upload, or objects geopart did not write: ${sample(names)})`,
  };
}

/** What is at `output`, a local path or an `s3://` prefix. */
export function outputState(output: string, marker?: string, signal?: AbortSignal): Promise<OutputState> {
  return isS3Url(output) ? s3OutputState(output, marker, signal) : localOutputState(resolve(output), marker);
}

/** The rule itself (see the module comment). */
export function verdict(state: OutputState, overwrite: boolean): Verdict {
  if (state.kind === 'absent') return 'write';
  if (state.kind === 'foreign') return 'never';
  return overwrite ? 'write' : 'needs-overwrite';
}

/** What to do about a location that is never replaced, after the reason. */
export function neverReplacedAdvice(state: OutputState & { kind: 'foreign' }): string {
  const away = state.s3 ? 'delete those objects first' : 'move those files away first';
  return (
    `geopart replaces only its own outputs (a folder or prefix with ${markerText(COMMIT_MARKERS)}) ` +
    `or an empty folder, even with overwrite; choose another output, or ${away}`
  );
}

/**
 * Throws the GeopartError `OUTPUT_EXISTS` for writing `output` (the option `option`) in `state`
 * unless the rule lets it (see {@link verdict}); the message names the location and, for one that
 * is never replaced, a few of its entries.
 */
export function checkReplaceable(
  output: string,
  state: OutputState,
  overwrite: boolean,
  option = 'output',
): void {
  const v = verdict(state, overwrite);
  if (v === 'write') return;
  const context = { file: output, option, replaceable: v === 'needs-overwrite' };
  if (state.kind === 'foreign') {
    // `-o .` names the folder by its full path too.
    const at = state.s3 || resolve(output) === output ? output : `${output} (${resolve(output)})`;
    throw new GeopartError(
      'OUTPUT_EXISTS',
      `${option} ${at} ${state.what}; ${neverReplacedAdvice(state)}`,
      context,
    );
  }
  const what = state.kind === 'output' && state.s3 ? 'already holds an output' : 'already exists';
  throw new GeopartError(
    'OUTPUT_EXISTS',
    `${option} ${output} ${what}; pass overwrite (--overwrite) to replace it, or choose another output`,
    context,
  );
}

/** {@link outputState} then {@link checkReplaceable}: call it before any work, and again at commit. */
export async function checkOutput(
  output: string,
  overwrite: boolean,
  marker?: string,
  signal?: AbortSignal,
): Promise<void> {
  checkReplaceable(output, await outputState(output, marker, signal), overwrite);
}
