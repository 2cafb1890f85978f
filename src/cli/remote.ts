import { parseArgs } from 'node:util';
import type { JobConfig } from '../config/job.js';
import { loadJob } from '../config/load-job.js';
import type { InstanceType } from '../config/remote-options.js';
import { GeopartError } from '../errors.js';
import type { RemoteJobStatus, RunResponse } from '../remote/run-response.js';
import { whileInterruptible } from './interrupt.js';
import { REMOTE_USAGE } from './usage.js';

type Out = (s: string) => void;

/** The longest pause between two polls of a remote job (seconds). */
const MAX_POLL_SECONDS = 3600;

function seconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  // 0 would poll without pause; beyond an hour a follower looks hung (and a timer holds 2^31 ms).
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > MAX_POLL_SECONDS) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `${flag} ${JSON.stringify(value)}: expected seconds in (0, ${MAX_POLL_SECONDS}]`,
      {
        option: flag,
      },
    );
  }
  return n * 1000;
}

/** A number flag; not a number stays a number (NaN), so the option check names it with its range. */
function count(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return value.trim() === '' ? Number.NaN : Number(value);
}

/** One line per stage of a run on Batch: its status and its children by state. */
function stageRows(s: RemoteJobStatus): [string, string][] {
  return (s.stages ?? []).map((st) => [
    'stage',
    `${st.name} ${st.status}: ${st.succeeded} succeeded, ${st.failed} failed, ${st.running} running, ${st.pending} pending of ${st.size}`,
  ]);
}

/** Status as `key value` lines, like `aws ... --output text`. */
function formatStatus(s: RemoteJobStatus): string {
  const rows: [string, string | null][] = [
    ['job', s.jobId],
    ['state', s.state],
    ['engine', s.engine === 'batch' ? 'batch' : null],
    ['instance', s.instanceId === null ? null : `${s.instanceId} (${s.instanceState})`],
    ...stageRows(s),
    ['started', s.startedAt],
    ['updated', s.updatedAt],
    ['error', s.error],
  ];
  return rows
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k.padEnd(9)}${v}`)
    .join('\n');
}

function one(positionals: readonly string[], what: string): string {
  if (positionals.length !== 1) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `expected one ${what}, got ${positionals.length}\n\n${REMOTE_USAGE}`,
      {},
    );
  }
  return positionals[0]!;
}

/** Prints the log as it grows, then the final status; exit code 0 when the job succeeded. */
async function follow(job: RunResponse, pollMs: number, out: Out, json: boolean): Promise<number> {
  for await (const line of job.tail({ follow: true, pollMs })) if (!json) out(line);
  const status = await job.wait({ pollMs });
  out(json ? JSON.stringify(status) : formatStatus(status));
  return status.state === 'succeeded' ? 0 : 1;
}

const COMMON = {
  'job-prefix': { type: 'string' },
  region: { type: 'string' },
  poll: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

async function run(argv: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...COMMON,
      'instance-type': { type: 'string' },
      'disk-size-gb': { type: 'string' },
      env: { type: 'string', multiple: true },
      image: { type: 'string' },
      'image-owner': { type: 'string' },
      'iam-instance-profile': { type: 'string' },
      'subnet-id': { type: 'string' },
      'security-group-id': { type: 'string', multiple: true },
      'key-name': { type: 'string' },
      'install-spec': { type: 'string' },
      overwrite: { type: 'boolean', default: false },
      'no-validate-inputs': { type: 'boolean', default: false },
      'validate-imports': { type: 'boolean', default: false },
      wait: { type: 'boolean', default: false },
      'batch-queue': { type: 'string' },
      tasks: { type: 'string' },
      'write-tasks': { type: 'string' },
      'job-definition': { type: 'string' },
      attempts: { type: 'string' },
      'child-timeout': { type: 'string' },
    },
  });
  // Every flag is checked before anything is launched (--poll even before the job is loaded).
  const pollMs = seconds(values.poll, '--poll', 10_000);
  const job = await loadJob(one(positionals, 'job file'));
  if (values['batch-queue'] === undefined) {
    const batchOnly = (['tasks', 'write-tasks', 'job-definition', 'attempts', 'child-timeout'] as const).find(
      (f) => values[f] !== undefined,
    );
    if (batchOnly !== undefined) {
      throw new GeopartError(
        'INVALID_ARGUMENT',
        `--${batchOnly} is a Batch flag: give --batch-queue Q too\n\n${REMOTE_USAGE}`,
        {
          option: `--${batchOnly}`,
        },
      );
    }
  }
  const launched =
    values['batch-queue'] !== undefined
      ? await runBatch(job, values)
      : await job.runRemote({
          instanceType: (values['instance-type'] ?? null) as InstanceType | null,
          region: values.region ?? null,
          diskSizeGb: count(values['disk-size-gb']) ?? null,
          additionalEnv: values.env ?? null,
          imageName: values.image ?? null,
          validateInputs: !values['no-validate-inputs'],
          validateImports: values['validate-imports'] ? true : null,
          overwrite: values.overwrite ? true : null,
          jobPrefix: values['job-prefix'],
          imageOwner: values['image-owner'],
          iamInstanceProfile: values['iam-instance-profile'],
          subnetId: values['subnet-id'],
          securityGroupIds: values['security-group-id'],
          keyName: values['key-name'],
          installSpec: values['install-spec'],
        });
  const { jobId, instanceId, jobFolder, engine } = launched;
  if (values.json && !values.wait) out(JSON.stringify({ jobId, engine, instanceId, jobFolder }));
  else if (!values.json) {
    const where =
      engine === 'batch' ? `on AWS Batch queue ${values['batch-queue']}` : `on instance ${instanceId}`;
    out(`launched job ${jobId} ${where}\n  files: ${jobFolder}`);
  }
  if (!values.wait) return 0;
  return follow(launched, pollMs, out, values.json);
}

/** Flags of `remote run` that only EC2 takes. */
const EC2_FLAGS = [
  'instance-type',
  'disk-size-gb',
  'image',
  'image-owner',
  'iam-instance-profile',
  'subnet-id',
  'security-group-id',
  'key-name',
  'install-spec',
] as const;

/** `remote run --batch-queue Q`: the job on AWS Batch. */
async function runBatch(job: JobConfig, values: Record<string, string | boolean | string[] | undefined>) {
  const ec2 = EC2_FLAGS.find((f) => values[f] !== undefined);
  if (ec2 !== undefined) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `--${ec2} is an EC2 flag; with --batch-queue the job queue's compute environment decides it: leave it out\n\n${REMOTE_USAGE}`,
      { option: `--${ec2}` },
    );
  }
  if (values.tasks === undefined) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `--batch-queue needs --tasks N (children per UDF step and per ingest scan, 1 to 10000)\n\n${REMOTE_USAGE}`,
      {
        option: '--tasks',
      },
    );
  }
  const timeout = count(values['child-timeout'] as string | undefined);
  return job.runRemote({
    engine: 'batch',
    jobQueue: values['batch-queue'] as string,
    tasks: count(values.tasks as string) as number,
    writeTasks: count(values['write-tasks'] as string | undefined),
    jobDefinition: values['job-definition'] as string | undefined,
    attempts: count(values.attempts as string | undefined),
    childTimeoutSeconds: timeout ?? null,
    region: (values.region as string | undefined) ?? null,
    additionalEnv: (values.env as string[] | undefined) ?? null,
    validateInputs: !values['no-validate-inputs'],
    validateImports: values['validate-imports'] ? true : null,
    overwrite: values.overwrite ? true : null,
    jobPrefix: values['job-prefix'] as string | undefined,
  });
}

