import { describe, expect, test } from 'vitest';
import { INSTANCE_TYPES, validateRemoteOptions } from '../../src/config/index.js';
import { geopart, ROOT } from '../helpers/cli.js';
import { expectIssue } from './helpers.js';

const ENV = 'additional_env';

test('INSTANCE_TYPES is the seed’s whitelist', () => {
  expect(INSTANCE_TYPES).toEqual([
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
  ]);
});

test('defaults follow the seed', () => {
  expect(validateRemoteOptions()).toEqual({
    instanceType: null,
    region: null,
    diskSizeGb: null,
    additionalEnv: null,
    imageName: null,
    ignoreNoUdf: false,
    ignoreNoOutput: false,
    validateImports: null,
    validateInputs: true,
    overwrite: null,
  });
});

/** [option, seed name, valid values, invalid values, allowed text]. */
const fields = [
  [
    'instanceType',
    'instance_type',
    [...INSTANCE_TYPES, null],
    ['t2.micro', 'm5.24xlarge', 'M5.LARGE', 5],
    'one of m5.large, m5.xlarge',
  ],
  [
    'region',
    'region',
    ['us-east-1', 'eu-west-3', 'ap-southeast-2', 'us-gov-west-1', null],
    ['us-east', 'US-EAST-1', 'us-east-1a', 'useast1', ''],
    'an AWS region such as "us-east-1"',
  ],
  [
    'diskSizeGb',
    'disk_size_gb',
    [1, 100, 16384, null],
    [0, 16385, 1.5, -1, '100'],
    'an integer from 1 to 16384 (GiB), or null',
  ],
  ['additionalEnv', ENV, [['A=1', 'B=', '_X=a=b', 'lower_case=ok'], [], null], ['A=1', [1]], '"KEY=value"'],
  [
    'imageName',
    'image_name',
    ['ami-0123abcd', 'ami-0123456789abcdef0', 'debian-13-amd64-*', 'my image (v2.1)', null],
    ['', 3, 'ami-xyz', 'ami-0123', 'geopart:latest', 'a\nb', 'x'.repeat(129)],
    'an AMI id (ami- and 8 to 17 hex digits) or an AMI name',
  ],
  ['ignoreNoUdf', 'ignore_no_udf', [true, false], [null, 'yes'], 'true or false'],
  ['ignoreNoOutput', 'ignore_no_output', [true, false], [null, 1], 'true or false'],
  ['validateImports', 'validate_imports', [true, false, null], ['yes'], 'true, false or null'],
  ['validateInputs', 'validate_inputs', [true, false], [null], 'true or false'],
  ['overwrite', 'overwrite', [true, false, null], [0], 'true, false or null'],
] as const;

describe.each(fields)('%s', (option, seedName, valid, invalid, allowed) => {
  test.each(valid.map((value) => ({ value })))('accepts $value', ({ value }) => {
    expect(validateRemoteOptions({ [option]: value })[option]).toEqual(value);
  });
  test.each(invalid.map((value) => ({ value })))('refuses $value', ({ value }) => {
    const path = Array.isArray(value) ? `${seedName}[0]` : seedName;
    expectIssue(() => validateRemoteOptions({ [option]: value }), path, allowed);
  });
});

