/**
 * The job definition that runs on Batch (`geopart remote batch-setup`): the geopart image of the
 * repository's Dockerfile, its vCPUs and memory, the roles, and the defaults a run's submissions
 * do not override. Each submission of `runRemote({ engine: 'batch' })` sets the command, the
 * environment, the attempts, the attempt timeout (when given) and the tags; the definition holds
 * the rest. Everything is checked before any request.
 */
import { GeopartError } from '../errors.js';
import {
  type BatchSettings,
  type JobDefinitionRequest,
  type RegisteredJobDefinition,
  registerJobDefinition,
} from './batch.js';
import { DEFAULT_ATTEMPTS } from './batch-options.js';

/** Where a job definition's containers run. */
export type BatchPlatform = 'EC2' | 'FARGATE';

/** What `geopart remote batch-setup` takes (flags in CLI names). */
export interface BatchSetupOptions {
  /** Job definition name (default `geopart`, the name `runRemote` on Batch uses by default). */
  readonly jobDefinition?: string;
  /** The geopart image, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/geopart:0.1.0`. */
  readonly image: string;
  /** vCPUs of one child (default 2). On Fargate: 0.25, 0.5, 1, 2, 4, 8 or 16. */
  readonly vcpus?: number;
  /** Memory of one child in MiB (default 4096). On Fargate, within the range of its vCPUs. */
  readonly memoryMiB?: number;
  /** The role the container runs as (S3 access to the job prefix, inputs and outputs). */
  readonly jobRoleArn?: string | null;
  /** The role ECS pulls the image and writes logs with; required on Fargate. */
  readonly executionRoleArn?: string | null;
  /** Default `EC2`. */
  readonly platform?: BatchPlatform;
  /** Fargate only: give each task a public IP (to pull the image without a NAT gateway). */
  readonly assignPublicIp?: boolean;
}

/** Default vCPUs of a child: a UDF child runs its share on a pool of this many threads. */
export const DEFAULT_VCPUS = 2;
/** Default memory of a child (MiB). */
export const DEFAULT_MEMORY_MIB = 4096;
/** The definition's command; every submission replaces it with `geopart remote batch-child ...`. */
export const PLACEHOLDER_COMMAND = ['geopart', '--help'] as const;

const NAME = /^[A-Za-z0-9_-]{1,128}$/;
// A registry image reference: [host[:port]/]path[:tag][@sha256:digest]; no spaces, at most 255.
const IMAGE =
  /^(?=.{1,255}$)[A-Za-z0-9][A-Za-z0-9._-]*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
const ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;

/** Fargate's vCPU sizes and the memory (MiB) each allows: from, to, step. */
const FARGATE: ReadonlyMap<number, readonly [number, number, number]> = new Map([
  [0.25, [512, 2048, 512]],
  [0.5, [1024, 4096, 1024]],
  [1, [2048, 8192, 1024]],
  [2, [4096, 16384, 1024]],
  [4, [8192, 30720, 1024]],
  [8, [16384, 61440, 4096]],
  [16, [32768, 122880, 8192]],
]);

function fargateMemory(vcpus: number): number[] {
  const [from, to, step] = FARGATE.get(vcpus) ?? [0, -1, 1];
  const sizes: number[] = [];
  for (let m = from; m <= to; m += step) sizes.push(m);
  // 0.25 vCPU takes 512, 1024 and 2048 only.
  return vcpus === 0.25 ? sizes.filter((m) => m !== 1536) : sizes;
}

function bad(option: string, message: string): GeopartError {
  return new GeopartError('INVALID_ARGUMENT', `${option}: ${message}`, { option });
}

function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * The RegisterJobDefinition request of `options`.
 *
 * @throws GeopartError `INVALID_ARGUMENT` naming the flag (`--image`, `--vcpus`, ...) of the first
 *   bad option.
 */
