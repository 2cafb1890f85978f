import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BatchKeys, ReadBuffer, readKeySpill, writeKeySpill } from '../../src/scan/spill.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'geopart-keys-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const points = (xs: number[], ys: number[], measure: number[]): BatchKeys => ({
  cx: Float64Array.from(xs),
  cy: Float64Array.from(ys),
  measure: Float64Array.from(measure),
  bounds: Float64Array.from(xs.flatMap((x, i) => [x, ys[i]!, x, ys[i]!])),
});

/** Writes and reads back `keys`; returns the file's size and the keys read, with and without a scratch buffer. */
async function roundTrip(name: string, keys: BatchKeys): Promise<{ size: number; back: BatchKeys[] }> {
  const path = join(dir, name);
  writeKeySpill(path, keys);
  const plain = readKeySpill(path);
  const scratch = new ReadBuffer();
  const viaScratch = readKeySpill(path, scratch);
  return { size: (await stat(path)).size, back: [plain, viaScratch] };
}

function expectSame(a: BatchKeys, b: BatchKeys): void {
  for (const k of ['cx', 'cy', 'measure', 'bounds'] as const) {
    expect(a[k].length, k).toBe(b[k].length);
    for (let i = 0; i < a[k].length; i++) expect(Object.is(a[k][i], b[k][i]), `${k}[${i}]`).toBe(true);
  }
}

describe('key spills', () => {
  test('points of one measure take 16 bytes a row, and read back to the bit', async () => {
    const keys = points([1.5, -0, 179.25], [-90, 0, 45.125], [1, 1, 1]);
    const { size, back } = await roundTrip('one.keys', keys);
    expect(size).toBe(8 * (3 + 2 * 3));
    for (const b of back) expectSame(b, keys);
  });

  test('points of several measures take 24 bytes a row', async () => {
    const keys = points([1, 2], [3, 4], [1, 0.5]);
    const { size, back } = await roundTrip('points.keys', keys);
    expect(size).toBe(8 * (2 + 3 * 2));
    for (const b of back) expectSame(b, keys);
  });

  test('any row whose bounds are not its centroid keeps every key: 56 bytes a row', async () => {
    const keys = points([1, 2], [3, 4], [1, 1]);
    keys.bounds[6] = 2.5; // the second row's maxx
    const { size, back } = await roundTrip('boxes.keys', keys);
    expect(size).toBe(8 * (2 + 7 * 2));
    for (const b of back) expectSame(b, keys);
    // -0 in the bounds where the centroid is 0 is not a point: its bounds are kept as they are.
    const signed = points([0], [1], [1]);
    signed.bounds[0] = -0;
    const r = await roundTrip('signed.keys', signed);
    expect(r.size).toBe(8 * (2 + 7));
    for (const b of r.back) expectSame(b, signed);
  });

  test('no rows, and a file that is not a key file', async () => {
    const { size, back } = await roundTrip('empty.keys', points([], [], []));
    expect(size).toBe(16);
    for (const b of back) expect(b.cx.length).toBe(0);
    await writeFile(join(dir, 'bad.keys'), new Float64Array([1, 5, 0, 0]));
    expect(() => readKeySpill(join(dir, 'bad.keys'))).toThrow(
      /bad\.keys: not a key file of this geopart \(layout 1, 5 rows, 4 values\)/,
    );
  });
});
