/**
 * The report of a job run: one report per step, in order.
 */
import { formatReport, type IngestReport } from '../ingest/report.js';
import { formatUdfReport, type UdfStepReport } from '../udf/report.js';

/** The report of an ingest step in a job. */
export interface IngestStepReport extends IngestReport {
  readonly type: 'partition_geospatial';
}

/** A step that did not run (no UDF, or an ingest without output, when the run allowed it). */
export interface SkippedStepReport {
  readonly type: 'skipped';
  /** The step's kind. */
  readonly step: 'partition_geospatial' | 'udf';
  readonly reason: string;
}

/** What one step did. */
export type StepReport = IngestStepReport | UdfStepReport | SkippedStepReport;

/** What `JobConfig.runLocal` returns and `geopart run` prints. */
export interface JobReport {
  readonly name: string;
  /** One per step, in order. */
  readonly steps: readonly StepReport[];
  /** Wall time of the whole job (seconds). */
  readonly seconds: number;
}

/** The report as text: a header, then each step's report. */
export function formatJobReport(r: JobReport): string {
  const parts = [`job ${r.name}: ${r.steps.length} step(s) in ${r.seconds.toFixed(2)} s`];
  r.steps.forEach((s, i) => {
    const text =
      s.type === 'skipped'
        ? `skipped (${s.step}): ${s.reason}`
        : s.type === 'udf'
          ? formatUdfReport(s)
          : formatReport(s);
    parts.push(`[${i}] ${text.split('\n').join('\n    ')}`);
  });
  return parts.join('\n');
}
