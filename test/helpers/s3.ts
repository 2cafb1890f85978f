/**
 * A local S3 server (s3rver) on the loopback interface for tests. `startS3()` starts it on a free
 * port with its store in a temporary folder, creates a bucket and points this process's AWS
 * environment at it; `stop()` puts the environment back and removes the store.
 *
 * The server runs in a child process: GDAL reads `/vsis3/` synchronously, so a server on this
 * thread could never answer it. It logs nothing unless `S3RVER_LOG` is set. Node runs it with
 * the OpenSSL legacy provider, as s3rver signs list continuation tokens with DES.
 *
 * ```ts
 * let s3: LocalS3;
 * beforeAll(async () => { s3 = await startS3(); });
 * afterAll(() => s3.stop());
 * // s3.url('tables/x') === 's3://<bucket>/tables/x'
 * ```
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** A running local S3 server. */
export interface LocalS3 {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** The bucket created at start. */
  readonly bucket: string;
  /** The folder s3rver stores objects in. */
  readonly directory: string;
  /** The environment it set (also applied to `process.env`); for child processes. */
  readonly env: Readonly<Record<string, string>>;
  /** `s3://BUCKET/KEY`. */
  url(key: string): string;
  /** Stops the server, restores the environment and removes the store. */
  stop(): Promise<void>;
}

// Path-style requests only (vhostBuckets false): no virtual-host bucket lookup on 127.0.0.1.
const SERVER = `
const S3rver = require('s3rver');
const [directory, bucket] = process.argv.slice(1);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: !process.env.S3RVER_LOG, directory,
  configureBuckets: [{ name: bucket }], vhostBuckets: false });
server.run().then((a) => console.log(a.port), (e) => { console.error(e); process.exit(1); });
`;

async function spawnServer(
  directory: string,
  bucket: string,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', SERVER, directory, bucket], {
    // -e resolves require() from the working directory: the project root, where s3rver is installed.
    cwd: resolve(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`s3rver exited with code ${code} before listening`)));
    child.stdout!.once('data', (d: Buffer) => ok(Number(d.toString().trim())));
  });
  // A test process that ends without stop() must not leave the server running.
  const kill = () => child.kill();
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  return { child, port };
}

const ENV_KEYS = [
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  // GDAL's /vsis3/ settings: derived from the above when unset, so a user's must not leak in.
  'AWS_S3_ENDPOINT',
  'AWS_HTTPS',
  'AWS_VIRTUAL_HOSTING',
] as const;

/** Starts s3rver on 127.0.0.1 (free port) with bucket `bucket` (default `geopart-test`). */
export async function startS3(bucket = 'geopart-test'): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'geopart-s3rver-'));
  const { child, port } = await spawnServer(directory, bucket);
  const endpoint = `http://127.0.0.1:${port}`;
  const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  const env = {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
  };
  for (const k of ENV_KEYS) delete process.env[k];
  Object.assign(process.env, env);
  return {
    endpoint,
    bucket,
    directory,
    env,
    url: (key) => `s3://${bucket}/${key.replace(/^\/+/, '')}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((ok) => child.once('exit', ok));
        child.kill();
        await exited;
      }
      for (const k of ENV_KEYS) {
        const v = saved[k];
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
