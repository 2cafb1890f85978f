/**
 * WKB basics shared by every geometry kernel: type codes, the {@link WkbColumn} buffer view of a
 * Binary column, and {@link WkbCursor}, a bounds-checked reader over one row's bytes.
 *
 * Accepted input: ISO WKB (type codes 1-7, +1000 Z, +2000 M, +3000 ZM) and EWKB-style flags
 * (0x80000000 Z, 0x40000000 M, 0x20000000 SRID followed by a uint32 SRID), in either byte order.
 * An empty point is a point whose coordinates are NaN.
 */
import { GeopartError } from '../errors.js';

/** WKB base type code of Point. */
export const WKB_POINT = 1;
/** WKB base type code of LineString. */
export const WKB_LINESTRING = 2;
/** WKB base type code of Polygon. */
export const WKB_POLYGON = 3;
/** WKB base type code of MultiPoint. */
export const WKB_MULTIPOINT = 4;
/** WKB base type code of MultiLineString. */
export const WKB_MULTILINESTRING = 5;
/** WKB base type code of MultiPolygon. */
export const WKB_MULTIPOLYGON = 6;
/** WKB base type code of GeometryCollection. */
export const WKB_GEOMETRYCOLLECTION = 7;

const EWKB_Z = 0x80000000;
const EWKB_M = 0x40000000;
const EWKB_SRID = 0x20000000;
const EWKB_FLAGS = EWKB_Z | EWKB_M | EWKB_SRID;

/** WKB type names by base code, for messages. */
export const WKB_TYPE_NAMES: readonly string[] = [
  'Geometry',
  'Point',
  'LineString',
  'Polygon',
  'MultiPoint',
  'MultiLineString',
  'MultiPolygon',
  'GeometryCollection',
];

/** True for the multi-part types and GeometryCollection (their body is a count and whole WKB parts). */
export function isCollectionType(type: number): boolean {
  return type >= WKB_MULTIPOINT && type <= WKB_GEOMETRYCOLLECTION;
}

/**
 * A Binary column of WKB as raw buffers: row `i` is `values[offsets[i] .. offsets[i + 1]]`.
 * A row is null when its validity bit is 0 or its byte range is empty.
 */
export interface WkbColumn {
  /** Number of rows. */
  readonly length: number;
  /** `length + 1` byte offsets into `values` (absolute, not necessarily starting at 0). */
  readonly offsets: Int32Array;
  /** The WKB bytes of every row. */
  readonly values: Uint8Array;
  /** Arrow validity bitmap (LSB first), or null when every row is valid. */
  readonly validity: Uint8Array | null;
  /** Bit index of row 0 in `validity` (Arrow's `Data.offset`). */
  readonly validityOffset: number;
}

/** True when row `i` of `col` holds a geometry (valid and non-empty byte range). */
export function isRowPresent(col: WkbColumn, i: number): boolean {
  const v = col.validity;
  if (v !== null) {
    const bit = col.validityOffset + i;
    if (((v[bit >> 3] ?? 0) & (1 << (bit & 7))) === 0) return false;
  }
  return col.offsets[i + 1]! > col.offsets[i]!;
}

/**
 * The base type (1-7 when valid) of the WKB geometry at `bytes[start]`, from the low 16 bits
 * of its type word in either byte order: ISO codes (`+ 1000 * dims`) and EWKB flags (high bits)
 * alike. A quick look without checks, for choosing which rows to decode; the cursor checks.
 */
export function baseTypeAt(bytes: Uint8Array, start: number): number {
  const le = bytes[start] === 1;
  return (
    (le ? bytes[start + 1]! | (bytes[start + 2]! << 8) : bytes[start + 4]! | (bytes[start + 3]! << 8)) % 1000
  );
}

/** Raised for bytes that are not valid WKB; `row` is the row index within the column. */
export function wkbError(row: number, message: string): GeopartError {
  return new GeopartError('CORRUPT_INPUT', `invalid WKB geometry at row ${row}: ${message}`, { row });
}

/**
 * A reader over one row of a {@link WkbColumn}. After {@link readHeader}, `le`, `type`, `hasZ`,
 * `hasM`, `dims` and `plain` describe the geometry just entered; nested parts overwrite them,
 * which is fine because a container only needs its own byte order before its parts begin.
 * One cursor is reused for every row (no allocation per row).
 */
