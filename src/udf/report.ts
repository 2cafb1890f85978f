/**
 * The report of a UDF step: inputs run, failed and skipped, what was written, and the schema
 * of the results.
 */
import type { ErrorCode } from '../errors.js';
import type { ColumnInfo } from './table-value.js';

/** An input whose UDF run failed (recorded when `ignoreChunkError` lets the step go on). */
export interface FailedInput {
  /** 0-based index of the input. */
  readonly inputIndex: number;
  /** The input as JSON text, cut to 80 characters. */
  readonly input: string;
  readonly code: ErrorCode;
  /** The UDF's error (or timeout, or output problem). */
  readonly message: string;
}

/** What a UDF step did. */
export interface UdfStepReport {
  readonly type: 'udf';
  /** The output folder, or null when the step had none (results checked, not written). */
  readonly output: string | null;
  /** Inputs of the step (1 for a step without input). */
  readonly inputs: number;
  /** Inputs whose UDF returned (a table or nothing). */
  readonly done: number;
  /** Inputs whose UDF returned null/undefined or a table without columns: nothing written. */
  readonly skipped: number;
  /** Inputs that failed; only non-empty with `ignoreChunkError` (else the step fails). */
  readonly failed: readonly FailedInput[];
  /** Rows in the written files. */
  readonly rowsWritten: number;
  /** Files written (`<inputIndex>.parquet`). */
  readonly files: number;
  /** Bytes written. */
  readonly bytesWritten: number;
  /** Columns of the first result table (by input index), or null when there was none. */
  readonly schema: readonly ColumnInfo[] | null;
  /** Wall time (seconds). */
  readonly seconds: number;
}

/** The report as text, one fact per line. */
export function formatUdfReport(r: UdfStepReport): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const where = r.output === null ? 'no output (results checked only)' : r.output;
  const lines = [
    `udf -> ${where}: ${n(r.done)}/${n(r.inputs)} inputs done, ${n(r.files)} files, ${n(r.rowsWritten)} rows (${(r.bytesWritten / 1e6).toFixed(2)} MB)`,
  ];
  if (r.skipped) lines.push(`  skipped (nothing returned): ${n(r.skipped)} inputs`);
  if (r.failed.length) {
    lines.push(`  failed: ${n(r.failed.length)} inputs`);
    for (const f of r.failed.slice(0, 10)) lines.push(`    input ${f.inputIndex} ${f.input}: ${f.message}`);
    if (r.failed.length > 10) lines.push(`    ... and ${n(r.failed.length - 10)} more`);
  }
  if (r.schema) lines.push(`  columns: ${r.schema.map((c) => `${c.name} ${c.type}`).join(', ')}`);
  lines.push(`  time: ${r.seconds.toFixed(2)} s`);
  return lines.join('\n');
}
