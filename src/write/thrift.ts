/**
 * The Thrift compact protocol, write side only: enough to encode Parquet page headers and the
 * file footer. Structs are written field by field through one {@link CompactWriter}; field ids
 * must rise within a struct (the protocol stores deltas).
 */
import { ByteBuffer } from './byte-buffer.js';

/** Compact-protocol type ids. */
const T_TRUE = 1;
const T_FALSE = 2;
const T_BYTE = 3;
const T_I16 = 4;
const T_I32 = 5;
const T_I64 = 6;
const T_DOUBLE = 7;
const T_BINARY = 8;
const T_LIST = 9;
const T_STRUCT = 12;

/** List element types a caller may name. */
export const LIST_BOOL = T_TRUE;
export const LIST_I32 = T_I32;
export const LIST_I64 = T_I64;
export const LIST_BINARY = T_BINARY;
export const LIST_STRUCT = T_STRUCT;

const utf8 = new TextEncoder();

/** Writes one top-level struct (call {@link end} to close it) into a {@link ByteBuffer}. */
export class CompactWriter {
  readonly out: ByteBuffer;
  private last = 0;
  private readonly stack: number[] = [];

  constructor(out: ByteBuffer = new ByteBuffer()) {
    this.out = out;
  }

  private field(id: number, type: number): void {
    const delta = id - this.last;
    if (delta > 0 && delta <= 15) this.out.u8((delta << 4) | type);
    else {
      this.out.u8(type);
      this.zigzag(id);
    }
    this.last = id;
  }

  private zigzag(v: number): void {
    // Non-negative values (every size and offset) stay exact up to 2^52.
    this.out.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  i16(id: number, v: number): void {
    this.field(id, T_I16);
    this.zigzag(v);
  }

  i32(id: number, v: number): void {
    this.field(id, T_I32);
    this.zigzag(v);
  }

  /** An i64 field from a JS number (sizes, offsets, counts: exact below 2^52). */
  i64(id: number, v: number): void {
    this.field(id, T_I64);
    this.zigzag(v);
  }

  /** A double field: 8 bytes, little-endian. */
  double(id: number, v: number): void {
    this.field(id, T_DOUBLE);
    this.out.ensure(8);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, v, true);
    this.out.append(bytes);
  }

  byte(id: number, v: number): void {
    this.field(id, T_BYTE);
    this.out.u8(v & 0xff);
  }

  bool(id: number, v: boolean): void {
    this.field(id, v ? T_TRUE : T_FALSE);
  }

  binary(id: number, bytes: Uint8Array): void {
    this.field(id, T_BINARY);
    this.out.varint(bytes.length);
    this.out.append(bytes);
  }

  string(id: number, s: string): void {
    this.binary(id, utf8.encode(s));
  }

  /** Opens a nested struct field; close it with {@link end}. */
  struct(id: number): void {
    this.field(id, T_STRUCT);
    this.stack.push(this.last);
    this.last = 0;
  }

  /** Opens a list field of `size` elements of `elemType`. */
  list(id: number, elemType: number, size: number): void {
    this.field(id, T_LIST);
    if (size < 15) this.out.u8((size << 4) | elemType);
    else {
      this.out.u8(0xf0 | elemType);
      this.out.varint(size);
    }
  }

  /** Opens a struct element of a list; close it with {@link end}. */
  element(): void {
    this.stack.push(this.last);
    this.last = 0;
  }

  elementI32(v: number): void {
    this.zigzag(v);
  }

  /** An i64 list element from a JS number (exact below 2^52). */
  elementI64(v: number): void {
    this.zigzag(v);
  }

  /** A bool list element: one byte, 1 true, 2 false. */
  elementBool(v: boolean): void {
    this.out.u8(v ? T_TRUE : T_FALSE);
  }

  elementBinary(bytes: Uint8Array): void {
    this.out.varint(bytes.length);
    this.out.append(bytes);
  }

  elementString(s: string): void {
    const bytes = utf8.encode(s);
    this.out.varint(bytes.length);
    this.out.append(bytes);
  }

  /** Closes the innermost struct (or the top-level one). */
  end(): void {
    this.out.u8(0);
    this.last = this.stack.pop() ?? 0;
  }
}
