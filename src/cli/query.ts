/**
 * `geopart query OUT --bbox W,S,E,N`: the rows of a table that intersect a box, as GeoJSON
 * lines, CSV or GeoParquet.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Schema, type Table } from 'apache-arrow';
import { makeBatch } from '../arrow/batch.js';
import { GeopartError } from '../errors.js';
import { openTable } from '../read/open-table.js';
import type { BBox } from '../read/types.js';
import { writeGeoParquetFile } from '../write/geoparquet-writer.js';
import { csvLines, geoJsonLines } from './query-formats.js';
import { QUERY_USAGE } from './usage.js';

const FORMATS = ['geojsonl', 'csv', 'parquet'] as const;
const GEOMETRY = 'geometry';
const BBOX = 'bbox';

/** Parses `W,S,E,N` (degrees); throws `INVALID_ARGUMENT` showing the expected form. */
export function parseBBoxFlag(value: string | undefined): BBox {
  const form =
    'expected --bbox W,S,E,N: four numbers in degrees with W <= E and S <= N, e.g. --bbox 5.9,45.8,10.5,47.8';
  if (value === undefined)
    throw new GeopartError('INVALID_ARGUMENT', `query needs a box: ${form}`, { option: '--bbox' });
  const parts = value.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (
    parts.length !== 4 ||
    parts.some((p) => p === '') ||
    !nums.every(Number.isFinite) ||
    nums[0]! > nums[2]! ||
    nums[1]! > nums[3]!
  ) {
    throw new GeopartError('INVALID_ARGUMENT', `--bbox ${JSON.stringify(value)}: ${form}`, {
      option: '--bbox',
    });
  }
  return [nums[0]!, nums[1]!, nums[2]!, nums[3]!];
}

/** `--bbox -10,35,30,60` as `--bbox=-10,...`: a west edge below zero is not a flag. */
function joinNegativeBox(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i] === '--bbox' && next !== undefined && /^-\d|^-\./.test(next)) {
      out.push(`--bbox=${next}`);
      i++;
    } else out.push(argv[i]!);
  }
  return out;
}

/** `geopart query`: returns the exit code. */
export async function runQueryCommand(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinNegativeBox(argv),
    allowPositionals: true,
    options: {
      bbox: { type: 'string' },
      columns: { type: 'string' },
      format: { type: 'string', default: 'geojsonl' },
      output: { type: 'string', short: 'o' },
      exact: { type: 'boolean', default: false },
      overwrite: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(QUERY_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new GeopartError('INVALID_ARGUMENT', `query needs exactly one table OUT\n\n${QUERY_USAGE}`);
  }
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `--format ${JSON.stringify(values.format)}: expected one of ${FORMATS.join(', ')}`,
      {
        option: '--format',
      },
    );
  }
  const bbox = parseBBoxFlag(values.bbox);
  if (format === 'parquet' && values.output === undefined) {
    throw new GeopartError('INVALID_ARGUMENT', '--format parquet needs an output file: -o FILE', {
      option: '--output',
    });
  }
  const columns = values.columns?.split(',').map((s) => s.trim());
  if (values.output !== undefined && !values.overwrite && (await stat(values.output).catch(() => null))) {
    throw new GeopartError(
      'OUTPUT_EXISTS',
      `${values.output} already exists; pass --overwrite to replace it`,
      {
        file: values.output,
        option: '--output',
      },
    );
  }

  const table = await openTable(positionals[0]!);
  let rows: Table;
  try {
    rows = await table.read({ bbox, exact: values.exact, ...(columns ? { columns } : {}) });
  } finally {
    await table.close();
  }
  // The covering column is derived from the geometry: text formats show it only when asked for.
  const skip = columns?.includes(BBOX) ? [] : [BBOX];
  if (format === 'parquet') {
    await writeParquet(values.output!, rows);
    return 0;
  }
  const lines = format === 'csv' ? csvLines(rows, GEOMETRY, skip) : geoJsonLines(rows, GEOMETRY, skip);
  if (values.output === undefined) {
    for (const line of lines) out(line);
    return 0;
  }
  await atomically(values.output, async (tmp) => {
    const stream = createWriteStream(tmp);
    for (const line of lines) {
      if (!stream.write(`${line}\n`)) await new Promise<void>((r) => stream.once('drain', () => r()));
    }
    await new Promise<void>((resolve, reject) =>
      stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  });
  return 0;
}

/** Writes `path` through a temporary file beside it and a rename: never seen half-written. */
async function atomically(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.geopart-tmp-${process.pid}`);
  try {
    await write(tmp);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** GeoParquet through the table writer, which wants the geometry last and adds `bbox` itself. */
async function writeParquet(path: string, rows: Table): Promise<void> {
  const fields = rows.schema.fields.filter((f) => f.name !== BBOX && f.name !== GEOMETRY);
  const geom = rows.schema.fields.find((f) => f.name === GEOMETRY);
  if (geom === undefined) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `--format parquet needs the '${GEOMETRY}' column; add it to --columns`,
      {
        option: '--columns',
      },
    );
  }
  const order = [...fields, geom];
  const schema = new Schema(order);
  const index = order.map((f) => rows.schema.fields.indexOf(f));
  const batches = rows.batches.map((b) =>
    makeBatch(
      order,
      index.map((i) => b.data.children[i]!),
      undefined,
      b.numRows,
    ),
  );
  await atomically(path, async (tmp) => {
    await writeGeoParquetFile(tmp, {
      batches,
      schema,
      rowGroupSizes: rows.numRows > 0 ? [rows.numRows] : [],
    });
  });
}
