/**
 * The job report of an ingest: what was read, dropped, subdivided and written.
 */

/** Counts and layout of an ingest; the same in every run of the same job (no timings). */
export interface IngestCounts {
  /** Input files read. */
  readonly inputFiles: number;
  /** Rows read from the inputs. */
  readonly rowsRead: number;
  /** Rows added by `explode_geometries` (parts minus rows). */
  readonly rowsAddedByExplode: number;
  /**
   * Rows that crossed the antimeridian and were split there (`split_antimeridian`), and the
   * rows that added; present only when a row crossed, so that other reports stay as they were.
   */
  readonly rowsCrossingAntimeridian?: number;
  readonly rowsAddedByAntimeridian?: number;
  /** Rows dropped by `drop_out_of_bounds`. */
  readonly rowsDroppedOutOfBounds: number;
  /** Rows dropped because their geometry is null or empty. */
  readonly rowsDroppedNoGeometry: number;
  /** Input rows cut into pieces by subdivision. */
  readonly rowsSubdivided: number;
  /** Rows added by subdivision (pieces minus the rows they replaced). */
  readonly rowsAddedBySubdivision: number;
  /**
   * Rows GEOS found invalid and repaired with `make_valid`; present only with `make_valid`, so
   * that the reports of other jobs stay as they were.
   */
  readonly rowsMadeValid?: number;
  /** Rows written to the table. */
  readonly rowsWritten: number;
  /** Output files and chunks (row groups). */
  readonly files: number;
  readonly chunks: number;
  /** The partitioning measure and the caps used (defaults resolved). */
  readonly partitioningMethod: string;
  readonly maxPerFile: number;
  readonly maxPerChunk: number;
}

/** Wall time of each stage, in seconds. */
export interface IngestTimings {
  readonly scan: number;
  readonly plan: number;
  readonly write: number;
  readonly commit: number;
  readonly total: number;
}

/** What `ingest` returns and the CLI prints. */
export interface IngestReport extends IngestCounts {
  /** The table's location. */
  readonly output: string;
  /** Bytes written: the data files and `_sample`. */
  readonly bytesWritten: number;
  readonly seconds: IngestTimings;
}

/** A cap for people: 6 significant digits. */
function cap(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : 'no cap';
}

/** The report as text, one fact per line. */
export function formatReport(r: IngestReport): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const lines = [
    `wrote ${r.output}: ${n(r.rowsWritten)} rows in ${n(r.files)} files, ${n(r.chunks)} chunks (${(r.bytesWritten / 1e6).toFixed(1)} MB)`,
    `  read ${n(r.rowsRead)} rows from ${n(r.inputFiles)} input file(s)`,
  ];
  if (r.rowsAddedByExplode) lines.push(`  exploded: +${n(r.rowsAddedByExplode)} rows`);
  if (r.rowsCrossingAntimeridian) {
    lines.push(
      `  antimeridian: ${n(r.rowsCrossingAntimeridian)} rows split at ±180° into +${n(r.rowsAddedByAntimeridian ?? 0)} rows`,
    );
  }
  if (r.rowsDroppedOutOfBounds) lines.push(`  dropped out of bounds: ${n(r.rowsDroppedOutOfBounds)} rows`);
  if (r.rowsDroppedNoGeometry) lines.push(`  dropped without geometry: ${n(r.rowsDroppedNoGeometry)} rows`);
  if (r.rowsSubdivided) {
    lines.push(`  subdivided: ${n(r.rowsSubdivided)} rows into +${n(r.rowsAddedBySubdivision)} pieces`);
  }
  if (r.rowsMadeValid) {
    lines.push(`  made valid: ${n(r.rowsMadeValid)} invalid polygons repaired (GEOS MakeValid)`);
  }
  lines.push(
    `  partitioned by ${r.partitioningMethod}: at most ${cap(r.maxPerFile)} per file, ${cap(r.maxPerChunk)} per chunk`,
    `  time: ${r.seconds.total.toFixed(2)} s (scan ${r.seconds.scan.toFixed(2)}, plan ${r.seconds.plan.toFixed(2)}, write ${r.seconds.write.toFixed(2)}, commit ${r.seconds.commit.toFixed(2)})`,
  );
  return lines.join('\n');
}