async function attach(
  argv: string[],
  extra: Record<string, { type: 'boolean'; default: boolean }> = {},
  defaultPollMs = 10_000,
) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...COMMON, ...extra },
  });
  // Flags are checked before any request.
  const pollMs = seconds(values.poll, '--poll', defaultPollMs);
  const id = one(positionals, 'job id');
  const { attachJob } = await import('../remote/launch.js');
  const job = await attachJob(id, {
    jobPrefix: values['job-prefix'],
    region: values.region,
  });
  return { job, pollMs, values: values as typeof values & Record<string, boolean | undefined> };
}

/** The hidden `remote agent URL` that the instance's bootstrap script runs. */
async function agent(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'ignore-no-udf': { type: 'boolean', default: false },
      'ignore-no-output': { type: 'boolean', default: false },
    },
  });
  const { runAgent } = await import('../remote/agent.js');
  const cli = process.argv[1];
  if (!cli) throw new GeopartError('INTERNAL', 'cannot tell the path of the geopart command', {});
  const interval = Number(process.env.GEOPART_LOG_INTERVAL_MS);
  return runAgent(one(positionals, 'job URL'), {
    cli,
    uploadIntervalMs: interval > 0 ? interval : 10_000,
    runArgs: [
      ...(values['ignore-no-udf'] ? ['--ignore-no-udf'] : []),
      ...(values['ignore-no-output'] ? ['--ignore-no-output'] : []),
    ],
    echo: (text) => process.stdout.write(text),
  });
}

