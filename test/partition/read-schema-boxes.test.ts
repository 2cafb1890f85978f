import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { Table as WasmTable, writeParquet } from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeopartError } from '../../src/errors.js';
import { checkPlan } from '../../src/partition/check-plan.js';
import { readSchemaBoxes } from '../../src/partition/read-schema-boxes.js';
import { planFromBoxes } from '../../src/partition/schema-plan.js';
import { keysOf } from './keys.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'geopart-schema-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeTable(name: string, columns: Parameters<typeof tableFromArrays>[0]): Promise<string> {
  const bytes = writeParquet(WasmTable.fromIPCStream(tableToIPC(tableFromArrays(columns), 'stream')));
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

async function codeOf(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(GeopartError);
    return [(err as GeopartError).code, (err as GeopartError).message];
  }
  throw new Error('expected a GeopartError');
}

describe('readSchemaBoxes', () => {
  it('reads the boxes of chunk metadata (int64 ids, extra columns ignored)', async () => {
    const path = await writeTable('meta.parquet', {
      file_id: BigInt64Array.from([0n, 0n, 1n]),
      chunk_id: Int32Array.from([0, 1, 0]),
      bbox_minx: Float64Array.from([0, 10, 0]),
      bbox_miny: Float64Array.from([0, 0, 10]),
      bbox_maxx: Float64Array.from([10, 20, 20]),
      bbox_maxy: Float32Array.from([10, 10, 20]),
      num_rows: Int32Array.from([5, 6, 7]),
    });
    const boxes = await readSchemaBoxes(path);
    expect(boxes.fileId).toEqual(Int32Array.from([0, 0, 1]));
    expect(boxes.chunkId).toEqual(Int32Array.from([0, 1, 0]));
    expect(Array.from(boxes.minx)).toEqual([0, 10, 0]);
    expect(Array.from(boxes.maxy)).toEqual([10, 10, 20]);

    const keys = keysOf([
      { x: 15, y: 5 },
      { x: 5, y: 15 },
      { x: 5, y: 5 },
    ]);
    const p = planFromBoxes(keys, boxes);
    expect(checkPlan(keys, p)).toEqual([]);
    expect(Array.from(p.order)).toEqual([2, 0, 1]);
  });

  it('names the file and the missing column', async () => {
    const path = await writeTable('partial.parquet', {
      file_id: Int32Array.from([0]),
      chunk_id: Int32Array.from([0]),
      bbox_minx: Float64Array.from([0]),
      bbox_miny: Float64Array.from([0]),
      bbox_maxx: Float64Array.from([1]),
    });
    const [code, message] = await codeOf(readSchemaBoxes(path));
    expect(code).toBe('INVALID_CONFIG');
    expect(message).toContain(path);
    expect(message).toMatch(/no column bbox_maxy/);
  });

  it('refuses null ids, naming the row', async () => {
    const path = await writeTable('nulls.parquet', {
      file_id: [0, null],
      chunk_id: Int32Array.from([0, 1]),
      bbox_minx: Float64Array.from([0, 0]),
      bbox_miny: Float64Array.from([0, 0]),
      bbox_maxx: Float64Array.from([1, 1]),
      bbox_maxy: Float64Array.from([1, 1]),
    });
    const [code, message] = await codeOf(readSchemaBoxes(path));
    expect(code).toBe('INVALID_CONFIG');
    expect(message).toMatch(/column file_id, row 1/);
  });

  it('reports a missing file and a file that is not Parquet', async () => {
    const missing = join(dir, 'nope.parquet');
    expect(await codeOf(readSchemaBoxes(missing))).toEqual([
      'INPUT_NOT_FOUND',
      expect.stringContaining(missing),
    ]);
    const text = join(dir, 'text.parquet');
    await writeFile(text, 'file_id,chunk_id\n0,0\n');
    expect(await codeOf(readSchemaBoxes(text))).toEqual(['CORRUPT_INPUT', expect.stringContaining(text)]);
  });
});
