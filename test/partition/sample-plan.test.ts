import { describe, expect, it } from 'vitest';
import { allocChunkTable } from '../../src/partition/chunk-table.js';
import type { Plan } from '../../src/partition/plan.js';
import { PlanAssembler, type SampleLeaf } from '../../src/partition/sample-plan.js';

/** The plan of a chunk-level leaf: one chunk per row, with these measures, all in file 0. */
function leafPlan(measures: readonly number[]): Plan {
  const n = measures.length;
  const chunks = allocChunkTable(n);
  for (let i = 0; i < n; i++) {
    chunks.start[i] = i;
    chunks.end[i] = i + 1;
    chunks.numRows[i] = 1;
    chunks.chunkId[i] = i;
    chunks.sumMeasure[i] = measures[i]!;
  }
  return {
    maxPerFile: 10,
    maxPerChunk: 10,
    order: Int32Array.from(measures, (_, i) => i),
    chunks,
    numFiles: 1,
  };
}

describe('PlanAssembler, chunk-level leaves of one sampled file', () => {
  const leaf: SampleLeaf = { node: 0, level: 'chunks', group: 0 };
  const filesOf = (measures: number[]) => {
    const a = new PlanAssembler(measures.length, { maxPerFile: 10, maxPerChunk: 10 });
    a.add(
      leaf,
      leafPlan(measures),
      Int32Array.from(measures, (_, i) => i),
    );
    return Array.from(a.finish().chunks.fileId);
  };

  it('regroups the chunks into files under the per-file cap, by their measure', () => {
    expect(filesOf([4, 4, 4, 4])).toEqual([0, 0, 1, 1]);
  });

  it('never puts a chunk over the cap (a single row) in a file with another chunk', () => {
    // A file that holds only zero-measure chunks so far is not empty: the big chunk starts its own.
    expect(filesOf([0, 0, 16])).toEqual([0, 0, 1]);
    expect(filesOf([16, 0, 3])).toEqual([0, 1, 1]);
    expect(filesOf([0, 16, 0])).toEqual([0, 1, 2]);
  });
});
