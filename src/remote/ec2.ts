/**
 * EC2 calls of remote jobs: the only module that imports `@aws-sdk/client-ec2`. Everything else
 * sees instance ids, plain records and {@link GeopartError}s; no SDK type leaves this file.
 */
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  type Image,
  type _InstanceType as InstanceTypeName,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GeopartError } from '../errors.js';
import { awsCall, type Service, type ServiceSettings } from './aws-call.js';

/** Where the EC2 API is: region and, for EC2-compatible servers, an endpoint URL. */
export type Ec2Settings = ServiceSettings;

/** The facts of an image (AMI) a launch needs. */
export interface ImageInfo {
  /** `ami-...`. */
  readonly imageId: string;
  /** The AMI name, e.g. `debian-13-amd64-20250814-2206`. */
  readonly name: string;
  /** Device name of the root volume, e.g. `/dev/xvda`; the root disk mapping must use it. */
  readonly rootDeviceName: string;
  /** Size of the root snapshot in GiB: the smallest root volume the image boots from. */
  readonly rootSizeGb: number;
}

/** What one instance of a job is launched with. */
export interface InstanceSpec {
  readonly image: ImageInfo;
  /** EC2 instance type, e.g. `m5.large`. */
  readonly instanceType: string;
  /** Root volume size in GiB (gp3). */
  readonly diskSizeGb: number;
  /** The bootstrap script; sent base64-encoded as user data. */
  readonly userData: string;
  /** Tags of the instance and its volume (`geopart:job-id`, `Name`). */
  readonly tags: Readonly<Record<string, string>>;
  /** Instance profile name, or an ARN (`arn:aws:iam::...`); null: none. */
  readonly iamInstanceProfile: string | null;
  /** Subnet to launch into; null: the default VPC's default subnet. */
  readonly subnetId: string | null;
  /** Security groups (`sg-...`); empty: the VPC's default group. */
  readonly securityGroupIds: readonly string[];
  /** Key pair for SSH; null: none. */
  readonly keyName: string | null;
}

/** State of an instance as EC2 reports it, or `not-found` once EC2 has forgotten it. */
export type InstanceState =
  | 'pending'
  | 'running'
  | 'shutting-down'
  | 'terminated'
  | 'stopping'
  | 'stopped'
  | 'not-found';

/** The EC2 client of these settings. */
export function ec2Client(settings: Ec2Settings): EC2Client {
  return new EC2Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  });
}

const EC2: Service<EC2Client> = {
  name: 'EC2',
  client: ec2Client,
  hints: {
    UnauthorizedOperation: 'the AWS credentials lack this EC2 permission; grant it to the user or role',
    AuthFailure: 'the AWS credentials were refused; check AWS_ACCESS_KEY_ID/AWS_PROFILE',
    InsufficientInstanceCapacity:
      'AWS has no capacity for this type here now; retry later or pick another type',
    InstanceLimitExceeded: 'the account hit its instance quota in this region; raise it or stop instances',
    VcpuLimitExceeded: 'the account hit its vCPU quota in this region; raise it or pick a smaller type',
  },
};

function call<T>(
  settings: Ec2Settings,
  action: string,
  signal: AbortSignal | undefined,
  request: (client: EC2Client, options: { abortSignal?: AbortSignal }) => Promise<T>,
): Promise<T> {
  return awsCall(EC2, settings, action, signal, request);
}

function imageInfo(image: Image): ImageInfo | null {
  const root = image.BlockDeviceMappings?.find((m) => m.DeviceName === image.RootDeviceName);
  if (!image.ImageId || !image.RootDeviceName) return null;
  return {
    imageId: image.ImageId,
    name: image.Name ?? image.ImageId,
    rootDeviceName: image.RootDeviceName,
    rootSizeGb: root?.Ebs?.VolumeSize ?? 1,
  };
}

/**
 * Finds an image: an AMI id (`ami-...`) as it is, or an AMI name (wildcards `*` allowed) among
 * the images of `owner`, the newest by creation date when several match.
 *
 * @throws GeopartError `REMOTE_ERROR` naming the image when none matches.
 */
