/**
 * The paths of a step checked against its output before any work (README.md, "The output
 * table"): nothing the step reads may lie inside the output it replaces (an input, the
 * partitioning schema input, a UDF module, a `chunks_of` table), and `output_metadata` obeys
 * the rules of an output: an existing file is replaced only with `overwrite`, a folder or a
 * link never, and it may not lie inside the output table (which is replaced as a whole).
 */
import { realpathSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDynamicPattern } from 'tinyglobby';
import { GeospatialPartitionJobStepConfig } from '../config/geospatial-step.js';
import { isUrl } from '../config/paths.js';
import type { UdfJobStepConfig } from '../config/udf-step.js';
import { GeopartError } from '../errors.js';
import { headObject, isS3Url } from '../io/s3.js';

/** A step these checks apply to. */
export type CheckedStep = GeospatialPartitionJobStepConfig | UdfJobStepConfig;

/** One path of a step in conflict with its output: the field (seed name) and why. */
export interface PathConflict {
  readonly field: string;
  readonly path: string;
  readonly code: 'INVALID_CONFIG' | 'OUTPUT_EXISTS';
  readonly reason: string;
}

/** `path` with symbolic links of its longest existing ancestor resolved. */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(real(parent), basename(path));
  }
}

/** A location in comparable form: a resolved local path, or an `s3://` URL; null for other URLs. */
function place(location: string): string | null {
  if (location.startsWith('file://')) return resolve(fileURLToPath(location));
  if (isS3Url(location)) return location.replace(/\/+$/, '');
  return isUrl(location) ? null : resolve(location);
}

/** The part of a glob before its first dynamic segment (`data/*.fgb` -> `data`). */
function staticPart(pattern: string): string {
  if (!isDynamicPattern(pattern)) return pattern;
  const parts = pattern.split('/');
  const end = parts.findIndex((p) => isDynamicPattern(p));
  return parts.slice(0, end).join('/') || '.';
}

/** True when `path` is `output` or lies under it (also after resolving symbolic links). */
export function liesInside(path: string, output: string): boolean {
  const p = place(path);
  const o = place(output);
  if (p === null || o === null || isS3Url(p) !== isS3Url(o)) return false;
  const under = (a: string, b: string) => a === b || a.startsWith(b.endsWith('/') ? b : `${b}/`);
  return under(p, o) || (!isS3Url(p) && under(real(p), real(o)));
}

/** What a step reads, as `[field, path]`. */
function readPaths(step: CheckedStep): [string, string][] {
  if (step instanceof GeospatialPartitionJobStepConfig) {
    const inputs = typeof step.input === 'string' ? [step.input] : step.input;
    const out: [string, string][] = inputs.map((p, k) => [
      typeof step.input === 'string' ? 'input' : `input[${k}]`,
      staticPart(p),
    ]);
    if (step.partitioningSchemaInput !== null) {
      out.push(['partitioning_schema_input', step.partitioningSchemaInput]);
    }
    return out;
  }
  const out: [string, string][] = [];
  if (step.udf !== null) out.push(['udf.module', step.udf.module]);
  if (step.input !== null && 'chunksOf' in step.input) out.push(['input.chunks_of', step.input.chunksOf]);
  return out;
}

async function metadataConflicts(step: GeospatialPartitionJobStepConfig): Promise<PathConflict[]> {
  const meta = step.outputMetadata;
  if (meta === null) return [];
  const field = 'output_metadata';
  const conflict = (code: PathConflict['code'], reason: string): PathConflict[] => [
    { field, path: meta, code, reason },
  ];
  if (step.output !== null && liesInside(meta, step.output)) {
    return conflict(
      'INVALID_CONFIG',
      `lies inside the output ${step.output}, which is replaced as a whole; write it beside the table`,
    );
  }
  const read = readPaths(step).find(([, p]) => liesInside(meta, p) && liesInside(p, meta));
  if (read) return conflict('INVALID_CONFIG', `is also the step's ${read[0]}; choose another file`);
  const again = 'pass overwrite (--overwrite) to replace it, or choose another file';
  if (isS3Url(meta)) {
    if (!step.overwrite && (await headObject(meta)) !== null) {
      return conflict('OUTPUT_EXISTS', `already exists; ${again}`);
    }
    return [];
  }
  if (isUrl(meta)) return [];
  const info = await lstat(resolve(meta)).catch(() => null);
  if (info === null) return [];
  if (info.isSymbolicLink()) {
    return conflict('OUTPUT_EXISTS', 'is a symbolic link (geopart replaces no link); choose another file');
  }
  if (info.isDirectory()) {
    return conflict('OUTPUT_EXISTS', 'is a folder; output_metadata is the path of a file to write');
  }
  return step.overwrite ? [] : conflict('OUTPUT_EXISTS', `already exists; ${again}`);
}

/**
 * The paths of `step` in conflict with its output (see the module comment); empty when there is
 * none or the step has no output. Throws the storage errors of an `s3://` `output_metadata`'s
 * HEAD request.
 */
export async function stepPathConflicts(step: CheckedStep): Promise<PathConflict[]> {
  const output = step.output;
  const found: PathConflict[] = [];
  if (output !== null) {
    for (const [field, path] of readPaths(step)) {
      if (!liesInside(path, output)) continue;
      found.push({
        field,
        path,
        code: 'INVALID_CONFIG',
        reason: `lies inside the output ${output}, which the step replaces; write the output elsewhere`,
      });
    }
  }
  if (step instanceof GeospatialPartitionJobStepConfig) found.push(...(await metadataConflicts(step)));
  return found;
}

/** Throws the first of {@link stepPathConflicts} as a GeopartError naming the field and path. */
export async function checkStepPaths(step: CheckedStep): Promise<void> {
  const [first] = await stepPathConflicts(step);
  if (first === undefined) return;
  throw new GeopartError(first.code, `${first.field} ${first.path} ${first.reason}`, {
    file: first.path,
    option: first.field,
  });
}
