import { type ChildProcess, spawn } from 'node:child_process';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInputs } from '../../src/io/read-inputs.js';
import { dataPath } from '../helpers/data.js';
import { batchFeatures, featureDiffs, ogrFeatures } from '../helpers/ogr.js';

// A loopback HTTP server with byte ranges, as GDAL's /vsicurl/ needs. It runs in a child
// process: GDAL reads synchronously, so a server on this thread could never answer.
const SERVER = `
const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');
const root = process.argv[1];
const server = createServer((req, res) => {
  let body;
  try { body = readFileSync(root + decodeURIComponent(req.url.slice(1))); }
  catch { res.writeHead(404).end(); return; }
  const m = /bytes=([0-9]+)-([0-9]*)/.exec(req.headers.range || '');
  if (m) {
    const start = Number(m[1]);
    const end = m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
    res.writeHead(206, { 'Content-Range': 'bytes ' + start + '-' + end + '/' + body.length,
      'Content-Length': end - start + 1, 'Accept-Ranges': 'bytes' });
    res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1));
    return;
  }
  res.writeHead(200, { 'Content-Length': body.length, 'Accept-Ranges': 'bytes' });
  res.end(req.method === 'HEAD' ? undefined : body);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;
let server: ChildProcess;
let base: string;

beforeAll(async () => {
  server = spawn(
    process.execPath,
    ['-e', SERVER, dataPath('flatgeobuf/countries.fgb').replace(/flatgeobuf\/countries\.fgb$/, '')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<string>((resolve) =>
    server.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  base = `http://127.0.0.1:${port}`;
});

afterAll(() => {
  server.kill();
});

describe('remote inputs through GDAL virtual file systems', () => {
  it('reads a FlatGeobuf over HTTP with /vsicurl/, as ogr2ogr reads the local file', async () => {
    const set = await openInputs({ input: `/vsicurl/${base}/flatgeobuf/countries.fgb` });
    const batches: RecordBatch[] = [];
    for await (const { batch } of set.batches()) batches.push(batch);
    expect(
      featureDiffs(batchFeatures(batches, 'geometry'), ogrFeatures(dataPath('flatgeobuf/countries.fgb'))),
    ).toEqual([]);
  });

  it('names a remote file that is not there', async () => {
    const err = await openInputs({ input: `/vsicurl/${base}/flatgeobuf/missing.fgb` }).catch(
      (e: unknown) => e,
    );
    expect(String(err)).toContain('missing.fgb');
  });
});