export async function findImage(
  settings: Ec2Settings,
  image: string,
  owner: string,
  signal?: AbortSignal,
): Promise<ImageInfo> {
  const byId = /^ami-[0-9a-f]{8,17}$/.test(image);
  const input = byId
    ? { ImageIds: [image] }
    : {
        Owners: [owner],
        Filters: [
          { Name: 'name', Values: [image] },
          { Name: 'state', Values: ['available'] },
        ],
      };
  const out = await call(settings, `looking up image ${image}`, signal, (c, o) =>
    c.send(new DescribeImagesCommand(input), o),
  );
  const newest = [...(out.Images ?? [])]
    .sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))
    .map(imageInfo)
    .find((i) => i !== null);
  if (!newest) {
    const where = byId ? `in ${settings.region}` : `owned by ${owner} in ${settings.region}`;
    throw new GeopartError(
      'REMOTE_ERROR',
      `image ${JSON.stringify(image)}: no available image ${where}; give an AMI id (ami-...) or an AMI name of that owner (image_name)`,
      { image, owner, region: settings.region },
    );
  }
  return newest;
}

function tagList(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Launches one instance that terminates itself when it shuts down; returns its id. */
export async function launchInstance(
  settings: Ec2Settings,
  spec: InstanceSpec,
  signal?: AbortSignal,
): Promise<string> {
  const profile = spec.iamInstanceProfile;
  const input = {
    ImageId: spec.image.imageId,
    // Checked against INSTANCE_TYPES, all of which EC2 knows.
    InstanceType: spec.instanceType as InstanceTypeName,
    MinCount: 1,
    MaxCount: 1,
    UserData: Buffer.from(spec.userData, 'utf8').toString('base64'),
    InstanceInitiatedShutdownBehavior: 'terminate' as const,
    BlockDeviceMappings: [
      {
        DeviceName: spec.image.rootDeviceName,
        Ebs: { VolumeSize: spec.diskSizeGb, VolumeType: 'gp3' as const, DeleteOnTermination: true },
      },
    ],
    TagSpecifications: [
      { ResourceType: 'instance' as const, Tags: tagList(spec.tags) },
      { ResourceType: 'volume' as const, Tags: tagList(spec.tags) },
    ],
    // IMDSv2 only: the instance's role credentials are not readable by a plain GET.
    MetadataOptions: { HttpTokens: 'required' as const, HttpEndpoint: 'enabled' as const },
    ...(profile
      ? { IamInstanceProfile: profile.startsWith('arn:') ? { Arn: profile } : { Name: profile } }
      : {}),
    ...(spec.subnetId ? { SubnetId: spec.subnetId } : {}),
    ...(spec.securityGroupIds.length > 0 ? { SecurityGroupIds: [...spec.securityGroupIds] } : {}),
    ...(spec.keyName ? { KeyName: spec.keyName } : {}),
  };
  const out = await call(settings, `launching a ${spec.instanceType} instance`, signal, (c, o) =>
    c.send(new RunInstancesCommand(input), o),
  );
  const id = out.Instances?.[0]?.InstanceId;
  if (!id)
    throw new GeopartError('REMOTE_ERROR', 'launching an instance: EC2 answered without an instance id', {});
  return id;
}

/** The state of an instance; `not-found` when EC2 no longer knows it (gone an hour after terminating). */
export async function instanceState(
  settings: Ec2Settings,
  instanceId: string,
  signal?: AbortSignal,
): Promise<InstanceState> {
  try {
    const out = await call(settings, `describing instance ${instanceId}`, signal, (c, o) =>
      c.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }), o),
    );
    const state = out.Reservations?.[0]?.Instances?.[0]?.State?.Name;
    return (state as InstanceState | undefined) ?? 'not-found';
  } catch (err) {
    if (err instanceof GeopartError && err.context.awsError === 'InvalidInstanceID.NotFound')
      return 'not-found';
    throw err;
  }
}

/** Terminates an instance (its root volume goes with it). */
export async function terminateInstance(
  settings: Ec2Settings,
  instanceId: string,
  signal?: AbortSignal,
): Promise<void> {
  await call(settings, `terminating instance ${instanceId}`, signal, (c, o) =>
    c.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }), o),
  );
}
