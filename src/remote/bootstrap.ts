/**
 * The instance's user data: a bash script that installs Node and GDAL from the Debian archive
 * and this geopart version from npm (`scripts/install-geopart.sh`, embedded), runs the job
 * agent and shuts the machine down (the instance is launched with shutdown behaviour
 * `terminate`, so shutting down deletes it).
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
import { readFileSync } from 'node:fs';

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

/**
 * The install script, `scripts/install-geopart.sh`: the one install of geopart on a machine, run
 * by the user data (embedded below) and by the Dockerfile of the Batch image.
 */
export const INSTALL_SCRIPT_URL = new URL('../../scripts/install-geopart.sh', import.meta.url);

let installScript: string | undefined;

/** The text of `scripts/install-geopart.sh` (read once; it ships in the package). */
export function installScriptText(): string {
  installScript ??= readFileSync(INSTALL_SCRIPT_URL, 'utf8');
  return installScript;
}

const APT_INSTALL = 'apt-get install -q -y --no-install-recommends ';

/**
 * Debian packages the install script installs: Node 20 with headers, GDAL with headers, a
 * compiler for the addons (read from its `apt-get install` line).
 */
export const APT_PACKAGES: readonly string[] = (() => {
  const line = installScriptText()
    .split('\n')
    .find((l) => l.startsWith(APT_INSTALL));
  if (line === undefined) throw new Error(`${INSTALL_SCRIPT_URL.pathname} has no "${APT_INSTALL}" line`);
  return line.slice(APT_INSTALL.length).trim().split(/\s+/);
})();

/** Ends the here-document that carries the install script in the user data. */
const HEREDOC_END = 'GEOPART_INSTALL_SCRIPT';

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
  # scripts/install-geopart.sh, as the Dockerfile of the Batch image runs it.
  # Run from a file, not from standard input, which apt and npm could read.
  installer=$(mktemp)
  cat > "$installer" <<'${HEREDOC_END}'
${installScriptText()}${HEREDOC_END}
  bash "$installer" "\${GEOPART_INSTALL_SPEC:-geopart@${input.version}}"
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
