/**
 * Page compression: the codecs the writer offers and their compressors. zstd and LZ4_RAW run
 * in the system libraries through the codec addon, gzip in Node's zlib, snappy in
 * hyparquet-writer's JavaScript. Every codec is deterministic: the same pages give the same bytes.
 */
import { gzipSync } from 'node:zlib';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import { CODEC_LEVELS, type Compression, DEFAULT_LEVELS } from '../format/compression.js';
import { lz4RawCompress, zstdCompress } from '../io/codecs.js';
import type { Compressor } from './column-chunk.js';

export {
  CODEC_CODES,
  CODEC_LEVELS,
  CODECS,
  type Codec,
  type Compression,
  DEFAULT_COMPRESSION,
  DEFAULT_LEVELS,
} from '../format/compression.js';

/** The page compressor of `c`; a level outside the codec's range throws a RangeError. */
export function compressorFor(c: Compression): Compressor {
  const range = CODEC_LEVELS[c.codec];
  const level = c.level ?? DEFAULT_LEVELS[c.codec] ?? null;
  if (
    level !== null &&
    (range === undefined || !Number.isInteger(level) || level < range[0] || level > range[1])
  ) {
    throw new RangeError(
      range === undefined
        ? `${c.codec} takes no level, got ${level}`
        : `${c.codec} level must be an integer from ${range[0]} to ${range[1]}, got ${level}`,
    );
  }
  switch (c.codec) {
    case 'zstd':
      return (bytes) => zstdCompress(bytes, level!);
    case 'gzip':
      return (bytes) => gzipSync(bytes, { level: level! });
    case 'snappy':
      return (bytes) => snappyCompress(bytes);
    case 'lz4_raw':
      return (bytes) => lz4RawCompress(bytes);
    case 'none':
      // A copy: the page buffer is reused for the next page.
      return (bytes) => bytes.slice();
  }
}
