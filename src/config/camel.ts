import { z } from 'zod';
import { isPlainObject } from './json.js';

/**
 * Constructors take camelCase options; validation and messages use the job file's snake_case
 * names. These helpers rename one into the other inside a zod preprocess step.
 */

/** `ignoreChunkError` -> `ignore_chunk_error`. */
export function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `ignore_chunk_error` -> `ignoreChunkError`. */
export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Converts the value of one option (e.g. a nested config instance to its JSON). */
export type NestedConverter = (value: unknown, ctx: z.RefinementCtx, path: PropertyKey[]) => unknown;

/**
 * Renames the keys of a camelCase options object to snake_case, shallowly: values are user
 * data (metadata, open options, parameters) whose keys must stay as given. A snake_case key
 * is refused rather than accepted, so `{ ignoreChunkError, ignore_chunk_error }` cannot
 * disagree silently. Non-objects are returned untouched for the schema to report.
 */
export function renameKeys(
  value: unknown,
  ctx: z.RefinementCtx,
  path: PropertyKey[] = [],
  nested: Readonly<Record<string, NestedConverter>> = {},
): unknown {
  if (!isPlainObject(value)) return value;
  const entries: [string, unknown][] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key.includes('_')) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, key],
        message: `unknown option ${JSON.stringify(key)}; options are camelCase here (${snakeToCamel(key)}), snake_case names are for JSON job files`,
      });
      continue;
    }
    const snake = camelToSnake(key);
    const convert = nested[snake];
    entries.push([snake, convert ? convert(v, ctx, [...path, snake]) : v]);
  }
  return Object.fromEntries(entries);
}

/** Wraps a snake_case schema so that it takes camelCase options. */
export function fromCamel<S extends z.ZodType>(
  schema: S,
  nested: Readonly<Record<string, NestedConverter>> = {},
) {
  return z.preprocess((value, ctx) => renameKeys(value, ctx, [], nested), schema);
}

/** Lets a single step's `fromJSON` omit `type`, which its class already implies. */
export function withDefaultType<S extends z.ZodType>(type: string, schema: S) {
  return z.preprocess((v) => (isPlainObject(v) && v.type === undefined ? { ...v, type } : v), schema);
}
