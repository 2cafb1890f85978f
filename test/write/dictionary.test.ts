/**
 * Dictionary encoding of string columns (`use_dictionary`): chosen per column chunk where the
 * values repeat, read back equal to the PLAIN table by DuckDB, parquet-wasm and hyparquet.
 */
import { openAsBlob, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { ParquetFile } from 'parquet-wasm/node';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { readWithHyparquet, tempDir } from './helpers.js';

const tmp = tempDir('geopart-dictionary-');
afterAll(() => tmp.cleanup());

const INPUT = dataPath('osm/liechtenstein-2013-08-03.osm.pbf');
const OPTIONS = { targetNumChunks: 8, gdalConfig: { layer: 'lines' } } as const;
const COLUMNS = ['osm_id', 'name', 'highway', 'waterway', 'z_order', 'other_tags'];

describe('dictionary encoding', () => {
  it('encodes repeating strings with a dictionary, distinct ones PLAIN, and reads back as the PLAIN table', async () => {
    const dict = tmp.path('dict');
    const plain = tmp.path('plain');
    await ingest(INPUT, dict, OPTIONS).runLocal({ threads: 2 });
    await ingest(INPUT, plain, { ...OPTIONS, useDictionary: false }).runLocal({ threads: 2 });

    const encodings = await query(
      `SELECT path_in_schema AS col, bool_or(encodings LIKE '%RLE_DICTIONARY%') AS dict, bool_and((dictionary_page_offset IS NOT NULL) = (encodings LIKE '%RLE_DICTIONARY%')) AS consistent
       FROM parquet_metadata(${lit(join(dict, '*.parquet'))}) GROUP BY 1 ORDER BY 1`,
    );
    const byCol = Object.fromEntries(encodings.map((r) => [r.col, r.dict]));
    // highway repeats a few values; osm_id is one value per row; geometry is not a string.
    expect(byCol.highway).toBe(true);
    expect(byCol.osm_id).toBe(false);
    expect(byCol.geometry).toBe(false);
    expect(encodings.every((r) => r.consistent)).toBe(true);
    const none = await query(
      `SELECT count(*) AS n FROM parquet_metadata(${lit(join(plain, '*.parquet'))}) WHERE dictionary_page_offset IS NOT NULL`,
    );
    expect(none[0]!.n).toBe(0);

    // The same rows in the same files and order, by DuckDB.
    const rows = async (dir: string) =>
      query(
        `SELECT ${COLUMNS.join(', ')}, hex(ST_AsWKB(geometry)) AS g, filename, file_row_number
         FROM read_parquet(${lit(join(dir, '*.parquet'))}, filename = true, file_row_number = true)
         ORDER BY filename, file_row_number`,
      ).then((r) =>
        r.map(
          ({ filename, ...rest }): Record<string, unknown> => ({
            file: String(filename).split('/').at(-1),
            ...rest,
          }),
        ),
      );
    const want = await rows(plain);
    expect(await rows(dict)).toEqual(want);

    // parquet-wasm and hyparquet decode the dictionary pages to the same strings.
    for (const name of readdirSync(dict).filter((f) => f.endsWith('.parquet'))) {
      const path = join(dict, name);
      const mine = want.filter((r) => r.file === name);
      const wasm = tableFromIPC(
        (await (await ParquetFile.fromFile(await openAsBlob(path))).read()).intoIPCStream(),
      );
      const hy = await readWithHyparquet(path);
      for (const col of ['highway', 'other_tags', 'name']) {
        const expected = mine.map((r) => r[col] ?? null);
        expect(
          Array.from({ length: wasm.numRows }, (_, i) => wasm.getChild(col)!.get(i) ?? null),
          col,
        ).toEqual(expected);
        expect(
          hy.map((r) => r[col] ?? null),
          col,
        ).toEqual(expected);
      }
    }
    // Statistics stay those of the values.
    const stats = async (dir: string) =>
      query(
        `SELECT file_name, row_group_id, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata(${lit(join(dir, '*.parquet'))})
         WHERE path_in_schema = 'highway' ORDER BY file_name, row_group_id`,
      ).then((r) => r.map(({ file_name, ...s }) => ({ file: String(file_name).split('/').at(-1), ...s })));
    expect(await stats(dict)).toEqual(await stats(plain));
  });
});