describe('additional_env entries', () => {
  test.each([
    ['a newline', ['A=1\nB=2'], 0, 'newline or NUL'],
    ['a carriage return', ['A=1\r'], 0, 'newline or NUL'],
    ['a NUL', ['A=x\u0000y'], 0, 'newline or NUL'],
    ['a newline in the name', ['A\nB=1'], 0, 'newline or NUL'],
    ['no "="', ['PATH'], 0, 'expected KEY=value (no "=" found)'],
    ['an empty name', ['=x'], 0, 'the name before "=" must match ^[A-Za-z_][A-Za-z0-9_]*$'],
    ['a name starting with a digit', ['OK=1', '1A=x'], 1, 'the name before "=" must match'],
    ['a name with a dash', ['MY-VAR=x'], 0, 'the name before "=" must match'],
    ['a repeated name', ['A=1', 'B=2', 'A=3'], 2, 'A is already set by additional_env[0]'],
    ['PATH, which the bootstrap needs', ['PATH=/opt/bin'], 0, 'PATH is set by the instance'],
    ['a GEOPART_ name', ['GEOPART_JOB_URL=s3://other/job.json'], 0, 'GEOPART_JOB_URL is set by'],
    ['the masking list', ['GEOPART_ENV_NAMES='], 0, 'choose another name'],
    ["bash's read-only SHELLOPTS", ['SHELLOPTS=x'], 0, 'SHELLOPTS is set by'],
    ['the region', ['AWS_REGION=eu-west-1'], 0, 'AWS_REGION is set by'],
    ['a credential', ['AWS_SECRET_ACCESS_KEY=abc'], 0, 'give the instance a role'],
  ])('refuses %s', (_what, env, index, says) => {
    expectIssue(() => validateRemoteOptions({ additionalEnv: env }), `${ENV}[${index}]`, says);
  });

  // An entry may hold a secret: a refusal names its key (or only its position), never the value.
  test.each([
    [
      'a credential',
      'AWS_SECRET_ACCESS_KEY=s3cr3t-Value-42',
      'the entry for AWS_SECRET_ACCESS_KEY (value not shown)',
    ],
    ['a reserved name', 'PATH=s3cr3t-Value-42', 'the entry for PATH (value not shown)'],
    ['a newline in the value', 'TOKEN=s3cr3t-Value-42\nX=1', 'the entry for TOKEN (value not shown)'],
    ['no "="', 's3cr3t-Value-42', 'this entry (value not shown)'],
    ['a bad name', 'MY-s3cr3t-Value-42=1', 'this entry (value not shown)'],
  ])('refusing %s never shows the value', (_what, entry, shown) => {
    let message = '';
    try {
      validateRemoteOptions({ additionalEnv: ['OK=1', entry] });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`${ENV}[1]: ${shown}`);
    expect(message).not.toContain('s3cr3t');
  });

  test('geopart remote run --env with a refused entry keeps its value out of stderr', () => {
    const job = `${ROOT}fixtures/jobs/quadrangles-chunk-stats.json`;
    const r = geopart(['remote', 'run', job, '--env', 'OK=1', '--env', 'AWS_SESSION_TOKEN=s3cr3t-Value-42']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('additional_env[1]: the entry for AWS_SESSION_TOKEN (value not shown)');
    expect(r.stderr + r.stdout).not.toContain('s3cr3t');
  });

  test('a value of the wrong type is named by its type only', () => {
    let message = '';
    try {
      validateRemoteOptions({ additionalEnv: 'TOKEN=s3cr3t' as unknown as string[] });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('got a value of type string (not shown)');
    expect(message).not.toContain('s3cr3t');
  });

  test('ordinary names, NODE_OPTIONS included, are accepted', () => {
    const env = ['NODE_OPTIONS=--max-old-space-size=8192', 'GDAL_CACHEMAX=512', 'MY_PATH=/x'];
    expect(validateRemoteOptions({ additionalEnv: env }).additionalEnv).toEqual(env);
  });

  test('the result is frozen', () => {
    const env = validateRemoteOptions({ additionalEnv: ['A=1'] }).additionalEnv as string[];
    expect(() => env.push('B=2')).toThrow(TypeError);
  });
});

test('unknown and snake_case options are refused', () => {
  expectIssue(
    () => validateRemoteOptions({ instance_type: 'm5.large' } as never),
    'instance_type',
    'instanceType',
  );
  expectIssue(
    () => validateRemoteOptions({ diskSize: 10 } as never),
    '',
    'unknown field "disk_size"',
    'did you mean "disk_size_gb"?',
  );
});
