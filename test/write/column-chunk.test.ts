/**
 * The pieces under the file writer: level encoding (against a decoder written here from the
 * format description), page cutting, and long lists that span several pages.
 */
import { Field, Int32, Int64, List, makeData, vectorFromArray } from 'apache-arrow';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ByteBuffer } from '../../src/write/byte-buffer.js';
import { ChunkScratch, PAGE_BYTES, writeColumnChunk } from '../../src/write/column-chunk.js';
import { writeGeoParquetFile } from '../../src/write/geoparquet-writer.js';
import { planSchema } from '../../src/write/parquet-schema.js';
import { bitWidth, writeHybrid } from '../../src/write/rle.js';
import { shred } from '../../src/write/shred.js';
import { batchOf, lit, openDuck, pointWkb, tempDir, wkbData } from './helpers.js';

/** Decodes `count` values of the RLE / bit-packing hybrid (Parquet's Encodings.md). */
function decodeHybrid(bytes: Uint8Array, width: number, count: number): number[] {
  const out: number[] = [];
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  while (out.length < count) {
    const header = varint();
    if (header % 2 === 0) {
      let value = 0;
      for (let b = 0; b < Math.ceil(width / 8); b++) value |= bytes[pos++]! << (8 * b);
      for (let k = 0; k < header / 2; k++) out.push(value);
    } else {
      const n = ((header - 1) / 2) * 8;
      for (let k = 0; k < n; k++) {
        let v = 0;
        for (let bit = 0; bit < width; bit++) {
          const at = k * width + bit;
          v |= ((bytes[pos + (at >> 3)]! >> (at & 7)) & 1) << bit;
        }
        out.push(v);
      }
      pos += (n * width) / 8;
    }
  }
  expect(pos).toBe(bytes.length);
  return out.slice(0, count);
}

describe('level encoding', () => {
  it('round-trips any levels through the hybrid encoding', () => {
    const levels = fc
      .integer({ min: 1, max: 4 })
      .chain((max) =>
        fc.tuple(
          fc.constant(max),
          fc.array(fc.oneof(fc.integer({ min: 0, max }), fc.constant(max)), { maxLength: 300 }),
        ),
      );
    fc.assert(
      fc.property(levels, fc.integer({ min: 0, max: 30 }), ([max, values], runAt) => {
        // Splice in a long run so both encodings appear.
        const all = [...values.slice(0, runAt), ...new Array<number>(20).fill(max), ...values.slice(runAt)];
        const out = new ByteBuffer(4);
        const width = bitWidth(max);
        writeHybrid(out, Uint8Array.from(all), width);
        expect(decodeHybrid(out.view8(), width, all.length)).toEqual(all);
      }),
    );
  });
});

describe('pages', () => {
  const identity = (b: Uint8Array): Uint8Array => b.slice();

  it('cuts a column chunk into pages of about PAGE_BYTES', () => {
    const n = 300_000; // 2.4 MB of int64
    const data = makeData({
      type: new Int64(),
      length: n,
      data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i - 5)),
    });
    const [leaf] = planSchema([new Field('v', new Int64(), true)]).leaves;
    const pushed: Uint8Array[] = [];
    const sink = {
      offset: 0,
      push(b: Uint8Array) {
        pushed.push(b);
        this.offset += b.length;
      },
    };
    const meta = writeColumnChunk(leaf!, [shred(data, leaf!)], sink, identity, new ChunkScratch());
    const pages = pushed.length / 2; // a header and a body each
    expect(pages).toBe(Math.ceil((n * 8) / PAGE_BYTES));
    expect(meta.numValues).toBe(n);
    expect(meta.compressedSize).toBe(sink.offset);
    expect(meta.stats.nullCount).toBe(0);
    expect(new DataView(meta.stats.min!.buffer).getBigInt64(0, true)).toBe(-5n);
    expect(new DataView(meta.stats.max!.buffer).getBigInt64(0, true)).toBe(BigInt(n - 6));
  });

  const tmp = tempDir('write-pages');
  afterAll(() => tmp.cleanup());

  it('starts every page of a list column at a row, so long lists read back whole', async () => {
    const n = 60_000;
    const lists = Array.from({ length: n }, (_, i) =>
      i % 97 === 0 ? null : Array.from({ length: i % 11 }, (_, k) => (k === 3 ? null : i + k)),
    );
    const type = new List(new Field('item', new Int32(), true));
    const data = vectorFromArray(lists, type).data[0]!;
    const [leaf] = planSchema([new Field('l', type, true)]).leaves;
    const pushed: Uint8Array[] = [];
    const sink = { offset: 0, push: (b: Uint8Array) => void pushed.push(b) };
    writeColumnChunk(leaf!, [shred(data, leaf!)], sink, identity, new ChunkScratch());
    expect(pushed.length / 2).toBeGreaterThan(1);

    const path = tmp.path('lists.parquet');
    const geoms = wkbData(Array.from({ length: n }, (_, i) => pointWkb(i % 180, 0)));
    await writeGeoParquetFile(path, {
      batches: [
        batchOf([
          ['l', data],
          ['geometry', geoms],
        ]),
      ],
      rowGroupSizes: [n],
    });
    const duck = await openDuck();
    try {
      const [row] = await duck.rows(
        `SELECT count(*), count(l), sum(len(l)), sum(list_sum(l)), sum(len(list_filter(l, x -> x IS NULL))) FROM ${lit(path)}`,
      );
      let len = 0;
      let sum = 0;
      let nulls = 0;
      for (const l of lists) {
        len += l?.length ?? 0;
        for (const v of l ?? []) {
          sum += v ?? 0;
          nulls += v === null ? 1 : 0;
        }
      }
      expect(nulls).toBeGreaterThan(0);
      expect(row!.map(Number)).toEqual([n, n - Math.ceil(n / 97), len, sum, nulls]);
      const firstRows = await duck.json(`SELECT l FROM ${lit(path)} LIMIT 5`);
      expect(firstRows.map((r) => r.l)).toEqual(lists.slice(0, 5));
    } finally {
      duck.close();
    }
  });
});
