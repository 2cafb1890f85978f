/**
 * One UDF run on one input, as a worker runs it: load the UDF, call it, turn its value into a
 * table and write that table. The value never crosses threads; only counts and the schema do.
 */
import type { JsonObject } from '../config/json.js';
import { callUdf, type UdfContext, udfArguments } from './call-udf.js';
import { loadUdf, udfLabel } from './load-udf.js';
import { type ColumnInfo, describeSchema, toUdfTable } from './table-value.js';
import { writeUdfTable } from './write-result.js';

/** Input of the pool's `udf` task. */
export interface UdfInputTask {
  /** The UDF's module (absolute path or file:// URL) and export. */
  readonly module: string;
  readonly name: string;
  readonly parameters: JsonObject;
  readonly context: UdfContext;
  /** What the UDF is told as `output`: where its result ends up once the step commits, or null. */
  readonly output: string | null;
  /** Where to write the result now (a file in the staging folder), or null to check it only. */
  readonly path: string | null;
  /** Key-value metadata for the written file. */
  readonly keyValueMetadata: Readonly<Record<string, string>>;
}

/** What one run produced. */
export interface UdfInputResult {
  /** False when the UDF returned null/undefined or a table without columns: nothing written. */
  readonly written: boolean;
  /** Rows of the result table (0 when none). */
  readonly rows: number;
  /** Bytes written (0 when none). */
  readonly bytes: number;
  /** The result table's columns, or null when there was no table. */
  readonly schema: readonly ColumnInfo[] | null;
}

/**
 * Runs the UDF of `task` on its input and writes the result. Throws GeopartErrors:
 * `INVALID_UDF` (module or export), `UDF_FAILED` (the UDF threw), `INVALID_UDF_OUTPUT` (not a
 * table, or not writable).
 */
export async function runUdfInput(task: UdfInputTask): Promise<UdfInputResult> {
  const fn = await loadUdf(task.module, task.name);
  const args = udfArguments(task.parameters, task.context, task.output);
  const value = await callUdf(fn, args, udfLabel(task.module, task.name));
  const table = toUdfTable(value);
  if (table === null || table.table.schema.fields.length === 0) {
    return { written: false, rows: 0, bytes: 0, schema: null };
  }
  const schema = describeSchema(table.table.schema);
  if (task.path === null) return { written: false, rows: table.table.numRows, bytes: 0, schema };
  const file = await writeUdfTable(task.path, table, task.keyValueMetadata);
  return { written: true, rows: file.rows, bytes: file.bytes, schema };
}
