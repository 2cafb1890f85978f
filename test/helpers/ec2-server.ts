/**
 * A small EC2-compatible server on the loopback interface for tests. It speaks the EC2 Query API
 * (form-encoded POST with `Action=...`) for RunInstances, DescribeInstances, TerminateInstances
 * and DescribeImages, answers the XML that `@aws-sdk/client-ec2` parses, keeps instances in
 * memory and records every request.
 *
 * ```ts
 * const ec2 = await startEc2();
 * // new EC2Client({ endpoint: ec2.endpoint, region: 'us-east-1' }) ...
 * ec2.requests; // [{ action: 'RunInstances', params: { InstanceType: 'm5.large', ... } }]
 * await ec2.stop();
 * ```
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/** One request as the server received it: the action and every form parameter. */
export interface Ec2Request {
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
}

/** An image the server knows. */
export interface FakeImage {
  readonly imageId: string;
  readonly name: string;
  readonly ownerId: string;
  /** ISO 8601. */
  readonly creationDate: string;
  readonly rootDeviceName: string;
  /** GiB. */
  readonly rootSizeGb: number;
}

/** An instance the server launched. */
export interface FakeInstance {
  readonly instanceId: string;
  readonly imageId: string;
  readonly instanceType: string;
  state: string;
  readonly tags: Record<string, string>;
}

/** A running fake EC2 server. */
export interface FakeEc2 {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** Every request, in order. */
  readonly requests: Ec2Request[];
  readonly instances: Map<string, FakeInstance>;
  /** Called with each request's action before it is answered (e.g. to change state meanwhile). */
  beforeAnswer: ((action: string) => void | Promise<void>) | null;
  stop(): Promise<void>;
}

/** The images every server starts with: two official-looking Debian 13 AMIs and a custom one. */
export const FAKE_IMAGES: readonly FakeImage[] = [
  {
    imageId: 'ami-0d13a0000000000a1',
    name: 'debian-13-amd64-20250701-1000',
    ownerId: '136693071363',
    creationDate: '2025-07-01T10:00:00.000Z',
    rootDeviceName: '/dev/xvda',
    rootSizeGb: 8,
  },
  {
    imageId: 'ami-0d13b0000000000b2',
    name: 'debian-13-amd64-20250814-2206',
    ownerId: '136693071363',
    creationDate: '2025-08-14T22:06:00.000Z',
    rootDeviceName: '/dev/xvda',
    rootSizeGb: 8,
  },
  {
    imageId: 'ami-0c0ffee0000000c03',
    name: 'geopart-custom',
    ownerId: '111122223333',
    creationDate: '2025-09-01T00:00:00.000Z',
    rootDeviceName: '/dev/sda1',
    rootSizeGb: 20,
  },
];

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

function esc(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STATE_CODES: Readonly<Record<string, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

function stateXml(tag: string, state: string): string {
  return `<${tag}><code>${STATE_CODES[state] ?? 0}</code><name>${state}</name></${tag}>`;
}

function instanceXml(i: FakeInstance): string {
  const tags = Object.entries(i.tags)
    .map(([k, v]) => `<item><key>${esc(k)}</key><value>${esc(v)}</value></item>`)
    .join('');
  return (
    `<item><instanceId>${i.instanceId}</instanceId><imageId>${i.imageId}</imageId>` +
    `${stateXml('instanceState', i.state)}<instanceType>${esc(i.instanceType)}</instanceType>` +
    `<launchTime>2025-01-01T00:00:00.000Z</launchTime><tagSet>${tags}</tagSet></item>`
  );
}

function imageXml(im: FakeImage): string {
  return (
    `<item><imageId>${im.imageId}</imageId><name>${esc(im.name)}</name><imageOwnerId>${im.ownerId}</imageOwnerId>` +
    `<creationDate>${im.creationDate}</creationDate><imageState>available</imageState>` +
    `<architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType>` +
    `<rootDeviceName>${im.rootDeviceName}</rootDeviceName><blockDeviceMapping><item>` +
    `<deviceName>${im.rootDeviceName}</deviceName><ebs><volumeSize>${im.rootSizeGb}</volumeSize>` +
    `<volumeType>gp3</volumeType><deleteOnTermination>true</deleteOnTermination></ebs></item>` +
    `</blockDeviceMapping></item>`
  );
}

/** Values of a numbered list parameter: `InstanceId.1`, `InstanceId.2`, ... */
function list(params: Record<string, string>, prefix: string): string[] {
  const out: string[] = [];
  for (let n = 1; params[`${prefix}.${n}`] !== undefined; n++) out.push(params[`${prefix}.${n}`]!);
  return out;
}

function glob(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

class Ec2Fault extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function tagsOf(params: Record<string, string>): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let s = 1; params[`TagSpecification.${s}.ResourceType`] !== undefined; s++) {
    if (params[`TagSpecification.${s}.ResourceType`] !== 'instance') continue;
    for (let t = 1; params[`TagSpecification.${s}.Tag.${t}.Key`] !== undefined; t++) {
      tags[params[`TagSpecification.${s}.Tag.${t}.Key`]!] =
        params[`TagSpecification.${s}.Tag.${t}.Value`] ?? '';
    }
  }
  return tags;
}

