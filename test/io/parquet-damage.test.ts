/**
 * Damaged and truncated Parquet inputs: a coded error naming the file (and row group), no
 * staging folder, and no harm to later reads in the same process.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { GeopartError } from '../../src/errors.js';
import { openParquetSource } from '../../src/io/parquet-source.js';
import { query } from '../helpers/duckdb.js';
import { seeded } from '../partition/keys.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-parquet-damage-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const CLEAN = join(tmp, 'points.parquet');
const ROWS = 3000;

beforeAll(async () => {
  await query(
    `COPY (SELECT i AS id, ((i * 7919) % 36000) / 100.0 - 180 AS lon, ((i * 104729) % 17000) / 100.0 - 85 AS lat,
       'p' || i AS name FROM range(${ROWS}) t(i)) TO '${CLEAN}' (FORMAT PARQUET, ROW_GROUP_SIZE 2048)`,
  );
});

async function rowsOf(path: string): Promise<number> {
  const source = await openParquetSource(path, { lonlatCols: ['lon', 'lat'] });
  let n = 0;
  try {
    for await (const b of source.batches()) n += b.numRows;
  } finally {
    source.close();
  }
  return n;
}

async function caught(p: Promise<unknown>): Promise<GeopartError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GeopartError);
  return err as GeopartError;
}

describe('damaged Parquet pages', () => {
  it('a decoder trap is CORRUPT_INPUT naming the file and row group, and later reads still work', async () => {
    const bytes = new Uint8Array(readFileSync(CLEAN));
    const meta = parquetMetadata(bytes.buffer);
    // Row group 1's `lon` column chunk: damage lands in its pages, not in the footer.
    const chunk = meta.row_groups[1]!.columns[1]!.meta_data!;
    const start = Number(chunk.data_page_offset);
    const size = Number(chunk.total_compressed_size);
    const rnd = seeded(7);
    const messages: string[] = [];
    for (let attempt = 0; attempt < 40 && !messages.some((m) => m.includes('RuntimeError')); attempt++) {
      const damaged = bytes.slice();
      for (let k = 0; k < 4; k++) {
        const p = start + Math.floor(rnd() * size);
        damaged[p] = damaged[p]! ^ 0xa5;
      }
      const path = join(tmp, `damaged-${attempt}.parquet`);
      writeFileSync(path, damaged);
      const got = await rowsOf(path).then(
        (n) => n,
        (e: unknown) => e,
      );
      if (typeof got === 'number') continue;
      expect(got).toBeInstanceOf(GeopartError);
      const err = got as GeopartError;
      expect(err.code).toBe('CORRUPT_INPUT');
      expect(err.message).toContain(`${path}, row group 1`);
      expect(err.context).toMatchObject({ file: path, rowGroup: 1 });
      messages.push(err.message);
      // The process and parquet-wasm are still fine: the clean file reads whole.
      expect(await rowsOf(CLEAN)).toBe(ROWS);
    }
    // At least one variant made parquet-wasm trap, which used to end the process.
    expect(messages.some((m) => m.includes('RuntimeError: unreachable'))).toBe(true);

    // The same file through ingest: the error, and no staging folder or output left.
    const trapped = messages.find((m) => m.includes('RuntimeError'))!;
    const input = /^(.*\.parquet), row group/.exec(trapped)![1]!;
    const outDir = join(tmp, 'out-trap');
    mkdirSync(outDir);
    const err = await caught(
      ingest(input, join(outDir, 'table'), { lonlatCols: ['lon', 'lat'] }).runLocal({ threads: 1 }),
    );
    expect(err.code).toBe('CORRUPT_INPUT');
    expect(err.message).toContain(`${input}, row group 1`);
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('a Parquet file whose footer is cut off says it is truncated', async () => {
    const bytes = readFileSync(CLEAN);
    for (const cut of [1, 8, 100, bytes.length - 200]) {
      const path = join(tmp, `cut-${cut}.parquet`);
      writeFileSync(path, bytes.subarray(0, bytes.length - cut));
      const err = await caught(openParquetSource(path, { lonlatCols: ['lon', 'lat'] }));
      expect(err.code).toBe('CORRUPT_INPUT');
      expect(err.message).toContain(`${path} is truncated`);
      expect(err.message).not.toContain('not a Parquet file');
    }
  });
});
