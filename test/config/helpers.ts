import { expect } from 'vitest';
import { ConfigError, type ConfigIssue } from '../../src/errors.js';

/** Runs `fn` and returns the ConfigError it throws; fails the test when it throws nothing or something else. */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

/**
 * Asserts that `fn` throws a ConfigError with an issue at `path` whose message contains every
 * fragment, and that the error's own message shows `path: ...`. Returns the issue.
 */
export function expectIssue(fn: () => unknown, path: string, ...fragments: string[]): ConfigIssue {
  const err = configError(fn);
  const issue = err.issues.find((i) => i.path === path);
  expect(issue, `no issue at ${JSON.stringify(path)} in:\n${err.message}`).toBeDefined();
  for (const fragment of fragments) expect(issue!.message).toContain(fragment);
  expect(err.message).toContain(path === '' ? issue!.message : `${path}: ${issue!.message}`);
  expect(err.code).toBe('INVALID_CONFIG');
  return issue!;
}

/** The text a message shows for a received value. */
export function got(value: unknown): string {
  return `got ${JSON.stringify(value)}`;
}
