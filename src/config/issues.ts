import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { showValue } from './json.js';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Formats a zod issue path as JSON-path text: `steps[0].gdal_config.open_options["A B"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && IDENTIFIER.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** Joins a prefix such as `steps[0]` and a sub-path such as `input[2]` or `output`. */
export function joinPath(prefix: string, sub: string): string {
  if (prefix === '') return sub;
  if (sub === '') return prefix;
  return sub.startsWith('[') ? `${prefix}${sub}` : `${prefix}.${sub}`;
}

/**
 * An error map for one field: `got <value>; expected <allowed>`, or `missing; expected ...`
 * when a required field is absent. Pass it to every zod constructor and check of the field.
 */
export function expects(allowed: string): { error: (iss: { input?: unknown }) => string } {
  return {
    error: (iss) =>
      iss.input === undefined
        ? `missing; expected ${allowed}`
        : `got ${showValue(iss.input)}; expected ${allowed}`,
  };
}

/** Edit distance counting a swap of neighbours as one edit (the usual typo), for suggestions. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known name closest to `given`, when close enough to be a typo or an abbreviation. Case,
 * `_` and `-` are ignored, so `ignoreChunkError` finds `ignore_chunk_error` and `replace`
 * finds `replace_parameters`.
 */
export function suggest(given: string, known: readonly string[]): string | null {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  const g = norm(given);
  const limit = Math.max(1, Math.min(3, Math.floor(g.length / 4)));
  let best: string | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const name of known) {
    const n = norm(name);
    // An abbreviation ranks after any real typo match.
    const score = Math.min(
      distance(g, n),
      g.length >= 4 && n.startsWith(g) ? limit + 0.5 : Number.POSITIVE_INFINITY,
    );
    if (score <= limit + 0.5 && score < bestScore) {
      best = name;
      bestScore = score;
    }
  }
  return best;
}

/** The message for one field a schema does not know. */
export function unknownFieldMessage(key: string, known: readonly string[]): string {
  const near = suggest(key, known);
  return near === null
    ? `unknown field ${JSON.stringify(key)}; known fields are ${known.join(', ')}`
    : `unknown field ${JSON.stringify(key)}; did you mean ${JSON.stringify(near)}?`;
}

/**
 * Error map for a strict object: one line per unknown key (split into separate issues by
 * {@link toConfigIssues}), or `expected <what>` when the value is not an object at all.
 */
export function strictObjectError(
  known: readonly string[],
  what: string,
): { error: (iss: { code?: string; input?: unknown; keys?: string[] }) => string } {
  return {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? (iss.keys ?? []).map((k) => unknownFieldMessage(k, known)).join('\n')
        : expects(what).error(iss),
  };
}

/** Fallback for issues raised by schemas without their own error map: zod's text, with the value. */
function fallbackMessage(iss: z.core.$ZodRawIssue): string {
  const base = z.config().localeError?.(iss);
  const text = (typeof base === 'string' ? base : base?.message) ?? 'invalid value';
  return `got ${showValue(iss.input)}; ${text.replace(/^Invalid input: /, '')}`;
}

/** Turns zod issues into {@link ConfigIssue}s with paths under `prefix`. */
export function toConfigIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): ConfigIssue[] {
  return issues.flatMap((iss) => {
    const path = joinPath(prefix, formatPath(iss.path));
    // A multi-line message carries one problem per line (several unknown keys in one object).
    return iss.message.split('\n').map((message) => ({ path, message }));
  });
}

/**
 * Validates `value` with `schema`, throwing a {@link ConfigError} that lists every problem,
 * each with its JSON path under `prefix` (e.g. `steps[0]`).
 */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true, error: fallbackMessage });
  if (result.success) return result.data;
  throw new ConfigError(toConfigIssues(result.error.issues, prefix));
}
