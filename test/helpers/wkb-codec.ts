/**
 * A test-only WKB encoder and decoder over plain geometry trees, written independently of
 * src/geometry so the kernels are checked against something else.
 */
import type { WkbColumn } from '../../src/geometry/wkb.js';

/** A geometry tree. `type` is the WKB base code 1-7; parts of a collection carry their own header options. */
export interface TGeom {
  type: number;
  z: boolean;
  m: boolean;
  /** Little-endian header and numbers. */
  le: boolean;
  /** EWKB-style flags instead of ISO codes. */
  ewkb: boolean;
  /** EWKB SRID (only with `ewkb`). */
  srid?: number;
  /** Point: one coordinate (NaNs for empty); LineString: its coordinates. */
  coords?: number[][];
  rings?: number[][][];
  parts?: TGeom[];
}

/** Encodes `g` as WKB following its own byte order and header style. */
export function encodeWkb(g: TGeom): Uint8Array {
  const chunks: number[] = [];
  write(g, chunks);
  return Uint8Array.from(chunks);
}

function write(g: TGeom, out: number[]): void {
  const u32 = (v: number): void => {
    const b = new DataView(new ArrayBuffer(4));
    b.setUint32(0, v, g.le);
    out.push(...new Uint8Array(b.buffer));
  };
  const f64 = (v: number): void => {
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, v, g.le);
    out.push(...new Uint8Array(b.buffer));
  };
  out.push(g.le ? 1 : 0);
  if (g.ewkb) {
    let code = g.type;
    if (g.z) code |= 0x80000000;
    if (g.m) code |= 0x40000000;
    if (g.srid !== undefined) code |= 0x20000000;
    u32(code >>> 0);
    if (g.srid !== undefined) u32(g.srid);
  } else {
    u32(g.type + (g.z && g.m ? 3000 : g.z ? 1000 : g.m ? 2000 : 0));
  }
  const coords = (cs: number[][]): void => {
    for (const c of cs) for (const v of c) f64(v);
  };
  if (g.type === 1) coords(g.coords!);
  else if (g.type === 2) {
    u32(g.coords!.length);
    coords(g.coords!);
  } else if (g.type === 3) {
    u32(g.rings!.length);
    for (const r of g.rings!) {
      u32(r.length);
      coords(r);
    }
  } else {
    u32(g.parts!.length);
    for (const p of g.parts!) write(p, out);
  }
}

/** Decodes one WKB geometry into a tree (`ewkb` true when flags were used; SRIDs dropped). */
export function decodeWkb(bytes: Uint8Array): TGeom {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const read = (): TGeom => {
    const le = bytes[pos] === 1;
    const raw = view.getUint32(pos + 1, le);
    pos += 5;
    const ewkb = (raw & 0xe0000000) !== 0;
    const code = raw & 0x0fffffff;
    const type = code % 1000;
    const dim = Math.floor(code / 1000);
    const z = (raw & 0x80000000) !== 0 || dim === 1 || dim === 3;
    const m = (raw & 0x40000000) !== 0 || dim === 2 || dim === 3;
    if (raw & 0x20000000) pos += 4;
    const u32 = (): number => {
      const v = view.getUint32(pos, le);
      pos += 4;
      return v;
    };
    const nd = 2 + (z ? 1 : 0) + (m ? 1 : 0);
    const coords = (n: number): number[][] => {
      const cs: number[][] = [];
      for (let i = 0; i < n; i++) {
        const c: number[] = [];
        for (let d = 0; d < nd; d++) {
          c.push(view.getFloat64(pos, le));
          pos += 8;
        }
        cs.push(c);
      }
      return cs;
    };
    const g: TGeom = { type, z, m, le, ewkb };
    if (type === 1) g.coords = coords(1);
    else if (type === 2) g.coords = coords(u32());
    else if (type === 3) {
      const n = u32();
      g.rings = [];
      for (let r = 0; r < n; r++) g.rings.push(coords(u32()));
    } else {
      const n = u32();
      g.parts = [];
      for (let p = 0; p < n; p++) g.parts.push(read());
    }
    return g;
  };
  const g = read();
  if (pos !== bytes.length) throw new Error(`decodeWkb: ${bytes.length - pos} trailing bytes`);
  return g;
}

/** `g` as the normalizer should write it: little-endian ISO, M removed, Z kept. */
export function expectedNormalized(g: TGeom): TGeom {
  const dropM = (c: number[]): number[] => (g.m ? c.filter((_, i) => i !== (g.z ? 3 : 2)) : c);
  const out: TGeom = { type: g.type, z: g.z, m: false, le: true, ewkb: false };
  if (g.coords) out.coords = g.coords.map(dropM);
  if (g.rings) out.rings = g.rings.map((r) => r.map(dropM));
  if (g.parts) out.parts = g.parts.map(expectedNormalized);
  return out;
}

/** Every coordinate of `g`, depth first. */
export function allCoords(g: TGeom): number[][] {
  if (g.coords) return g.coords;
  if (g.rings) return g.rings.flat();
  return (g.parts ?? []).flatMap(allCoords);
}

/** A {@link WkbColumn} of encoded rows (null = null row), with its validity bitmap starting at bit `bitOffset`. */
export function wkbColumnOf(rows: readonly (Uint8Array | null)[], bitOffset = 0): WkbColumn {
  const offsets = new Int32Array(rows.length + 1);
  const total = rows.reduce((s, r) => s + (r?.length ?? 0), 0);
  const values = new Uint8Array(total);
  const hasNull = rows.some((r) => r === null);
  const validity = hasNull ? new Uint8Array((rows.length + bitOffset + 7) >> 3) : null;
  let pos = 0;
  rows.forEach((r, i) => {
    if (r !== null) {
      values.set(r, pos);
      pos += r.length;
      if (validity) validity[(i + bitOffset) >> 3]! |= 1 << ((i + bitOffset) & 7);
    }
    offsets[i + 1] = pos;
  });
  return { length: rows.length, offsets, values, validity, validityOffset: hasNull ? bitOffset : 0 };
}

/** The bytes of row `i` of `col`, or null. */
export function rowBytes(col: WkbColumn, i: number): Uint8Array | null {
  if (col.validity) {
    const b = col.validityOffset + i;
    if (((col.validity[b >> 3]! >> (b & 7)) & 1) === 0) return null;
  }
  return col.values.subarray(col.offsets[i]!, col.offsets[i + 1]!);
}
