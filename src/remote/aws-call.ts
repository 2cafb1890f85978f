/**
 * How the remote modules call an AWS service: one client per call (destroyed after), and an
 * SDK failure turned into a GeopartError that says which call failed, where, and what to do.
 * No SDK type passes through here: the service modules (`ec2.ts`, `batch.ts`) hand in closures.
 */
import { GeopartError } from '../errors.js';

/** Where a service is: region and, for compatible servers, an endpoint URL. */
export interface ServiceSettings {
  /** AWS region, e.g. `us-east-1`. */
  readonly region: string;
  /** Endpoint URL (`http://127.0.0.1:4566`), or null for AWS itself. */
  readonly endpoint: string | null;
}

interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
}

/** What every service shares: credentials problems. */
const COMMON_HINTS: Readonly<Record<string, string>> = {
  CredentialsProviderError:
    'no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE',
};

/** A service as {@link awsCall} sees it. */
export interface Service<C extends { destroy(): void }> {
  /** `EC2`, `Batch`: how messages name it. */
  readonly name: string;
  readonly client: (settings: ServiceSettings) => C;
  /** What to do about an error, by its AWS name. */
  readonly hints: Readonly<Record<string, string>>;
}

/** Turns an SDK failure into a GeopartError (`REMOTE_ERROR`, or `ABORTED`). */
function awsError(
  err: unknown,
  service: Service<{ destroy(): void }>,
  action: string,
  settings: ServiceSettings,
  signal?: AbortSignal,
): GeopartError {
  if (err instanceof GeopartError) return err;
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? e.Code ?? 'Error';
  if (signal?.aborted || name === 'AbortError') {
    return new GeopartError('ABORTED', `${action}: aborted`, {}, { cause: err });
  }
  const where = settings.endpoint ?? `${service.name} ${settings.region}`;
  const hint = service.hints[name] ?? COMMON_HINTS[name];
  return new GeopartError(
    'REMOTE_ERROR',
    `${action} (${where}): ${name}: ${e.message ?? String(err)}${hint ? `; ${hint}` : ''}`,
    { region: settings.region, awsError: name },
    { cause: err },
  );
}

/** Runs one request of `service` with a fresh client; failures become GeopartErrors. */
export async function awsCall<C extends { destroy(): void }, T>(
  service: Service<C>,
  settings: ServiceSettings,
  action: string,
  signal: AbortSignal | undefined,
  request: (client: C, options: { abortSignal?: AbortSignal }) => Promise<T>,
): Promise<T> {
  const client = service.client(settings);
  try {
    return await request(client, signal ? { abortSignal: signal } : {});
  } catch (err) {
    throw awsError(err, service, action, settings, signal);
  } finally {
    client.destroy();
  }
}
