/**
 * A reader of Thrift's compact protocol, enough for Parquet page headers: each struct comes
 * back as a map from field id to value (numbers for integers, `Uint8Array` for binary, arrays
 * for lists, nested maps for structs). i64 values beyond 2^53 lose precision; page headers hold
 * none.
 */

/** A decoded Thrift struct: field id to value. */
export type ThriftStruct = Map<number, unknown>;

/** A cursor over `bytes`. */
export interface ThriftCursor {
  readonly bytes: Uint8Array;
  pos: number;
}

const STOP = 0;
const BOOL_TRUE = 1;
const BOOL_FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;

/** Reads one struct at the cursor, leaving it after the struct's stop byte. */
export function readStruct(c: ThriftCursor): ThriftStruct {
  const out: ThriftStruct = new Map();
  let id = 0;
  for (;;) {
    const head = byte(c);
    const type = head & 0x0f;
    if (type === STOP) return out;
    const delta = head >> 4;
    id = delta === 0 ? zigzag(varint(c)) : id + delta;
    out.set(id, type === BOOL_TRUE ? true : type === BOOL_FALSE ? false : readValue(c, type));
  }
}

function readValue(c: ThriftCursor, type: number): unknown {
  switch (type) {
    case BOOL_TRUE:
    case BOOL_FALSE:
      // Inside a list a bool is one byte.
      return byte(c) === BOOL_TRUE;
    case BYTE: {
      const b = byte(c);
      return b > 127 ? b - 256 : b;
    }
    case I16:
    case I32:
    case I64:
      return zigzag(varint(c));
    case DOUBLE: {
      const v = new DataView(c.bytes.buffer, c.bytes.byteOffset + c.pos, 8).getFloat64(0, true);
      c.pos += 8;
      return v;
    }
    case BINARY: {
      const n = varint(c);
      if (c.pos + n > c.bytes.length) throw new RangeError('thrift: binary runs past the end');
      const v = c.bytes.subarray(c.pos, c.pos + n);
      c.pos += n;
      return v;
    }
    case LIST:
    case SET: {
      const head = byte(c);
      const n = head >> 4 === 15 ? varint(c) : head >> 4;
      const t = head & 0x0f;
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(readValue(c, t));
      return out;
    }
    case MAP: {
      const n = varint(c);
      const out = new Map<unknown, unknown>();
      if (n === 0) return out;
      const kinds = byte(c);
      for (let i = 0; i < n; i++) out.set(readValue(c, kinds >> 4), readValue(c, kinds & 0x0f));
      return out;
    }
    case STRUCT:
      return readStruct(c);
    default:
      throw new RangeError(`thrift: unknown type ${type} at byte ${c.pos}`);
  }
}

function byte(c: ThriftCursor): number {
  if (c.pos >= c.bytes.length) throw new RangeError('thrift: unexpected end of data');
  return c.bytes[c.pos++]!;
}

/** An unsigned LEB128 varint, as a double (exact up to 2^53). */
function varint(c: ThriftCursor): number {
  let v = 0;
  let scale = 1;
  for (;;) {
    const b = byte(c);
    v += (b & 0x7f) * scale;
    if (b < 0x80) return v;
    scale *= 128;
    if (scale > 2 ** 63) throw new RangeError('thrift: varint too long');
  }
}

function zigzag(v: number): number {
  // (v >>> 1) ^ -(v & 1), in doubles so that 64-bit values keep their magnitude.
  return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
}
