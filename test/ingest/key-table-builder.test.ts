import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashRow, KeyTableBuilder, kthSmallest } from '../../src/ingest/key-table-builder.js';
import type { ScanTaskResult } from '../../src/ingest/tasks.js';

function result(batchId: number, rows: number, keysSpilled = true): ScanTaskResult {
  const f = (k: number) => Float64Array.from({ length: rows }, (_, i) => batchId * 1000 + i + k / 10);
  return {
    batchId,
    rows,
    spillBytes: 100 * batchId + rows,
    keysSpilled,
    cx: f(1),
    cy: f(2),
    measure: f(3),
    bounds: Float64Array.from({ length: 4 * rows }, (_, j) => batchId * 1000 + (j >> 2) + ((j & 3) + 4) / 10),
    rowsCrossingAntimeridian: 0,
    rowsAddedByAntimeridian: 0,
    droppedOutOfBounds: 0,
    droppedNoGeometry: 0,
    subdividedRows: 0,
    rowsAddedBySubdivision: 0,
    rowsMadeValid: 0,
  };
}

describe('kthSmallest', () => {
  it('finds the k-th smallest value, as a sort would', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 300 }),
          // Many equal values.
          fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 300 }),
        ),
        fc.nat(),
        (values, k0) => {
          const k = k0 % values.length;
          const sorted = [...values].sort((a, b) => a - b);
          expect(kthSmallest(Uint32Array.from(values), k)).toBe(sorted[k]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('KeyTableBuilder', () => {
  it('lays batches out in batch order whatever order they arrive in, growing past its hint', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.nat(),
        (sizes, hint, seed) => {
          const b = new KeyTableBuilder(hint);
          const order = sizes
            .map((_, i) => i)
            .sort((x, y) => ((x * 7919 + seed) % 13) - ((y * 7919 + seed) % 13));
          for (const id of order) b.add(result(id, sizes[id]!));
          const keys = b.finish();
          expect(keys.length).toBe(sizes.reduce((a, n) => a + n, 0));
          let row = 0;
          for (const [id, n] of sizes.entries()) {
            expect(b.batchStart[id]).toBe(row);
            expect(b.spillBytes[id]).toBe(100 * id + n);
            for (let i = 0; i < n; i++, row++) {
              expect(keys.cx[row]).toBe(id * 1000 + i + 0.1);
              expect(keys.measure[row]).toBe(id * 1000 + i + 0.3);
              expect(keys.minx[row]).toBe(id * 1000 + i + 0.4);
              expect(keys.maxy[row]).toBe(id * 1000 + i + 0.7);
            }
          }
          expect(b.batchStart.at(-1)).toBe(row);
        },
      ),
    );
  });

  it('past maxRows keeps a sample: the same rows in any arrival order, every row while they fit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 900 }),
        fc.nat(),
        (sizes, maxRows, seed) => {
          const sampleOf = (order: number[]) => {
            const b = new KeyTableBuilder(0, maxRows);
            for (const id of order) b.add(result(id, sizes[id]!));
            return b;
          };
          const ids = sizes.map((_, i) => i);
          const a = sampleOf(ids);
          const b = sampleOf([...ids].sort((x, y) => ((x * 7919 + seed) % 13) - ((y * 7919 + seed) % 13)));
          const total = sizes.reduce((s, n) => s + n, 0);
          expect(a.length).toBe(total);
          expect(a.complete).toBe(total <= maxRows);
          const sa = a.finishSample();
          const sb = b.finishSample();
          expect(sa.rows.length).toBe(Math.min(total, maxRows));
          expect(Array.from(sb.rows)).toEqual(Array.from(sa.rows));
          expect(Array.from(sb.keys.cx)).toEqual(Array.from(sa.keys.cx));
          // Exactly the rows whose index hashes lowest.
          const byHash = Array.from({ length: total }, (_, r) => r).sort((x, y) => hashRow(x) - hashRow(y));
          expect(Array.from(sa.rows)).toEqual(byHash.slice(0, maxRows).sort((x, y) => x - y));
          // Rows in order, each with its own keys (row r of batch id is id * 1000 + i).
          for (let j = 0; j < sa.rows.length; j++) {
            const r = sa.rows[j]!;
            if (j > 0) expect(r).toBeGreaterThan(sa.rows[j - 1]!);
            const id = a.batchStart.findLastIndex((start) => start <= r && start < total);
            expect(sa.keys.cx[j]).toBe(id * 1000 + (r - a.batchStart[id]!) + 0.1);
            expect(sa.keys.maxy[j]).toBe(id * 1000 + (r - a.batchStart[id]!) + 0.7);
          }
          let sum = 0;
          for (const [id, n] of sizes.entries()) for (let i = 0; i < n; i++) sum += id * 1000 + i + 0.3;
          expect(a.total).toBeCloseTo(sum, 6);
        },
      ),
    );
  });

  it('keeps the rows of lowest hash through many compactions (5 of 3,000 rows)', () => {
    const b = new KeyTableBuilder(0, 5);
    for (let id = 0; id < 10; id++) b.add(result(id, 300));
    const byHash = Array.from({ length: 3000 }, (_, r) => r).sort((x, y) => hashRow(x) - hashRow(y));
    const s = b.finishSample();
    expect(Array.from(s.rows)).toEqual(byHash.slice(0, 5).sort((x, y) => x - y));
    for (const [j, r] of s.rows.entries())
      expect(s.keys.cx[j]).toBe(Math.floor(r / 300) * 1000 + (r % 300) + 0.1);
  });

  it('spills the keys the scans did not, once they outgrow maxRows: each batch once, with its own keys', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.boolean()), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 900 }),
        fc.nat(),
        (batches, maxRows, seed) => {
          const spilled = new Map<number, number[]>();
          const b = new KeyTableBuilder(0, maxRows, (id, keys) => {
            expect(spilled.has(id)).toBe(false);
            expect(keys.bounds.length).toBe(4 * keys.cx.length);
            spilled.set(id, [...keys.cx, ...keys.cy, ...keys.measure, ...keys.bounds]);
          });
          const ids = batches.map((_, i) => i);
          ids.sort((x, y) => ((x * 7919 + seed) % 13) - ((y * 7919 + seed) % 13));
          for (const id of ids) b.add(result(id, batches[id]![0], batches[id]![1]));
          const total = batches.reduce((s, [n]) => s + n, 0);
          if (total <= maxRows) {
            // Every key fits: nothing is spilled.
            expect(spilled.size).toBe(0);
            return;
          }
          // Past the budget, exactly the batches whose scans did not spill their keys are spilled.
          const want = batches.flatMap(([, onDisk], id) => (onDisk ? [] : [id]));
          expect([...spilled.keys()].sort((x, y) => x - y)).toEqual(want);
          for (const id of want) {
            const r = result(id, batches[id]![0]);
            expect(spilled.get(id)).toEqual([...r.cx, ...r.cy, ...r.measure, ...r.bounds]);
          }
        },
      ),
    );
  });

  it('refuses to finish while a batch is missing', () => {
    const b = new KeyTableBuilder();
    b.add(result(1, 3));
    expect(() => b.finish()).toThrow(/batches from 0 on are missing/);
  });
});
