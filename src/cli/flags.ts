/**
 * Command-line flags as one table per command: each row names the flag, the config field it
 * sets, how its value is parsed, and its line in the usage text. The parser options
 * (`node:util` parseArgs), the mapping to config fields and the usage text are all derived
 * from the table, so a flag is written in one place. Needs nothing but errors.ts, so the usage
 * texts load no command's dependencies.
 */
import type { ParseArgsConfig } from 'node:util';
import { GeopartError } from '../errors.js';

/** What parseArgs gives for a flag: a string (or list of them, when repeatable) or a boolean. */
export type FlagValue = string | boolean | (string | boolean)[] | undefined;

interface FlagCommon<Field extends string> {
  /** The long name, without `--`. */
  readonly flag: string;
  /** A one-letter alias, without `-`. */
  readonly short?: string;
  /** The config field the flag sets (`a.b` for a field of a field); absent: the command reads it. */
  readonly field?: Field;
  /** The heading the flag is listed under in the usage text; absent: not listed. */
  readonly group?: string;
  /** Its line in the usage text; absent: not listed (or listed in another flag's `label`). */
  readonly help?: string;
  /** The usage line's left column when it is not `--flag ARG`. */
  readonly label?: string;
}

/** A flag with a value, e.g. `--max-per-file N`. */
export interface StringFlag<Field extends string = string> extends FlagCommon<Field> {
  readonly type: 'string';
  /** The value's placeholder in the usage text. */
  readonly arg: string;
  readonly multiple?: false;
  /** The field's value; undefined leaves the field unset. Default: the string as given. */
  readonly parse?: (value: string | undefined, flag: string) => unknown;
}

/** A repeatable flag with a value, e.g. `--oo KEY=VALUE`. */
export interface ListFlag<Field extends string = string> extends FlagCommon<Field> {
  readonly type: 'string';
  readonly arg: string;
  readonly multiple: true;
  readonly parse?: (value: string[] | undefined, flag: string) => unknown;
}

/** A flag without a value, e.g. `--overwrite`; false when absent. */
export interface BooleanFlag<Field extends string = string> extends FlagCommon<Field> {
  readonly type: 'boolean';
  /** The field's value; undefined leaves the field unset. Default: set only when given. */
  readonly parse?: (value: boolean, flag: string) => unknown;
}

/** One row of a command's flag table. */
export type Flag<Field extends string = string> = StringFlag<Field> | ListFlag<Field> | BooleanFlag<Field>;

/** The `options` of parseArgs for a flag table. */
export function parserOptions(table: readonly Flag[]): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const f of table) {
    options[f.flag] = {
      type: f.type,
      ...(f.short === undefined ? {} : { short: f.short }),
      ...(f.type === 'string' && f.multiple ? { multiple: true } : {}),
      ...(f.type === 'boolean' ? { default: false } : {}),
    };
  }
  return options;
}

/**
 * The config fields the flags of `table` set, from parseArgs' `values`: each flag with a field
 * is parsed, and fields left undefined are left out.
 */
export function flagFields(table: readonly Flag[], values: Readonly<Record<string, FlagValue>>) {
  const out: Record<string, unknown> = {};
  for (const f of table) {
    if (f.field === undefined) continue;
    const value = parsedValue(f, values[f.flag]);
    if (value === undefined) continue;
    const path = f.field.split('.');
    let target = out;
    for (const key of path.slice(0, -1)) {
      target[key] ??= {};
      target = target[key] as Record<string, unknown>;
    }
    target[path[path.length - 1]!] = value;
  }
  return out;
}

function parsedValue(f: Flag, value: FlagValue): unknown {
  const name = `--${f.flag}`;
  switch (f.type) {
    case 'boolean':
      return f.parse ? f.parse(value === true, name) : value === true || undefined;
    default:
      if (f.multiple) return f.parse ? f.parse(value as string[] | undefined, name) : value;
      return f.parse ? f.parse(value as string | undefined, name) : value;
  }
}

/** Left columns up to this width are padded to the description column. */
const LABEL_WIDTH = 29;

/** The flags' part of a usage text: a heading per group, then one line per listed flag. */
export function flagUsage(table: readonly Flag[]): string {
  const groups = new Map<string, string[]>();
  for (const f of table) {
    if (f.group === undefined || f.help === undefined) continue;
    const label = f.label ?? flagLabel(f);
    const column = label.length <= LABEL_WIDTH - 3 ? label.padEnd(LABEL_WIDTH) : `${label}   `;
    const lines = groups.get(f.group) ?? [];
    lines.push(`  ${column}${f.help}`);
    groups.set(f.group, lines);
  }
  return [...groups].map(([group, lines]) => [`${group}:`, ...lines].join('\n')).join('\n\n');
}

function flagLabel(f: Flag): string {
  const long = `--${f.flag}${f.type === 'string' ? ` ${f.arg}` : ''}`;
  return f.short === undefined ? long : `-${f.short}, ${long}`;
}

/** `--flag N` as a finite number; anything else is an `INVALID_ARGUMENT` naming the flag. */
export function numberFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new GeopartError('INVALID_ARGUMENT', `${flag} ${JSON.stringify(value)}: expected a number`, {
      option: flag,
    });
  }
  return n;
}

/** `--flag a,b` as a list, each item trimmed. */
export function listFlag(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim());
}

/** A flag that turns a default-on field off: false when given, else unset. */
export function turnsOff(value: boolean): false | undefined {
  return value ? false : undefined;
}

/**
 * Parses repeated `KEY=VALUE` flags (ogr2ogr's `-oo`) into an object.
 * @param flag the flag's name, for the error message
 */
export function parseKeyValues(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of values ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw new GeopartError(
        'INVALID_ARGUMENT',
        `${flag} ${JSON.stringify(item)}: expected KEY=VALUE, e.g. ${flag} HEADERS=YES`,
        {
          option: flag,
        },
      );
    }
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** A layer given on the command line: a non-negative integer is an index, anything else a name. */
export function parseLayer(value: string | undefined): string | number | null {
  if (value === undefined) return null;
  return /^\d+$/.test(value) ? Number(value) : value;
}
