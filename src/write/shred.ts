/**
 * Shredding one Arrow column segment into the definition levels, repetition levels and value
 * positions of one Parquet leaf column (the Dremel encoding), straight from Arrow buffers.
 * Flat columns without nulls take a path that allocates nothing per row.
 */
import { type Data, DataType, Type } from 'apache-arrow';
import { GeopartError } from '../errors.js';
import type { Leaf } from './parquet-schema.js';

/** A leaf's values in their physical representation (little-endian, as PLAIN stores them). */
export type LeafValues =
  | { readonly kind: 'fixed'; readonly array: FixedArray }
  | { readonly kind: 'bool'; readonly bits: Uint8Array; readonly bitOffset: number }
  | { readonly kind: 'bytes'; readonly offsets: Int32Array; readonly data: Uint8Array }
  | { readonly kind: 'none' };

/** Typed arrays whose bytes are the PLAIN encoding of INT32, INT64, FLOAT or DOUBLE values. */
export type FixedArray =
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** One leaf column of one segment of rows, shredded. */
export interface Piece {
  readonly rows: number;
  /** Level entries (rows, plus list elements beyond the first of each list). */
  readonly slots: number;
  /** Definition level of each slot; null when every slot is at the leaf's maxDef. */
  readonly def: Uint8Array | null;
  /** Repetition level of each slot; null when the leaf is not repeated. */
  readonly rep: Uint8Array | null;
  /** Slot index where each row starts, plus `slots` at the end; null when slots are rows. */
  readonly rowStarts: Int32Array | null;
  /** Value index of each slot (read where def == maxDef); null when slot i is value i. */
  readonly idx: Int32Array | null;
  readonly values: LeafValues;
}

