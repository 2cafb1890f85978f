import type { IngestProgress } from '../ingest/run-ingest.js';

const WIDTH = 24;

/** One line of progress for a terminal: stage, rows scanned, and a bar of files written. */
export function progressLine(p: IngestProgress): string {
  const rows = `${p.rowsScanned.toLocaleString('en-US')} rows scanned`;
  if (p.stage === 'scan') return `scanning: ${rows}`;
  if (p.files === 0) return `${p.stage}...`;
  const done = Math.round((WIDTH * p.filesWritten) / p.files);
  return `${p.stage}: [${'#'.repeat(done)}${'.'.repeat(WIDTH - done)}] ${p.filesWritten}/${p.files} files`;
}
