/**
 * The options of a run on AWS Batch (`runRemote({ engine: 'batch', ... })`), checked before
 * any request as the EC2 launcher's are: the job queue and definition by Batch's own naming
 * rules, the number of children, attempts and the attempt timeout by Batch's limits.
 */
import {
  type RemoteOptions,
  type RemoteOptionsInit,
  validateRemoteOptions,
} from '../config/remote-options.js';
import { ConfigError, type ConfigIssue } from '../errors.js';

/** What a run on Batch takes besides the common remote options. */
export interface BatchOptions {
  readonly engine: 'batch';
  /** Job queue, by name (up to 128 letters, digits, hyphens, underscores) or ARN. */
  readonly jobQueue: string;
  /**
   * Job definition (`name`, `name:revision` or ARN) whose container has geopart on its PATH.
   * Default: `GEOPART_BATCH_JOB_DEFINITION`, else `geopart` (the newest active revision).
   */
  readonly jobDefinition?: string;
  /**
   * Children each UDF step's inputs are spread over, 1 to 10,000; for an ingest step, the
   * children of its scan (and shuffle) arrays, each reading a share of the input files.
   */
  readonly tasks: number;
  /** Children of an ingest step's write array, each writing a share of the output files, 1 to 10,000. Default: `tasks`. */
  readonly writeTasks?: number;
  /** Attempts per child: Batch runs a failed child again until this many, 1 to 10. Default 2. */
  readonly attempts?: number;
  /** Time limit of one child's attempt (seconds, at least 60, Batch's minimum); null (default): none. */
  readonly childTimeoutSeconds?: number | null;
  /** Batch endpoint URL. Default: `AWS_ENDPOINT_URL_BATCH`, else `AWS_ENDPOINT_URL`, else AWS itself. */
  readonly batchEndpoint?: string;
}

/** The remote options that mean something on Batch (the instance's are the compute environment's). */
export type BatchRemoteOptionsInit = Omit<RemoteOptionsInit, 'instanceType' | 'diskSizeGb' | 'imageName'>;

/** Options of `runRemote` on Batch. */
export interface BatchRunRemoteOptions extends BatchRemoteOptionsInit, BatchOptions {
  /** `s3://bucket/prefix` of the run's folder (see `LauncherOptions.jobPrefix`). */
  readonly jobPrefix?: string;
  /** S3 endpoint the children use. Default: the launcher's own. */
  readonly s3Endpoint?: string;
  /** Cancels the submission (and `wait`/`tail` of the returned run). */
  readonly signal?: AbortSignal;
}

/** Batch options checked, defaults filled in. */
export interface ResolvedBatchOptions {
  readonly remote: RemoteOptions;
  readonly jobQueue: string;
  readonly jobDefinition: string;
  readonly tasks: number;
  readonly writeTasks: number;
  readonly attempts: number;
  readonly childTimeoutSeconds: number | null;
  readonly batchEndpoint: string | null;
  readonly jobPrefix: string | undefined;
  readonly s3Endpoint: string | null;
  readonly signal: AbortSignal | undefined;
}

/** Most children of one array job (Batch's limit). */
export const MAX_TASKS = 10_000;
/** Most attempts of one job (Batch's limit). */
export const MAX_ATTEMPTS = 10;
/** Shortest attempt timeout Batch takes (seconds). */
export const MIN_TIMEOUT_SECONDS = 60;
/** Default attempts per child: one retry, for a lost Spot instance or a transient failure. */
export const DEFAULT_ATTEMPTS = 2;

// Batch's rules: a name of up to 128 letters, digits, hyphens and underscores (a definition may
// add `:revision`), or the ARN of one.
const QUEUE =
  /^([A-Za-z0-9_-]{1,128}|arn:aws[a-z-]*:batch:[a-z0-9-]+:\d{12}:job-queue\/[A-Za-z0-9_-]{1,128})$/;
const DEFINITION =
  /^([A-Za-z0-9_-]{1,128}(:[1-9]\d*)?|arn:aws[a-z-]*:batch:[a-z0-9-]+:\d{12}:job-definition\/[A-Za-z0-9_-]{1,128}(:[1-9]\d*)?)$/;

/** Keys of the options: Batch's, the launcher's, the common remote ones. */
const BATCH_KEYS = new Set([
  'engine',
  'jobQueue',
  'jobDefinition',
  'tasks',
  'writeTasks',
  'attempts',
  'childTimeoutSeconds',
  'batchEndpoint',
  'jobPrefix',
  's3Endpoint',
  'signal',
]);

