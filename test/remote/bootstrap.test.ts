import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import {
  APT_PACKAGES,
  type BootstrapInput,
  bootstrapScript,
  shellQuote,
} from '../../src/remote/bootstrap.js';

// Bash parameter expansions (`${NAME:-default}`), kept out of string literals that look like templates.
const SKIP_INSTALL = ['if [ "$', '{GEOPART_SKIP_INSTALL:-}" != 1 ]; then'].join('');
const INSTALL_SPEC = ['"$', '{GEOPART_INSTALL_SPEC:-geopart@1.2.3}"'].join('');

const input: BootstrapInput = {
  jobId: 'countries-20250101T000000Z-abcdef',
  jobUrl: 's3://bucket/jobs/countries-20250101T000000Z-abcdef/job.json',
  version: '1.2.3',
  region: 'eu-central-2',
  s3Endpoint: null,
  additionalEnv: ['PLAIN=1', 'TRICKY=it\'s "$HOME" `id` $(id) \\ ;|&', 'EMPTY=', 'EQ=a=b'],
  runFlags: ['--ignore-no-output'],
};

function bash(script: string, env: Record<string, string> = {}): { status: number | null; stdout: string } {
  const r = spawnSync('bash', ['-c', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return { status: r.status, stdout: r.stdout };
}

describe('shellQuote', () => {
  test.each(['', 'plain', "it's", '"$HOME" `id` $(id)', '\\ ; | & * ? ~ #', 'ünï cödé'])(
    'bash reads %j back exactly',
    (value) => {
      expect(bash(`printf %s ${shellQuote(value)}`).stdout).toBe(value);
    },
  );
});

describe('bootstrapScript', () => {
  const script = bootstrapScript(input);

  test('is valid bash with strict mode, and deterministic', () => {
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain('set -euo pipefail');
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
    expect(bootstrapScript(input)).toBe(script);
  });

  test('installs Node and GDAL from the Debian archive and this version from npm, unless told not to', () => {
    expect(script).toContain(`apt-get install -q -y --no-install-recommends ${APT_PACKAGES.join(' ')}`);
    expect(APT_PACKAGES).toEqual(expect.arrayContaining(['nodejs', 'npm', 'gdal-bin', 'libgdal-dev']));
    expect(script).toContain(INSTALL_SPEC);
    expect(script).not.toContain('export GEOPART_INSTALL_SPEC');
    const tarball = "https://example.org/geopart-1.2.3.tgz?sig=a'b";
    expect(bootstrapScript({ ...input, installSpec: tarball })).toContain(
      `export GEOPART_INSTALL_SPEC=${shellQuote(tarball)}\n`,
    );
    expect(script).toContain(SKIP_INSTALL);
    expect(script).not.toMatch(/nodesource|curl[^\n]*\.(sh|tar|deb)/);
  });

  test('runs the agent on the job, passes the run flags, and shuts down at exit', () => {
    expect(script).toContain('exec geopart remote agent "$GEOPART_JOB_URL" --ignore-no-output\n');
    expect(script).toContain(`export GEOPART_JOB_URL='${input.jobUrl}'`);
    expect(script).toContain("export AWS_REGION='eu-central-2'");
    expect(script).not.toContain('AWS_ENDPOINT_URL_S3');
    expect(script).toContain('trap finish EXIT');
    expect(script).toContain('shutdown -h now');
    expect(bootstrapScript({ ...input, s3Endpoint: 'http://minio:9000' })).toContain(
      "export AWS_ENDPOINT_URL_S3='http://minio:9000'",
    );
  });

  test('gives the agent exactly the additional variables, and their names to mask', () => {
    // Run the script with a stand-in `geopart` that prints its environment and arguments.
    const shim = `geopart() { printf '%s\\n' "$@"; env | grep -E '^(PLAIN|TRICKY|EMPTY|EQ|GEOPART_ENV_NAMES)=' | sort; }; export -f geopart;`;
    const body = script.replace('exec geopart', 'geopart');
    const r = bash(`${shim} bash -c ${shellQuote(body)}`, {
      GEOPART_SKIP_INSTALL: '1',
      GEOPART_NO_SHUTDOWN: '1',
      GEOPART_INSTANCE_ID: 'i-0123456789abcdef0',
      GEOPART_BOOTSTRAP_LOG: '/dev/null',
    });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      `geopart bootstrap: job ${input.jobId}`,
      'remote',
      'agent',
      input.jobUrl,
      '--ignore-no-output',
      'EMPTY=',
      'EQ=a=b',
      'GEOPART_ENV_NAMES=PLAIN TRICKY EMPTY EQ',
      'PLAIN=1',
      `TRICKY=it's "$HOME" \`id\` $(id) \\ ;|&`,
      '',
    ]);
  });

  test('stops at the first failing step, still reaching the shutdown trap', () => {
    const body = script.replace('exec geopart remote agent', 'false && ');
    const failing = body.replace(SKIP_INSTALL, 'if true; then echo installing; false; echo installed;');
    const r = bash(failing.replace('shutdown -h now || poweroff', 'echo shutting down'), {
      GEOPART_INSTANCE_ID: 'i-1',
      GEOPART_BOOTSTRAP_LOG: '/dev/null',
    });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain('installing\nshutting down');
    expect(r.stdout).not.toContain('installed');
  });
});
