import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GeopartError } from '../../src/errors.js';
import { checkPlan } from '../../src/partition/check-plan.js';
import { allocKeyTable } from '../../src/partition/key-table.js';
import { planFromBoxes, type SchemaBoxes } from '../../src/partition/schema-plan.js';
import { chunkRows, keysOf, planArrays, seeded, type TestRow } from './keys.js';

type Box = [fileId: number, chunkId: number, minx: number, miny: number, maxx: number, maxy: number];

function boxesOf(list: readonly Box[]): SchemaBoxes {
  const col = (i: number) => Float64Array.from(list, (b) => b[i]!);
  return {
    fileId: Int32Array.from(list, (b) => b[0]),
    chunkId: Int32Array.from(list, (b) => b[1]),
    minx: col(2),
    miny: col(3),
    maxx: col(4),
    maxy: col(5),
  };
}

function planChecked(rows: readonly TestRow[], boxes: readonly Box[]) {
  const keys = keysOf(rows);
  const p = planFromBoxes(keys, boxesOf(boxes));
  expect(checkPlan(keys, p)).toEqual([]);
  return p;
}

/** [file, chunk, rows] per output chunk. */
const layout = (p: ReturnType<typeof planFromBoxes>) =>
  Array.from({ length: p.chunks.length }, (_, c) => [
    p.chunks.fileId[c],
    p.chunks.chunkId[c],
    chunkRows(p, c).sort((a, b) => a - b),
  ]);

// A: left half, B: right half of the lower row; C: the whole upper row.
const A: Box = [0, 0, 0, 0, 10, 10];
const B: Box = [0, 1, 10, 0, 20, 10];
const C: Box = [1, 0, 0, 10, 20, 20];

describe('planFromBoxes', () => {
  it('puts each row in the box that holds its centroid', () => {
    const p = planChecked(
      [
        { x: 5, y: 5 },
        { x: 15, y: 5 },
        { x: 5, y: 15 },
        { x: 6, y: 4 },
      ],
      [C, B, A],
    );
    expect(p.numFiles).toBe(2);
    expect(layout(p)).toEqual([
      [0, 0, [0, 3]],
      [0, 1, [1]],
      [1, 0, [2]],
    ]);
  });

  it('gives a centroid held by several boxes to the lowest (file_id, chunk_id), whatever the box order', () => {
    // (10, 5) is on the edge of A and B; (10, 10) touches all three.
    const rows = [
      { x: 10, y: 5 },
      { x: 10, y: 10 },
    ];
    expect(layout(planChecked(rows, [C, B, A]))).toEqual([[0, 0, [0, 1]]]);
    // Overlapping boxes: (1, 0) is listed first but (0, 3) wins.
    const overlap: Box[] = [
      [1, 0, 0, 0, 10, 10],
      [0, 3, 5, 5, 15, 15],
    ];
    expect(layout(planChecked([{ x: 7, y: 7 }], overlap))).toEqual([[0, 0, [0]]]);
  });

  it('sends a centroid outside every box to the nearest box, ties to the lowest ids', () => {
    const rows = [
      { x: 25, y: 5 }, // 5 from B, sqrt(50) from C
      { x: 25, y: 10 }, // 5 from B and from C: B has the lower ids
      { x: -3, y: 30 }, // about 10.4 from C, 20.2 from A
    ];
    expect(layout(planChecked(rows, [C, B, A]))).toEqual([
      [0, 0, [0, 1]],
      [1, 0, [2]],
    ]);
  });

  it('drops boxes without rows and renumbers files and chunks densely in (file_id, chunk_id) order', () => {
    const boxes: Box[] = [
      [12, 2, 30, 0, 40, 10],
      [5, 7, 10, 0, 20, 10],
      [9, 0, 50, 50, 60, 60], // no rows
      [5, 3, 0, 0, 10, 10],
      [5, 9, 100, 0, 110, 10], // no rows
    ];
    const rows = [
      { x: 35, y: 5 },
      { x: 15, y: 5 },
      { x: 5, y: 5 },
      { x: 16, y: 6 },
    ];
    const p = planChecked(rows, boxes);
    expect(p.numFiles).toBe(2);
    expect(layout(p)).toEqual([
      [0, 0, [2]],
      [0, 1, [1, 3]],
      [1, 0, [0]],
    ]);
  });

  it('recomputes chunk boxes from the rows, and treats repeated ids as one chunk', () => {
    const rows = [
      { x: 2, y: 2, box: [1, 1.5, 3, 2.5] as const },
      { x: 52, y: 52, box: [51, 51, 53, 54] as const },
    ];
    const p = planChecked(rows, [
      [0, 0, 0, 0, 10, 10],
      [0, 0, 50, 50, 60, 60],
    ]);
    expect(layout(p)).toEqual([[0, 0, [0, 1]]]);
    const c = p.chunks;
    expect([c.minx[0], c.miny[0], c.maxx[0], c.maxy[0]]).toEqual([1, 1.5, 53, 54]);
  });

  it('orders rows inside a chunk along the Hilbert curve, deterministically', () => {
    const rnd = seeded(21);
    const rows = Array.from({ length: 2000 }, () => ({ x: rnd() * 20, y: rnd() * 20 }));
    const keys = keysOf(rows);
    const boxes = boxesOf([A, B, C]);
    const p = planFromBoxes(keys, boxes);
    expect(checkPlan(keys, p)).toEqual([]);
    expect(planArrays(planFromBoxes(keysOf(rows), boxes))).toEqual(planArrays(p));
    expect([p.maxPerFile, p.maxPerChunk]).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
  });

  it('plans an empty table as zero chunks, and refuses rows without boxes or bad boxes', () => {
    const empty = planFromBoxes(allocKeyTable(0), boxesOf([]));
    expect([empty.numFiles, empty.chunks.length]).toEqual([0, 0]);
    expect(() => planFromBoxes(keysOf([{ x: 0, y: 0 }]), boxesOf([]))).toThrow(/has no boxes/);
    try {
      planFromBoxes(keysOf([{ x: 0, y: 0 }]), boxesOf([[3, 4, 1, 0, 0, 1]]));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(GeopartError);
      expect((err as GeopartError).code).toBe('INVALID_CONFIG');
      expect((err as GeopartError).message).toMatch(/box 0 \(file_id 3, chunk_id 4\)/);
    }
  });
});

