/**
 * AWS Batch calls of remote runs: the only module that imports `@aws-sdk/client-batch`.
 * Everything else sees job ids, plain records and {@link GeopartError}s; no SDK type leaves
 * this file.
 */
import {
  BatchClient,
  DescribeJobsCommand,
  type JobDetail,
  type JobStatus,
  ListJobsCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  TerminateJobCommand,
} from '@aws-sdk/client-batch';
import { GeopartError } from '../errors.js';
import { awsCall, type Service, type ServiceSettings } from './aws-call.js';

/** Where the Batch API is: region and, for Batch-compatible servers, an endpoint URL. */
export type BatchSettings = ServiceSettings;

/** A Batch job's status, as Batch names it. */
export type BatchJobStatus = `${JobStatus}`;

/** What one job of a run is submitted with. */
export interface BatchJobSpec {
  /** Up to 128 letters, digits, hyphens and underscores. */
  readonly name: string;
  readonly jobQueue: string;
  readonly jobDefinition: string;
  /** Children of an array job, 2 to 10,000; null: a single job. */
  readonly arraySize: number | null;
  /** Jobs that must succeed first; `N_TO_N` ties child i to child i of another array job. */
  readonly dependsOn: readonly { readonly jobId: string; readonly type?: 'N_TO_N' }[];
  /** The container's command, replacing the job definition's. */
  readonly command: readonly string[];
  /** Variables added to the job definition's. */
  readonly environment: Readonly<Record<string, string>>;
  /** Attempts per child (Batch retries a failed one), 1 to 10. */
  readonly attempts: number;
  /** Time limit of one attempt (seconds, at least 60); null: none. */
  readonly timeoutSeconds: number | null;
  readonly tags: Readonly<Record<string, string>>;
}

/** A job as Batch describes it. */
export interface BatchJobInfo {
  readonly jobId: string;
  readonly status: BatchJobStatus;
  /** Why the job is in its status (`Essential container in task exited`), or null. */
  readonly statusReason: string | null;
  /** Children of an array job by status (`SUCCEEDED: 2`); null for a single job. */
  readonly children: Readonly<Partial<Record<BatchJobStatus, number>>> | null;
  /** The array size; null for a single job. */
  readonly arraySize: number | null;
  /** Attempts made so far. */
  readonly attempts: number;
  /** Exit code of the last attempt's container, or null. */
  readonly exitCode: number | null;
  /** Why the last attempt's container stopped (e.g. `OutOfMemoryError`), or null. */
  readonly containerReason: string | null;
  /** When the job (an array: its first child) started running, ms since 1970; null before. */
  readonly startedAt: number | null;
}

/** A child of an array job as Batch lists it. */
export interface BatchChildInfo {
  readonly jobId: string;
  /** `AWS_BATCH_JOB_ARRAY_INDEX` of the child. */
  readonly index: number;
  readonly status: BatchJobStatus;
  readonly statusReason: string | null;
  readonly exitCode: number | null;
  readonly containerReason: string | null;
}

const BATCH: Service<BatchClient> = {
  name: 'Batch',
  client: (settings) =>
    new BatchClient({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    }),
  hints: {
    AccessDeniedException:
      'the AWS credentials lack this Batch permission (batch:SubmitJob, batch:DescribeJobs, batch:ListJobs, batch:TerminateJob, batch:RegisterJobDefinition); grant it to the user or role',
    ClientException:
      'Batch refused the request; check that the job queue and job definition exist in this region and are enabled',
  },
};

/** Submits one job; returns its id. */
export async function submitJob(
  settings: BatchSettings,
  spec: BatchJobSpec,
  signal?: AbortSignal,
): Promise<string> {
  const input = {
    jobName: spec.name,
    jobQueue: spec.jobQueue,
    jobDefinition: spec.jobDefinition,
    ...(spec.arraySize === null ? {} : { arrayProperties: { size: spec.arraySize } }),
    ...(spec.dependsOn.length > 0 ? { dependsOn: spec.dependsOn.map((d) => ({ ...d })) } : {}),
    containerOverrides: {
      command: [...spec.command],
      environment: Object.entries(spec.environment).map(([name, value]) => ({ name, value })),
    },
    retryStrategy: { attempts: spec.attempts },
    ...(spec.timeoutSeconds === null ? {} : { timeout: { attemptDurationSeconds: spec.timeoutSeconds } }),
    tags: { ...spec.tags },
    propagateTags: true,
  };
  const out = await awsCall(BATCH, settings, `submitting Batch job ${spec.name}`, signal, (c, o) =>
    c.send(new SubmitJobCommand(input), o),
  );
  if (!out.jobId)
    throw new GeopartError('REMOTE_ERROR', `submitting ${spec.name}: Batch answered without a job id`, {});
  return out.jobId;
}

