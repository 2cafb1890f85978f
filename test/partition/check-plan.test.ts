import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../src/partition/check-plan.js';
import { allocChunkTable, type ChunkTable } from '../../src/partition/chunk-table.js';
import { type Plan, plan } from '../../src/partition/plan.js';
import { keysOf, seeded } from './keys.js';

const rnd = seeded(9);
const rows = Array.from({ length: 400 }, () => {
  const x = rnd() * 100;
  const y = rnd() * 50;
  return { x, y, box: [x - 1, y - 1, x + 1, y + 1] as const };
});
const keys = keysOf(rows);
const good = plan(keys, { maxPerFile: 100, maxPerChunk: 25 });

function copyChunks(c: ChunkTable): ChunkTable {
  const t = allocChunkTable(c.length);
  new Uint8Array(t.minx.buffer).set(new Uint8Array(c.minx.buffer));
  return t;
}
function corrupt(
  edit: (p: { order: Int32Array; chunks: ChunkTable }) => void,
  extra: Partial<Plan> = {},
): Plan {
  const p = { ...good, order: good.order.slice(), chunks: copyChunks(good.chunks), ...extra };
  edit(p);
  return p;
}

describe('checkPlan', () => {
  it('accepts a valid plan', () => {
    expect(good.chunks.length).toBeGreaterThan(10);
    expect(checkPlan(keys, good)).toEqual([]);
  });

  it('finds a row given twice and a row missing', () => {
    const v = checkPlan(
      keys,
      corrupt((p) => {
        p.order[1] = p.order[0]!;
      }),
    );
    expect(v.join('\n')).toMatch(/appears more than once/);
    expect(v.join('\n')).toMatch(/1 rows are missing/);
  });

  it('finds a chunk over its cap, and a file over its cap', () => {
    expect(checkPlan(keys, { ...good, maxPerChunk: 10 }).join('\n')).toMatch(/exceeds maxPerChunk 10/);
    expect(checkPlan(keys, { ...good, maxPerFile: 30 }).join('\n')).toMatch(/exceeds maxPerFile 30/);
  });

  it('finds a wrong bbox, row count and measure sum', () => {
    const v = checkPlan(
      keys,
      corrupt((p) => {
        p.chunks.minx[2]! += 0.5;
        p.chunks.numRows[3]! += 1;
        p.chunks.sumMeasure[4]! += 1;
      }),
    ).join('\n');
    expect(v).toMatch(/chunk 2 .*bbox/);
    expect(v).toMatch(/chunk 3 .*numRows/);
    expect(v).toMatch(/chunk 4 .*sumMeasure/);
  });

  it('finds chunk ids that are not dense and a wrong file count', () => {
    expect(
      checkPlan(
        keys,
        corrupt((p) => {
          p.chunks.chunkId[1]! += 1;
        }),
      ).join('\n'),
    ).toMatch(/chunk ids are not dense/);
    expect(checkPlan(keys, { ...good, numFiles: good.numFiles + 1 }).join('\n')).toMatch(/numFiles/);
  });

  it('finds rows out of Hilbert order inside a chunk', () => {
    const v = checkPlan(
      keys,
      corrupt((p) => {
        const s = p.chunks.start[0]!;
        const t = p.order[s]!;
        p.order[s] = p.order[s + 1]!;
        p.order[s + 1] = t;
      }),
    );
    expect(v.join('\n')).toMatch(/not in \(hilbert, row\) order/);
  });

  it('finds an identical-centroid group split across chunks when splitting is off', () => {
    const same = keysOf(Array.from({ length: 20 }, () => ({ x: 1, y: 1 })));
    const split = plan(same, { maxPerFile: 10, maxPerChunk: 5, splitIdenticalCentroids: true });
    expect(checkPlan(same, split, { splitIdenticalCentroids: true })).toEqual([]);
    expect(checkPlan(same, split, { splitIdenticalCentroids: false }).join('\n')).toMatch(/share centroid/);
    const whole = plan(same, { maxPerFile: 10, maxPerChunk: 5, splitIdenticalCentroids: false });
    expect(checkPlan(same, whole, { splitIdenticalCentroids: false })).toEqual([]);
    expect(checkPlan(same, whole, { splitIdenticalCentroids: true }).join('\n')).toMatch(
      /exceeds maxPerChunk/,
    );
  });
});
