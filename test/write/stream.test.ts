import { readFileSync } from 'node:fs';
import * as A from 'apache-arrow';
import { makeData } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { type GeoParquetInput, writeGeoParquetFile } from '../../src/write/geoparquet-writer.js';
import { batchOf, openDuck, pointWkb, rowGroupSizes, tempDir, wkbData } from './helpers.js';

const tmp = tempDir('stream');
afterAll(() => tmp.cleanup());

function batch(from: number, n: number): A.RecordBatch {
  const ids = makeData({
    type: new A.Int32(),
    length: n,
    data: Int32Array.from({ length: n }, (_, i) => from + i),
  });
  const geoms = wkbData(Array.from({ length: n }, (_, i) => pointWkb(from + i, -(from + i) / 2)));
  return batchOf([
    ['id', ids],
    ['geometry', geoms],
  ]);
}

async function* drawn(batches: A.RecordBatch[], log: string[]): AsyncGenerator<A.RecordBatch> {
  for (const [i, b] of batches.entries()) {
    log.push(`batch ${i}`);
    yield b;
  }
}

async function failure(path: string, input: GeoParquetInput): Promise<Error> {
  return writeGeoParquetFile(path, input).then(
    () => {
      throw new Error('the write succeeded');
    },
    (e: Error) => e,
  );
}

describe('a streamed write', () => {
  it('gives the bytes of the same rows given at once, drawing the batches once, in order', async () => {
    const batches = [batch(0, 5), batch(5, 7), batch(12, 3)];
    const sizes = [5, 4, 3, 3];
    const whole = tmp.path('whole.parquet');
    const streamed = tmp.path('streamed.parquet');
    await writeGeoParquetFile(whole, { batches, rowGroupSizes: sizes });
    const log: string[] = [];
    const result = await writeGeoParquetFile(streamed, {
      batches: drawn(batches, log),
      schema: batches[0]!.schema,
      rowGroupSizes: sizes,
    });
    expect(result.rows).toBe(15);
    expect(readFileSync(streamed)).toEqual(readFileSync(whole));
    expect(log).toEqual(['batch 0', 'batch 1', 'batch 2']);
    const duck = await openDuck();
    try {
      expect(await rowGroupSizes(duck, streamed)).toEqual(sizes);
      const ids = await duck.rows(`SELECT count(*)::INT, sum(id)::INT, min(id), max(id) FROM '${streamed}'`);
      expect(ids[0]).toEqual([15, 105, 0, 14]);
    } finally {
      duck.close();
    }
  });

  it('refuses rows that do not match the row group sizes, or a batch of another schema, leaving no file', async () => {
    const schema = batch(0, 1).schema;
    const more = tmp.path('more.parquet');
    const err = await failure(more, { batches: drawn([batch(0, 4)], []), schema, rowGroupSizes: [2, 3] });
    expect(err.message).toMatch(/sum to more rows than the batches hold/);
    const fewer = tmp.path('fewer.parquet');
    const err2 = await failure(fewer, { batches: drawn([batch(0, 4)], []), schema, rowGroupSizes: [2] });
    expect(err2.message).toMatch(/sum to 2 rows but the batches hold more/);
    const other = batchOf([['geometry', wkbData([pointWkb(1, 1)])]]);
    const mixed = tmp.path('mixed.parquet');
    const err3 = await failure(mixed, {
      batches: drawn([batch(0, 1), other], []),
      schema,
      rowGroupSizes: [1, 1],
    });
    expect(err3.message).toMatch(/batches\[1\] has a different schema/);
    expect(
      await failure(tmp.path('none.parquet'), { batches: drawn([], []), rowGroupSizes: [] }),
    ).toBeInstanceOf(TypeError);
    for (const p of [more, fewer, mixed]) expect(() => readFileSync(p)).toThrow(/ENOENT/);
  });
});