function answer(
  action: string,
  params: Record<string, string>,
  instances: Map<string, FakeInstance>,
): string {
  const find = (id: string) => {
    const i = instances.get(id);
    if (!i) throw new Ec2Fault('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return i;
  };
  switch (action) {
    case 'DescribeImages': {
      const ids = list(params, 'ImageId');
      const owners = list(params, 'Owner');
      const names = params['Filter.1.Name'] === 'name' ? list(params, 'Filter.1.Value').map(glob) : [];
      const found = FAKE_IMAGES.filter(
        (im) =>
          (ids.length === 0 || ids.includes(im.imageId)) &&
          (owners.length === 0 || owners.includes(im.ownerId)) &&
          (names.length === 0 || names.some((re) => re.test(im.name))),
      );
      return `<imagesSet>${found.map(imageXml).join('')}</imagesSet>`;
    }
    case 'RunInstances': {
      const id = `i-${randomBytes(9).toString('hex').slice(0, 17)}`;
      const instance: FakeInstance = {
        instanceId: id,
        imageId: params.ImageId ?? '',
        instanceType: params.InstanceType ?? '',
        state: 'pending',
        tags: tagsOf(params),
      };
      instances.set(id, instance);
      return `<reservationId>r-0123456789abcdef0</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet>${instanceXml(instance)}</instancesSet>`;
    }
    case 'DescribeInstances': {
      const found = list(params, 'InstanceId').map(find);
      // A launched instance is running by the time anyone asks.
      for (const i of found) if (i.state === 'pending') i.state = 'running';
      const items = found.map(instanceXml).join('');
      return `<reservationSet><item><reservationId>r-0123456789abcdef0</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet>${items}</instancesSet></item></reservationSet>`;
    }
    case 'TerminateInstances': {
      const items = list(params, 'InstanceId').map((id) => {
        const i = find(id);
        const previous = i.state;
        i.state = 'terminated';
        return `<item><instanceId>${id}</instanceId>${stateXml('currentState', 'shutting-down')}${stateXml('previousState', previous)}</item>`;
      });
      return `<instancesSet>${items.join('')}</instancesSet>`;
    }
    default:
      throw new Ec2Fault('InvalidAction', `The action ${action} is not valid for this web service.`);
  }
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the server on 127.0.0.1 on a free port. */
export async function startEc2(): Promise<FakeEc2> {
  const requests: Ec2Request[] = [];
  const instances = new Map<string, FakeInstance>();
  const hooks: { beforeAnswer: FakeEc2['beforeAnswer'] } = { beforeAnswer: null };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const params = Object.fromEntries(new URLSearchParams(await body(req)));
    const action = params.Action ?? '';
    requests.push({ action, params });
    await hooks.beforeAnswer?.(action);
    const requestId = randomBytes(16).toString('hex');
    try {
      const inner = answer(action, params, instances);
      res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS}"><requestId>${requestId}</requestId>${inner}</${action}Response>`,
      );
    } catch (err) {
      const fault = err instanceof Ec2Fault ? err : new Ec2Fault('InternalError', String(err));
      res.writeHead(fault.code === 'InternalError' ? 500 : 400, { 'content-type': 'text/xml;charset=UTF-8' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${fault.code}</Code><Message>${esc(fault.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      );
    }
  };
  const server = await listenOnLoopback(handle);
  return {
    endpoint: server.endpoint,
    requests,
    instances,
    get beforeAnswer() {
      return hooks.beforeAnswer;
    },
    set beforeAnswer(hook) {
      hooks.beforeAnswer = hook;
    },
    stop: () => server.stop(),
  };
}
