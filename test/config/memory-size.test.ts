import { expect, test } from 'vitest';
import { parseMemorySize } from '../../src/config/memory-size.js';

test('memory sizes read as DuckDB reads memory_limit: decimal and binary units, any case', () => {
  expect(parseMemorySize('2GB')).toBe(2e9);
  expect(parseMemorySize('2gib')).toBe(2 * 2 ** 30);
  expect(parseMemorySize('512 MiB')).toBe(512 * 2 ** 20);
  expect(parseMemorySize('1.5GB')).toBe(1.5e9);
  expect(parseMemorySize('100kb')).toBe(1e5);
  expect(parseMemorySize('4096')).toBe(4096);
  expect(parseMemorySize('7b')).toBe(7);
  expect(parseMemorySize(12.9)).toBe(12);
  for (const bad of ['', 'GB', '2 GBs', '-1GB', '1e9', '2 parsecs']) expect(parseMemorySize(bad)).toBeNull();
  expect(parseMemorySize(-1)).toBeNull();
  expect(parseMemorySize(Number.NaN)).toBeNull();
});
