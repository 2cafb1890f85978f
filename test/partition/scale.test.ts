import { describe, expect, it } from 'vitest';
import { SPLIT_METHODS } from '../../src/config/plan-defaults.js';
import { checkPlan } from '../../src/partition/check-plan.js';
import { allocKeyTable } from '../../src/partition/key-table.js';
import { plan } from '../../src/partition/plan.js';
import { seeded } from './keys.js';

// A quick look at the planner's speed: times are printed, never asserted (shared CI machines vary).
describe('plan at scale', () => {
  it('plans 2M random points with the defaults', () => {
    const n = 2_000_000;
    const keys = allocKeyTable(n);
    const rnd = seeded(2024);
    for (let i = 0; i < n; i++) {
      const x = rnd() * 360 - 180;
      const y = rnd() * 180 - 90;
      keys.cx[i] = keys.minx[i] = keys.maxx[i] = x;
      keys.cy[i] = keys.miny[i] = keys.maxy[i] = y;
      keys.measure[i] = 1;
    }
    const lines: string[] = [];
    for (const splitMethod of SPLIT_METHODS) {
      const t0 = performance.now();
      const p = plan(keys, { splitMethod });
      const t1 = performance.now();
      const violations = checkPlan(keys, p);
      const t2 = performance.now();
      expect(violations).toEqual([]);
      lines.push(
        `${splitMethod.padEnd(7)} plan ${(t1 - t0).toFixed(0).padStart(5)} ms  check ${(t2 - t1).toFixed(0).padStart(5)} ms  ${p.numFiles} files, ${p.chunks.length} chunks`,
      );
    }
    console.log(`plan of ${n.toLocaleString('en')} random points:\n  ${lines.join('\n  ')}`);
  });
});
