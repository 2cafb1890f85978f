/**
 * geopart: spatially partition vector data into chunked GeoParquet tables.
 * Every public name is listed here; nothing is re-exported wholesale.
 */

// Installs runLocal/runRemote on the config classes (config/ holds data only).
import './run-methods.js';

export type {
  ChunksOf,
  ChunksOfJson,
  GDALOpenInit,
  GdalOpenJson,
  GeospatialPartitionInit,
  GeospatialStepJson,
  IngestOptions,
  InstanceType,
  JobInit,
  JobJson,
  JobStep,
  JobStepInit,
  JobStepJson,
  JsonObject,
  JsonValue,
  LoadJobOptions,
  PartitioningMethod,
  PartitionStepInit,
  PartitionStepJson,
  RemoteOptions,
  RemoteOptionsInit,
  SetOutputOptions,
  SetUdfOptions,
  SplitMethod,
  StepJson,
  UdfInput,
  UdfInputJson,
  UdfRef,
  UdfRefInit,
  UdfRefJson,
  UdfStepInit,
  UdfStepJson,
} from './config/index.js';
export {
  GDALOpenConfig,
  GeospatialPartitionJobStepConfig,
  INSTANCE_TYPES,
  ingest,
  JOB_NAME,
  JobConfig,
  JobStepConfig,
  jobNameFromFile,
  loadJob,
  MAX_TIMEOUT_SECONDS,
  PARTITIONING_METHODS,
  PartitionJobStepConfig,
  resolveJobPaths,
  SPLIT_METHODS,
  SYSTEM_PARAMETER_NAMES,
  stepFromJSON,
  UdfJobStepConfig,
  validateRemoteOptions,
} from './config/index.js';
export type { ConfigIssue, ErrorCode, ErrorContext, WireError } from './errors.js';
export { ConfigError, GeopartError } from './errors.js';
export type {
  IngestStepReport,
  JobReport,
  SkippedStepReport,
  StepReport,
} from './job/report.js';
export { formatJobReport } from './job/report.js';
export type { JobProgress, JobRunOptions } from './job/run-job.js';
export { openTable } from './read/open-table.js';
export type { BBox, ChunkInfo, GeoTable, TableReadOptions, TableStats } from './read/types.js';
export { attachRemoteJob } from './remote/attach.js';
export type { BatchOptions, BatchRunRemoteOptions } from './remote/batch-options.js';
export { DEFAULT_ATTEMPTS, MAX_ATTEMPTS, MAX_TASKS, MIN_TIMEOUT_SECONDS } from './remote/batch-options.js';
export type { InstanceState } from './remote/ec2.js';
export type { JobState } from './remote/job-store.js';
export type { AttachOptions } from './remote/launch.js';
export type {
  Ec2RunRemoteOptions,
  LauncherOptions,
  RunRemoteOptions,
  StepRunRemoteOptions,
} from './remote/launcher-options.js';
export {
  DEBIAN_OWNER,
  DEFAULT_DISK_SIZE_GB,
  DEFAULT_IMAGE,
  DEFAULT_INSTANCE_TYPE,
} from './remote/launcher-options.js';
export type {
  PollOptions,
  RemoteEngine,
  RemoteJobStatus,
  RunResponse,
  StageStatus,
  TailOptions,
} from './remote/run-response.js';
export type { UdfContext } from './udf/call-udf.js';
export type { ChunkInput } from './udf/inputs.js';
export type { FailedInput, UdfStepReport } from './udf/report.js';
export type { UdfSampleOptions } from './udf/run-sample.js';
export type { UdfProgress } from './udf/run-udf-step.js';
export type { ColumnInfo } from './udf/table-value.js';
