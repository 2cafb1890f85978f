import { z } from 'zod';

/**
 * A value that survives `JSON.stringify` / `JSON.parse` unchanged: null, a boolean, a finite
 * number, a string, an array of these or a plain object of these.
 */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;

/** A plain object whose values are {@link JsonValue}s. */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** What JSON can hold, said at the end of every message about a non-JSON value. */
const JSON_KINDS = 'a JSON value (null, boolean, finite number, string, array or plain object)';

const MAX_SHOWN = 80;

/**
 * Describes any value for an error message: JSON text when it has one (cut to 80 characters),
 * else what it is ("a function", "10n (a BigInt)", "a Date").
 */
export function showValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return `a symbol (${value.description ?? ''})`;
  if (typeof value === 'bigint') return `${value}n (a BigInt)`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !isPlainObject(value)) {
    return `a ${value.constructor?.name || 'class'} instance`;
  }
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Cycles and nested BigInts make stringify throw; the kind is still worth showing.
    text = Array.isArray(value) ? 'an array (not JSON-serializable)' : 'an object (not JSON-serializable)';
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}

/** True for `{}`-style objects (prototype `Object.prototype` or null), false for class instances. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

interface JsonProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Why `value` (not itself a container) is not JSON, or null when it is. */
function leafProblem(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : 'JSON numbers must be finite';
    case 'bigint':
      return 'JSON has no BigInt; convert it to a number or a string';
    case 'undefined':
      return 'JSON has no undefined; use null or leave the key out';
    case 'function':
      return 'functions cannot be serialized';
    case 'symbol':
      return 'symbols cannot be serialized';
    default:
      if (value === null || Array.isArray(value) || isPlainObject(value)) return null;
      // JSON.stringify would quietly call toJSON or drop fields; a round trip would not be exact.
      return 'class instances do not round-trip through JSON; pass a plain object';
  }
}

/**
 * Every reason `value` is not JSON, with the path below `value` where each was found.
 * Shared (non-cyclic) references are fine: JSON writes them twice.
 */
function jsonProblems(value: unknown): JsonProblem[] {
  const problems: JsonProblem[] = [];
  const ancestors: object[] = [];
  const walk = (v: unknown, path: (string | number)[]): void => {
    const leaf = leafProblem(v);
    if (leaf !== null) {
      problems.push({ path, message: `got ${showValue(v)}; ${leaf}; expected ${JSON_KINDS}` });
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    if (ancestors.includes(v)) {
      problems.push({ path, message: `got a circular reference; JSON cannot hold cycles` });
      return;
    }
    ancestors.push(v);
    if (Array.isArray(v)) {
      // Indexing (not forEach) so that holes in sparse arrays are seen as undefined.
      for (let i = 0; i < v.length; i++) walk(v[i], [...path, i]);
    } else {
      for (const sym of Object.getOwnPropertySymbols(v)) {
        problems.push({
          path,
          message: `got an object with the symbol key ${String(sym)}; JSON keys must be strings; expected ${JSON_KINDS}`,
        });
      }
      for (const [key, child] of Object.entries(v)) walk(child, [...path, key]);
    }
    ancestors.pop();
  };
  walk(value, []);
  return problems;
}

/**
 * A deep copy of a JSON value that shares nothing with the caller's object, with -0 as 0
 * (JSON writes -0 as 0, so a round trip would otherwise change the value).
 */
export function cloneJson<T extends JsonValue>(value: T): T;
export function cloneJson(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map((v: JsonValue) => cloneJson(v));
  if (typeof value === 'object' && value !== null) {
    // fromEntries defines own keys, so a "__proto__" key stays data, as JSON.parse keeps it.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneJson(v)]));
  }
  return Object.is(value, -0) ? 0 : value;
}

/**
 * Freezes arrays and plain objects, and everything in them, so a config's fields cannot
 * change under it. Class instances (nested configs) are left alone: they guard themselves.
 */
export function deepFreeze<T>(value: T): T {
  if ((Array.isArray(value) || isPlainObject(value)) && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** What a {@link jsonSchema} accepts at its top level. */
export type JsonShape = 'any' | 'object' | 'non-empty array';

/**
 * A zod schema for a JSON value of the given shape. Reports every non-JSON part (function,
 * undefined inside an object or array, BigInt, NaN/Infinity, cycle, class instance) at its
 * own path, and outputs a private deep copy. `what` describes the allowed top-level value.
 */
export function jsonSchema(shape: 'object', what: string): z.ZodType<JsonObject, unknown>;
export function jsonSchema(shape: 'non-empty array', what: string): z.ZodType<JsonValue[], unknown>;
export function jsonSchema(shape?: 'any'): z.ZodType<JsonValue, unknown>;
export function jsonSchema(shape: JsonShape = 'any', what = JSON_KINDS): z.ZodType<JsonValue, unknown> {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      const wrongShape =
        (shape === 'object' && !isPlainObject(value)) ||
        (shape === 'non-empty array' && (!Array.isArray(value) || value.length === 0));
      if (wrongShape) {
        ctx.addIssue({ code: 'custom', message: `got ${showValue(value)}; expected ${what}` });
        return;
      }
      for (const p of jsonProblems(value)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    })
    .transform((value) => cloneJson(value as JsonValue));
}
