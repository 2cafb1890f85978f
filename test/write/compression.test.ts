/**
 * Every compression codec and a spread of levels (`compression`, `compression_level`): the same
 * table, read back by DuckDB, parquet-wasm (arrow-rs) and hyparquet, equal value for value to the
 * default zstd table, each column chunk naming its codec.
 */
import { openAsBlob, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { ParquetFile } from 'parquet-wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeospatialPartitionJobStepConfig } from '../../src/config/geospatial-step.js';
import { ingest } from '../../src/config/ingest.js';
import type { Codec } from '../../src/format/compression.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { readWithHyparquet, tempDir } from './helpers.js';

const tmp = tempDir('geopart-compression-');
afterAll(() => tmp.cleanup());

const INPUT = dataPath('osm/liechtenstein-2013-08-03.osm.pbf');
const OPTIONS = { targetNumChunks: 12, gdalConfig: { layer: 'lines' } } as const;
const reference = tmp.path('zstd-default');

beforeAll(async () => {
  await ingest(INPUT, reference, OPTIONS).runLocal({ threads: 2 });
}, 60_000);

/** Every row of a table in file and row order, as DuckDB reads it (geometry as hex WKB). */
async function rowsOf(dir: string): Promise<Record<string, unknown>[]> {
  return query(
    `SELECT filename, file_row_number, osm_id, name, highway, hex(ST_AsWKB(geometry)) AS wkb, bbox
     FROM read_parquet(${lit(join(dir, '*.parquet'))}, filename = true, file_row_number = true)
     ORDER BY filename, file_row_number`,
  ).then((rows) => rows.map(({ filename, ...r }) => ({ file: String(filename).split('/').at(-1), ...r })));
}

const CASES: { codec: Codec; level?: number; name: string }[] = [
  { codec: 'zstd', level: 1, name: 'ZSTD' },
  { codec: 'zstd', level: 9, name: 'ZSTD' },
  { codec: 'zstd', level: 22, name: 'ZSTD' },
  { codec: 'snappy', name: 'SNAPPY' },
  { codec: 'gzip', level: 1, name: 'GZIP' },
  { codec: 'gzip', level: 9, name: 'GZIP' },
  { codec: 'lz4_raw', name: 'LZ4_RAW' },
  { codec: 'none', name: 'UNCOMPRESSED' },
];

describe('compression', () => {
  for (const c of CASES) {
    it(`${c.codec}${c.level ? ` level ${c.level}` : ''}: three readers read the same values as the default table`, async () => {
      const dir = tmp.path(`${c.codec}-${c.level ?? 'default'}`);
      await ingest(INPUT, dir, {
        ...OPTIONS,
        compression: c.codec,
        compressionLevel: c.level ?? null,
      }).runLocal({
        threads: 2,
      });
      const want = await rowsOf(reference);
      const got = await rowsOf(dir);
      expect(got.length).toBeGreaterThan(1000);
      expect(got).toEqual(want);
      const codecs = await query(
        `SELECT DISTINCT compression FROM parquet_metadata(${lit(join(dir, '*.parquet'))})`,
      );
      expect(codecs.map((r) => r.compression)).toEqual([c.name]);
      for (const name of readdirSync(dir).filter((f) => f.endsWith('.parquet'))) {
        const path = join(dir, name);
        const mine = got.filter((r) => r.file === name);
        const wasm = tableFromIPC(
          (await (await ParquetFile.fromFile(await openAsBlob(path))).read()).intoIPCStream(),
        );
        expect(wasm.numRows).toBe(mine.length);
        const wkb = (wasm.getChild('geometry')!.toArray() as Uint8Array[]).map((w) =>
          Buffer.from(w).toString('hex').toUpperCase(),
        );
        expect(wkb).toEqual(mine.map((r) => r.wkb));
        const hy = await readWithHyparquet(path);
        expect(hy.map((r) => r.name ?? null)).toEqual(mine.map((r) => r.name ?? null));
        expect(hy.map((r) => String(r.osm_id))).toEqual(mine.map((r) => String(r.osm_id)));
      }
    });
  }

  it('refuses a level the codec does not take, naming compression_level', () => {
    for (const [compression, level] of [
      ['zstd', 23],
      ['zstd', 0],
      ['gzip', 10],
      ['snappy', 3],
      ['none', 1],
    ] as const) {
      expect(() =>
        GeospatialPartitionJobStepConfig.fromJSON({ input: 'a', compression, compression_level: level }),
      ).toThrow(/compression_level/);
    }
    expect(() => GeospatialPartitionJobStepConfig.fromJSON({ input: 'a', compression: 'brotli' })).toThrow(
      /compression.*"zstd", "snappy", "gzip", "lz4_raw" or "none"/s,
    );
  });
});
