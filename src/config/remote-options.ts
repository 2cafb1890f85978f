import { z } from 'zod';
import { fromCamel } from './camel.js';
import { strictObject } from './fields.js';
import { expects, parseConfig } from './issues.js';

/** The EC2 instance types a job may run on (the allowed list). */
export const INSTANCE_TYPES = [
  'm5.large',
  'm5.xlarge',
  'm5.2xlarge',
  'm5.4xlarge',
  'm5.8xlarge',
  'm5.12xlarge',
  'm5.16xlarge',
  'r5.large',
  'r5.xlarge',
  'r5.2xlarge',
  'r5.4xlarge',
  'r5.8xlarge',
  'r5.12xlarge',
  'r5.16xlarge',
] as const;

/** One of {@link INSTANCE_TYPES}. */
export type InstanceType = (typeof INSTANCE_TYPES)[number];

/** Options of a remote run, as `run_remote` takes them (camelCase). */
export interface RemoteOptionsInit {
  /** EC2 instance type, one of {@link INSTANCE_TYPES}; null (default): the launcher's default. */
  readonly instanceType?: InstanceType | null;
  /** AWS region such as `us-east-1`; null (default): the launcher's default. */
  readonly region?: string | null;
  /** Disk size in GiB, 1 to 16384; null (default): the launcher's default. */
  readonly diskSizeGb?: number | null;
  /** Extra environment variables, each `KEY=value`; null (default): none. */
  readonly additionalEnv?: readonly string[] | null;
  /** AMI id (`ami-...`) or AMI name (wildcards allowed) to boot; null (default): the launcher's default image. */
  readonly imageName?: string | null;
  /** Do not refuse a job whose UDF step has no UDF. Default false. */
  readonly ignoreNoUdf?: boolean;
  /** Do not refuse a step without an output. Default false. */
  readonly ignoreNoOutput?: boolean;
  /** Check that UDF modules import cleanly before launching; null (default): the launcher decides. */
  readonly validateImports?: boolean | null;
  /** Check that inputs exist before launching. Default true. */
  readonly validateInputs?: boolean;
  /** Replace existing outputs; null (default): keep each step's own setting. */
  readonly overwrite?: boolean | null;
}

/** Validated remote-run options, every field present. */
export type RemoteOptions = {
  readonly [K in keyof RemoteOptionsInit]-?: Exclude<RemoteOptionsInit[K], undefined>;
};

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
// EC2's rules: an AMI id is `ami-` and 8 (old) to 17 hex digits; a name is 3-128 of these characters,
// plus the `*` and `?` wildcards of a DescribeImages name filter.
const AMI_ID = /^ami-[0-9a-f]{8,17}$/;
const AMI_NAME = /^[A-Za-z0-9()[\] ./'@_*?-]{3,128}$/;
const IMAGE_ALLOWED =
  'an AMI id (ami- and 8 to 17 hex digits) or an AMI name such as "debian-13-amd64-*" ' +
  "(3-128 letters, digits, spaces and ()[]./-'@_*?), or null";
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Variables the instance's bootstrap script sets or relies on (and bash's own), which a job's
 * environment must not replace: the agent would run another job, not find geopart, or stop
 * masking the job's values in its log.
 */
const RESERVED_ENV =
  /^(GEOPART_.*|BASH.*|PATH|HOME|IFS|PWD|OLDPWD|SHELL|SHELLOPTS|PPID|UID|EUID|AWS_REGION|AWS_DEFAULT_REGION|AWS_ENDPOINT_URL|AWS_ENDPOINT_URL_S3|LD_PRELOAD|LD_LIBRARY_PATH)$/;
/** Credentials, which user data would show to anyone allowed to describe the instance. */
const CREDENTIAL_ENV = /^(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)$/;

/**
 * How a message shows a refused entry: its name when it has a valid one, else nothing beyond
 * its position (in the issue's path). The value is never shown: it may be a secret.
 */
function shownEntry(entry: string): string {
  const eq = entry.indexOf('=');
  const name = eq === -1 ? '' : entry.slice(0, eq);
  return ENV_NAME.test(name) ? `the entry for ${name} (value not shown)` : 'this entry (value not shown)';
}