function info(job: JobDetail): BatchJobInfo {
  const last = job.attempts?.at(-1)?.container;
  return {
    jobId: job.jobId ?? '',
    status: (job.status ?? 'SUBMITTED') as BatchJobStatus,
    statusReason: job.statusReason ?? null,
    children: job.arrayProperties?.statusSummary
      ? (job.arrayProperties.statusSummary as Partial<Record<BatchJobStatus, number>>)
      : null,
    arraySize: job.arrayProperties?.size ?? null,
    attempts: job.attempts?.length ?? 0,
    exitCode: last?.exitCode ?? job.container?.exitCode ?? null,
    containerReason: last?.reason ?? job.container?.reason ?? null,
    startedAt: job.startedAt ?? null,
  };
}

/** Batch's limit of job ids per DescribeJobs. */
const DESCRIBE_LIMIT = 100;

/** The jobs Batch still knows, among `jobIds` (it forgets ended jobs after some days). */
export async function describeJobs(
  settings: BatchSettings,
  jobIds: readonly string[],
  signal?: AbortSignal,
): Promise<BatchJobInfo[]> {
  const found: BatchJobInfo[] = [];
  for (let i = 0; i < jobIds.length; i += DESCRIBE_LIMIT) {
    const jobs = jobIds.slice(i, i + DESCRIBE_LIMIT);
    const out = await awsCall(BATCH, settings, 'describing Batch jobs', signal, (c, o) =>
      c.send(new DescribeJobsCommand({ jobs }), o),
    );
    found.push(...(out.jobs ?? []).map(info));
  }
  return found;
}

/** The children of array job `arrayJobId` in `status`, by index. */
export async function listChildren(
  settings: BatchSettings,
  arrayJobId: string,
  status: BatchJobStatus,
  signal?: AbortSignal,
): Promise<BatchChildInfo[]> {
  const children: BatchChildInfo[] = [];
  let nextToken: string | undefined;
  do {
    const out = await awsCall(
      BATCH,
      settings,
      `listing the children of Batch job ${arrayJobId}`,
      signal,
      (c, o) => c.send(new ListJobsCommand({ arrayJobId, jobStatus: status, nextToken }), o),
    );
    for (const j of out.jobSummaryList ?? []) {
      children.push({
        jobId: j.jobId ?? '',
        index: j.arrayProperties?.index ?? Number(/:(\d+)$/.exec(j.jobId ?? '')?.[1] ?? 0),
        status: (j.status ?? status) as BatchJobStatus,
        statusReason: j.statusReason ?? null,
        exitCode: j.container?.exitCode ?? null,
        containerReason: j.container?.reason ?? null,
      });
    }
    nextToken = out.nextToken;
  } while (nextToken);
  return children.sort((a, b) => a.index - b.index);
}

/** Terminates a job (a job not yet started is cancelled; an array job takes its children along). */
export async function terminateJob(
  settings: BatchSettings,
  jobId: string,
  reason: string,
  signal?: AbortSignal,
): Promise<void> {
  await awsCall(BATCH, settings, `terminating Batch job ${jobId}`, signal, (c, o) =>
    c.send(new TerminateJobCommand({ jobId, reason }), o),
  );
}

/** A RegisterJobDefinition request as plain JSON: what `geopart remote batch-setup` sends. */
export interface JobDefinitionRequest {
  readonly jobDefinitionName: string;
  readonly type: 'container';
  readonly platformCapabilities: readonly ('EC2' | 'FARGATE')[];
  readonly containerProperties: {
    readonly image: string;
    readonly command: readonly string[];
    readonly resourceRequirements: readonly { readonly type: 'VCPU' | 'MEMORY'; readonly value: string }[];
    readonly jobRoleArn?: string;
    readonly executionRoleArn?: string;
    readonly networkConfiguration?: { readonly assignPublicIp: 'ENABLED' | 'DISABLED' };
    readonly fargatePlatformConfiguration?: { readonly platformVersion: string };
  };
  readonly retryStrategy: { readonly attempts: number };
  readonly propagateTags: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/** A registered job definition: `name:revision` and its ARN. */
export interface RegisteredJobDefinition {
  readonly name: string;
  readonly revision: number;
  readonly arn: string;
}

/** Registers a job definition (a new revision if the name exists). */
export async function registerJobDefinition(
  settings: BatchSettings,
  request: JobDefinitionRequest,
  signal?: AbortSignal,
): Promise<RegisteredJobDefinition> {
  const input = structuredClone(request) as ConstructorParameters<typeof RegisterJobDefinitionCommand>[0];
  const out = await awsCall(
    BATCH,
    settings,
    `registering Batch job definition ${request.jobDefinitionName}`,
    signal,
    (c, o) => c.send(new RegisterJobDefinitionCommand(input), o),
  );
  if (!out.jobDefinitionArn || out.revision === undefined) {
    throw new GeopartError(
      'REMOTE_ERROR',
      `registering ${request.jobDefinitionName}: Batch answered without a job definition ARN or revision`,
      {},
    );
  }
  return {
    name: out.jobDefinitionName ?? request.jobDefinitionName,
    revision: out.revision,
    arn: out.jobDefinitionArn,
  };
}
