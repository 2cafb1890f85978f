/**
 * Launches a job on one EC2 instance of the user's own account: checks everything that can be
 * checked locally, then uploads the job to S3 and starts an instance whose user data runs it.
 */
import { readFileSync } from 'node:fs';
import { JobConfig, type JobStep } from '../config/job.js';
import {
  type RemoteOptions,
  type RemoteOptionsInit,
  validateRemoteOptions,
} from '../config/remote-options.js';
import { ConfigError, GeopartError } from '../errors.js';
import type { BatchLaunchRecord } from './batch-store.js';
import { bootstrapScript } from './bootstrap.js';
import { checkInputsExist, remoteJobJson } from './check-job.js';
import { findImage, launchInstance } from './ec2.js';
import { ec2Backend } from './ec2-run.js';
import {
  jobUrls,
  type LaunchRecord,
  newJobId,
  readJson,
  readStatus,
  writeJson,
  writeLaunchFailure,
  writeStatus,
} from './job-store.js';
import {
  DEFAULT_DISK_SIZE_GB,
  DEFAULT_IMAGE,
  DEFAULT_INSTANCE_TYPE,
  type Ec2RunRemoteOptions,
  type LauncherOptions,
  type RunRemoteOptions,
  resolveJobPrefix,
  resolveLauncher,
  resolveRegion,
  type StepRunRemoteOptions,
} from './launcher-options.js';
import { RunResponse } from './run-response.js';
import { checkImports } from './udf-modules.js';

/** EC2 refuses user data over 16 KiB (before base64). */
const USER_DATA_LIMIT = 16 * 1024;

/** The installed geopart version: the instance installs the same one from npm. */
export function geopartVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const LAUNCHER_KEYS = [
  'jobPrefix',
  'ec2Endpoint',
  's3Endpoint',
  'iamInstanceProfile',
  'subnetId',
  'securityGroupIds',
  'keyName',
  'imageOwner',
  'installSpec',
  'signal',
] as const satisfies readonly (keyof LauncherOptions)[];

function splitOptions(options: Ec2RunRemoteOptions): {
  remote: RemoteOptionsInit;
  launcher: LauncherOptions;
} {
  const remote: Record<string, unknown> = {};
  const launcher: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if ((LAUNCHER_KEYS as readonly string[]).includes(key)) launcher[key] = value;
    else remote[key] = value;
  }
  return { remote: remote as RemoteOptionsInit, launcher: launcher as LauncherOptions };
}

function badEngine(engine: unknown): never {
  throw new ConfigError(
    [{ path: 'engine', message: `got ${JSON.stringify(engine)}; expected "ec2" (the default) or "batch"` }],
    'cannot run the job remotely',
  );
}

function diskTooSmall(size: number, image: { name: string; rootSizeGb: number }): never {
  throw new ConfigError(
    [
      {
        path: 'disk_size_gb',
        message: `got ${size}; image ${image.name} needs a root disk of at least ${image.rootSizeGb} GiB`,
      },
    ],
    'cannot run the job remotely',
  );
}

/**
 * Runs `job` on one EC2 instance and returns at once with a {@link RunResponse}. The options
 * are validated, every output must be `s3://` and every input reachable from the instance,
 * before any request is made; then inputs are checked to exist (`validateInputs`), the image
 * is looked up, the job is uploaded to `<jobPrefix>/<jobId>/job.json` and the instance started.
 *
 * @throws ConfigError naming each bad option or step field; GeopartError `INPUT_NOT_FOUND`,
 *   `REMOTE_ERROR` or `STORAGE_ERROR` when a request fails.
 */
