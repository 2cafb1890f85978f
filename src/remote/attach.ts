import type { AttachOptions } from './launch.js';
import type { RunResponse } from './run-response.js';

/**
 * The {@link RunResponse} of a job launched earlier (by `runRemote` or `geopart remote run`),
 * found by its id under the job prefix (`jobPrefix`, else `GEOPART_JOB_PREFIX`); its region is
 * the one recorded at launch. The EC2 SDK is loaded on the first call.
 *
 * @throws GeopartError `JOB_NOT_FOUND` when the prefix holds no such job.
 */
export async function attachRemoteJob(jobId: string, options: AttachOptions = {}): Promise<RunResponse> {
  const { attachJob } = await import('./launch.js');
  return attachJob(jobId, options);
}
