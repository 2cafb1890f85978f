import { parseArgs } from 'node:util';
import type { IngestOptions } from '../config/ingest.js';
import { ingest } from '../config/ingest.js';
import { GeopartError } from '../errors.js';
import { formatReport } from '../ingest/report.js';
import { runIngest } from '../ingest/run-ingest.js';
import { threadsFlag } from './args.js';
import { flagFields, parserOptions } from './flags.js';
import { INGEST_FLAGS } from './ingest-flags.js';
import { whileInterruptible } from './interrupt.js';
import { showProgress, statusLine } from './progress.js';
import { INGEST_USAGE } from './usage.js';

/** `geopart ingest`: returns the exit code. */
export async function runIngestCommand(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: parserOptions(INGEST_FLAGS),
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
  const options = flagFields(INGEST_FLAGS, values) as IngestOptions;
  const input = positionals.length === 1 ? positionals[0]! : positionals;
  const threads = threadsFlag(values.threads as string | undefined);
  const step = ingest(input, values.output as string, options);

  const status = statusLine();
  const report = await whileInterruptible((signal) =>
    runIngest(step, {
      threads,
      signal,
      onProgress: showProgress(status),
      onWarning: (w) => status.warn(w),
    }),
  );
  status.clear();
  out(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return 0;
}