export async function launchJob(job: JobConfig, options: RunRemoteOptions = {}): Promise<RunResponse> {
  if (options.engine === 'batch') {
    const { launchBatchJob } = await import('./batch-launch.js');
    return launchBatchJob(job, options);
  }
  const { engine, ...ec2Options } = options;
  if (engine !== undefined && engine !== 'ec2') badEngine(engine);
  const { remote, launcher } = splitOptions(ec2Options);
  const checked: RemoteOptions = validateRemoteOptions(remote);
  const jobJson = remoteJobJson(job.toJSON(), checked);
  const l = resolveLauncher(resolveRegion(checked.region), launcher);
  const signal = launcher.signal;

  if (checked.validateInputs) await checkInputsExist(jobJson, signal);
  if (checked.validateImports === true) await checkImports(jobJson, signal);
  const image = await findImage(l.ec2, checked.imageName ?? DEFAULT_IMAGE, l.imageOwner, signal);
  const diskSizeGb = checked.diskSizeGb ?? Math.max(DEFAULT_DISK_SIZE_GB, image.rootSizeGb);
  if (diskSizeGb < image.rootSizeGb) diskTooSmall(diskSizeGb, image);
  const instanceType = checked.instanceType ?? DEFAULT_INSTANCE_TYPE;

  const jobId = newJobId(job.name);
  const urls = jobUrls(l.jobPrefix, jobId);
  const userData = bootstrapScript({
    jobId,
    jobUrl: urls.job,
    version: geopartVersion(),
    region: l.ec2.region,
    s3Endpoint: l.s3Endpoint,
    additionalEnv: checked.additionalEnv ?? [],
    installSpec: launcher.installSpec ?? null,
    runFlags: [
      ...(checked.ignoreNoUdf ? (['--ignore-no-udf'] as const) : []),
      ...(checked.ignoreNoOutput ? (['--ignore-no-output'] as const) : []),
    ],
  });
  if (Buffer.byteLength(userData) > USER_DATA_LIMIT) {
    throw new ConfigError(
      [
        {
          path: 'additional_env',
          message: `the instance's user data would exceed EC2's 16 KiB; pass fewer or shorter variables`,
        },
      ],
      'cannot run the job remotely',
    );
  }

  await writeJson(urls.job, jobJson, signal);
  const pending = { jobId, instanceId: null, startedAt: null, error: null };
  await writeStatus(urls, { ...pending, state: 'pending', updatedAt: new Date().toISOString() }, signal);
  let instanceId: string;
  try {
    instanceId = await launchInstance(
      l.ec2,
      {
        image,
        instanceType,
        diskSizeGb,
        userData,
        tags: { 'geopart:job-id': jobId, Name: `geopart ${jobId}` },
        iamInstanceProfile: l.iamInstanceProfile,
        subnetId: l.subnetId,
        securityGroupIds: l.securityGroupIds,
        keyName: l.keyName,
      },
      signal,
    );
  } catch (err) {
    await writeLaunchFailure(urls, jobId, err);
    throw err;
  }
  const record: LaunchRecord = {
    jobId,
    instanceId,
    region: l.ec2.region,
    instanceType,
    imageId: image.imageId,
    imageName: image.name,
    diskSizeGb,
    launchedAt: new Date().toISOString(),
  };
  await writeJson(urls.launch, record, signal);
  return new RunResponse({ jobId, urls, backend: ec2Backend(l.ec2, jobId, instanceId, urls) });
}

/**
 * Runs `step` as a one-step job named after its type (see {@link launchJob}); `outputTable`
 * sets its output first.
 */
export async function launchStep(step: JobStep, options: StepRunRemoteOptions = {}): Promise<RunResponse> {
  if (options.engine === 'batch') {
    const { launchBatchStep } = await import('./batch-launch.js');
    return launchBatchStep(step, options);
  }
  const { outputTable, ...rest } = options;
  const target = outputTable === undefined ? step : step.setOutput(outputTable);
  const name = target.toJSON().type.replaceAll('_', '-');
  return launchJob(new JobConfig({ name, steps: [target] }), rest);
}

/** Options of {@link attachJob}: where the job prefix and EC2 are. */
export interface AttachOptions extends Pick<LauncherOptions, 'jobPrefix' | 'ec2Endpoint'> {
  /** Region of the instance; default: the one recorded at launch. */
  readonly region?: string;
}

/**
 * The {@link RunResponse} of a job launched earlier, found by its id under the job prefix.
 *
 * @throws GeopartError `JOB_NOT_FOUND` when the prefix holds no such job.
 */
export async function attachJob(jobId: string, options: AttachOptions = {}): Promise<RunResponse> {
  const urls = jobUrls(resolveJobPrefix(options.jobPrefix), jobId);
  const recorded = (await readJson(urls.launch)) as LaunchRecord | BatchLaunchRecord | null;
  if (recorded !== null && 'engine' in recorded && recorded.engine === 'batch') {
    const { attachBatch } = await import('./batch-run.js');
    return new RunResponse({ jobId, urls, backend: await attachBatch(urls, recorded) });
  }
  const launch = recorded as LaunchRecord | null;
  if (launch === null && (await readStatus(urls)) === null) {
    throw new GeopartError(
      'JOB_NOT_FOUND',
      `no remote job ${jobId} under ${urls.folder}; check the id and the job prefix (--job-prefix, GEOPART_JOB_PREFIX)`,
      { jobId },
    );
  }
  const region = resolveRegion(launch?.region ?? options.region);
  const { ec2 } = resolveLauncher(region, { jobPrefix: urls.folder, ec2Endpoint: options.ec2Endpoint });
  return new RunResponse({ jobId, urls, backend: ec2Backend(ec2, jobId, launch?.instanceId ?? null, urls) });
}
