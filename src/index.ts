/**
 * geopart: spatially partition vector data into chunked GeoParquet tables.
 * Every public name is listed here; nothing is re-exported wholesale.
 */

export type {
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
  PartitioningMethod,
  PartitionStepInit,
  PartitionStepJson,
  RemoteOptions,
  RemoteOptionsInit,
  SetOutputOptions,
  SetUdfOptions,
  SplitMethod,
  StepJson,
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
