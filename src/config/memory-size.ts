/**
 * Memory sizes as DuckDB's `memory_limit` takes them: a number of bytes, or a number with a
 * unit, `B`, `KB`/`MB`/`GB`/`TB` (powers of 1000) or `KiB`/`MiB`/`GiB`/`TiB` (powers of 1024),
 * case-insensitive, with optional space: `2GB`, `512 MiB`, `1.5gb`.
 */

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** The least memory limit: below it the engine could not hold a single batch. */
export const MIN_MEMORY_LIMIT = 1 << 20;

/** The default memory limit, fixed so that a job gives the same table on any machine. */
export const DEFAULT_MEMORY_LIMIT = '1GB';

/** The size in bytes (rounded down to a whole byte), or null when `value` is not a size. */
export function parseMemorySize(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (m === null) return null;
  const unit = UNITS[(m[2] || 'b').toLowerCase()];
  if (unit === undefined) return null;
  return Math.floor(Number(m[1]) * unit);
}
