import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { ConfigError, GeopartError } from '../errors.js';
import { JobConfig, stepFromJSON } from './job.js';
import type { JobJson, StepJson } from './job-schema.js';
import { isPlainObject } from './json.js';
import { resolveLocation } from './paths.js';

/** Line and column (1-based) of a character offset, for JSON syntax errors. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** True when `prefix` already holds a JSON syntax error, not merely an unfinished document. */
function wrongAlready(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (err) {
    const message = (err as Error).message;
    if (/end of JSON input/.test(message)) return false;
    const at = /at position (\d+)/.exec(message)?.[1];
    return at === undefined || Number(at) < prefix.length;
  }
}

/** Offset of the character where JSON.parse gave up. */
function errorOffset(text: string, message: string): number {
  const at = /at position (\d+)/.exec(message)?.[1];
  if (at !== undefined) return Number(at);
  if (/end of JSON input/.test(message)) return text.length;
  // Node 20's "Unexpected token" has no offset: find the shortest prefix that is already wrong.
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (wrongAlready(text.slice(0, mid))) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const { line, column } = lineColumn(text, errorOffset(text, message));
    throw new GeopartError(
      'INVALID_JOB_FILE',
      `${file}:${line}:${column}: not valid JSON: ${message}`,
      { file, line, column },
      { cause: err },
    );
  }
}

/** A job name from a file name: `counties.json` -> `counties`, `2024 roads.json` -> `job_2024_roads`. */
export function jobNameFromFile(file: string): string {
  const stem = basename(file, extname(file)).replace(/[^a-zA-Z0-9_.:-]/g, '_');
  return /^[a-zA-Z]/.test(stem) ? stem : `job_${stem}`;
}

/** Validates a file's JSON: a job, or a bare step (`type` and no `steps`) wrapped in a job. */
function validate(raw: unknown, file: string): JobConfig {
  if (isPlainObject(raw) && raw.type !== undefined && raw.steps === undefined) {
    return new JobConfig({ name: jobNameFromFile(file), steps: [stepFromJSON(raw)] });
  }
  return JobConfig.fromJSON(raw);
}

/** The tables a step writes (output, output_metadata), as written in the file, or none. */
function tablesOf(step: StepJson): string[] {
  const tables = step.output === null ? [] : [step.output];
  if (step.type !== 'udf' && step.output_metadata !== null) tables.push(step.output_metadata);
  return tables;
}

/**
 * True when `location` names, as written, a table an earlier step writes (`earlier`, resolved
 * against `dir`), or a file inside one (`out/t/_sample`).
 */
function namesEarlierTable(location: string, earlier: ReadonlySet<string>, dir: string): boolean {
  const path = resolveLocation(location, dir);
  for (const table of earlier) {
    if (path === table || path.startsWith(`${table.replace(/\/+$/, '')}/`)) return true;
  }
  return false;
}

function resolveStep(step: StepJson, dir: string, outputDir: string, earlier: ReadonlySet<string>): StepJson {
  const at = (p: string) => resolveLocation(p, dir);
  // The step's own tables may live elsewhere (outputDir); what it reads stays beside the file.
  const table = (p: string) => resolveLocation(p, outputDir);
  const output = step.output === null ? null : table(step.output);
  if (step.type === 'udf') {
    // chunks_of moves with the tables only when it reads one an earlier step writes.
    const chunksOf = (p: string) => (namesEarlierTable(p, earlier, dir) ? table(p) : at(p));
    const input =
      step.input !== null && !Array.isArray(step.input)
        ? { chunks_of: chunksOf(step.input.chunks_of) }
        : step.input;
    return {
      ...step,
      output,
      input,
      udf: step.udf === null ? null : { ...step.udf, module: at(step.udf.module) },
    };
  }
  return {
    ...step,
    output,
    input: typeof step.input === 'string' ? at(step.input) : step.input.map(at),
    output_metadata: step.output_metadata === null ? null : table(step.output_metadata),
    partitioning_schema_input:
      step.partitioning_schema_input === null ? null : at(step.partitioning_schema_input),
  };
}

/**
 * Resolves the relative local paths of a job (inputs, outputs, output_metadata,
 * partitioning_schema_input, udf.module, a UDF input's chunks_of) against `dir`, except that
 * with `outputDir` the tables the job writes (output, output_metadata) resolve against
 * `outputDir`, and so does a `chunks_of` that names, as written, the output or
 * output_metadata of an earlier step (or a file inside that output). Any other `chunks_of`
 * is an existing table, resolved against `dir` like an input. URLs (`s3://`, `https://`,
 * `file://`) and GDAL `/vsi...` paths are left as they are.
 */
export function resolveJobPaths(job: JobJson, dir: string, outputDir: string = dir): JobJson {
  const earlier = new Set<string>();
  const steps = job.steps.map((s) => {
    const resolved = resolveStep(s, dir, outputDir, earlier);
    for (const t of tablesOf(s)) earlier.add(resolveLocation(t, dir));
    return resolved;
  });
  return { ...job, steps };
}

/** Options of {@link loadJob}. */
export interface LoadJobOptions {
  /**
   * Folder against which the relative tables the job writes (output, output_metadata, and a
   * `chunks_of` reading an earlier step's output) are resolved, instead of the job file's
   * folder: runs the same job into another place. Inputs, UDF modules and a `chunks_of` naming
   * a table the job does not write stay resolved against the job file's folder.
   */
  readonly outputDir?: string;
}

/**
 * Reads a job file: JSON with snake_case names, as `JobConfig.toJSON()` writes it. The file
 * may also hold a single step (an object with `type` and no `steps`); it becomes a job named
 * after the file. Relative paths are resolved against the file's folder.
 *
 * Throws a GeopartError `INVALID_JOB_FILE` (with line and column) when the file cannot be read
 * or is not JSON, and a ConfigError naming the file and each bad field's JSON path otherwise.
 */
export async function loadJob(path: string, options: LoadJobOptions = {}): Promise<JobConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new GeopartError('INVALID_JOB_FILE', `cannot read job file ${path}: ${(err as Error).message}`, {
      file: path,
    });
  }
  // A BOM is invisible in editors but not valid JSON.
  const raw = parseJsonText(text.replace(/^\uFEFF/, ''), path);
  try {
    const job = validate(raw, path);
    const dir = dirname(resolve(path));
    const outputDir = options.outputDir === undefined ? dir : resolve(options.outputDir);
    return JobConfig.fromJSON(resolveJobPaths(job.toJSON(), dir, outputDir));
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.issues, `invalid job file ${path}`);
    throw err;
  }
}
