/**
 * The job agent: what the bootstrap script runs on the instance (`geopart remote agent URL`).
 * It downloads the job, reports `running`, runs the job with `geopart run` in a child process
 * (the same engine as a local run; a child also captures what GDAL prints from C), uploads the
 * log as it grows, and reports how the job ended. A `cancelled` status written meanwhile stops
 * the child and is kept.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { JobJson } from '../config/job-schema.js';
import { getObject } from '../io/s3.js';
import { JobLog, maskSecrets, secretMasks } from './job-log.js';
import { type JobState, jobUrlsOfJobFile, readStatus, writeStatus } from './job-store.js';
import { localizeUdfModules } from './udf-modules.js';

/** Options of {@link runAgent}. */
export interface AgentOptions {
  /** Path of the geopart command-line script (`bin/geopart.js`) that runs the job. */
  readonly cli: string;
  /**
   * The environment: `GEOPART_INSTANCE_ID`, `GEOPART_ENV_NAMES` (names of the job's own
   * variables, whose values are masked in the log), `GEOPART_BOOTSTRAP_LOG`. Default `process.env`.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** Milliseconds between log uploads and checks for cancellation; default 10000. */
  readonly uploadIntervalMs?: number;
  /** Extra arguments of `geopart run` (`--ignore-no-udf`, `--ignore-no-output`). */
  readonly runArgs?: readonly string[];
  /** Receives the log text as it is written (masked); default: none. */
  readonly echo?: (text: string) => void;
}

/** Lines of the job's stderr kept to explain a failure in `status.json`. */
const ERROR_LINES = 5;

function lastLines(text: string, n: number): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(-n)
    .join('\n');
}

/** Runs `geopart run FILE` in `dir`, writing its output to the log; resolves with its exit code. */
function runJob(
  cli: string,
  args: readonly string[],
  dir: string,
  env: NodeJS.ProcessEnv,
  log: JobLog,
  onStart: (stop: () => void) => void,
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'run', ...args], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const out = new StringDecoder('utf8');
    const err = new StringDecoder('utf8');
    child.stdout.on('data', (d: Buffer) => log.write(out.write(d)));
    child.stderr.on('data', (d: Buffer) => {
      const text = err.write(d);
      stderr = (stderr + text).slice(-8192);
      log.write(text);
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      log.write(out.end() + err.end());
      resolve({ code: code ?? (signal ? 128 : 1), stderr });
    });
    onStart(() => child.kill('SIGTERM'));
  });
}

/**
 * Runs the job at `jobUrl` (`s3://.../<jobId>/job.json`) and reports it; returns the exit code
 * (0 when the job succeeded).
 */
export async function runAgent(jobUrl: string, options: AgentOptions): Promise<number> {
  const env = options.env ?? process.env;
  const { jobId, urls } = jobUrlsOfJobFile(jobUrl);
  const instanceId = env.GEOPART_INSTANCE_ID || null;
  const names = (env.GEOPART_ENV_NAMES ?? '').split(/\s+/).filter((n) => n !== '');
  const masks = secretMasks(names, env);
  const log = new JobLog(urls.log, masks, options.echo);
  const startedAt = new Date().toISOString();
  const report = (state: JobState, error: string | null) =>
    writeStatus(urls, { state, jobId, instanceId, startedAt, updatedAt: new Date().toISOString(), error });

  if (env.GEOPART_BOOTSTRAP_LOG) {
    // The install steps' output, so that the job's log tells the whole story.
    const bootstrap = await readFile(env.GEOPART_BOOTSTRAP_LOG, 'utf8').catch(() => '');
    log.write(bootstrap);
  }
  log.line(`geopart agent: job ${jobId} on ${instanceId ?? 'an unknown instance'}`);
  if (names.length > 0) log.line(`job environment: ${names.join(', ')} (values not shown)`);
  await report('running', null);
  await log.upload();

  let stop = () => {};
  let cancelled = false;
  const timer = setInterval(() => {
    void log.upload().catch(() => undefined);
    void readStatus(urls)
      .then((s) => {
        if (s?.state === 'cancelled' && !cancelled) {
          cancelled = true;
          log.line('the job was cancelled; stopping it');
          stop();
        }
      })
      .catch(() => undefined);
  }, options.uploadIntervalMs ?? 10_000);

  const dir = await mkdtemp(join(tmpdir(), 'geopart-job-'));
  let state: JobState = 'failed';
  let error: string | null = null;
  try {
    const job = JSON.parse(new TextDecoder().decode(await getObject(urls.job))) as JobJson;
    const file = join(dir, 'job.json');
    await writeFile(file, JSON.stringify(await localizeUdfModules(job, dir)));
    log.line(`running job ${job.name} (${job.steps.length} step${job.steps.length === 1 ? '' : 's'})`);
    const args = [...(options.runArgs ?? []), file];
    const { code, stderr } = await runJob(options.cli, args, dir, env, log, (s) => {
      stop = s;
    });
    state = code === 0 ? 'succeeded' : 'failed';
    if (code !== 0)
      error = maskSecrets(lastLines(stderr, ERROR_LINES) || `geopart run exited with code ${code}`, masks);
  } catch (err) {
    error = maskSecrets(err instanceof Error ? err.message : String(err), masks);
    log.line(`error: ${error}`);
  } finally {
    clearInterval(timer);
    await rm(dir, { recursive: true, force: true });
  }

  // A cancel written while the job ran wins over how the stopped job ended.
  const now = await readStatus(urls).catch(() => null);
  if (cancelled || now?.state === 'cancelled') {
    log.line('job cancelled');
    await log.flush();
    return 130;
  }
  log.line(`job ${state}`);
  await log.flush();
  await report(state, error);
  return state === 'succeeded' ? 0 : 1;
}
