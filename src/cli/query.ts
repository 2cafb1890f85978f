/**
 * `geopart query OUT --bbox W,S,E,N`: the rows of a table that intersect a box, as GeoJSON
 * lines, CSV or GeoParquet. The primary geometry column, whatever its name and encoding, is
 * output as WKB; GeoParquet output names it `geometry`, as the table writer does.
 */
import { open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Binary, Field, Schema, Table } from 'apache-arrow';
import { makeBatch } from '../arrow/batch.js';
import { binaryDataFromWkb } from '../arrow/binary.js';
import { writeFileAtomically } from '../commit/atomic-file.js';
import { GeopartError } from '../errors.js';
import { BBOX_COLUMN as BBOX, GEOMETRY_COLUMN as GEOMETRY } from '../format/columns.js';
import { GEOARROW_ENCODINGS, type GeoArrowEncoding, geoarrowToWkb } from '../geometry/geoarrow-to-wkb.js';
import { openTable } from '../read/open-table.js';
import type { BBox } from '../read/types.js';
import { writeGeoParquetFile } from '../write/geoparquet-writer.js';
import { csvLines, geoJsonLines } from './query-formats.js';
import { QUERY_USAGE } from './usage.js';

const FORMATS = ['geojsonl', 'csv', 'parquet'] as const;
/** The geometry column's name in GeoParquet output (the table writer's fixed name). */
const NATIVE: readonly string[] = GEOARROW_ENCODINGS;
/** Text output is written to the file in pieces of about this size (UTF-16 code units). */
const WRITE_CHARS = 1 << 20;

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
  if (values.output !== undefined) await checkOutputTarget(values.output, values.overwrite);

  const table = await openTable(positionals[0]!);
  let rows: Table;
  const geometry = table.geometryColumn;
  try {
    const read = await table.read({ bbox, exact: values.exact, columns });
    rows = withWkbGeometry(read, geometry, table.geometryEncoding);
  } finally {
    await table.close();
  }
  // The covering column is derived from the geometry: text formats show it only when asked for.
  const skip = columns?.includes(BBOX) ? [] : [BBOX];
  if (format === 'parquet') {
    await writeParquet(values.output!, rows, geometry);
    return 0;
  }
  const lines = format === 'csv' ? csvLines(rows, geometry, skip) : geoJsonLines(rows, geometry, skip);
  if (values.output === undefined) {
    for (const line of lines) out(line);
    return 0;
  }
  await atomically(values.output, async (tmp) => {
    const file = await open(tmp, 'w');
    try {
      let text = '';
      for (const line of lines) {
        text += `${line}\n`;
        if (text.length >= WRITE_CHARS) {
          await file.writeFile(text);
          text = '';
        }
      }
      await file.writeFile(text);
    } finally {
      await file.close();
    }
  });
  return 0;
}

/**
 * Refuses, before any reading, an output path that cannot be written: a folder, a file that
 * exists (unless `overwrite`), or a path whose folder does not exist.
 */
async function checkOutputTarget(path: string, overwrite: boolean): Promise<void> {
  const context = { file: path, option: '--output' };
  const target = await stat(path).catch(() => null);
  if (target?.isDirectory()) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `-o ${path} is a folder: name a file, e.g. -o ${join(path, 'rows.geojsonl')}`,
      context,
    );
  }
  if (target && !overwrite) {
    throw new GeopartError(
      'OUTPUT_EXISTS',
      `${path} already exists; pass --overwrite to replace it`,
      context,
    );
  }
  const folder = dirname(path);
  if (!(await stat(folder).catch(() => null))?.isDirectory()) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `cannot write ${path}: the folder ${folder} does not exist; create it first or choose another -o path`,
      context,
    );
  }
}

/**
 * `rows` with the geometry column `column` as WKB: a GeoArrow native column is converted, a
 * WKB column (or none, when `--columns` left it out) is kept as it is.
 */
function withWkbGeometry(rows: Table, column: string, encoding: string): Table {
  const at = rows.schema.fields.findIndex((f) => f.name === column);
  if (at < 0 || encoding.toUpperCase() === 'WKB') return rows;
  if (!NATIVE.includes(encoding)) {
    throw new GeopartError(
      'UNSUPPORTED',
      `geometry column '${column}' has encoding ${JSON.stringify(encoding)}; query reads WKB and the GeoArrow encodings ${NATIVE.join(', ')}`,
      { column },
    );
  }
  const fields = rows.schema.fields.map((f, i) =>
    i === at ? new Field(f.name, new Binary(), true, f.metadata) : f,
  );
  const batches = rows.batches.map((b) =>
    makeBatch(
      fields,
      b.data.children.map((d, i) =>
        i === at ? binaryDataFromWkb(geoarrowToWkb(d, encoding as GeoArrowEncoding)) : d,
      ),
      undefined,
      b.numRows,
    ),
  );
  return new Table(new Schema(fields), batches);
}

/**
 * Writes `path` through a temporary file beside it and a rename: never seen half-written, and
 * nothing left behind on failure. File system errors name the path.
 */
async function atomically(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  try {
    await writeFileAtomically(path, write);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof GeopartError || code === undefined) throw err;
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `cannot write ${path} (${code}): check that its folder exists and is writable, and that it is not a folder`,
      { file: path, option: '--output' },
      { cause: err },
    );
  }
}

/**
 * GeoParquet through the table writer, which wants the geometry last, named `geometry`, and
 * adds `bbox` itself: the primary geometry column `geometry` is renamed to that.
 */
async function writeParquet(path: string, rows: Table, geometry: string): Promise<void> {
  const geom = rows.schema.fields.find((f) => f.name === geometry);
  if (geom === undefined) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `--format parquet needs the geometry column '${geometry}'; add it to --columns`,
      { option: '--columns' },
    );
  }
  const fields = rows.schema.fields.filter((f) => f !== geom && f.name !== BBOX);
  if (fields.some((f) => f.name === GEOMETRY)) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `--format parquet writes the geometry column '${geometry}' as '${GEOMETRY}', which another column already is; leave that one out with --columns`,
      { option: '--columns' },
    );
  }
  const order = [...fields, new Field(GEOMETRY, geom.type, true)];
  const schema = new Schema(order);
  const index = [...fields, geom].map((f) => rows.schema.fields.indexOf(f));
  const batches = rows.batches.map((b) =>
    makeBatch(
      order,
      index.map((i) => b.data.children[i]!),
      undefined,
      b.numRows,
    ),
  );
  try {
    await atomically(path, async (tmp) => {
      await writeGeoParquetFile(tmp, {
        batches,
        schema,
        rowGroupSizes: rows.numRows > 0 ? [rows.numRows] : [],
      });
    });
  } catch (err) {
    // The writer's advice names the ingest options; here a column is left out with --columns.
    const column = err instanceof GeopartError ? err.context.column : undefined;
    if (err instanceof GeopartError && err.code === 'INVALID_CONFIG' && typeof column === 'string') {
      const keep = rows.schema.fields.map((f) => f.name).filter((n) => n !== column && n !== BBOX);
      throw new GeopartError(
        'INVALID_ARGUMENT',
        `--format parquet: column '${column}' has type ${String(err.context.type)}, which GeoParquet output cannot store; leave it out with --columns ${keep.join(',')}, or use --format geojsonl or csv`,
        { column, option: '--columns' },
        { cause: err },
      );
    }
    throw err;
  }
}