/** The hidden `remote batch-child RUN_URL --stage S` that each job of a run on Batch runs. */
async function batchChild(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { stage: { type: 'string' } },
  });
  if (values.stage === undefined) {
    throw new GeopartError('INVALID_ARGUMENT', 'remote batch-child needs --stage S (the launcher sets it)', {
      option: '--stage',
    });
  }
  const { runBatchChild } = await import('../remote/batch-child.js');
  const interval = Number(process.env.GEOPART_LOG_INTERVAL_MS);
  const url = one(positionals, 'run URL');
  return whileInterruptible(async (signal) => {
    const code = await runBatchChild(url, {
      stage: values.stage as string,
      uploadIntervalMs: interval > 0 ? interval : 10_000,
      echo: (text) => process.stdout.write(text),
      signal,
    });
    // Stopped: the attempt is recorded failed and its log is up, but the work it left (a UDF
    // still running, a transfer) would keep the process alive; a stopped job ends now.
    if (signal.aborted) process.exit(code);
    return code;
  });
}

/** A number flag of batch-setup: a plain decimal, else NaN (which the option check names). */
function decimal(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
}

/** `remote batch-setup`: registers (or, with --print, prints) the job definition of Batch runs. */
async function batchSetup(argv: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      print: { type: 'boolean', default: false },
      'job-definition': { type: 'string' },
      image: { type: 'string' },
      vcpus: { type: 'string' },
      memory: { type: 'string' },
      'job-role-arn': { type: 'string' },
      'execution-role-arn': { type: 'string' },
      platform: { type: 'string' },
      'assign-public-ip': { type: 'boolean', default: false },
      region: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `remote batch-setup takes no arguments, got ${JSON.stringify(positionals[0])}\n\n${REMOTE_USAGE}`,
      { option: positionals[0]! },
    );
  }
  if (values.image === undefined) {
    throw new GeopartError(
      'INVALID_ARGUMENT',
      `remote batch-setup needs --image IMAGE (the geopart image built from the Dockerfile)\n\n${REMOTE_USAGE}`,
      { option: '--image' },
    );
  }
  const { jobDefinitionRequest, setupBatch } = await import('../remote/batch-setup.js');
  const { geopartVersion } = await import('../remote/launch.js');
  const options = {
    jobDefinition: values['job-definition'],
    image: values.image,
    vcpus: decimal(values.vcpus),
    memoryMiB: decimal(values.memory),
    jobRoleArn: values['job-role-arn'] ?? null,
    executionRoleArn: values['execution-role-arn'] ?? null,
    platform: values.platform?.toUpperCase() as 'EC2' | 'FARGATE' | undefined,
    assignPublicIp: values['assign-public-ip'],
  };
  // Checked before the region is looked for or any request made.
  const request = jobDefinitionRequest(options, geopartVersion());
  if (values.print) {
    out(JSON.stringify(request, null, 2));
    return 0;
  }
  const { resolveRegion } = await import('../remote/launcher-options.js');
  const region = resolveRegion(values.region ?? null);
  const endpoint = process.env.AWS_ENDPOINT_URL_BATCH ?? process.env.AWS_ENDPOINT_URL ?? null;
  const registered = await setupBatch({ region, endpoint }, options, geopartVersion());
  if (values.json) out(JSON.stringify(registered));
  else {
    out(
      `registered job definition ${registered.name}:${registered.revision}\n  arn: ${registered.arn}\n` +
        `  run with: geopart remote run JOB.json --batch-queue Q --tasks N --job-definition ${registered.name}`,
    );
  }
  return 0;
}

/** `geopart remote run|status|logs|cancel|batch-setup`: returns the exit code. */
export async function runRemoteCommand(argv: readonly string[], out: Out): Promise<number> {
  const [sub, ...rest] = argv;
  if (
    sub === undefined ||
    sub === '--help' ||
    sub === '-h' ||
    rest.includes('--help') ||
    rest.includes('-h')
  ) {
    out(REMOTE_USAGE);
    return 0;
  }
  switch (sub) {
    case 'run':
      return run(rest, out);
    case 'status': {
      const { job, values } = await attach(rest);
      const status = await job.status();
      out(values.json ? JSON.stringify(status) : formatStatus(status));
      return 0;
    }
    case 'logs': {
      const { job, values, pollMs } = await attach(
        rest,
        { follow: { type: 'boolean', default: false } },
        5_000,
      );
      for await (const line of job.tail({ follow: values.follow === true, pollMs })) out(line);
      return 0;
    }
    case 'cancel': {
      const { job, values } = await attach(rest);
      const status = await job.cancel();
      out(values.json ? JSON.stringify(status) : formatStatus(status));
      return 0;
    }
    case 'agent':
      return agent(rest);
    case 'batch-child':
      return batchChild(rest);
    case 'batch-setup':
      return batchSetup(rest, out);
    default:
      throw new GeopartError(
        'INVALID_ARGUMENT',
        `unknown remote command ${JSON.stringify(sub)}; expected run, status, logs, cancel or batch-setup\n\n${REMOTE_USAGE}`,
        { option: sub },
      );
  }
}