export function jobDefinitionRequest(options: BatchSetupOptions, version: string): JobDefinitionRequest {
  const name = options.jobDefinition ?? 'geopart';
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw bad(
      '--job-definition',
      `got ${shown(name)}; expected a name of 1 to 128 letters, digits, hyphens and underscores (a revision is Batch's to number)`,
    );
  }
  if (typeof options.image !== 'string' || !IMAGE.test(options.image)) {
    throw bad(
      '--image',
      `got ${shown(options.image)}; expected an image reference such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/geopart:${version} (build it from the Dockerfile)`,
    );
  }
  const platform = options.platform ?? 'EC2';
  if (platform !== 'EC2' && platform !== 'FARGATE') {
    throw bad('--platform', `got ${shown(platform)}; expected EC2 or FARGATE`);
  }
  const fargate = platform === 'FARGATE';
  const vcpus = options.vcpus ?? DEFAULT_VCPUS;
  if (fargate ? !FARGATE.has(vcpus) : !(Number.isInteger(vcpus) && vcpus >= 1 && vcpus <= 256)) {
    throw bad(
      '--vcpus',
      fargate
        ? `got ${shown(vcpus)}; Fargate takes ${[...FARGATE.keys()].join(', ')}`
        : `got ${shown(vcpus)}; expected a whole number from 1 to 256`,
    );
  }
  const memory = options.memoryMiB ?? DEFAULT_MEMORY_MIB;
  if (fargate && !fargateMemory(vcpus).includes(memory)) {
    const sizes = fargateMemory(vcpus);
    throw bad(
      '--memory',
      `got ${shown(memory)}; Fargate with ${vcpus} vCPU takes ${sizes[0]} to ${sizes.at(-1)} MiB in steps of ${FARGATE.get(vcpus)![2]}`,
    );
  }
  if (!fargate && !(Number.isInteger(memory) && memory >= 128)) {
    throw bad('--memory', `got ${shown(memory)}; expected whole MiB, at least 128`);
  }
  for (const [option, arn] of [
    ['--job-role-arn', options.jobRoleArn],
    ['--execution-role-arn', options.executionRoleArn],
  ] as const) {
    if (arn != null && (typeof arn !== 'string' || !ROLE.test(arn))) {
      throw bad(option, `got ${shown(arn)}; expected an IAM role ARN (arn:aws:iam::123456789012:role/NAME)`);
    }
  }
  if (fargate && options.executionRoleArn == null) {
    throw bad(
      '--execution-role-arn',
      'Fargate needs an execution role to pull the image and write the logs (see README, "IAM roles")',
    );
  }
  if (!fargate && options.assignPublicIp) {
    throw bad('--assign-public-ip', 'a Fargate option; on EC2 the compute environment decides it');
  }
  return {
    jobDefinitionName: name,
    type: 'container',
    platformCapabilities: [platform],
    containerProperties: {
      image: options.image,
      command: [...PLACEHOLDER_COMMAND],
      resourceRequirements: [
        { type: 'VCPU', value: String(vcpus) },
        { type: 'MEMORY', value: String(memory) },
      ],
      ...(options.jobRoleArn != null ? { jobRoleArn: options.jobRoleArn } : {}),
      ...(options.executionRoleArn != null ? { executionRoleArn: options.executionRoleArn } : {}),
      ...(fargate
        ? {
            networkConfiguration: { assignPublicIp: options.assignPublicIp ? 'ENABLED' : 'DISABLED' },
            fargatePlatformConfiguration: { platformVersion: 'LATEST' },
          }
        : {}),
    },
    // What a submission without `attempts` gets; each run's submissions set it anyway. No
    // timeout: a run sets the attempt timeout when it has one (`childTimeoutSeconds`).
    retryStrategy: { attempts: DEFAULT_ATTEMPTS },
    propagateTags: true,
    tags: { 'geopart:version': version },
  };
}

/** Registers the job definition of `options` (checked first); returns its name, revision and ARN. */
export async function setupBatch(
  settings: BatchSettings,
  options: BatchSetupOptions,
  version: string,
  signal?: AbortSignal,
): Promise<RegisteredJobDefinition> {
  return registerJobDefinition(settings, jobDefinitionRequest(options, version), signal);
}
