/**
 * The page index (ColumnIndex and OffsetIndex, `write_page_index`) and the data page size
 * (`data_page_size`), decoded by hyparquet's own readers and checked against the pages' rows as
 * DuckDB reads them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FileMetaData, parquetMetadata, readColumnIndex, readOffsetIndex } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('geopart-page-index-');
afterAll(() => tmp.cleanup());

const INPUT = dataPath('flatgeobuf/tiger_roads.geojson');

function footer(path: string): { ab: ArrayBuffer; md: FileMetaData } {
  const buf = readFileSync(path);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer;
  return { ab, md: parquetMetadata(ab) };
}

const num = (v: unknown) => Number(v);

describe('the page index', () => {
  it('locates every page and bounds its values, for every column chunk of every file', async () => {
    const dir = tmp.path('small-pages');
    await ingest(INPUT, dir, { partitioningMaximumPerChunk: 3000, dataPageSize: 16_384 }).runLocal({
      threads: 2,
    });
    let multiPage = 0;
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.parquet'))) {
      const path = join(dir, name);
      const { ab, md } = footer(path);
      const rows = await query(
        `SELECT NAME, bbox.xmin AS xmin, bbox.ymax AS ymax FROM read_parquet(${lit(path)}, file_row_number = true) ORDER BY file_row_number`,
      );
      let groupStart = 0;
      for (const rg of md.row_groups) {
        const n = num(rg.num_rows);
        for (const c of rg.columns) {
          const m = c.meta_data!;
          const leaf = m.path_in_schema.join('.');
          const oi = readOffsetIndex({
            view: new DataView(ab, num(c.offset_index_offset), c.offset_index_length!),
            offset: 0,
          });
          const pages = oi.page_locations;
          // Contiguous pages from the chunk's first page to its end; first rows rising from 0.
          expect(num(pages[0]!.offset), leaf).toBe(num(m.data_page_offset));
          for (let i = 1; i < pages.length; i++) {
            expect(num(pages[i]!.offset)).toBe(
              num(pages[i - 1]!.offset) + pages[i - 1]!.compressed_page_size,
            );
            expect(num(pages[i]!.first_row_index)).toBeGreaterThan(num(pages[i - 1]!.first_row_index));
          }
          expect(num(pages[0]!.first_row_index)).toBe(0);
          expect(num(pages.at(-1)!.first_row_index)).toBeLessThan(n);
          // The pages and, before them, the dictionary page if any, make the whole chunk.
          const dictionaryBytes =
            m.dictionary_page_offset === undefined
              ? 0
              : num(m.data_page_offset) - num(m.dictionary_page_offset);
          expect(pages.reduce((s, p) => s + p.compressed_page_size, 0) + dictionaryBytes).toBe(
            num(m.total_compressed_size),
          );
          if (pages.length > 1) multiPage++;

          const schema = md.schema.find((s) => s.name === m.path_in_schema.at(-1))!;
          if (leaf === 'geometry') {
            expect(c.column_index_offset).toBeUndefined();
            continue;
          }
          const ci = readColumnIndex(
            { view: new DataView(ab, num(c.column_index_offset), c.column_index_length!), offset: 0 },
            schema,
          );
          expect(ci.null_pages).toHaveLength(pages.length);
          const col =
            leaf === 'NAME' ? 'NAME' : leaf === 'bbox.xmin' ? 'xmin' : leaf === 'bbox.ymax' ? 'ymax' : null;
          if (col === null) continue;
          // Each page's rows, as DuckDB reads them: their min, max and nulls are the index's.
          for (const [i, p] of pages.entries()) {
            const end = i + 1 < pages.length ? num(pages[i + 1]!.first_row_index) : n;
            const values = rows
              .slice(groupStart + num(p.first_row_index), groupStart + end)
              .map((r) => r[col]);
            const present = values.filter((v) => v !== null) as (string | number)[];
            expect(num(ci.null_counts![i]), `${leaf} page ${i}`).toBe(values.length - present.length);
            expect(ci.null_pages[i]).toBe(present.length === 0);
            if (present.length === 0) continue;
            const sorted = [...present].sort((a, b) =>
              typeof a === 'number'
                ? a - (b as number)
                : Buffer.compare(Buffer.from(a), Buffer.from(b as string)),
            );
            expect(ci.min_values[i], `${leaf} page ${i}`).toEqual(sorted[0]);
            expect(ci.max_values[i], `${leaf} page ${i}`).toEqual(sorted.at(-1));
          }
        }
        groupStart += n;
      }
    }
    // Small pages: chunks of several pages were there to check.
    expect(multiPage).toBeGreaterThan(10);
  });

  it('with the default page size, small chunks have one page; without the page index, no index at all', async () => {
    const dir = tmp.path('default');
    await ingest(INPUT, dir, { partitioningMaximumPerChunk: 3000 }).runLocal({ threads: 2 });
    const { ab, md } = footer(join(dir, '0.parquet'));
    const c = md.row_groups[0]!.columns[0]!;
    const oi = readOffsetIndex({
      view: new DataView(ab, num(c.offset_index_offset), c.offset_index_length!),
      offset: 0,
    });
    expect(oi.page_locations).toHaveLength(1);

    const none = tmp.path('no-index');
    await ingest(INPUT, none, { partitioningMaximumPerChunk: 3000, writePageIndex: false }).runLocal({
      threads: 2,
    });
    for (const name of readdirSync(none).filter((f) => f.endsWith('.parquet'))) {
      for (const rg of footer(join(none, name)).md.row_groups) {
        for (const col of rg.columns) {
          expect(col.offset_index_offset).toBeUndefined();
          expect(col.column_index_offset).toBeUndefined();
        }
      }
    }
    // The same rows either way.
    const count = async (d: string) =>
      (
        await query(
          `SELECT count(*) AS n, min(bbox.xmin) AS x, max(bbox.ymax) AS y, count(DISTINCT NAME) AS names FROM read_parquet(${lit(join(d, '*.parquet'))})`,
        )
      )[0];
    expect(await count(none)).toEqual(await count(dir));
  });
});
