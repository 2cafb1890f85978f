/**
 * The Dockerfile of the Batch image, which cannot be built here (no base image can be pulled):
 * it passes the Dockerfile linter (dockerfile-utils), follows the project's rules, and installs
 * geopart with the very script the EC2 user data runs. Both installs are run here with stand-in
 * `apt-get`, `npm` and `geopart` commands that log what they are asked to do, and must log the
 * same commands.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { afterAll, describe, expect, test } from 'vitest';
import { APT_PACKAGES, bootstrapScript, installScriptText } from '../../src/remote/bootstrap.js';
import { ROOT } from '../helpers/cli.js';

const DOCKERFILE = join(ROOT, 'Dockerfile');
const INSTALL = join(ROOT, 'scripts/install-geopart.sh');
const ENTRYPOINT = join(ROOT, 'scripts/docker-entrypoint.sh');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const tmp = mkdtempSync(join(tmpdir(), 'geopart-dockerfile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The linter's findings on the Dockerfile at `path`, as `line: message`. */
function lint(path: string): string[] {
  return validate(readFileSync(path, 'utf8')).map((d) => `${d.range.start.line + 1}: ${d.message}`);
}

/** The Dockerfile's instructions, continuation lines joined, comments left out. */
function instructions(text: string): { keyword: string; args: string }[] {
  return text
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => {
      const [keyword, ...rest] = l.trim().split(/\s+/);
      return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    });
}

const text = readFileSync(DOCKERFILE, 'utf8');
const steps = instructions(text);

describe('the Dockerfile', () => {
  test('passes the linter', () => {
    expect(lint(DOCKERFILE)).toEqual([]);
  });

  /** Line number (from 1) of the first line of `text` that starts with `start`; 0 when none. */
  const lineOf = (start: string) => text.split('\n').findIndex((l) => l.startsWith(start)) + 1;
  const added = text.split('\n').length;

  test.each([
    ['an unknown instruction', 'RUNN apt-get update\n', /Unknown instruction: RUNN/, added],
    // The linter names the first ENTRYPOINT, which the added one makes ineffective.
    ['a second ENTRYPOINT', 'ENTRYPOINT ["sh"]\n', /only be one ENTRYPOINT/, lineOf('ENTRYPOINT ')],
    ['a deprecated MAINTAINER', 'MAINTAINER someone\n', /MAINTAINER has been deprecated/, added],
    ['an ENV without a value', 'ENV NAME\n', /ENV must have two arguments/, added],
  ])('fails the linter with %s added', (_what, line, finding, at) => {
    const copy = join(tmp, 'Dockerfile.bad');
    writeFileSync(copy, `${text}${line}`);
    const found = lint(copy);
    expect(found.filter((f) => finding.test(f))).toEqual([expect.stringMatching(new RegExp(`^${at}: `))]);
  });

  test('builds on Debian 13 pinned by tag, as the EC2 image runs', () => {
    const from = steps.filter((s) => s.keyword === 'FROM');
    expect(from).toHaveLength(1);
    expect(from[0]!.args).toMatch(/^debian:trixie(-[a-z0-9]+)*$/);
    expect(from[0]!.args).not.toMatch(/latest/);
  });

  test('installs geopart with scripts/install-geopart.sh, by default this version from npm', () => {
    expect(steps).toContainEqual({ keyword: 'ARG', args: `GEOPART_INSTALL_SPEC=geopart@${VERSION}` });
    const run = steps.filter((s) => s.keyword === 'RUN');
    expect(run).toHaveLength(1);
    expect(
      run[0]!.args.startsWith('bash /tmp/geopart/scripts/install-geopart.sh "$GEOPART_INSTALL_SPEC" && '),
    ).toBe(true);
    expect(steps).toContainEqual({ keyword: 'COPY', args: '. /tmp/geopart/' });
    // The build context is the script, the entrypoint and a packed tarball; nothing else.
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
    expect(ignore).toMatch(/^\*$/m);
    expect(ignore).toContain('!scripts/install-geopart.sh');
    expect(ignore).toContain('!scripts/docker-entrypoint.sh');
    expect(ignore).toContain('!geopart-*.tgz');
  });

  test('runs as a user that is not root, with the geopart entrypoint in exec form', () => {
    const user = steps.findLast((s) => s.keyword === 'USER');
    expect(user?.args).toBe('geopart');
    expect(steps.findIndex((s) => s.keyword === 'USER')).toBeLessThan(
      steps.findIndex((s) => s.keyword === 'ENTRYPOINT'),
    );
    expect(steps.filter((s) => s.keyword === 'ENTRYPOINT')).toEqual([
      { keyword: 'ENTRYPOINT', args: '["geopart-entrypoint"]' },
    ]);
    expect(steps.find((s) => s.keyword === 'RUN')!.args).toContain(
      'install -m 0755 /tmp/geopart/scripts/docker-entrypoint.sh /usr/local/bin/geopart-entrypoint',
    );
  });
});

