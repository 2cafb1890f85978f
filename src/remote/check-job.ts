/**
 * What makes a job runnable on an instance, checked on the launching machine before any
 * request: the instance sees no local file, so every input, output and UDF module must be a
 * URL it can reach.
 */
import type { JobJson, StepJson } from '../config/job-schema.js';
import type { RemoteOptions } from '../config/remote-options.js';
import { ConfigError, type ConfigIssue, GeopartError } from '../errors.js';
import { listS3Input } from '../io/s3-inputs.js';
import { isS3Url, parseS3Url } from '../io/s3-url.js';

/** GDAL virtual file systems that read over the network. */
const NETWORK_VSI = /^\/vsi(s3|curl|gs|az|adls|oss|swift|webhdfs|hdfs)(_streaming)?\//;

/** True for locations an instance can read: `s3://`, `http(s)://`, or a networked `/vsi...` path. */
export function isReachableInput(location: string): boolean {
  if (isS3Url(location) || /^https?:\/\//i.test(location)) return true;
  // A /vsizip/ or /vsigzip/ path is reachable when what it wraps is.
  const inner = location.replace(/^(\/vsi(zip|gzip|tar|7z|rar)\/)+/, '/');
  return NETWORK_VSI.test(inner);
}

const INPUT_HINT =
  'the instance cannot read local files; upload it (e.g. "aws s3 cp") and give its s3:// URL, or an http(s):// URL';

function inputIssues(path: string, location: string | null): ConfigIssue[] {
  if (location === null || isReachableInput(location)) return [];
  return [{ path, message: `${JSON.stringify(location)} is a local path; ${INPUT_HINT}` }];
}

function outputIssues(path: string, location: string | null, options: RemoteOptions): ConfigIssue[] {
  if (location === null) {
    if (options.ignoreNoOutput) return [];
    return [
      {
        path,
        message:
          'no output; a remote job writes to S3: set an s3:// output (setOutput("s3://bucket/table")) ' +
          'or pass ignoreNoOutput',
      },
    ];
  }
  if (isS3Url(location)) {
    parseS3Url(location);
    return [];
  }
  return [
    {
      path,
      message:
        `${JSON.stringify(location)} is not an s3:// URL; a remote job can only write to S3: ` +
        'set the output to s3://bucket/table',
    },
  ];
}

function stepIssues(step: StepJson, at: string, options: RemoteOptions): ConfigIssue[] {
  const issues = outputIssues(`${at}.output`, step.output, options);
  if (step.type === 'udf') {
    if (step.udf === null) {
      if (!options.ignoreNoUdf) {
        issues.push({
          path: `${at}.udf`,
          message: 'no UDF set; set one with setUdf(...) or pass ignoreNoUdf',
        });
      }
    } else {
      issues.push(...inputIssues(`${at}.udf.module`, step.udf.module));
    }
    const table = chunksOf(step);
    if (table !== null) issues.push(...inputIssues(`${at}.input.chunks_of`, table));
    return issues;
  }
  const inputs = typeof step.input === 'string' ? [step.input] : step.input;
  inputs.forEach((input, i) => {
    issues.push(...inputIssues(typeof step.input === 'string' ? `${at}.input` : `${at}.input[${i}]`, input));
  });
  issues.push(...inputIssues(`${at}.partitioning_schema_input`, step.partitioning_schema_input));
  if (step.output_metadata !== null && !isS3Url(step.output_metadata)) {
    issues.push({
      path: `${at}.output_metadata`,
      message: `${JSON.stringify(step.output_metadata)} is not an s3:// URL; set it to s3://bucket/key or null`,
    });
  }
  return issues;
}

/**
 * The job as the instance will run it: every step checked (s3:// outputs, reachable inputs and
 * UDF modules, a UDF where one is needed) and `options.overwrite`, when set, applied to every step.
 *
 * @throws ConfigError listing every problem by its job-file path (`steps[0].output`).
 */
export function remoteJobJson(job: JobJson, options: RemoteOptions): JobJson {
  const issues = job.steps.flatMap((step, i) => stepIssues(step, `steps[${i}]`, options));
  if (issues.length > 0) throw new ConfigError(issues, `cannot run job ${job.name} remotely`);
  const overwrite = options.overwrite;
  if (overwrite === null) return job;
  return { ...job, steps: job.steps.map((s) => ({ ...s, overwrite })) };
}

/** The table a UDF step runs over (`{"chunks_of": table}`), or null. */
function chunksOf(step: StepJson): string | null {
  if (step.type !== 'udf' || step.input === null || Array.isArray(step.input)) return null;
  return (step.input as { chunks_of: string }).chunks_of;
}

async function exists(location: string, signal?: AbortSignal): Promise<boolean> {
  if (isS3Url(location)) {
    signal?.throwIfAborted();
    // An object, a folder (with or without its trailing slash) or a glob, as a step reads it.
    return (await listS3Input(location)).urls.length > 0;
  }
  if (/^https?:\/\//i.test(location)) {
    const res = await fetch(location, { method: 'HEAD', signal });
    return res.ok;
  }
  // Other network file systems are left to GDAL on the instance.
  return true;
}

/**
 * Checks that every `s3://` and `http(s)://` input of the job exists (as
 * `validate_inputs`), so that a typo fails here rather than on a paid instance.
 *
 * @throws GeopartError `INPUT_NOT_FOUND` naming the step and the input.
 */
export async function checkInputsExist(job: JobJson, signal?: AbortSignal): Promise<void> {
  for (const [i, step] of job.steps.entries()) {
    const table = chunksOf(step);
    // A table an earlier step writes is not there yet; any other must be complete (its _sample).
    const written = job.steps.slice(0, i).some((s) => s.output === table);
    const inputs =
      step.type === 'udf'
        ? [
            ...(step.udf === null ? [] : [step.udf.module]),
            ...(table === null || written ? [] : [`${table.replace(/\/+$/, '')}/_sample`]),
          ]
        : [...(typeof step.input === 'string' ? [step.input] : step.input), step.partitioning_schema_input];
    for (const input of inputs) {
      if (input === null || (await exists(input, signal))) continue;
      throw new GeopartError(
        'INPUT_NOT_FOUND',
        `steps[${i}]: input ${input} does not exist; check the URL (or pass validateInputs: false)`,
        { step: i, input },
      );
    }
  }
}