/** Shreds the rows of `top` (one top-level column, already sliced to the segment) for `leaf`. */
export function shred(top: Data, leaf: Leaf): Piece {
  const rows = top.length;
  let data = top;
  let n = rows;
  let idx: Int32Array | null = null;
  let def: Uint8Array | null = null;
  let uniform = 0; // the definition level of every slot while `def` is null
  let rep: Uint8Array | null = null;

  for (const step of leaf.steps) {
    if (step.kind === 'child') {
      data = data.children[step.index]!;
    } else if (step.kind === 'optional') {
      const bitmap = data.nullBitmap as Uint8Array | null | undefined;
      const allNull = data.typeId === Type.Null;
      if (!allNull && (data.nullCount === 0 || !bitmap || bitmap.length === 0)) {
        if (def === null) uniform++;
        else for (let i = 0; i < n; i++) if (idx === null || idx[i]! >= 0) def[i]!++;
        continue;
      }
      if (def === null) def = new Uint8Array(n).fill(uniform);
      if (idx === null) idx = identity(n);
      const off = data.offset;
      for (let i = 0; i < n; i++) {
        const j = idx[i]!;
        if (j < 0) continue;
        const b = off + j;
        if (!allNull && ((bitmap![b >> 3]! >> (b & 7)) & 1) === 1) def[i]!++;
        else idx[i] = -1;
      }
    } else {
      const expanded = expandList(data, n, idx, def ?? new Uint8Array(n).fill(uniform), rep, step.repLevel);
      ({ n, idx, def, rep } = expanded);
      data = data.children[0]!;
    }
  }
  if (def?.every((d) => d === leaf.maxDef)) def = null;

  const { values, remap } = leafValues(data, leaf);
  if (remap !== null) {
    if (idx === null) idx = remap.subarray(0, n);
    else for (let i = 0; i < n; i++) if (idx[i]! >= 0) idx[i] = remap[idx[i]!]!;
  }
  let rowStarts: Int32Array | null = null;
  if (rep !== null) {
    rowStarts = new Int32Array(rows + 1);
    for (let i = 0, r = 0; i < n; i++) if (rep[i] === 0) rowStarts[r++] = i;
    rowStarts[rows] = n;
  }
  return { rows, slots: n, def, rep, rowStarts, idx, values };
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

interface Levels {
  n: number;
  idx: Int32Array;
  def: Uint8Array;
  rep: Uint8Array;
}

/** Replaces every present slot by one slot per list element (an empty list keeps one null slot). */
function expandList(
  data: Data,
  n: number,
  idx: Int32Array | null,
  def: Uint8Array,
  rep: Uint8Array | null,
  repLevel: number,
): Levels {
  const fixed = DataType.isFixedSizeList(data.type) ? data.type.listSize : 0;
  const raw = data.valueOffsets as Int32Array | BigInt64Array | undefined;
  const start = (j: number): number => (fixed > 0 ? j * fixed : Number(raw![j]!));
  let total = 0;
  for (let i = 0; i < n; i++) {
    const j = idx === null ? i : idx[i]!;
    total += j < 0 ? 1 : Math.max(1, start(j + 1) - start(j));
  }
  const out: Levels = {
    n: total,
    idx: new Int32Array(total),
    def: new Uint8Array(total),
    rep: new Uint8Array(total),
  };
  let k = 0;
  for (let i = 0; i < n; i++) {
    const j = idx === null ? i : idx[i]!;
    const r = rep === null ? 0 : rep[i]!;
    const s = j < 0 ? 0 : start(j);
    const e = j < 0 ? 0 : start(j + 1);
    if (e <= s) {
      out.idx[k] = -1;
      out.def[k] = def[i]!;
      out.rep[k++] = r;
      continue;
    }
    for (let c = s; c < e; c++) {
      out.idx[k] = c;
      out.def[k] = def[i]! + 1;
      out.rep[k++] = c === s ? r : repLevel;
    }
  }
  return out;
}

/**
 * The physical values of a leaf's Arrow data, converted where Parquet stores them differently,
 * and for dictionary data the map from slot value index to dictionary index.
 */
function leafValues(data: Data, leaf: Leaf): { values: LeafValues; remap: Int32Array | null } {
  if (DataType.isDictionary(data.type)) {
    const chunks = (data.dictionary?.data ?? []) as Data[];
    if (chunks.length !== 1) {
      throw new GeopartError('INTERNAL', `column '${leaf.path[0]}': dictionary in ${chunks.length} chunks`);
    }
    const keys = data.values as ArrayLike<number | bigint>;
    const remap = new Int32Array(data.length);
    for (let i = 0; i < remap.length; i++) remap[i] = Number(keys[i]!);
    return { values: leafValues(chunks[0]!, leaf).values, remap };
  }
  return { values: physicalValues(data, leaf), remap: null };
}

function physicalValues(data: Data, leaf: Leaf): LeafValues {
  if (leaf.convert === 'null') return { kind: 'none' };
  if (leaf.physical === 'BOOLEAN')
    return { kind: 'bool', bits: data.values as Uint8Array, bitOffset: data.offset };
  if (leaf.physical === 'BYTE_ARRAY') {
    const raw = data.valueOffsets as Int32Array | BigInt64Array;
    let offsets: Int32Array;
    if (raw instanceof BigInt64Array) {
      if (Number(raw[data.length] ?? 0n) > 0x7fffffff) {
        throw new GeopartError('INTERNAL', `column '${leaf.path[0]}' holds more than 2 GiB in one batch`);
      }
      offsets = Int32Array.from(raw.subarray(0, data.length + 1), Number);
    } else {
      offsets = raw;
    }
    return { kind: 'bytes', offsets, data: (data.values as Uint8Array | undefined) ?? new Uint8Array(0) };
  }
  const src = data.values as FixedArray | Int8Array | Int16Array | Uint8Array | Uint16Array;
  switch (leaf.convert) {
    case 'widen':
      return { kind: 'fixed', array: Int32Array.from(src as Int8Array) };
    case 'time32s':
      return { kind: 'fixed', array: (src as Int32Array).map((v) => v * 1000) };
    case 'timestampS':
      return { kind: 'fixed', array: (src as BigInt64Array).map((v) => v * 1000n) };
    case 'date64': {
      const ms = src as BigInt64Array;
      const days = new Int32Array(ms.length);
      for (let i = 0; i < ms.length; i++) days[i] = Math.floor(Number(ms[i]!) / 86_400_000);
      return { kind: 'fixed', array: days };
    }
    default:
      return { kind: 'fixed', array: src as FixedArray };
  }
}
