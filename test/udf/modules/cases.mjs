/**
 * UDFs for the UDF tests, one named export per case.
 */
import { tableFromArrays } from 'apache-arrow';

/** Echoes what it was called with, as one record. */
export function echo(args) {
  const { context, output, ...parameters } = args;
  return [
    {
      parameters: parameters,
      job_name: context.jobName,
      step_index: context.stepIndex,
      input_index: context.inputIndex,
      input: context.input === undefined ? 'undefined' : context.input,
      output,
    },
  ];
}

/** Waits `ms` milliseconds, then returns nothing. */
export async function sleepy({ ms }) {
  await new Promise((r) => setTimeout(r, ms));
  return null;
}

/**
 * Marks its start in `dir`, then waits until `count` inputs have started: only inputs that run
 * at the same time can all get past it. Gives up after `give_up_ms` with an error.
 */
export async function rendezvous({ context, dir, count, give_up_ms }) {
  const { readdirSync, writeFileSync } = await import('node:fs');
  writeFileSync(`${dir}/started-${context.input}`, '');
  const until = Date.now() + give_up_ms;
  while (readdirSync(dir).filter((n) => n.startsWith('started-')).length < count) {
    if (Date.now() > until) throw new Error(`input ${context.input} met no other input`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return [{ value: context.input }];
}

/** One record `{ value: input * 10 }`, failing on the input `fail_on`. */
export async function tenfold({ context, fail_on }) {
  if (context.input === fail_on) throw new RangeError(`input ${context.input} is not allowed`);
  await new Promise((r) => setTimeout(r, 20));
  return [{ value: context.input * 10 }];
}

/** Throws a string rather than an Error. */
export function throwsString() {
  throw 'plain string failure';
}

/** Never returns: a synchronous endless loop. */
export function syncLoop() {
  for (;;) {
    // spin
  }
}

/** Never settles. */
export function neverResolves() {
  return new Promise(() => {});
}

export function returnsFunction() {
  return () => 1;
}

export function returnsCycle() {
  const a = { type: 'Feature' };
  a.self = a;
  return a;
}

export function returnsMap() {
  return new Map([['a', 1]]);
}

export function returnsSymbolCell() {
  return [{ a: Symbol('s') }];
}

export function returnsNumber() {
  return 42;
}

export function records({ context }) {
  return [
    { name: 'a', n: 1, ok: true, input: context.input },
    { name: 'b', n: 2.5, ok: false, input: context.input },
  ];
}

export function arrowTable() {
  return tableFromArrays({ id: Int32Array.from([1, 2, 3]), x: Float64Array.from([0.5, 1.5, 2.5]) });
}

export function featureCollection() {
  return {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        properties: { name: 'square' },
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [2, 0],
              [2, 2],
              [0, 2],
              [0, 0],
            ],
          ],
        },
      },
      { type: 'Feature', properties: { name: 'point' }, geometry: { type: 'Point', coordinates: [5, 6] } },
    ],
  };
}

export const notAFunction = 3;

/** Loops forever on the input `loop_on`; one record `{ value: input }` otherwise. */
export function loopOn({ context, loop_on }) {
  if (context.input === loop_on) {
    for (;;) {
      // spin
    }
  }
  return [{ value: context.input }];
}

/** A bigint Int64 cannot hold: 2^64. */
export function bigintOverflow() {
  return [{ b: 2n ** 64n }];
}

/** A Date whose time is NaN. */
export function invalidDate() {
  return [{ d: new Date('not a date') }];
}

/** Records parsed from JSON text, one with the key `__proto__` (JSON.parse makes it an own key). */
export function protoKey() {
  return JSON.parse('[{"__proto__": "p", "n": 1}, {"n": 2}]');
}

/** Column `a` is all null for input 0 and text for the others; `n` is a number everywhere. */
export function nullOnFirst({ context }) {
  return [{ a: context.inputIndex === 0 ? null : `x${context.inputIndex}`, n: context.inputIndex }];
}
