import { describe, expect, it } from 'vitest';
import { dictionaryIds, plainBytes } from '../../src/io/codecs.js';

const enc = new TextEncoder();

/** A piece of byte-array values, as the writer's shredder gives them. */
function piece(values: string[], def: number[] | null = null, idx: number[] | null = null) {
  const bytes = values.map((v) => enc.encode(v));
  const offsets = new Int32Array(values.length + 1);
  bytes.forEach((b, i) => {
    offsets[i + 1] = offsets[i]! + b.length;
  });
  const data = new Uint8Array(offsets[values.length]!);
  for (const [i, b] of bytes.entries()) data.set(b, offsets[i]!);
  const slots = def?.length ?? idx?.length ?? values.length;
  return { offsets, data, def: def && Uint8Array.from(def), idx: idx && Int32Array.from(idx), slots };
}

/** The page's values, read back as PLAIN BYTE_ARRAY. */
function pageValues(page: Uint8Array): string[] {
  const out: string[] = [];
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  for (let at = 0; at < page.length; ) {
    const n = view.getUint32(at, true);
    out.push(new TextDecoder().decode(page.subarray(at + 4, at + 4 + n)));
    at += 4 + n;
  }
  return out;
}

describe('dictionaryIds', () => {
  it('numbers values in first-seen order across pieces, nulls as -1, through value indices', () => {
    const a = piece(['b', 'a', 'b', '', 'a', 'b']);
    // Slots 1 and 3 are null (def 0); the others index values 2, 0 and 1 of the piece.
    const b = piece(['a', 'c', 'b'], [1, 0, 1, 0, 1], [2, 0, 0, 0, 1]);
    const r = dictionaryIds([a, b], 1, 100, 1 << 20)!;
    expect(pageValues(r.page)).toEqual(['b', 'a', '', 'c']);
    expect(r.size).toBe(4);
    expect(Array.from(r.ids[0]!)).toEqual([0, 1, 0, 2, 1, 0]);
    expect(Array.from(r.ids[1]!)).toEqual([0, -1, 1, -1, 3]);
  });

  it('gives up past its limit, its bytes, or half the values distinct', () => {
    const p = piece(['x', 'y', 'z', 'x', 'y', 'z']);
    expect(dictionaryIds([p], 0, 3, 1 << 20)).not.toBeNull();
    expect(dictionaryIds([p], 0, 2, 1 << 20)).toBeNull();
    expect(dictionaryIds([p], 0, 3, 14)).toBeNull();
    expect(dictionaryIds([piece(['x', 'y', 'z', 'x'])], 0, 10, 1 << 20)).toBeNull();
    expect(dictionaryIds([piece(['x', 'y'], [0, 0])], 1, 10, 1 << 20)).toBeNull();
  });

  it('refuses offsets and indices out of range', () => {
    const p = piece(['ab', 'cd']);
    expect(() => dictionaryIds([{ ...p, offsets: Int32Array.of(0, 2, 9) }], 0, 10, 1 << 20)).toThrow(
      /offsets are out of range/,
    );
    expect(() => dictionaryIds([{ ...p, idx: Int32Array.of(0, 2) }], 0, 10, 1 << 20)).toThrow(
      /index is out of range/,
    );
    expect(() => dictionaryIds([{ ...p, slots: 3 }], 0, 10, 1 << 20)).toThrow(RangeError);
  });
});

describe('plainBytes', () => {
  it('writes present values with their lengths and names the least, the greatest and the first too long', () => {
    // Slots 0..4; slot 2 is null; slots index values 3, 0, -, 2, 1.
    const p = piece(['b', 'ab', 'abc', 'a'], [1, 1, 0, 1, 1], [3, 0, 0, 2, 1]);
    const dest = new Uint8Array(64).fill(0xee);
    const w = plainBytes(dest, 2, p, 0, 5, 1, 64);
    expect(w.end).toBe(2 + 4 * 4 + 1 + 1 + 3 + 2);
    expect(pageValues(dest.subarray(2, w.end))).toEqual(['a', 'b', 'abc', 'ab']);
    expect(dest[0]).toBe(0xee);
    expect([w.min, w.max, w.long]).toEqual([3, 0, -1]);
    expect(plainBytes(dest, 0, p, 0, 5, 1, 2).long).toBe(2);
    expect(plainBytes(dest, 0, p, 2, 3, 1, 64)).toEqual({ end: 0, min: -1, max: -1, long: -1 });
  });

  it('refuses to write past its buffer or read past its values', () => {
    const p = piece(['abcd', 'ef']);
    expect(() => plainBytes(new Uint8Array(9), 0, p, 0, 2, 0, 64)).toThrow(/do not fit/);
    expect(plainBytes(new Uint8Array(14), 0, p, 0, 2, 0, 64).end).toBe(14);
    expect(() =>
      plainBytes(new Uint8Array(64), 0, { ...p, offsets: Int32Array.of(0, 4, 99) }, 0, 2, 0, 64),
    ).toThrow(/offsets are out of range/);
    expect(() => plainBytes(new Uint8Array(64), 0, p, 0, 3, 0, 64)).toThrow(RangeError);
  });
});