/** EC2 options, which the job queue's compute environment decides on Batch. */
const EC2_ONLY: Readonly<Record<string, string>> = {
  instanceType: 'instance_type',
  diskSizeGb: 'disk_size_gb',
  imageName: 'image_name',
  ec2Endpoint: 'ec2_endpoint',
  iamInstanceProfile: 'iam_instance_profile',
  subnetId: 'subnet_id',
  securityGroupIds: 'security_group_ids',
  keyName: 'key_name',
  imageOwner: 'image_owner',
  installSpec: 'install_spec',
};

function isWhole(n: unknown, min: number, max: number): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
}

function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * Checks the options of a run on Batch and fills their defaults from `env`.
 *
 * @throws ConfigError naming every bad option (`job_queue`, `tasks`, `additional_env[0]`, ...)
 *   and what is allowed.
 */
export function validateBatchOptions(
  options: BatchRunRemoteOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedBatchOptions {
  const common: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || BATCH_KEYS.has(key)) continue;
    const ec2 = EC2_ONLY[key];
    if (ec2 !== undefined && value !== null) {
      issues.push({
        path: ec2,
        message: "an EC2 option; on Batch the job queue's compute environment decides it: leave it out",
      });
    } else if (ec2 === undefined) common[key] = value;
  }
  const remote = validateRemoteOptions(common as RemoteOptionsInit);
  for (const [i, entry] of (remote.additionalEnv ?? []).entries()) {
    const name = entry.slice(0, entry.indexOf('='));
    if (/^AWS_BATCH/i.test(name)) {
      issues.push({
        path: `additional_env[${i}]`,
        message: `${name}: names starting with AWS_BATCH are Batch's own; choose another name`,
      });
    }
  }
  if (typeof options.jobQueue !== 'string' || !QUEUE.test(options.jobQueue)) {
    issues.push({
      path: 'job_queue',
      message: `got ${shown(options.jobQueue)}; expected a job queue name (1 to 128 letters, digits, hyphens and underscores) or a job queue ARN (--batch-queue)`,
    });
  }
  const jobDefinition = options.jobDefinition ?? env.GEOPART_BATCH_JOB_DEFINITION ?? 'geopart';
  if (typeof jobDefinition !== 'string' || !DEFINITION.test(jobDefinition)) {
    issues.push({
      path: 'job_definition',
      message: `got ${shown(jobDefinition)}; expected a job definition name (1 to 128 letters, digits, hyphens and underscores, optionally :revision) or ARN (--job-definition)`,
    });
  }
  if (!isWhole(options.tasks, 1, MAX_TASKS)) {
    issues.push({
      path: 'tasks',
      message: `got ${shown(options.tasks)}; expected a whole number of children from 1 to ${MAX_TASKS.toLocaleString('en-US')} (--tasks)`,
    });
  }
  const writeTasks = options.writeTasks ?? options.tasks;
  if (options.writeTasks !== undefined && !isWhole(writeTasks, 1, MAX_TASKS)) {
    issues.push({
      path: 'write_tasks',
      message: `got ${shown(writeTasks)}; expected a whole number of children from 1 to ${MAX_TASKS.toLocaleString('en-US')} (--write-tasks)`,
    });
  }
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  if (!isWhole(attempts, 1, MAX_ATTEMPTS)) {
    issues.push({
      path: 'attempts',
      message: `got ${shown(attempts)}; expected a whole number from 1 to ${MAX_ATTEMPTS}`,
    });
  }
  const timeout = options.childTimeoutSeconds ?? null;
  if (timeout !== null && !isWhole(timeout, MIN_TIMEOUT_SECONDS, Number.MAX_SAFE_INTEGER)) {
    issues.push({
      path: 'child_timeout_seconds',
      message: `got ${shown(timeout)}; expected whole seconds, at least ${MIN_TIMEOUT_SECONDS} (Batch's minimum), or null`,
    });
  }
  if (issues.length > 0) throw new ConfigError(issues, 'cannot run the job on Batch');
  return {
    remote,
    jobQueue: options.jobQueue,
    jobDefinition,
    tasks: options.tasks,
    writeTasks,
    attempts,
    childTimeoutSeconds: timeout,
    batchEndpoint: options.batchEndpoint ?? env.AWS_ENDPOINT_URL_BATCH ?? env.AWS_ENDPOINT_URL ?? null,
    jobPrefix: options.jobPrefix,
    s3Endpoint: options.s3Endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? null,
    signal: options.signal,
  };
}
