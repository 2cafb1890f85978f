/**
 * Typed arrays and a JSON header in one byte string, for files one machine writes and another
 * reads (a run spread over machines hands its plan on this way): the magic `GPK1`, the header's
 * length (uint32, little-endian), the header, then each array at an offset that is a multiple
 * of 8, so that it is read back as a view, without a copy. Byte order is the machine's, which is
 * little-endian on every platform geopart runs on.
 */

import { GeopartError } from '../errors.js';

const MAGIC = 'GPK1';

/** The array types a pack holds. */
export type PackedArray = Int32Array | Float64Array | Uint8Array;

const TYPES = { Int32Array, Float64Array, Uint8Array } as const;
type TypeName = keyof typeof TYPES;

interface Entry {
  readonly name: string;
  readonly type: TypeName;
  readonly offset: number;
  readonly length: number;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** Packs `meta` (any JSON value) and the named arrays. */
export function pack(meta: unknown, arrays: Readonly<Record<string, PackedArray>>): Uint8Array {
  const entries: Entry[] = [];
  let at = 0;
  for (const [name, a] of Object.entries(arrays)) {
    entries.push({ name, type: a.constructor.name as TypeName, offset: at, length: a.length });
    at = align8(at + a.byteLength);
  }
  const header = new TextEncoder().encode(JSON.stringify({ meta, arrays: entries }));
  const base = align8(8 + header.length);
  const out = new Uint8Array(base + at);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  for (const e of entries) {
    const a = arrays[e.name]!;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), base + e.offset);
  }
  return out;
}

/** The header and arrays of a {@link pack}; the arrays are views of `bytes` (copied if misaligned). */
export function unpack<M = unknown>(
  bytes: Uint8Array,
  what = 'packed file',
): {
  meta: M;
  arrays: Record<string, PackedArray>;
} {
  const corrupt = (why: string) =>
    new GeopartError('CORRUPT_INPUT', `${what}: ${why}; it was cut short or written by something else`, {
      file: what,
    });
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC)
    throw corrupt(`not a geopart pack (no ${MAGIC} header)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(4, true);
  if (8 + length > bytes.length) throw corrupt('its header runs past the end');
  const { meta, arrays } = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as {
    meta: M;
    arrays: Entry[];
  };
  const base = align8(8 + length);
  const own = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const out: Record<string, PackedArray> = {};
  for (const e of arrays) {
    const Type = TYPES[e.type];
    const start = own.byteOffset + base + e.offset;
    if (start + e.length * Type.BYTES_PER_ELEMENT > own.byteOffset + own.byteLength)
      throw corrupt(`array ${e.name} runs past the end`);
    out[e.name] = new Type(own.buffer as ArrayBuffer, start, e.length);
  }
  return { meta, arrays: out };
}
