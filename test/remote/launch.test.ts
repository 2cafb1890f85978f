import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { JobConfig } from '../../src/config/job.js';
import { UdfJobStepConfig } from '../../src/config/udf-step.js';
import { ConfigError, GeopartError } from '../../src/errors.js';
import { getObject, listObjects, putObject } from '../../src/io/s3.js';
import { bootstrapScript } from '../../src/remote/bootstrap.js';
import { geopartVersion } from '../../src/remote/launch.js';
import type { Ec2RunRemoteOptions } from '../../src/remote/launcher-options.js';
import { dataPath } from '../helpers/data.js';
import { type FakeEc2, startEc2 } from '../helpers/ec2-server.js';
import { type LocalS3, startS3 } from '../helpers/s3.js';

let s3: LocalS3;
let ec2: FakeEc2;
let input: string;
let launcher: Ec2RunRemoteOptions;

beforeAll(async () => {
  s3 = await startS3();
  ec2 = await startEc2();
  input = s3.url('in/countries.fgb');
  await putObject(input, readFileSync(dataPath('flatgeobuf/countries.fgb')));
  launcher = { jobPrefix: s3.url('jobs'), ec2Endpoint: ec2.endpoint, region: 'eu-central-2' };
});

afterAll(async () => {
  await ec2?.stop();
  await s3?.stop();
});

beforeEach(() => {
  ec2.requests.length = 0;
});

const text = async (url: string) => new TextDecoder().decode(await getObject(url));
const json = async (url: string) => JSON.parse(await text(url)) as Record<string, unknown>;

function countriesJob(output = s3.url('tables/countries')): JobConfig {
  return new JobConfig({ name: 'countries', steps: [ingest(input, output, { partitioningMethod: 'area' })] });
}