/** A folder of stand-in commands that append what they were asked to `log`. */
function stubs(name: string): { bin: string; log: string } {
  const bin = join(tmp, `${name}-bin`);
  const log = join(tmp, `${name}.log`);
  spawnSync('mkdir', ['-p', bin]);
  writeFileSync(log, '');
  const stub = (cmd: string, extra = '') => {
    const path = join(bin, cmd);
    writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "${cmd} $*"${extra} >> '${log}'\n`);
    chmodSync(path, 0o755);
  };
  stub('apt-get');
  // npm also reports how the native addons are told to build.
  stub(
    'npm',
    ` "  build_from_source=$npm_config_build_from_source shared_gdal=$npm_config_shared_gdal nodedir=$npm_config_nodedir"`,
  );
  stub('geopart');
  return { bin, log };
}

function runBash(args: readonly string[], bin: string, env: Record<string, string> = {}) {
  return spawnSync('bash', args, {
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: tmp, ...env },
  });
}

/** The user data of a job of this version. */
function userData(): string {
  return bootstrapScript({
    jobId: 'j',
    jobUrl: 's3://b/j/job.json',
    version: VERSION,
    region: 'us-east-1',
    s3Endpoint: null,
    additionalEnv: [],
    runFlags: [],
  });
}

describe('one install for EC2 and the image', () => {
  test('the user data carries scripts/install-geopart.sh verbatim, within the 16 KiB of user data', () => {
    const script = userData();
    expect(script).toContain(
      `<<'GEOPART_INSTALL_SCRIPT'\n${readFileSync(INSTALL, 'utf8')}GEOPART_INSTALL_SCRIPT\n`,
    );
    expect(installScriptText()).toBe(readFileSync(INSTALL, 'utf8'));
    expect(Buffer.byteLength(script)).toBeLessThan(16 * 1024);
    expect(APT_PACKAGES).toEqual(
      expect.arrayContaining(['nodejs', 'npm', 'libnode-dev', 'gdal-bin', 'libgdal-dev']),
    );
  });

  test('the EC2 user data and the Dockerfile run the same commands', () => {
    // The user data, as cloud-init runs it, up to the agent.
    const ec2 = stubs('ec2');
    const userDataFile = join(tmp, 'user-data.sh');
    writeFileSync(userDataFile, userData());
    const fromEc2 = runBash([userDataFile], ec2.bin, {
      GEOPART_NO_SHUTDOWN: '1',
      GEOPART_INSTANCE_ID: 'i-1',
      GEOPART_BOOTSTRAP_LOG: '/dev/null',
    });
    expect(fromEc2.status).toBe(0);
    // The Dockerfile's install command, with the build context at the repository root.
    const image = stubs('image');
    const run = steps.find((s) => s.keyword === 'RUN')!.args.split(' && ')[0]!;
    const fromImage = runBash(['-c', run.replaceAll('/tmp/geopart/', ROOT)], image.bin, {
      GEOPART_INSTALL_SPEC: `geopart@${VERSION}`,
    });
    expect(fromImage.status).toBe(0);

    const installed = readFileSync(image.log, 'utf8').split('\n');
    expect(installed).toEqual([
      'apt-get update -q',
      `apt-get install -q -y --no-install-recommends ${APT_PACKAGES.join(' ')}`,
      `npm install -g --no-fund --no-audit geopart@${VERSION}`,
      '  build_from_source=gdal-async shared_gdal=true nodedir=/usr',
      'geopart --help',
      '',
    ]);
    expect(readFileSync(ec2.log, 'utf8')).toBe(
      `${installed.join('\n')}geopart remote agent s3://b/j/job.json\n`,
    );
  });

  test('the install stops at the first failing command', () => {
    const s = stubs('failing');
    writeFileSync(join(s.bin, 'apt-get'), '#!/bin/sh\nexit 100\n');
    const r = runBash([INSTALL, 'geopart@0.0.0'], s.bin);
    expect(r.status).toBe(100);
    expect(readFileSync(s.log, 'utf8')).toBe('');
    expect(runBash([INSTALL], s.bin).stderr).toMatch(/usage: install-geopart\.sh SPEC/);
  });
});

describe('the entrypoint', () => {
  const s = stubs('entrypoint');
  const entry = (args: readonly string[]) => {
    writeFileSync(s.log, '');
    const r = spawnSync('sh', [ENTRYPOINT, ...args], {
      encoding: 'utf8',
      env: { PATH: `${s.bin}:${process.env.PATH}` },
    });
    expect(r.status).toBe(0);
    return readFileSync(s.log, 'utf8');
  };

  test("runs a Batch job's command, which starts with geopart, as it is", () => {
    expect(entry(['geopart', 'remote', 'batch-child', 's3://b/jobs/j/batch.json', '--stage', 's0-udf'])).toBe(
      'geopart remote batch-child s3://b/jobs/j/batch.json --stage s0-udf\n',
    );
  });

  test('runs any other command as geopart arguments', () => {
    expect(entry(['ingest', 's3://b/in.fgb', '-o', 's3://b/out'])).toBe(
      'geopart ingest s3://b/in.fgb -o s3://b/out\n',
    );
    expect(entry(['--help'])).toBe('geopart --help\n');
  });
});
