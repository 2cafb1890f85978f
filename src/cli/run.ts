import { parseArgs } from 'node:util';
import { loadJob } from '../config/load-job.js';
import { MAX_TIMEOUT_SECONDS } from '../config/udf-schema.js';
import { GeopartError } from '../errors.js';
import { formatJobReport } from '../job/report.js';
import type { JobProgress } from '../job/run-job.js';
import { threadsFlag } from './args.js';
import { whileInterruptible } from './interrupt.js';
import { progressLine, statusLine } from './progress.js';
import { RUN_USAGE } from './usage.js';

const WIDTH = 24;

function positiveFlag(value: string | undefined, flag: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `${flag} ${JSON.stringify(value)}: expected a number in (0, ${max}]`,
      {
        option: flag,
      },
    );
  }
  return n;
}

/** One line of progress: the step, then the step's own progress. */
function jobProgressLine(p: JobProgress): string {
  const step = `step ${p.stepIndex + 1}/${p.steps}`;
  if (p.type === 'partition_geospatial') return `${step} ingest ${progressLine(p.progress)}`;
  const { finished, failed, inputs } = p.progress;
  const done = Math.round((WIDTH * finished) / Math.max(1, inputs));
  const bad = failed > 0 ? `, ${failed} failed` : '';
  return `${step} udf: [${'#'.repeat(done)}${'.'.repeat(WIDTH - done)}] ${finished}/${inputs} inputs${bad}`;
}

/** `geopart run`: returns the exit code. */
export async function runJobCommand(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      threads: { type: 'string' },
      timeout: { type: 'string' },
      'output-dir': { type: 'string' },
      'ignore-no-udf': { type: 'boolean', default: false },
      'ignore-no-output': { type: 'boolean', default: false },
      'no-validate-inputs': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(RUN_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new GeopartError('INVALID_ARGUMENT', `run needs exactly one JOB.json\n\n${RUN_USAGE}`);
  }
  const threads = threadsFlag(values.threads);
  const timeoutSeconds = positiveFlag(values.timeout, '--timeout', MAX_TIMEOUT_SECONDS);
  const outputDir = values['output-dir'];
  const job = await loadJob(positionals[0]!, outputDir === undefined ? {} : { outputDir });

  const status = statusLine();
  const report = await whileInterruptible((signal) =>
    job.runLocal({
      threads,
      timeoutSeconds,
      ignoreNoUdf: values['ignore-no-udf'],
      ignoreNoOutput: values['ignore-no-output'],
      validateInputs: !values['no-validate-inputs'],
      signal,
      onProgress: (p: JobProgress) => status.show(() => jobProgressLine(p)),
      onWarning: (w) => status.warn(w),
    }),
  );
  status.clear();
  out(values.json ? JSON.stringify(report, null, 2) : formatJobReport(report));
  return 0;
}