/** Brute force: the expected (file_id, chunk_id) of each row, then the dense layout. */
function expectedLayout(rows: readonly TestRow[], boxes: readonly Box[]) {
  const dist2 = (r: TestRow, b: Box) => {
    const dx = Math.max(b[2] - r.x, r.x - b[4], 0);
    const dy = Math.max(b[3] - r.y, r.y - b[5], 0);
    return dx * dx + dy * dy;
  };
  const byIds = (p: Box, q: Box) => p[0] - q[0] || p[1] - q[1];
  const assigned = rows.map((r) => {
    const holding = boxes.filter((b) => dist2(r, b) === 0).sort(byIds);
    if (holding.length > 0) return holding[0]!;
    const d = Math.min(...boxes.map((b) => dist2(r, b)));
    return boxes.filter((b) => dist2(r, b) === d).sort(byIds)[0]!;
  });
  const keys = [...new Set(assigned.map((b) => `${b[0]},${b[1]}`))]
    .map((k) => k.split(',').map(Number) as [number, number])
    .sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const files = [...new Set(keys.map((k) => k[0]))];
  let prevFile = Number.NaN;
  let chunk = 0;
  return keys.map(([f, c]) => {
    chunk = f === prevFile ? chunk + 1 : 0;
    prevFile = f;
    const members = rows.flatMap((_, i) => (assigned[i]![0] === f && assigned[i]![1] === c ? [i] : []));
    return [files.indexOf(f), chunk, members];
  });
}

describe('planFromBoxes properties', () => {
  it('matches a brute-force assignment on random boxes and rows', () => {
    const coord = fc.integer({ min: 0, max: 12 });
    const box = fc
      .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), coord, coord, coord, coord)
      .map(
        ([f, c, a, b, d, e]): Box => [f, c, Math.min(a, b), Math.min(d, e), Math.max(a, b), Math.max(d, e)],
      );
    const row = fc
      .tuple(fc.integer({ min: -20, max: 60 }), fc.integer({ min: -20, max: 60 }))
      .map(([x, y]) => ({
        x: x / 4,
        y: y / 4,
      }));
    fc.assert(
      fc.property(
        fc.array(box, { minLength: 1, maxLength: 12, size: 'max' }),
        fc.array(row, { maxLength: 60, size: 'max' }),
        (boxes, rows) => {
          const p = planChecked(rows, boxes);
          expect(layout(p)).toEqual(expectedLayout(rows, boxes));
        },
      ),
      { numRuns: 300 },
    );
  });
});
