/**
 * The text form of an `inspect` summary: one fact per line, the chunk-size histogram below,
 * readable in 80 columns.
 */
import { compactNumber, formatHistogram } from './histogram.js';
import type { Measure, Spread, TableSummary } from './summary.js';

/** Unit of each measure, as printed after a size. */
const UNITS: Readonly<Record<Measure, string>> = {
  rows: 'rows',
  coords: 'vertices',
  area: 'deg^2',
  length: 'degrees',
};

const n = (v: number) => v.toLocaleString('en-US');

function spreadText(s: Spread | null, unit: string): string {
  if (s === null) return '(none)';
  return `min ${compactNumber(s.min)}, median ${compactNumber(s.median)}, max ${compactNumber(s.max)} ${unit}`;
}

/** An edge of the table box: 6 decimals, about 0.1 m. */
const deg = (v: number) => String(Number(v.toFixed(6)));

/** The summary as text lines joined by newlines. */
export function formatSummary(s: TableSummary): string {
  const unit = UNITS[s.measure];
  const lines = [
    `${s.table}: ${n(s.rows)} rows in ${n(s.files)} files, ${n(s.chunks)} chunks`,
    `  extent:          ${s.bbox ? `(${deg(s.bbox[0])}, ${deg(s.bbox[1])}) - (${deg(s.bbox[2])}, ${deg(s.bbox[3])})` : 'unknown'}`,
    `  chunks per file: ${spreadText(s.chunksPerFile, 'chunks')}`,
    `  rows per file:   ${spreadText(s.rowsPerFile, 'rows')}`,
    `  partitioned by:  ${s.partitioningMethod ?? 'unknown'}`,
  ];
  const caps = [
    s.maxPerFile === null ? null : `${compactNumber(s.maxPerFile)} per file`,
    s.maxPerChunk === null ? null : `${compactNumber(s.maxPerChunk)} per chunk`,
  ].filter((c) => c !== null);
  lines.push(`  caps:            ${caps.length > 0 ? caps.join(', ') : s.report ? 'none' : 'unknown'}`);
  lines.push(`  chunk size:      ${spreadText(s.chunkSize, unit)}`);
  if (s.chunksOverCap !== null) {
    lines.push(`  chunks over cap: ${n(s.chunksOverCap)} (not counting single rows larger than the cap)`);
  }
  const r = s.report;
  if (r) {
    const c = (v: number | null) => (v === null ? 'unknown' : n(v));
    lines.push(
      `  rows read:       ${c(r.rowsRead)}`,
      `  dropped:         ${c(r.rowsDroppedOutOfBounds)} out of bounds, ${c(r.rowsDroppedNoGeometry)} without geometry`,
      `  subdivided:      ${c(r.rowsSubdivided)} rows into +${c(r.rowsAddedBySubdivision)} pieces`,
    );
    if (r.rowsAddedByExplode) lines.push(`  exploded:        +${n(r.rowsAddedByExplode)} rows`);
    if (r.rowsAddedByAntimeridian)
      lines.push(`  antimeridian:    +${n(r.rowsAddedByAntimeridian)} rows (split at ±180°)`);
  }
  if (s.chunkSizeHistogram) {
    const scale = s.chunkSizeHistogram.scale === 'log' ? 'log bins' : 'linear bins';
    lines.push(
      '',
      `chunk sizes (${unit}, ${scale}; bars count chunks):`,
      ...formatHistogram(s.chunkSizeHistogram),
    );
  }
  for (const u of s.unknown) lines.push(`note: ${u}`);
  return lines.join('\n');
}