/** Why one `additional_env` entry is refused, or null when it is fine; never quotes the value. */
function envProblem(entry: string): string | null {
  // Entries become lines of the instance's environment: a line break would inject another.
  if (/[\n\r\0]/.test(entry)) return 'entries may not contain a newline or NUL';
  const eq = entry.indexOf('=');
  if (eq === -1) return 'expected KEY=value (no "=" found)';
  const name = entry.slice(0, eq);
  if (!ENV_NAME.test(name)) return 'the name before "=" must match ^[A-Za-z_][A-Za-z0-9_]*$';
  if (CREDENTIAL_ENV.test(name)) {
    return `${name} is a credential, and user data is readable by anyone allowed to describe the instance; give the instance a role (iamInstanceProfile) instead`;
  }
  if (RESERVED_ENV.test(name)) {
    return `${name} is set by the instance's bootstrap script (GEOPART_*, PATH, HOME, AWS_REGION, AWS_ENDPOINT_URL*, bash's own variables); choose another name`;
  }
  return null;
}

/** Like `expects`, but naming only the type of what was given: it may hold a secret. */
function unquoted(allowed: string): { error: (iss: { input?: unknown }) => string } {
  return {
    error: (iss) =>
      iss.input === undefined
        ? `missing; expected ${allowed}`
        : `got a value of type ${iss.input === null ? 'null' : typeof iss.input} (not shown); expected ${allowed}`,
  };
}

const additionalEnv = z
  .array(z.string(unquoted('a "KEY=value" string')), unquoted('an array of "KEY=value" strings, or null'))
  .superRefine((entries, ctx) => {
    const seen = new Map<string, number>();
    entries.forEach((entry, i) => {
      let message = envProblem(entry);
      if (message === null) {
        const name = entry.slice(0, entry.indexOf('='));
        const first = seen.get(name);
        if (first === undefined) seen.set(name, i);
        else message = `${name} is already set by additional_env[${first}]; set it once`;
      }
      if (message !== null) {
        ctx.addIssue({ code: 'custom', path: [i], message: `${shownEntry(entry)}: ${message}` });
      }
    });
  });

const optionalFlag = (allowed: string) => z.boolean(expects(allowed)).nullable().default(null);

const remoteSchema = strictObject(
  {
    instance_type: z
      .enum(INSTANCE_TYPES, expects(`one of ${INSTANCE_TYPES.join(', ')}, or null`))
      .nullable()
      .default(null),
    region: z
      .string(expects('an AWS region such as "us-east-1", or null'))
      .regex(REGION)
      .nullable()
      .default(null),
    disk_size_gb: z
      .number(expects('an integer from 1 to 16384 (GiB), or null'))
      .int()
      .min(1)
      .max(16384)
      .nullable()
      .default(null),
    additional_env: additionalEnv.nullable().default(null),
    image_name: z
      .string(expects(IMAGE_ALLOWED))
      .refine((s) => (s.startsWith('ami-') ? AMI_ID.test(s) : AMI_NAME.test(s)), expects(IMAGE_ALLOWED))
      .nullable()
      .default(null),
    ignore_no_udf: z.boolean(expects('true or false')).default(false),
    ignore_no_output: z.boolean(expects('true or false')).default(false),
    validate_imports: optionalFlag('true, false or null'),
    validate_inputs: z.boolean(expects('true or false')).default(true),
    overwrite: optionalFlag('true, false or null'),
  },
  'an options object',
);

const initSchema = fromCamel(remoteSchema);

/**
 * Validates the options of a remote run (the `run_remote` arguments) before any call
 * is made, filling defaults. Throws a ConfigError naming each bad option by its job-file name.
 */
export function validateRemoteOptions(options: RemoteOptionsInit = {}): RemoteOptions {
  const o = parseConfig(initSchema, options);
  return Object.freeze({
    instanceType: o.instance_type,
    region: o.region,
    diskSizeGb: o.disk_size_gb,
    additionalEnv: o.additional_env === null ? null : Object.freeze(o.additional_env),
    imageName: o.image_name,
    ignoreNoUdf: o.ignore_no_udf,
    ignoreNoOutput: o.ignore_no_output,
    validateImports: o.validate_imports,
    validateInputs: o.validate_inputs,
    overwrite: o.overwrite,
  });
}
