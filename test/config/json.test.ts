import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/config/issues.js';
import { cloneJson, deepFreeze, isPlainObject, jsonSchema, showValue } from '../../src/config/json.js';
import { configError } from './helpers.js';

const check = (value: unknown) => parseConfig(jsonSchema(), value, 'metadata');

describe('jsonSchema', () => {
  test.each([
    null,
    true,
    0,
    -1.5,
    'text',
    '',
    [],
    {},
    [1, 'a', null, { b: [true] }],
    { 'key with spaces': { deep: [[[]]] } },
  ])('accepts %j and returns an equal copy', (value) => {
    const out = check(value);
    expect(out).toEqual(value);
    if (typeof value === 'object' && value !== null) expect(out).not.toBe(value);
  });

  test('accepts objects without a prototype and shared (non-cyclic) references', () => {
    const shared = { x: 1 };
    expect(check({ a: shared, b: [shared] })).toEqual({ a: { x: 1 }, b: [{ x: 1 }] });
    const bare = Object.assign(Object.create(null), { a: 1 });
    expect(check(bare)).toEqual({ a: 1 });
  });

  test('keeps a "__proto__" key as data, as JSON.parse does', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const out = check(value) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":true},"a":1}');
  });

  test.each([
    ['a function', () => 1, 'metadata', 'got a function; functions cannot be serialized'],
    ['a BigInt', { n: 10n }, 'metadata.n', 'got 10n (a BigInt); JSON has no BigInt'],
    ['NaN', [1, Number.NaN], 'metadata[1]', 'got NaN; JSON numbers must be finite'],
    ['Infinity', { x: Number.NEGATIVE_INFINITY }, 'metadata.x', 'got -Infinity; JSON numbers must be finite'],
    ['undefined in an object', { a: undefined }, 'metadata.a', 'got undefined; JSON has no undefined'],
    ['a symbol', { s: Symbol('x') }, 'metadata.s', 'symbols cannot be serialized'],
    ['a Date', { d: new Date(0) }, 'metadata.d', 'got a Date instance; class instances do not round-trip'],
    ['a class instance', { c: new (class Point {})() }, 'metadata.c', 'got a Point instance'],
    ['a typed array', new Float64Array(2), 'metadata', 'got a Float64Array instance'],
    [
      'a symbol key',
      { [Symbol('k')]: 1 },
      'metadata',
      'got an object with the symbol key Symbol(k); JSON keys must be strings',
    ],
    ['an odd key', { 'a b': { c: () => 1 } }, 'metadata["a b"].c', 'got a function'],
  ])('refuses %s at its path', (_what, value, path, message) => {
    const err = configError(() => check(value));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]!.path).toBe(path);
    expect(err.issues[0]!.message).toContain(message);
    expect(err.issues[0]!.message).toContain('expected a JSON value');
  });

  test('refuses cycles, naming where they close', () => {
    const a: Record<string, unknown> = {};
    a.list = [1, { up: a }];
    const err = configError(() => check(a));
    expect(err.issues).toEqual([
      { path: 'metadata.list[1].up', message: 'got a circular reference; JSON cannot hold cycles' },
    ]);
  });

  test('reports every problem, not just the first', () => {
    const err = configError(() => check({ a: () => 1, b: [10n], c: { d: Number.NaN } }));
    expect(err.issues.map((i) => i.path)).toEqual(['metadata.a', 'metadata.b[0]', 'metadata.c.d']);
  });

  test('"object" and "non-empty array" shapes refuse other top-level values', () => {
    expect(() => parseConfig(jsonSchema('object', 'an object'), [1])).toThrow('got [1]; expected an object');
    expect(() => parseConfig(jsonSchema('non-empty array', 'a list'), [])).toThrow('got []; expected a list');
    expect(parseConfig(jsonSchema('non-empty array', 'a list'), [{}])).toEqual([{}]);
  });
});

describe('helpers', () => {
  test('cloneJson turns -0 into 0, as a JSON round trip would', () => {
    expect(Object.is(cloneJson(-0), 0)).toBe(true);
    expect(Object.is((cloneJson([-0]) as number[])[0], 0)).toBe(true);
  });

  test('deepFreeze freezes arrays and plain objects all the way down, not class instances', () => {
    class Box {
      v = 1;
    }
    const value = deepFreeze({ a: [{ b: 1 }], box: new Box() });
    expect(Object.isFrozen(value.a[0])).toBe(true);
    expect(Object.isFrozen(value.box)).toBe(false);
  });

  test('isPlainObject', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(new Date())).toBe(false);
    expect(isPlainObject(null)).toBe(false);
  });

  test.each([
    [undefined, 'undefined'],
    [() => 1, 'a function'],
    [5n, '5n (a BigInt)'],
    [Number.NaN, 'NaN'],
    [new Map(), 'a Map instance'],
    ['x'.repeat(200), `"${'x'.repeat(76)}...`],
    [{ a: 1 }, '{"a":1}'],
  ])('showValue(%s) is %s', (value, text) => {
    expect(showValue(value)).toBe(text);
  });

  test('showValue survives cycles', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(showValue(a)).toBe('an array (not JSON-serializable)');
  });
});
