/**
 * Input the writer refuses, and what it leaves behind when it fails: nothing at the path.
 * Also: identical input gives identical bytes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as A from 'apache-arrow';
import { makeData, vectorFromArray } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { GeopartError } from '../../src/errors.js';
import {
  encodeGeoParquet,
  type GeoParquetInput,
  writeGeoParquetFile,
} from '../../src/write/geoparquet-writer.js';
import { batchOf, pointWkb, tempDir, wkbData } from './helpers.js';

const tmp = tempDir('write-errors');
afterAll(() => tmp.cleanup());

const geoms = (n: number) => wkbData(Array.from({ length: n }, (_, i) => pointWkb(i, -i)));
const ids = (n: number) =>
  makeData({ type: new A.Int32(), length: n, data: Int32Array.from({ length: n }, (_, i) => i) });

function simple(n = 5): GeoParquetInput & { batches: A.RecordBatch[] } {
  return {
    batches: [
      batchOf([
        ['id', ids(n)],
        ['geometry', geoms(n)],
      ]),
    ],
    rowGroupSizes: [n],
  };
}

/** Runs a write that must fail; returns the error and checks that nothing is at the path. */
async function failing(input: GeoParquetInput): Promise<unknown> {
  const path = tmp.path(`fail-${Math.random().toString(36).slice(2)}.parquet`);
  const err = await writeGeoParquetFile(path, input).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).not.toBeNull();
  expect(existsSync(path), 'a file was left at the path').toBe(false);
  return err;
}

describe('refused input', () => {
  it('names the column and type of an unsupported column', async () => {
    const decimal = makeData({ type: new A.Decimal(2, 10, 128), length: 5, data: new Uint32Array(20) });
    const input = {
      ...simple(),
      batches: [
        batchOf([
          ['price', decimal],
          ['geometry', geoms(5)],
        ]),
      ],
    };
    const err = await failing(input);
    expect(err).toBeInstanceOf(GeopartError);
    expect((err as GeopartError).code).toBe('INVALID_CONFIG');
    expect((err as Error).message).toMatch(/column 'price' has type Decimal.*drop the column/);
    expect((err as GeopartError).context).toMatchObject({ column: 'price' });
  });

  it('names a nested unsupported type by its top-level column', async () => {
    const entries = new A.Struct([
      new A.Field('key', new A.Utf8(), false),
      new A.Field('value', new A.Int32(), true),
    ]);
    const map = new A.Map_(new A.Field('entries', entries, false) as never);
    const data = vectorFromArray([new Map([['a', 1]])], map as never).data[0]!;
    const input = {
      batches: [
        batchOf([
          ['tags', data],
          ['geometry', geoms(1)],
        ]),
      ],
      rowGroupSizes: [1],
    };
    const err = await failing(input);
    expect((err as Error).message).toMatch(/column 'tags'/);
  });

  it.each([
    [[0, 5], /rowGroupSizes\[0\] is 0/],
    [[2, 2.5, 0.5], /rowGroupSizes\[1\] is 2.5/],
    [[2, 2], /sum to 4 rows but the batches hold 5/],
    [[3, 3], /sum to 6 rows/],
  ])('refuses row-group sizes %j', async (sizes, message) => {
    const err = await failing({ ...simple(), rowGroupSizes: sizes });
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).message).toMatch(message);
  });

  it('needs geometry as the last column, and no column called bbox', async () => {
    const noGeom = {
      batches: [
        batchOf([
          ['geometry', geoms(2)],
          ['id', ids(2)],
        ]),
      ],
      rowGroupSizes: [2],
    };
    expect((await failing(noGeom)) as Error).toBeInstanceOf(TypeError);
    const bbox = {
      batches: [
        batchOf([
          ['bbox', ids(2)],
          ['geometry', geoms(2)],
        ]),
      ],
      rowGroupSizes: [2],
    };
    expect(((await failing(bbox)) as Error).message).toMatch(/'bbox' clashes with the covering column/);
    const twice = {
      batches: [
        batchOf([
          ['a', ids(2)],
          ['a', ids(2)],
          ['geometry', geoms(2)],
        ]),
      ],
      rowGroupSizes: [2],
    };
    expect(((await failing(twice)) as Error).message).toMatch(/'a' appears twice/);
  });

  it('refuses batches of different schemas and a geo key in the extra metadata', async () => {
    const other = batchOf([
      ['name', vectorFromArray(['x'], new A.Utf8()).data[0]!],
      ['geometry', geoms(1)],
    ]);
    const mixed = { batches: [simple(2).batches[0]!, other], rowGroupSizes: [3] };
    expect(((await failing(mixed)) as Error).message).toMatch(/batches\[1\] has a different schema/);
    const geo = { ...simple(), keyValueMetadata: { geo: '{}' } };
    expect(((await failing(geo)) as Error).message).toMatch(/may not set 'geo'/);
  });

  it('needs a schema when there are no batches', async () => {
    const err = await failing({ batches: [], rowGroupSizes: [] });
    expect((err as Error).message).toMatch(/input.schema is required/);
  });
});

describe('failure mid-write', () => {
  it('removes the partly written file when a later row group has bad WKB', async () => {
    const bad = wkbData([pointWkb(0, 0), pointWkb(1, 1), Uint8Array.of(1, 99, 0, 0, 0)]);
    const input = {
      batches: [
        batchOf([
          ['id', ids(3)],
          ['geometry', bad],
        ]),
      ],
      rowGroupSizes: [2, 1],
    };
    const path = tmp.path('bad-wkb.parquet');
    writeFileSync(path, 'an older file');
    const err = await writeGeoParquetFile(path, input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeopartError);
    expect((err as GeopartError).code).toBe('CORRUPT_INPUT');
    expect((err as GeopartError).context.row).toBe(2); // the file row, not the batch's
    expect((err as Error).message).toMatch(/at row 2/);
    expect(existsSync(path)).toBe(false);
  });

  it('stops when aborted and leaves nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const path = tmp.path('aborted.parquet');
    const err = await writeGeoParquetFile(path, simple(), { signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).name).toBe('AbortError');
    expect(existsSync(path)).toBe(false);
  });

  it('leaves an existing file alone when the input is refused before writing', async () => {
    const path = tmp.path('kept.parquet');
    writeFileSync(path, 'keep me');
    await expect(writeGeoParquetFile(path, { ...simple(), rowGroupSizes: [1] })).rejects.toThrow(RangeError);
    expect(readFileSync(path, 'utf8')).toBe('keep me');
  });
});

describe('determinism', () => {
  it('writes byte-identical files for the same input, on disk and in memory', async () => {
    const n = 3000;
    const names = vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 7 ? `n${i}` : null)),
      new A.Utf8(),
    ).data[0]!;
    const input: GeoParquetInput = {
      batches: [
        batchOf([
          ['id', ids(n)],
          ['name', names],
          ['geometry', geoms(n)],
        ]),
      ],
      rowGroupSizes: [1000, 1, 1999],
      keyValueMetadata: { report: '{"a":1}' },
    };
    const a = tmp.path('same-a.parquet');
    const b = tmp.path('same-b.parquet');
    await writeGeoParquetFile(a, input);
    await writeGeoParquetFile(b, input);
    const bytesA = readFileSync(a);
    expect(bytesA.equals(readFileSync(b))).toBe(true);
    const { bytes } = await encodeGeoParquet(input);
    expect(Buffer.from(bytes).equals(bytesA)).toBe(true);
  });
});
