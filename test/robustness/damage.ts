/**
 * Seeded damage to a file's bytes: truncations, flipped bytes, zeroed ranges and a swapped
 * header. The same seed gives the same variants on every run, so a failure can be replayed.
 */
import { seeded } from '../partition/keys.js';

/** One damaged copy of a file. */
export interface Variant {
  /** What was done, e.g. `truncate@1234`, `flip x10`, `zero 500+64`. */
  readonly label: string;
  readonly bytes: Uint8Array;
}

/** Damaged variants per file: at least 30, see {@link damagedVariants}. */
export const VARIANTS_PER_FILE = 32;

/**
 * {@link VARIANTS_PER_FILE} damaged copies of `original`: 9 truncations (the last few bytes
 * only, so the footer or end record is cut, and at random points), 10 runs of flipped bytes
 * (1 to 64 bytes), 9 zeroed ranges (8 bytes to 4 KiB, some in the first and last KiB where
 * headers and footers live) and 4 swapped headers (the first bytes exchanged with a run from
 * the middle, or with another format's magic).
 */
export function damagedVariants(original: Uint8Array, seed: number): Variant[] {
  const rnd = seeded(seed);
  const n = original.length;
  const at = (lo: number, hi: number) => lo + Math.floor(rnd() * Math.max(1, hi - lo));
  const out: Variant[] = [];

  for (const cut of [1, 8, 64]) out.push(truncated(original, Math.max(0, n - cut), `truncate end-${cut}`));
  out.push(truncated(original, 0, 'truncate@0 (empty)'));
  for (let i = 0; i < 5; i++) {
    const len = at(1, n - 1);
    out.push(truncated(original, len, `truncate@${len}`));
  }

  for (const count of [1, 1, 2, 4, 8, 8, 16, 32, 64, 64]) {
    const bytes = original.slice();
    const where: number[] = [];
    for (let k = 0; k < count; k++) {
      const p = at(0, n);
      bytes[p] = bytes[p]! ^ (1 + Math.floor(rnd() * 255));
      where.push(p);
    }
    out.push({ label: `flip x${count} @${where.slice(0, 4).join(',')}`, bytes });
  }

  for (const [len, region] of [
    [8, 'head'],
    [64, 'head'],
    [16, 'tail'],
    [256, 'tail'],
    [32, 'any'],
    [256, 'any'],
    [1024, 'any'],
    [4096, 'any'],
    [4096, 'any'],
  ] as const) {
    const size = Math.min(len, n);
    const start =
      region === 'head'
        ? at(0, Math.min(1024, n - size))
        : region === 'tail'
          ? at(n - 1024, n - size)
          : at(0, n - size);
    const bytes = original.slice();
    bytes.fill(0, Math.max(0, start), Math.max(0, start) + size);
    out.push({ label: `zero ${Math.max(0, start)}+${size}`, bytes });
  }

  for (const size of [8, 64]) {
    const bytes = original.slice();
    const from = at(size, n - size);
    const head = bytes.slice(0, size);
    bytes.copyWithin(0, from, from + size);
    bytes.set(head, from);
    out.push({ label: `swap header ${size}B with @${from}`, bytes });
  }
  for (const [name, magic] of OTHER_MAGIC) {
    const bytes = original.slice();
    bytes.set(magic.subarray(0, Math.min(magic.length, n)), 0);
    out.push({ label: `header of ${name}`, bytes });
  }
  return out;
}

/** Magic bytes of other formats, written over a file's start. */
const OTHER_MAGIC: readonly (readonly [string, Uint8Array])[] = [
  ['Parquet', new TextEncoder().encode('PAR1')],
  ['FlatGeobuf', Uint8Array.of(0x66, 0x67, 0x62, 0x03, 0x66, 0x67, 0x62, 0x00)],
];

function truncated(original: Uint8Array, length: number, label: string): Variant {
  return { label, bytes: original.slice(0, length) };
}
