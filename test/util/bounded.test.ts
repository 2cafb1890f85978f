import { describe, expect, it } from 'vitest';
import { eachBounded, eachOf } from '../../src/util/bounded.js';

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

describe('eachBounded', () => {
  it('runs every index once, in start order, never more than the limit at a time', async () => {
    const started: number[] = [];
    const out = new Array<number>(20);
    let running = 0;
    let most = 0;
    await eachBounded(20, 3, async (i) => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await tick((i * 7) % 5);
      out[i] = i * i;
      running--;
    });
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i * i));
    expect(most).toBe(3);
  });

  it('runs nothing for no tasks, and fewer lanes than the limit for few tasks', async () => {
    let calls = 0;
    await eachBounded(0, 4, async () => {
      calls++;
    });
    expect(calls).toBe(0);
    let running = 0;
    let most = 0;
    await eachBounded(2, 8, async () => {
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
    });
    expect(most).toBe(2);
  });

  it('starts no task after a failure, waits for the running ones and rethrows the first failure', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const err = await eachBounded(10, 2, async (i) => {
      started.push(i);
      await tick(i === 1 ? 20 : 1);
      if (i === 2) throw new Error('task 2 failed');
      if (i === 3) throw new Error('task 3 failed');
      finished.push(i);
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('task 2 failed');
    expect(started).toEqual([0, 1, 2]);
    // Task 1 was running when task 2 failed: the call waited for it.
    expect(finished).toEqual([0, 1]);
  });

  it('starts no task once the stop signal is aborted, and resolves', async () => {
    const stop = new AbortController();
    const started: number[] = [];
    await eachBounded(
      10,
      2,
      async (i) => {
        started.push(i);
        if (i === 3) stop.abort();
        await tick();
      },
      stop.signal,
    );
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('refuses a limit that is not a positive integer', async () => {
    await expect(eachBounded(1, 0, async () => undefined)).rejects.toThrow(RangeError);
    await expect(eachBounded(1, 1.5, async () => undefined)).rejects.toThrow(/positive integer/);
  });
});

describe('eachOf', () => {
  it('reads an async iterable no further ahead than the limit, with indexes in item order', async () => {
    let read = 0;
    let done = 0;
    let ahead = 0;
    async function* items() {
      for (let k = 0; k < 12; k++) {
        read++;
        ahead = Math.max(ahead, read - done);
        yield `item ${k}`;
      }
    }
    const seen: string[] = [];
    await eachOf(items(), 3, async (item, i) => {
      seen[i] = item;
      await tick(i % 3);
      done++;
    });
    expect(seen).toEqual(Array.from({ length: 12 }, (_, k) => `item ${k}`));
    expect(ahead).toBeLessThanOrEqual(3);
  });

  it('closes an unfinished iterable after a failure, and rethrows a failure to read it', async () => {
    let closed = false;
    async function* items() {
      try {
        for (let k = 0; ; k++) yield k;
      } finally {
        closed = true;
      }
    }
    const err = await eachOf(items(), 2, async (k) => {
      await tick();
      if (k === 4) throw new Error('item 4 failed');
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('item 4 failed');
    expect(closed).toBe(true);

    async function* broken() {
      yield 1;
      throw new Error('cannot read item 2');
    }
    const ran: number[] = [];
    await expect(
      eachOf(broken(), 2, async (k) => {
        ran.push(k);
      }),
    ).rejects.toThrow('cannot read item 2');
    expect(ran).toEqual([1]);
  });
});
