import { parseArgs } from 'node:util';
import type { IngestOptions } from '../config/ingest.js';
import { ingest } from '../config/ingest.js';
import { GeopartError } from '../errors.js';
import { formatReport } from '../ingest/report.js';
import { runIngest } from '../ingest/run-ingest.js';
import type { IngestProgress } from '../ingest/settings.js';
import { parseKeyValues, parseLayer, threadsFlag } from './args.js';
import { whileInterruptible } from './interrupt.js';
import { progressLine, statusLine } from './progress.js';
import { INGEST_USAGE } from './usage.js';

function numberFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new GeopartError('INVALID_ARGUMENT', `${flag} ${JSON.stringify(value)}: expected a number`, {
      option: flag,
    });
  }
  return n;
}

function listFlag(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim());
}

/** `geopart ingest`: returns the exit code. */
export async function runIngestCommand(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      'output-metadata': { type: 'string' },
      overwrite: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      method: { type: 'string' },
      'max-per-file': { type: 'string' },
      'max-per-chunk': { type: 'string' },
      'target-chunks': { type: 'string' },
      'split-method': { type: 'string' },
      'max-width-ratio': { type: 'string' },
      'max-height-ratio': { type: 'string' },
      'no-split-identical-centroids': { type: 'boolean', default: false },
      'schema-input': { type: 'string' },
      'subdivide-start': { type: 'string' },
      'subdivide-stop': { type: 'string' },
      layer: { type: 'string' },
      oo: { type: 'string', multiple: true },
      lonlat: { type: 'string' },
      columns: { type: 'string' },
      'drop-columns': { type: 'string' },
      explode: { type: 'boolean', default: false },
      'keep-out-of-bounds': { type: 'boolean', default: false },
      'file-suffix': { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(INGEST_USAGE);
    return 0;
  }
  if (positionals.length === 0) {
    throw new GeopartError('INVALID_ARGUMENT', `ingest needs at least one INPUT\n\n${INGEST_USAGE}`);
  }
  if (values.output === undefined) {
    throw new GeopartError('INVALID_ARGUMENT', `ingest needs an output: -o OUT\n\n${INGEST_USAGE}`, {
      option: '--output',
    });
  }
  const lonlat = listFlag(values.lonlat);
  if (lonlat && lonlat.length !== 2) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `--lonlat ${JSON.stringify(values.lonlat)}: expected LON,LAT`,
      {
        option: '--lonlat',
      },
    );
  }
  const options: Record<string, unknown> = {
    outputMetadata: values['output-metadata'],
    overwrite: values.overwrite || undefined,
    partitioningMethod: values.method,
    partitioningMaximumPerFile: numberFlag(values['max-per-file'], '--max-per-file'),
    partitioningMaximumPerChunk: numberFlag(values['max-per-chunk'], '--max-per-chunk'),
    targetNumChunks: numberFlag(values['target-chunks'], '--target-chunks'),
    partitioningSplitMethod: values['split-method'],
    partitioningMaxWidthRatio: numberFlag(values['max-width-ratio'], '--max-width-ratio'),
    partitioningMaxHeightRatio: numberFlag(values['max-height-ratio'], '--max-height-ratio'),
    splitIdenticalCentroids: values['no-split-identical-centroids'] ? false : undefined,
    partitioningSchemaInput: values['schema-input'],
    subdivideStart: numberFlag(values['subdivide-start'], '--subdivide-start'),
    subdivideStop: numberFlag(values['subdivide-stop'], '--subdivide-stop'),
    explodeGeometries: values.explode || undefined,
    lonlatCols: lonlat,
    dropOutOfBounds: values['keep-out-of-bounds'] ? false : undefined,
    loadColumns: listFlag(values.columns),
    removeCols: listFlag(values['drop-columns']),
    fileSuffix: values['file-suffix'],
    gdalConfig: { openOptions: parseKeyValues(values.oo, '--oo'), layer: parseLayer(values.layer) },
  };
  for (const k of Object.keys(options)) if (options[k] === undefined) delete options[k];
  const input = positionals.length === 1 ? positionals[0]! : positionals;
  const threads = threadsFlag(values.threads);
  const step = ingest(input, values.output, options as IngestOptions);

  const status = statusLine();
  const report = await whileInterruptible((signal) =>
    runIngest(step, {
      threads,
      signal,
      onProgress: (p: IngestProgress) => status.show(progressLine(p), p.stage === 'scan'),
      onWarning: (w) => status.warn(w),
    }),
  );
  status.clear();
  out(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return 0;
}
