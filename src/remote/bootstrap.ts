/**
 * The instance's user data: a bash script that installs Node and GDAL from the Debian archive,
 * installs this geopart version from npm, runs the job agent and shuts the machine down (the
 * instance is launched with shutdown behaviour `terminate`, so shutting down deletes it).
 *
 * User data is readable by anyone allowed `ec2:DescribeInstanceAttribute`, so it never carries
 * credentials: the job's AWS access comes from the instance profile, and `additionalEnv` values
 * must not be secrets.
 *
 * Environment variables that change the script when it is run by hand or in tests (on EC2 none
 * is set):
 * - `GEOPART_SKIP_INSTALL=1`: skip apt and npm; `geopart` must already be on the PATH;
 * - `GEOPART_INSTALL_SPEC`: what `npm install -g` installs instead of `geopart@<version>` (a
 *   tarball or a folder);
 * - `GEOPART_NO_SHUTDOWN=1`: do not shut down at the end;
 * - `GEOPART_INSTANCE_ID`: the instance id, instead of asking the instance metadata service;
 * - `GEOPART_BOOTSTRAP_LOG`: where the script's own output goes (default
 *   `/var/log/geopart-bootstrap.log`); the agent puts it at the top of the job's log.
 */

/** What the bootstrap script of one job is made of. */
export interface BootstrapInput {
  /** Job id, for the log and the instance's environment. */
  readonly jobId: string;
  /** `s3://.../<jobId>/job.json`. */
  readonly jobUrl: string;
  /** The geopart version to install from npm, e.g. `0.1.0`. */
  readonly version: string;
  /** AWS region of the instance (also the default region of its S3 requests). */
  readonly region: string;
  /** S3 endpoint URL for S3-compatible stores; null: AWS S3. */
  readonly s3Endpoint: string | null;
  /** `KEY=value` entries, already validated (shell-safe names, no newline or NUL). */
  readonly additionalEnv: readonly string[];
  /**
   * What `npm install -g` installs instead of `geopart@<version>`, e.g. an https URL of a
   * tarball; null: the version from the npm registry.
   */
  readonly installSpec?: string | null;
  /** Flags for `geopart run` on the instance: `--ignore-no-udf`, `--ignore-no-output`. */
  readonly runFlags: readonly RunFlag[];
}

/** The `geopart run` flags a remote job may pass on. */
export type RunFlag = '--ignore-no-udf' | '--ignore-no-output';

/** Debian packages the job needs: Node 20 with headers, GDAL with headers, a compiler for the addons. */
export const APT_PACKAGES = [
  'nodejs',
  'npm',
  'libnode-dev',
  'gdal-bin',
  'libgdal-dev',
  'libzstd-dev',
  'build-essential',
  'python3',
  'pkg-config',
  'ca-certificates',
  'curl',
] as const;

/** A bash word that stands for `s` exactly: single quotes, with `'` written as `'\''`. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

function envLines(entries: readonly string[]): string[] {
  return entries.map((entry) => {
    const eq = entry.indexOf('=');
    return `  export ${entry.slice(0, eq)}=${shellQuote(entry.slice(eq + 1))}`;
  });
}

/**
 * The bootstrap script of a job (bash, `set -euo pipefail`). Deterministic: the same input gives
 * the same text, so a test can compare it with what was sent as user data.
 */
export function bootstrapScript(input: BootstrapInput): string {
  const names = input.additionalEnv.map((e) => e.slice(0, e.indexOf('='))).join(' ');
  const q = shellQuote;
  return `#!/bin/bash
# geopart remote job ${input.jobId}: install geopart, run the job, shut down.
set -euo pipefail

export GEOPART_JOB_ID=${q(input.jobId)}
export GEOPART_JOB_URL=${q(input.jobUrl)}
export AWS_REGION=${q(input.region)}
${input.s3Endpoint ? `export AWS_ENDPOINT_URL_S3=${q(input.s3Endpoint)}\n` : ''}${input.installSpec ? `export GEOPART_INSTALL_SPEC=${q(input.installSpec)}\n` : ''}export GEOPART_BOOTSTRAP_LOG="\${GEOPART_BOOTSTRAP_LOG:-/var/log/geopart-bootstrap.log}"

finish() {
  # Whatever happened, a job instance must not outlive its job: shutting down terminates it.
  if [ "\${GEOPART_NO_SHUTDOWN:-}" != 1 ]; then shutdown -h now || poweroff; fi
}
trap finish EXIT

exec > >(tee -a "$GEOPART_BOOTSTRAP_LOG") 2>&1
echo "geopart bootstrap: job $GEOPART_JOB_ID"

if [ "\${GEOPART_SKIP_INSTALL:-}" != 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -q -y --no-install-recommends ${APT_PACKAGES.join(' ')}
  # Build the native addons against the system GDAL and Node headers: nothing is fetched but
  # the Debian archive and the npm registry.
  export npm_config_build_from_source=gdal-async npm_config_shared_gdal=true npm_config_nodedir=/usr
  # cloud-init may run this without HOME, where npm keeps its cache.
  export HOME="\${HOME:-/root}"
  npm install -g --no-fund --no-audit "\${GEOPART_INSTALL_SPEC:-geopart@${input.version}}"
fi

if [ -z "\${GEOPART_INSTANCE_ID:-}" ]; then
  token=$(curl -sf --max-time 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' \\
    http://169.254.169.254/latest/api/token || true)
  GEOPART_INSTANCE_ID=$(curl -sf --max-time 5 -H "X-aws-ec2-metadata-token: $token" \\
    http://169.254.169.254/latest/meta-data/instance-id || true)
fi
export GEOPART_INSTANCE_ID

work=$(mktemp -d)
cd "$work"
(
  # The job's own variables, for the agent and the job only; the agent masks their values in logs.
  export GEOPART_ENV_NAMES=${q(names)}
${envLines(input.additionalEnv).join('\n')}
  exec geopart remote agent "$GEOPART_JOB_URL"${input.runFlags.map((f) => ` ${f}`).join('')}
)
`;
}