describe('launching a job', () => {
  test('uploads the job and runs one instance with the type, disk, tags, shutdown behaviour and bootstrap', async () => {
    const job = countriesJob();
    const run = await job.runRemote({
      ...launcher,
      instanceType: 'r5.xlarge',
      diskSizeGb: 50,
      additionalEnv: ['GREETING=hello world', "QUOTED=it's $HOME"],
      iamInstanceProfile: 'geopart-jobs',
      subnetId: 'subnet-0123456789abcdef0',
      ignoreNoUdf: true,
    });
    expect(run.jobId).toMatch(/^countries-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(run.instanceId).toMatch(/^i-[0-9a-f]{17}$/);
    expect(ec2.requests.map((r) => r.action)).toEqual(['DescribeImages', 'RunInstances']);

    const images = ec2.requests[0]!.params;
    expect(images).toMatchObject({ 'Owner.1': '136693071363', 'Filter.1.Name': 'name' });
    expect(images['Filter.1.Value.1']).toBe('debian-13-amd64-*');

    const p = ec2.requests[1]!.params;
    expect(p).toMatchObject({
      InstanceType: 'r5.xlarge',
      ImageId: 'ami-0d13b0000000000b2', // the newest of the two Debian 13 images
      MinCount: '1',
      MaxCount: '1',
      InstanceInitiatedShutdownBehavior: 'terminate',
      'BlockDeviceMapping.1.DeviceName': '/dev/xvda',
      'BlockDeviceMapping.1.Ebs.VolumeSize': '50',
      'BlockDeviceMapping.1.Ebs.VolumeType': 'gp3',
      'BlockDeviceMapping.1.Ebs.DeleteOnTermination': 'true',
      'TagSpecification.1.ResourceType': 'instance',
      'IamInstanceProfile.Name': 'geopart-jobs',
      SubnetId: 'subnet-0123456789abcdef0',
      'MetadataOptions.HttpTokens': 'required',
    });
    expect(ec2.instances.get(run.instanceId!)?.tags).toEqual({
      'geopart:job-id': run.jobId,
      Name: `geopart ${run.jobId}`,
    });

    const folder = s3.url(`jobs/${run.jobId}/`);
    expect(run.jobFolder).toBe(folder);
    const userData = Buffer.from(p.UserData!, 'base64').toString('utf8');
    expect(userData).toBe(
      bootstrapScript({
        jobId: run.jobId,
        jobUrl: `${folder}job.json`,
        version: geopartVersion(),
        region: 'eu-central-2',
        s3Endpoint: s3.endpoint,
        additionalEnv: ['GREETING=hello world', "QUOTED=it's $HOME"],
        runFlags: ['--ignore-no-udf'],
      }),
    );
    expect(userData).toContain(`geopart@${geopartVersion()}`);

    expect(await json(`${folder}job.json`)).toEqual(JSON.parse(JSON.stringify(job.toJSON())));
    expect(await json(`${folder}status.json`)).toMatchObject({ state: 'pending', jobId: run.jobId });
    expect(await json(`${folder}launch.json`)).toMatchObject({
      jobId: run.jobId,
      instanceId: run.instanceId,
      region: 'eu-central-2',
      instanceType: 'r5.xlarge',
      imageId: 'ami-0d13b0000000000b2',
      imageName: 'debian-13-amd64-20250814-2206',
      diskSizeGb: 50,
    });
  });

  test('an AMI id is looked up by id, its root device is mapped, and the defaults apply', async () => {
    const run = await countriesJob().runRemote({
      ...launcher,
      imageName: 'ami-0c0ffee0000000c03',
      overwrite: true,
    });
    expect(ec2.requests[0]!.params['ImageId.1']).toBe('ami-0c0ffee0000000c03');
    expect(ec2.requests[1]!.params).toMatchObject({
      ImageId: 'ami-0c0ffee0000000c03',
      InstanceType: 'm5.large',
      'BlockDeviceMapping.1.DeviceName': '/dev/sda1',
      'BlockDeviceMapping.1.Ebs.VolumeSize': '32',
    });
    const uploaded = await json(`${run.jobFolder}job.json`);
    expect((uploaded.steps as { overwrite: boolean }[])[0]!.overwrite).toBe(true);
  });

  test('a step runs as a one-step job, with output_table as its output', async () => {
    const out = s3.url('tables/from-step');
    const run = await ingest(input).runRemote({ ...launcher, outputTable: out });
    const uploaded = await json(`${run.jobFolder}job.json`);
    expect(uploaded.name).toBe('partition-geospatial');
    expect(uploaded.steps).toEqual([
      expect.objectContaining({ type: 'partition_geospatial', input, output: out }),
    ]);
  });

  test('a disk smaller than the image needs is refused before launching', async () => {
    const before = (await listObjects(s3.url('jobs/'))).length;
    const err = await countriesJob()
      .runRemote({ ...launcher, imageName: 'ami-0c0ffee0000000c03', diskSizeGb: 10 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(
      'disk_size_gb: got 10; image geopart-custom needs a root disk of at least 20 GiB',
    );
    expect(ec2.requests.map((r) => r.action)).toEqual(['DescribeImages']);
    expect((await listObjects(s3.url('jobs/'))).length).toBe(before);
  });

  test('an image name that matches nothing is an error naming it', async () => {
    await expect(countriesJob().runRemote({ ...launcher, imageName: 'ubuntu-*' })).rejects.toThrow(
      /image "ubuntu-\*": no available image owned by 136693071363 in eu-central-2/,
    );
  });

  test('validateImports loads each UDF module from S3 first, refusing a missing export', async () => {
    const module = s3.url('udfs/named.mjs');
    await putObject(module, 'export const area = () => [];\nexport const version = 2;\n');
    const step = (name: string) =>
      new UdfJobStepConfig({ udf: { module, name }, input: [1], output: s3.url('t/udf-import') });
    const err = await step('version')
      .runRemote({ ...launcher, validateImports: true })
      .catch((e: unknown) => e);
    expect((err as GeopartError).code).toBe('INVALID_UDF');
    expect((err as Error).message).toContain(`steps[0]: UDF module ${module} has an export that is a number`);
    expect(ec2.requests).toEqual([]);

    const run = await step('area').runRemote({ ...launcher, validateImports: true });
    expect(ec2.requests.map((r) => r.action)).toEqual(['DescribeImages', 'RunInstances']);
    const uploaded = await json(`${run.jobFolder}job.json`);
    expect((uploaded.steps as { udf: { module: string } }[])[0]!.udf.module).toBe(module);
  });

  test('a missing input is found before launching (validateInputs)', async () => {
    const job = new JobConfig({
      name: 'missing',
      steps: [ingest(s3.url('in/nothing-here.fgb'), s3.url('tables/missing'))],
    });
    const err = await job.runRemote(launcher).catch((e: unknown) => e);
    expect((err as GeopartError).code).toBe('INPUT_NOT_FOUND');
    expect((err as Error).message).toContain(
      `steps[0]: input ${s3.url('in/nothing-here.fgb')} does not exist`,
    );
    expect(ec2.requests).toEqual([]);
  });

  test('a folder input, given with its trailing slash, or a glob, is there when something is under it', async () => {
    const folderJob = (folder: string) =>
      new JobConfig({ name: 'folder', steps: [ingest(folder, s3.url('tables/from-folder'))] });
    const empty = await folderJob(s3.url('in/empty-folder/'))
      .runRemote(launcher)
      .catch((e: unknown) => e);
    expect((empty as GeopartError).code).toBe('INPUT_NOT_FOUND');
    expect(ec2.requests).toEqual([]);
    await putObject(s3.url('in/a-folder/part.fgb'), new Uint8Array([1]));
    const run = await folderJob(s3.url('in/a-folder/')).runRemote(launcher);
    expect(ec2.requests.map((r) => r.action)).toContain('RunInstances');
    expect(run.jobId).toBeTruthy();
    // A glob is there when it matches an object.
    expect(
      (
        (await folderJob(s3.url('in/a-folder/*.csv'))
          .runRemote(launcher)
          .catch((e: unknown) => e)) as GeopartError
      ).code,
    ).toBe('INPUT_NOT_FOUND');
    await folderJob(s3.url('in/a-folder/*.fgb')).runRemote(launcher);
  });
});

describe('refused before any request', () => {
  async function refused(
    job: JobConfig | UdfJobStepConfig,
    options: Record<string, unknown>,
  ): Promise<Error> {
    const objects = (await listObjects(s3.url('jobs/'))).length;
    const err = await job.runRemote({ ...launcher, ...options } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeopartError);
    expect(ec2.requests).toEqual([]);
    expect((await listObjects(s3.url('jobs/'))).length).toBe(objects);
    return err as Error;
  }

  test('an instance type outside the list', async () => {
    const err = await refused(countriesJob(), { instanceType: 't2.micro' });
    expect(err.message).toContain('instance_type: got "t2.micro"; expected one of m5.large, m5.xlarge');
  });

  test('an additional_env value with a newline', async () => {
    const err = await refused(countriesJob(), { additionalEnv: ['OK=1', 'BAD=a\nrm -rf /'] });
    expect(err.message).toContain('additional_env[1]');
    expect(err.message).toContain('may not contain a newline or NUL');
  });

  test('an output that is not s3://, naming the step and what to do', async () => {
    const err = await refused(countriesJob('/tmp/countries-table'), {});
    expect(err.message).toContain('cannot run job countries remotely');
    expect(err.message).toContain(
      'steps[0].output: "/tmp/countries-table" is not an s3:// URL; a remote job can only write to S3',
    );
  });

  test('a step without output unless ignoreNoOutput', async () => {
    const err = await refused(ingest(input) as never, {});
    expect(err.message).toContain('steps[0].output: no output; a remote job writes to S3');
  });

  test('a local input path, with how to fix it', async () => {
    const job = new JobConfig({
      name: 'local',
      steps: [ingest(dataPath('flatgeobuf/countries.fgb'), s3.url('t/x'))],
    });
    const err = await refused(job, {});
    expect(err.message).toContain('steps[0].input: ');
    expect(err.message).toContain('is a local path; the instance cannot read local files; upload it');
  });

  test('a UDF step without a UDF, or with a local module', async () => {
    const noUdf = new UdfJobStepConfig({ output: s3.url('t/udf') });
    expect((await refused(noUdf, {})).message).toContain('steps[0].udf: no UDF set');
    const local = new UdfJobStepConfig({ udf: '/tmp/stats.mjs', output: s3.url('t/udf') });
    expect((await refused(local, {})).message).toContain(
      'steps[0].udf.module: "/tmp/stats.mjs" is a local path',
    );
  });

  test('a UDF step over the chunks of a local table', async () => {
    const step = new UdfJobStepConfig({
      udf: 'https://example.com/stats.mjs',
      input: { chunksOf: '/home/me/tables/roads' },
      output: s3.url('t/udf'),
    });
    expect((await refused(step, {})).message).toContain(
      'steps[0].input.chunks_of: "/home/me/tables/roads" is a local path',
    );
  });

  test('an s3:// chunks_of table that is not there, unless an earlier step writes it', async () => {
    const module = s3.url('udfs/chunks.mjs');
    await putObject(module, 'export default () => null;\n');
    const udf = (table: string) =>
      new UdfJobStepConfig({ udf: module, input: { chunksOf: table }, output: s3.url('t/chunk-udf') });
    const err = await udf(s3.url('tables/never-written'))
      .runRemote(launcher)
      .catch((e: unknown) => e);
    expect((err as GeopartError).code).toBe('INPUT_NOT_FOUND');
    expect((err as Error).message).toContain(
      `input ${s3.url('tables/never-written')}/_sample does not exist`,
    );
    expect(ec2.requests).toEqual([]);
    // Written by the job's first step: nothing to find before the job runs.
    const job = new JobConfig({
      name: 'chained',
      steps: [countriesJob(s3.url('tables/chained')).steps[0]!, udf(s3.url('tables/chained'))],
    });
    await job.runRemote(launcher);
    expect(ec2.requests.map((r) => r.action)).toContain('RunInstances');
  });

  test('a malformed region, image or disk size', async () => {
    expect((await refused(countriesJob(), { region: 'Europe' })).message).toContain('region: got "Europe"');
    expect((await refused(countriesJob(), { imageName: 'ami-12' })).message).toContain(
      'image_name: got "ami-12"',
    );
    expect((await refused(countriesJob(), { diskSizeGb: 20000 })).message).toContain(
      'disk_size_gb: got 20000',
    );
  });

  test('no job prefix', async () => {
    const saved = process.env.GEOPART_JOB_PREFIX;
    delete process.env.GEOPART_JOB_PREFIX;
    try {
      const err = await refused(countriesJob(), { jobPrefix: undefined });
      expect(err.message).toContain('no job prefix; give jobPrefix (--job-prefix) or set GEOPART_JOB_PREFIX');
    } finally {
      if (saved !== undefined) process.env.GEOPART_JOB_PREFIX = saved;
    }
  });
});
