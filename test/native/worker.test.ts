import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLayerReader } from '../../src/io/native.js';
import { dataPath } from '../helpers/data.js';
import { decodeWkb, maxCoordDiff, ogrFeatures } from '../helpers/ogr.js';

const WORKER = fileURLToPath(new URL('./fixtures/read-worker.mjs', import.meta.url));
const BUILT_LOADER = fileURLToPath(new URL('../../dist/io/native.js', import.meta.url));
const COUNTRIES = dataPath('flatgeobuf/countries.fgb');

interface ReadResult {
  rows: number;
  batches: number;
  threadId: number;
  firstWkb: Uint8Array;
}

describe('the addon in Piscina worker threads', () => {
  let pool: Piscina;

  beforeAll(() => {
    if (!existsSync(BUILT_LOADER)) throw new Error(`${BUILT_LOADER} is missing: run \`npm run build\` first`);
    pool = new Piscina({ filename: WORKER, minThreads: 2, maxThreads: 2, concurrentTasksPerWorker: 1 });
  });

  afterAll(async () => {
    await pool?.destroy();
  });

  it('reads countries.fgb in two workers at once', async () => {
    const results = (await Promise.all([
      pool.run({ path: COUNTRIES, batchSize: 7 }),
      pool.run({ path: COUNTRIES, batchSize: 7 }),
    ])) as ReadResult[];
    for (const r of results) {
      expect(r.rows).toBe(179);
      expect(r.batches).toBe(Math.ceil(179 / 7));
      expect(r.threadId).toBeGreaterThan(0);
    }
    expect(new Set(results.map((r) => r.threadId)).size).toBe(2);
    const [antarctica] = ogrFeatures(COUNTRIES);
    const got = decodeWkb(results[0]!.firstWkb);
    expect(maxCoordDiff(got, antarctica!.geometry)).toBe(0);
  });

  it("transfers a batch's buffer out of the worker (Piscina.move)", async () => {
    const moved = (await pool.run({ path: COUNTRIES }, { name: 'moveGeometryBuffer' })) as Uint8Array;
    const reader = openLayerReader(COUNTRIES);
    const here = reader.next()!.getChild(reader.geometryColumn!)!.data[0]!.values;
    reader.close();
    expect(moved).toBeInstanceOf(Uint8Array);
    expect(moved.byteLength).toBe(here.byteLength);
    expect(Buffer.compare(moved, here)).toBe(0);
  });

  it('keeps working after the workers are replaced (the addon reloads per thread)', async () => {
    await pool.destroy();
    pool = new Piscina({ filename: WORKER, minThreads: 1, maxThreads: 2 });
    const r = (await pool.run({
      path: dataPath('flatgeobuf/countries_nocrs.fgb'),
      batchSize: 100,
    })) as ReadResult;
    expect(r.rows).toBe(179);
  });
});
