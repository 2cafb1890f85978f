/**
 * A growable little-endian byte buffer: the scratch space pages, levels and the footer are
 * encoded into before they are compressed or written.
 */

/** Appends bytes and little-endian numbers to one growing `Uint8Array`. */
export class ByteBuffer {
  bytes: Uint8Array;
  view: DataView;
  /** Bytes written so far. */
  length = 0;

  constructor(capacity = 1024) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(need, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  /** Forgets the content, keeping the allocation. */
  reset(): void {
    this.length = 0;
  }

  /** The bytes written so far (a view, valid until the next write or reset). */
  view8(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  u8(v: number): void {
    this.ensure(1);
    this.bytes[this.length++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }

  append(src: Uint8Array): void {
    this.ensure(src.length);
    this.bytes.set(src, this.length);
    this.length += src.length;
  }

  /** Unsigned LEB128 varint of a non-negative integer below 2^53. */
  varint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) {
      this.bytes[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.length++] = v;
  }
}
