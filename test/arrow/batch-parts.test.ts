import {
  Dictionary,
  Field,
  Int32,
  type RecordBatch,
  Schema,
  Table,
  Utf8,
  Utf8View,
  vectorFromArray,
} from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchFromParts, batchToParts, needsIpc } from '../../src/arrow/batch-parts.js';
import { openLayerReader } from '../../src/io/native.js';
import { batchToBytes } from '../../src/scan/spill.js';
import { mixedBatch, mixedRow, plainRow } from '../helpers/arrow-rows.js';
import { dataPath } from '../helpers/data.js';

/** The batch as another thread gets it: the parts cloned with their transfer list. */
function sendAndRebuild(batch: RecordBatch): RecordBatch {
  const { parts, transfer } = batchToParts(batch);
  return batchFromParts(structuredClone(parts, { transfer }));
}

function readAll(path: string): RecordBatch[] {
  const reader = openLayerReader(path, { batchSize: 50 });
  try {
    return [...reader];
  } finally {
    reader.close();
  }
}

describe('batch parts', () => {
  it('rebuild any batch, sliced or not, with the same rows; the batch sent keeps its buffers when they are copied', () => {
    fc.assert(
      fc.property(fc.array(mixedRow, { minLength: 2, maxLength: 30 }), fc.boolean(), (rows, slice) => {
        const batch = slice ? mixedBatch(rows).slice(1) : mixedBatch(rows);
        const want = Array.from({ length: batch.numRows }, (_, i) => plainRow(batch, i));
        const got = sendAndRebuild(batch);
        expect(got.numRows).toBe(batch.numRows);
        expect(Array.from({ length: got.numRows }, (_, i) => plainRow(got, i))).toEqual(want);
        // Nothing was marked as the batch's own, so everything was copied.
        expect(Array.from({ length: batch.numRows }, (_, i) => plainRow(batch, i))).toEqual(want);
      }),
      { numRuns: 120 },
    );
  });

  it('move the buffers the native reader made, and give the same IPC bytes as the batch read (every field type)', () => {
    for (const file of ['flatgeobuf/alldatatypes.fgb', 'flatgeobuf/countries.fgb']) {
      const read = readAll(dataPath(file));
      const want = read.map((b) => batchToBytes(b));
      for (const [i, batch] of read.entries()) {
        const last = batch.data.children[batch.data.children.length - 1]!;
        const geometry = last.values as Uint8Array;
        expect(geometry.byteLength).toBeGreaterThan(0);
        const got = sendAndRebuild(batch);
        expect(Buffer.from(batchToBytes(got)).equals(Buffer.from(want[i]!))).toBe(true);
        // Moved, not copied: the reader's buffer is now the other side's.
        expect(geometry.byteLength).toBe(0);
      }
    }
  });

  it('send dictionary and view types as IPC, and refuse them as parts', () => {
    const dict = new Table({ s: vectorFromArray(['a', 'b', 'a'], new Dictionary(new Utf8(), new Int32())) });
    expect(needsIpc(dict.schema)).toBe(true);
    expect(() => batchToParts(dict.batches[0]!)).toThrow(/IPC/);
    const view = new Schema([new Field('s', new Utf8View())]);
    expect(needsIpc(view)).toBe(true);
    const [plain] = readAll(dataPath('flatgeobuf/countries.fgb'));
    expect(needsIpc(plain!.schema)).toBe(false);
  });
});
