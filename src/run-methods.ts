/**
 * The run methods of the config classes: `step.runLocal`, `step.runRemote`, `job.runLocal` and
 * `job.runRemote`. The classes in config/ hold data only and import no engine; this module
 * declares the methods on them and installs them on their prototypes. The package entry
 * (index.ts) and the command line (cli/main.ts) import it.
 *
 * Each method loads its engine on first use, so importing the package loads neither the worker
 * pool nor the EC2 SDK.
 */
import type { Table } from 'apache-arrow';
import { GeospatialPartitionJobStepConfig } from './config/geospatial-step.js';
import { JobConfig, type JobStep } from './config/job.js';
import { JobStepConfig } from './config/job-step.js';
import type { JsonValue } from './config/json.js';
import { UdfJobStepConfig } from './config/udf-step.js';
import type { IngestReport } from './ingest/report.js';
import type { IngestRunOptions } from './ingest/settings.js';
import type { JobReport } from './job/report.js';
import type { JobRunOptions } from './job/run-job.js';
import type { RunRemoteOptions, StepRunRemoteOptions } from './remote/launcher-options.js';
import type { RunResponse } from './remote/run-response.js';
import type { UdfSampleOptions } from './udf/run-sample.js';

declare module './config/job-step.js' {
  interface JobStepConfig {
    /**
     * Runs this step on one EC2 instance of your AWS account, as a one-step job, and returns at
     * once with its {@link RunResponse}. `outputTable` sets the output first (it must be
     * `s3://`). See `JobConfig.runRemote` for the options and what is checked before launching.
     */
    runRemote(options?: StepRunRemoteOptions): Promise<RunResponse>;
  }
}

declare module './config/geospatial-step.js' {
  interface GeospatialPartitionJobStepConfig {
    /**
     * Runs the ingestion here, on a worker pool, and writes the table to `output`; returns the
     * job report. See {@link IngestRunOptions} for threads, progress and cancellation.
     */
    runLocal(options?: IngestRunOptions): Promise<IngestReport>;
  }
}

declare module './config/udf-step.js' {
  interface UdfJobStepConfig {
    /**
     * Runs the UDF once, here in this thread, and returns its value: on `sample` when given (null
     * is a sample: no input), else on the step's first input (the first chunk of a `chunksOf`
     * table; no input when `input` is null). The UDF gets `context` `{ jobName: null,
     * stepIndex: 0, inputIndex: 0, input }` and `output` (`<output>/0.parquet`, or null).
     * Nothing is written.
     *
     * With `validateOutput`, the value must be a table (an apache-arrow Table, an array of plain
     * records or a GeoJSON FeatureCollection); it is returned converted to an Arrow Table, whose
     * `schema` is the recorded schema (GeoJSON geometry becomes WKB). Anything else is a
     * GeopartError `INVALID_UDF_OUTPUT` saying what was returned.
     *
     * `timeoutSeconds` (default: the step's) bounds an asynchronous UDF; a synchronous loop
     * cannot be interrupted in this thread (a job run stops it by terminating its worker).
     */
    runLocal(
      sample: JsonValue | undefined,
      options: UdfSampleOptions & { validateOutput: true },
    ): Promise<Table>;
    runLocal(sample?: JsonValue, options?: UdfSampleOptions): Promise<unknown>;
  }
}

declare module './config/job.js' {
  interface JobConfig {
    /**
     * Runs the steps in order on this machine (each on a worker pool of `threads`) and returns
     * the job report, one report per step. Before anything runs, a UDF step without a UDF or a
     * step without an output is refused (unless `ignoreNoUdf` / `ignoreNoOutput`), and with
     * `validateInputs` (default true) every local input must exist: ingest inputs, UDF modules,
     * and `chunks_of` tables not written by an earlier step. An output that already exists is
     * refused up front too, unless its step sets `overwrite`, so a job never fails at its last
     * step after hours of work on the first. See {@link JobRunOptions}.
     */
    runLocal(options?: JobRunOptions): Promise<JobReport>;
    /**
     * Runs the job on one EC2 instance of your AWS account and returns at once with its
     * {@link RunResponse} (`status()`, `logs()`, `tail()`, `wait()`, `cancel()`). With
     * `engine: 'batch'` (`jobQueue`, `tasks`, see `BatchRunRemoteOptions`) its UDF steps run on
     * AWS Batch instead, each spread over `tasks` array children, then committed by one job. The instance
     * installs this geopart version, runs the job with the same engine, writes to the steps'
     * `s3://` outputs, reports status and log under `jobPrefix`, and terminates itself.
     *
     * Before any request: the options are validated (instance type from INSTANCE_TYPES,
     * region, disk size in GiB, `KEY=value` env entries, image), every output must be `s3://`
     * and every input and UDF module an `s3://` or `http(s)://` URL. `additionalEnv` travels in
     * the instance's user data, which anyone allowed `ec2:DescribeInstanceAttribute` can read:
     * never pass secrets there; give the instance a role (`iamInstanceProfile`) instead.
     */
    runRemote(options?: RunRemoteOptions): Promise<RunResponse>;
  }
}

/** Defines `method` on `prototype` as a class method is defined: writable, not enumerable. */
function install<T extends object, K extends keyof T>(prototype: T, name: K, method: T[K]): void {
  Object.defineProperty(prototype, name, {
    value: method,
    writable: true,
    enumerable: false,
    configurable: true,
  });
}

install(JobStepConfig.prototype, 'runRemote', async function (this: JobStepConfig, options = {}) {
  const { launchStep } = await import('./remote/launch.js');
  return launchStep(this as unknown as JobStep, options);
});

install(
  GeospatialPartitionJobStepConfig.prototype,
  'runLocal',
  async function (this: GeospatialPartitionJobStepConfig, options = {}) {
    const { runIngest } = await import('./ingest/run-ingest.js');
    return runIngest(this, options);
  },
);

install(UdfJobStepConfig.prototype, 'runLocal', async function (
  this: UdfJobStepConfig,
  sample?: JsonValue,
  options: UdfSampleOptions = {},
) {
  const { runUdfSample } = await import('./udf/run-sample.js');
  return runUdfSample(this, sample, options);
} as UdfJobStepConfig['runLocal']);

install(JobConfig.prototype, 'runLocal', async function (this: JobConfig, options = {}) {
  const { runJob } = await import('./job/run-job.js');
  return runJob(this, options);
});

install(JobConfig.prototype, 'runRemote', async function (this: JobConfig, options = {}) {
  // Loaded on use, so that configs never load the EC2 SDK.
  const { launchJob } = await import('./remote/launch.js');
  return launchJob(this, options);
});