export class WkbCursor {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Next byte to read. */
  pos = 0;
  /** End of the current row (exclusive). */
  end = 0;
  /** Row index, for error messages. */
  row = 0;
  /** Byte order of the last header: true = little endian. */
  le = true;
  /** Base type code (1-7) of the last header. */
  type = 0;
  /** The last header has a Z ordinate. */
  hasZ = false;
  /** The last header has an M ordinate. */
  hasM = false;
  /** Ordinates per coordinate: 2, 3 or 4. */
  dims = 2;
  /** False when the last header used EWKB flags or carried an SRID. */
  plain = true;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Positions the cursor on `bytes[start .. end)`, the WKB of row `row`. */
  reset(start: number, end: number, row: number): void {
    this.pos = start;
    this.end = end;
    this.row = row;
  }

  /** Reads a byte-order mark and type word; returns the base type (1-7). */
  readHeader(): number {
    if (this.pos + 5 > this.end) throw wkbError(this.row, 'truncated header');
    const order = this.bytes[this.pos]!;
    if (order > 1) throw wkbError(this.row, `byte-order mark ${order} is neither 0 nor 1`);
    const le = order === 1;
    const raw = this.view.getUint32(this.pos + 1, le);
    this.pos += 5;
    const flags = (raw & EWKB_FLAGS) >>> 0;
    const code = raw & ~EWKB_FLAGS;
    const base = code % 1000;
    const dimCode = (code - base) / 1000;
    if (base < 1 || base > 7 || dimCode > 3) throw wkbError(this.row, `unknown geometry type code ${raw}`);
    this.le = le;
    this.type = base;
    this.hasZ = (flags & EWKB_Z) !== 0 || dimCode === 1 || dimCode === 3;
    this.hasM = (flags & EWKB_M) !== 0 || dimCode === 2 || dimCode === 3;
    this.dims = 2 + (this.hasZ ? 1 : 0) + (this.hasM ? 1 : 0);
    this.plain = flags === 0;
    if ((flags & EWKB_SRID) !== 0) {
      if (this.pos + 4 > this.end) throw wkbError(this.row, 'truncated SRID');
      this.pos += 4;
    }
    return base;
  }

  /**
   * Reads a uint32 count in the current byte order and checks that `count` items of at least
   * `minItemBytes` each fit in the rest of the row (guards against garbage counts).
   */
  readCount(minItemBytes: number): number {
    if (this.pos + 4 > this.end) throw wkbError(this.row, 'truncated count');
    const n = this.view.getUint32(this.pos, this.le);
    this.pos += 4;
    if (n * minItemBytes > this.end - this.pos) {
      throw wkbError(this.row, `count ${n} does not fit in the remaining ${this.end - this.pos} bytes`);
    }
    return n;
  }

  /** Checks that `n` coordinates of the current dimension fit; returns their byte length. */
  coordBytes(n: number): number {
    const len = n * this.dims * 8;
    if (this.pos + len > this.end) throw wkbError(this.row, 'truncated coordinates');
    return len;
  }

  /** Skips `n` coordinates of the current dimension. */
  skipCoords(n: number): void {
    const len = this.coordBytes(n);
    this.pos += len;
  }

  /** Skips one whole geometry (header included) starting at `pos`. */
  skipGeometry(): void {
    const type = this.readHeader();
    switch (type) {
      case WKB_POINT:
        this.skipCoords(1);
        return;
      case WKB_LINESTRING:
        this.skipCoords(this.readCount(this.dims * 8));
        return;
      case WKB_POLYGON: {
        const rings = this.readCount(4);
        for (let r = 0; r < rings; r++) this.skipCoords(this.readCount(this.dims * 8));
        return;
      }
      default: {
        const parts = this.readCount(5);
        for (let p = 0; p < parts; p++) this.skipGeometry();
      }
    }
  }
}

/**
 * The fast path for the commonest row: a non-empty 2D little-endian ISO WKB point (21 bytes),
 * read without decoding.
 */
export class PointReader {
  private readonly values: Uint8Array;
  private readonly view: DataView;
  private readonly offsets: Int32Array;
  x = 0;
  y = 0;

  constructor(col: WkbColumn) {
    this.values = col.values;
    this.offsets = col.offsets;
    this.view = new DataView(col.values.buffer, col.values.byteOffset, col.values.byteLength);
  }

  /** True (with `x`, `y` set) when row `i` is such a point. */
  read(i: number): boolean {
    const s = this.offsets[i]!;
    const v = this.values;
    if (this.offsets[i + 1]! - s !== 21 || v[s] !== 1 || v[s + 1] !== 1 || v[s + 2] !== 0) return false;
    if (v[s + 3] !== 0 || v[s + 4] !== 0) return false;
    this.x = this.view.getFloat64(s + 5, true);
    this.y = this.view.getFloat64(s + 13, true);
    return !Number.isNaN(this.x);
  }
}
