/**
 * The job-config layer: immutable, validated step and job configs, their snake_case JSON
 * form, job files, and the options of a remote run.
 */

export type { JobStepJson } from './fields.js';
export type { GDALOpenInit } from './gdal-open.js';
export { GDALOpenConfig } from './gdal-open.js';
export type { GeospatialPartitionInit, PartitioningMethod, SplitMethod } from './geospatial-step.js';
export { GeospatialPartitionJobStepConfig } from './geospatial-step.js';
export type { IngestOptions } from './ingest.js';
export { ingest } from './ingest.js';
export type { JobInit, JobStep } from './job.js';
export { JobConfig, stepFromJSON } from './job.js';
export type { JobJson, StepJson } from './job-schema.js';
export { JOB_NAME } from './job-schema.js';
export type { JobStepInit } from './job-step.js';
export { JobStepConfig } from './job-step.js';
export type { JsonObject, JsonValue } from './json.js';
export type { LoadJobOptions } from './load-job.js';
export { jobNameFromFile, loadJob, resolveJobPaths } from './load-job.js';
export type { SetOutputOptions } from './output-target.js';
export type { GdalOpenJson, GeospatialStepJson, PartitionStepJson } from './partition-schema.js';
export { PARTITIONING_METHODS } from './partition-schema.js';
export type { PartitionStepInit } from './partition-step.js';
export { PartitionJobStepConfig } from './partition-step.js';
export { SPLIT_METHODS } from './plan-defaults.js';
export type { InstanceType, RemoteOptions, RemoteOptionsInit } from './remote-options.js';
export { INSTANCE_TYPES, validateRemoteOptions } from './remote-options.js';
export type { ChunksOfJson, UdfInputJson, UdfRefJson, UdfStepJson } from './udf-schema.js';
export { MAX_TIMEOUT_SECONDS, SYSTEM_PARAMETER_NAMES } from './udf-schema.js';
export type { ChunksOf, SetUdfOptions, UdfInput, UdfRef, UdfRefInit, UdfStepInit } from './udf-step.js';
export { UdfJobStepConfig } from './udf-step.js';
