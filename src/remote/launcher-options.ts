import type { RemoteOptionsInit } from '../config/remote-options.js';
import { ConfigError } from '../errors.js';
import { isS3Url, parseS3Url } from '../io/s3-url.js';
import type { BatchRunRemoteOptions } from './batch-options.js';
import type { Ec2Settings } from './ec2.js';

/**
 * Where and how remote jobs are launched: the user's own AWS account. Every field is optional;
 * the defaults come from the environment as the AWS CLI's do.
 */
export interface LauncherOptions {
  /**
   * `s3://bucket/prefix` under which each job gets a folder `<jobId>/` (job.json, status.json,
   * launch.json, log.txt). Default: `GEOPART_JOB_PREFIX`.
   */
  readonly jobPrefix?: string;
  /** EC2 endpoint URL. Default: `AWS_ENDPOINT_URL_EC2`, else `AWS_ENDPOINT_URL`, else AWS itself. */
  readonly ec2Endpoint?: string;
  /**
   * S3 endpoint the instance uses. Default: the launcher's own (`AWS_ENDPOINT_URL_S3`, else
   * `AWS_ENDPOINT_URL`). The launcher's own S3 requests always follow the environment.
   */
  readonly s3Endpoint?: string;
  /**
   * Instance profile (name or ARN) whose role the job runs as: it must be able to read the
   * inputs and write the outputs and the job prefix. Default: `GEOPART_INSTANCE_PROFILE`, else none.
   */
  readonly iamInstanceProfile?: string;
  /** Subnet to launch into. Default: `GEOPART_SUBNET_ID`, else the default VPC's default subnet. */
  readonly subnetId?: string;
  /** Security groups (`sg-...`). Default: the VPC's default group. */
  readonly securityGroupIds?: readonly string[];
  /** EC2 key pair for SSH access. Default: none. */
  readonly keyName?: string;
  /** Owner account of AMI names (`image_name`). Default: Debian's, {@link DEBIAN_OWNER}. */
  readonly imageOwner?: string;
  /**
   * What the instance installs with `npm install -g` instead of `geopart@<this version>`: an
   * https URL of a tarball (`npm pack`), or another version. Default: this version.
   */
  readonly installSpec?: string;
  /** Cancels the launch (and `wait`/`tail` of the returned job). */
  readonly signal?: AbortSignal;
}

/** The `run_remote` arguments plus where to launch, on one EC2 instance (the default engine). */
export type Ec2RunRemoteOptions = RemoteOptionsInit &
  LauncherOptions & {
    /** Where the job runs: `ec2` (the default), or `batch` (see {@link BatchRunRemoteOptions}). */
    readonly engine?: 'ec2';
  };

/** Options of `runRemote`: on one EC2 instance, or on AWS Batch with `engine: 'batch'`. */
export type RunRemoteOptions = Ec2RunRemoteOptions | BatchRunRemoteOptions;

/** Options of a step's `runRemote`: a job's, plus `output_table`. */
export type StepRunRemoteOptions = RunRemoteOptions & {
  /** Where the step writes (as `setOutput` takes it; must be `s3://`); default: the step's own output. */
  readonly outputTable?: string | null;
};

/** AWS account that publishes the official Debian AMIs. */
export const DEBIAN_OWNER = '136693071363';

/**
 * Default image: the newest official Debian 13 (trixie) amd64 AMI. Debian 12's own `nodejs` is
 * 18, older than geopart needs (>= 20.19); Debian 13 ships Node 20 and GDAL 3.10, so the
 * instance installs everything from the Debian archive and npm alone.
 */
export const DEFAULT_IMAGE = 'debian-13-amd64-*';

/** Instance type when none is given. */
export const DEFAULT_INSTANCE_TYPE = 'm5.large';

/**
 * Root disk (GiB) when none is given: room for the OS, Node, GDAL and the job's spill files.
 * A given size must also be at least the image's root snapshot (8 GiB for Debian).
 */
export const DEFAULT_DISK_SIZE_GB = 32;

/** Launcher options with the environment's defaults filled in. */
export interface ResolvedLauncher {
  readonly ec2: Ec2Settings;
  /** Job prefix without a trailing slash. */
  readonly jobPrefix: string;
  readonly s3Endpoint: string | null;
  readonly iamInstanceProfile: string | null;
  readonly subnetId: string | null;
  readonly securityGroupIds: readonly string[];
  readonly keyName: string | null;
  readonly imageOwner: string;
}

function refuse(path: string, message: string): never {
  throw new ConfigError([{ path, message }], 'cannot run the job remotely');
}

/** The job prefix of the options or `GEOPART_JOB_PREFIX`, checked; no trailing slash. */
export function resolveJobPrefix(
  jobPrefix: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const prefix = jobPrefix ?? env.GEOPART_JOB_PREFIX;
  if (!prefix) {
    refuse(
      'job_prefix',
      'no job prefix; give jobPrefix (--job-prefix) or set GEOPART_JOB_PREFIX to an s3:// URL',
    );
  }
  if (!isS3Url(prefix))
    refuse('job_prefix', `got ${JSON.stringify(prefix)}; expected an s3://bucket/prefix URL`);
  parseS3Url(prefix);
  return prefix.replace(/\/+$/, '');
}

/** The region of the options, else `AWS_REGION`/`AWS_DEFAULT_REGION`; an error when none. */
export function resolveRegion(
  region: string | null | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const r = region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!r) refuse('region', 'no region; give region (--region) or set AWS_REGION');
  return r;
}

/** Fills the launcher options' defaults from `env`. */
export function resolveLauncher(
  region: string,
  options: LauncherOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedLauncher {
  return {
    ec2: {
      region,
      endpoint: options.ec2Endpoint ?? env.AWS_ENDPOINT_URL_EC2 ?? env.AWS_ENDPOINT_URL ?? null,
    },
    jobPrefix: resolveJobPrefix(options.jobPrefix, env),
    s3Endpoint: options.s3Endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? null,
    iamInstanceProfile: options.iamInstanceProfile ?? env.GEOPART_INSTANCE_PROFILE ?? null,
    subnetId: options.subnetId ?? env.GEOPART_SUBNET_ID ?? null,
    securityGroupIds: options.securityGroupIds ?? [],
    keyName: options.keyName ?? null,
    imageOwner: options.imageOwner ?? DEBIAN_OWNER,
  };
}
