/**
 * Parquet's RLE / bit-packing hybrid, the encoding of definition and repetition levels.
 */
import type { ByteBuffer } from './byte-buffer.js';

/** Bits needed for levels up to `maxLevel`. */
export function bitWidth(maxLevel: number): number {
  return maxLevel === 0 ? 0 : 32 - Math.clz32(maxLevel);
}

/** Appends a run of `count` copies of `value` (RLE run header, then the value in whole bytes). */
export function writeRun(out: ByteBuffer, value: number, count: number, width: number): void {
  out.varint(count * 2);
  for (let b = 0; b < width; b += 8) out.u8((value >>> b) & 0xff);
}

/** Values for the hybrid encoding: levels (bytes) or dictionary indices. */
type Values = Uint8Array | Uint32Array;

/**
 * Appends `levels` (each below 2^width, width <= 24) in the hybrid encoding: runs of 8 or more
 * equal values as RLE runs, everything else bit-packed in groups of 8 (the last group padded).
 */
export function writeHybrid(out: ByteBuffer, levels: Values, width: number): void {
  const n = levels.length;
  let i = 0;
  while (i < n) {
    const run = runLength(levels, i);
    if (run >= 8) {
      writeRun(out, levels[i]!, run, width);
      i += run;
      continue;
    }
    const start = i;
    let groups = 0;
    do {
      groups++;
      i += 8;
    } while (i < n && runLength(levels, i) < 8);
    out.varint(groups * 2 + 1);
    packBits(out, levels, start, groups * 8, width);
  }
}

function runLength(levels: Values, i: number): number {
  const v = levels[i];
  let j = i + 1;
  while (j < levels.length && levels[j] === v) j++;
  return j - i;
}

/** Packs `count` values from `start` (zeros past the end), LSB first. */
function packBits(out: ByteBuffer, levels: Values, start: number, count: number, width: number): void {
  out.ensure(Math.ceil((count * width) / 8));
  const bytes = out.bytes;
  let pos = out.length;
  let acc = 0;
  let bits = 0;
  for (let k = 0; k < count; k++) {
    acc |= (levels[start + k] ?? 0) << bits;
    bits += width;
    while (bits >= 8) {
      bytes[pos++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  out.length = pos;
}
