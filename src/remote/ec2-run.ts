/**
 * A job on one EC2 instance, as a {@link RunResponse} sees it: the instance's state, which says
 * when the job died without reporting an end, and its one log, `log.txt`.
 */
import { type Ec2Settings, type InstanceState, instanceState, terminateInstance } from './ec2.js';
import { END_STATES, type JobUrls } from './job-store.js';
import type { RunBackend } from './run-response.js';

const ENDED_INSTANCE: ReadonlySet<InstanceState> = new Set([
  'shutting-down',
  'terminated',
  'stopped',
  'not-found',
]);

/** The backend of job `jobId` on instance `instanceId` (null: the launch never got that far). */
export function ec2Backend(
  ec2: Ec2Settings,
  jobId: string,
  instanceId: string | null,
  urls: JobUrls,
): RunBackend {
  return {
    engine: 'ec2',
    instanceId,
    async observe(signal) {
      const instance = instanceId === null ? null : await instanceState(ec2, instanceId, signal);
      return async (record) => {
        const ended = instance === null || ENDED_INSTANCE.has(instance);
        if (END_STATES.has(record?.state ?? 'pending') || !ended) {
          return { instanceState: instance, stages: null, verdict: null };
        }
        const error =
          instance === null
            ? 'the job has no instance: the launch failed'
            : `instance ${instanceId} is ${instance} but the job never reported an end; ` +
              `see its log (geopart remote logs ${jobId}) and the instance's console output`;
        return { instanceState: instance, stages: null, verdict: { state: 'failed', error } };
      };
    },
    async terminate(signal) {
      if (instanceId !== null) await terminateInstance(ec2, instanceId, signal);
    },
    async logObjects() {
      return [{ url: urls.log, label: null }];
    },
  };
}
