/**
 * A loopback HTTP server of the files under a folder, honouring `Range: bytes=a-b` as object
 * stores do, and 404 for anything else. It runs in a child process: GDAL reads synchronously,
 * so a server on the test's own thread could never answer it. `GET /__stats` reports how the
 * files were served, so a test can check that a reader asked for byte ranges only.
 */
import { type ChildProcess, spawn } from 'node:child_process';

const SERVER = `
const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const root = process.argv[1];
const stats = { wholeGets: 0, rangeGets: 0, rangeBytes: 0, heads: 0 };
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (path === '/__stats') { res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(stats)); return; }
  let body;
  try { body = readFileSync(join(root, path)); }
  catch { res.writeHead(404).end(); return; }
  if (req.method === 'HEAD') {
    stats.heads++;
    res.writeHead(200, { 'Content-Length': body.length, 'Accept-Ranges': 'bytes' }).end();
    return;
  }
  const m = /^bytes=([0-9]+)-([0-9]*)$/.exec(req.headers.range || '');
  if (m) {
    const start = Number(m[1]);
    const end = m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
    stats.rangeGets++;
    stats.rangeBytes += end - start + 1;
    res.writeHead(206, { 'Content-Range': 'bytes ' + start + '-' + end + '/' + body.length,
      'Content-Length': end - start + 1, 'Accept-Ranges': 'bytes' });
    res.end(body.subarray(start, end + 1));
    return;
  }
  stats.wholeGets++;
  res.writeHead(200, { 'Content-Length': body.length, 'Accept-Ranges': 'bytes' });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/** How the server has answered so far. */
export interface HttpFileStats {
  /** GETs without a Range header (the whole file sent). */
  readonly wholeGets: number;
  readonly rangeGets: number;
  /** Bytes sent in answer to ranged GETs. */
  readonly rangeBytes: number;
  readonly heads: number;
}

/** A running file server: its base URL (`http://127.0.0.1:PORT`), its counts, and a stop. */
export interface HttpFileServer {
  readonly base: string;
  stats(): Promise<HttpFileStats>;
  close(): void;
}

/** Serves the files under `root` on 127.0.0.1 (a free port) until `close()`. */
export async function serveFiles(root: string): Promise<HttpFileServer> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER, root], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    stats: async () => (await (await fetch(`${base}/__stats`)).json()) as HttpFileStats,
    close: () => {
      child.kill();
    },
  };
}
