import { deepFreeze } from './json.js';

/**
 * Defines `fields` on `target` as enumerable, non-writable properties holding frozen values:
 * assigning to one throws in strict code, and arrays/objects inside cannot be changed either.
 * They stay configurable so that an `inplace: true` setter can define them again.
 */
export function defineFields(target: object, fields: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(fields)) {
    Object.defineProperty(target, key, {
      value: deepFreeze(value),
      enumerable: true,
      writable: false,
      configurable: true,
    });
  }
}
