/**
 * The page compression codecs of the data files: their names (as DuckDB and GDAL give them,
 * lower case), Parquet's codes for them, and the levels they take. The compressors are in
 * write/compression.ts.
 */

/** The codecs, by the names DuckDB and GDAL give them (lower case). */
export const CODECS = ['zstd', 'snappy', 'gzip', 'lz4_raw', 'none'] as const;
export type Codec = (typeof CODECS)[number];

/** A codec and its level (zstd 1-22, gzip 1-9; the others have none). */
export interface Compression {
  readonly codec: Codec;
  readonly level?: number | null;
}

/** Levels each codec takes, inclusive; absent: no level. */
export const CODEC_LEVELS: Readonly<Partial<Record<Codec, readonly [number, number]>>> = {
  zstd: [1, 22],
  gzip: [1, 9],
};

/** Default levels (zstd's measured in bench/write.ts `--codecs`; gzip's is zlib's). */
export const DEFAULT_LEVELS: Readonly<Partial<Record<Codec, number>>> = { zstd: 1, gzip: 6 };

/** The default compression of every page: zstd at level 1. */
export const DEFAULT_COMPRESSION: Compression = { codec: 'zstd', level: DEFAULT_LEVELS.zstd };

/** Parquet's CompressionCodec codes. */
export const CODEC_CODES: Readonly<Record<Codec, number>> = {
  none: 0,
  snappy: 1,
  gzip: 2,
  zstd: 6,
  lz4_raw: 7,
};
