/**
 * Rows that cross the antimeridian, split at ±180° into one row per side, as
 * `ogr2ogr -wrapdateline` cuts them, so that no row's box spans the globe because of a crossing
 * (docs/FORMAT.md, "Data files": boxes are plain min/max, never wrapped).
 *
 * A row crosses when one of its rings or lines jumps more than 180° in longitude between two
 * vertices (it is unwrapped: its vertices are moved by 360° so that the jumps go, and then cut),
 * when it has coordinates beyond ±180° (cut at ±180° and moved back by 360°; longitudes up to
 * 540° away, as 0..360 data and reprojection give them, not further), or when it is
 * already cut there, or its parts straddle it: parts on both sides that are closer together
 * across the antimeridian than the other way round, within 180° (Fiji and Russia as Natural
 * Earth and `-wrapdateline` leave them at ±180°, New Zealand with its Chatham Islands). Its parts
 * then go to their side of the widest gap between them: one row for the parts at positive
 * longitudes, then one for those at negative longitudes.
 *
 * A row that still has a part wider than 180° after this (a polygon around a pole, such as
 * Antarctica) is left as it is: it covers every longitude, and no cut at the antimeridian can
 * narrow its box. So are rings around a pole that jump, since unwrapping cannot close them, and
 * a ring's step from one of ±180° to the other is taken to run along the pole, not across.
 * The parts of a collection that is split come grouped by dimension (points, lines, polygons).
 */
import type { FlatPolygon } from './flat.js';
import { cleanPolygon } from './ring.js';
import { splitCleanPolygon } from './split.js';
import { baseTypeAt, isRowPresent, WKB_GEOMETRYCOLLECTION, WKB_POLYGON, type WkbColumn } from './wkb.js';
import { WkbBuilder } from './wkb-builder.js';
import { WkbFlatDecoder } from './wkb-flat.js';
import { ZField } from './z-field.js';

/**
 * How far past ±180° a longitude may lie and still count as on the line, degrees (Natural
 * Earth's Russia ends at 180.00000000000006). The same as out-of-bounds.ts's tolerance.
 */
const TOLERANCE = 1e-9;

/** The column with crossing rows split, and for each of its rows the input row it came from. */
export interface AntimeridianResult {
  readonly wkb: WkbColumn;
  /** `parentRow[j]` is the input row of output row `j` (non-decreasing). */
  readonly parentRow: Int32Array;
  /** Input rows that crossed the antimeridian and were cut, moved or split. */
  readonly crossingRows: number;
}

/** One part of a row after the cut: a polygon, a line or a point, in its own frame. */
interface Piece {
  /** 3 polygon, 2 line, 1 point. */
  readonly kind: 1 | 2 | 3;
  /** x,y pairs, before the shift `dx`. */
  readonly coords: Float64Array;
  /** Polygons: `rings + 1` point offsets into `coords`. */
  readonly ringOffsets: Int32Array | null;
  /** Added to every x when written: 0 or ±360. */
  readonly dx: number;
  /** Z by position in this frame (polygons), or null. */
  readonly zField: ZField | null;
  /** Z per point (lines and points), or null. */
  readonly zs: Float64Array | null;
}

function xRange(coords: Float64Array, from: number, to: number): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = from; i < to; i++) {
    const x = coords[i * 2]!;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return [min, max];
}

/**
 * True when a step of `coords[from .. to)` jumps more than 180° in longitude. In a ring, a step
 * from one of ±180 to the other runs along a pole (Antarctica's ring closes so), not across.
 */
function hasJump(coords: Float64Array, from: number, to: number, ring: boolean): boolean {
  for (let i = from + 1; i < to; i++) {
    const a = coords[i * 2 - 2]!;
    const b = coords[i * 2]!;
    if (Math.abs(b - a) <= 180) continue;
    if (ring && Math.abs(a) >= 180 - TOLERANCE && Math.abs(b) >= 180 - TOLERANCE) continue;
    return true;
  }
  return false;
}

/** Points `from .. to` of `coords` with each x moved by a multiple of 360 so that no step exceeds 180. */
function unwrap(coords: Float64Array, from: number, to: number, out: Float64Array, at: number): void {
  let shift = 0;
  for (let i = from; i < to; i++) {
    const x = coords[i * 2]!;
    if (i > from) {
      const d = x + shift - out[(at + i - from - 1) * 2]!;
      if (d > 180) shift -= 360 * Math.round(d / 360);
      else if (d < -180) shift += 360 * Math.round(-d / 360);
    }
    out[(at + i - from) * 2] = x + shift;
    out[(at + i - from) * 2 + 1] = coords[i * 2 + 1]!;
  }
}

/**
 * Polygon `p` unwrapped (every ring continuous in longitude, holes moved next to the exterior),
 * or null when a ring does not close once unwrapped: it goes around a pole.
 */
function unwrapPolygon(p: FlatPolygon, z: ZField | null): { polygon: FlatPolygon; z: ZField | null } | null {
  const ro = p.ringOffsets;
  const first = ro[0]!;
  const n = ro[ro.length - 1]! - first;
  const out = new Float64Array(n * 2);
  const offsets = new Int32Array(ro.length);
  let ex0 = 0;
  let ex1 = 0;
  for (let r = 0; r + 1 < ro.length; r++) {
    const s = ro[r]!;
    const e = ro[r + 1]!;
    const at = s - first;
    offsets[r + 1] = e - first;
    unwrap(p.coords, s, e, out, at);
    const last = (at + e - s - 1) * 2;
    if (Math.abs(out[last]! - out[at * 2]!) > 180) return null;
    if (r === 0) [ex0, ex1] = xRange(out, at, at + e - s);
    else {
      // A hole goes to the copy of itself (by 360) nearest the exterior's middle.
      const k = Math.round(((ex0 + ex1) / 2 - out[at * 2]!) / 360);
      if (k !== 0) for (let i = at; i < at + e - s; i++) out[i * 2] = out[i * 2]! + 360 * k;
    }
  }
  let zOut: ZField | null = null;
  if (z !== null) {
    zOut = new ZField();
    for (let i = 0; i < n; i++) {
      zOut.set(
        out[i * 2]!,
        out[i * 2 + 1]!,
        z.at(p.coords[(first + i) * 2]!, p.coords[(first + i) * 2 + 1]!),
      );
    }
  }
  return { polygon: { coords: out, ringOffsets: offsets }, z: zOut };
}

/** The shift that brings longitude `x` into [-180, 180] (within the tolerance). */
function shiftOf(x: number): number {
  if (x > 180 + TOLERANCE) return -360 * Math.ceil((x - 180 - TOLERANCE) / 360);
  if (x < -180 - TOLERANCE) return 360 * Math.ceil((-180 - TOLERANCE - x) / 360);
  return 0;
}

/**
 * The pieces of polygon `p` (its vertices' Z in `z`): unwrapped if it jumps, then cut at every
 * ±180 + 360k line it passes and each piece moved back into [-180, 180]. `changed` says whether
 * anything was cut or moved.
 */
function polygonPieces(p: FlatPolygon, z: ZField | null, out: Piece[]): boolean {
  const ro = p.ringOffsets;
  let q = p;
  let qz = z;
  let changed = false;
  if (hasJump(p.coords, ro[0]!, ro[ro.length - 1]!, true)) {
    const u = unwrapPolygon(p, z);
    if (u !== null) {
      q = u.polygon;
      qz = u.z;
      changed = true;
    }
  }
  const [x0, x1] = xRange(q.coords, q.ringOffsets[0]!, q.ringOffsets[1]!);
  if (x0 >= -180 - TOLERANCE && x1 <= 180 + TOLERANCE) {
    out.push({ kind: 3, coords: q.coords, ringOffsets: q.ringOffsets, dx: 0, zField: qz, zs: null });
    return changed;
  }
  const clean = cleanPolygon(q);
  if (clean === null) return changed;
  // Cut at each line x = 180 + 360k inside the polygon's range, west to east.
  let rest: FlatPolygon[] = [clean];
  for (let line = 180 + 360 * Math.floor((x0 - 180) / 360); line < x1; line += 360) {
    if (line <= x0) continue;
    const next: FlatPolygon[] = [];
    for (const r of rest) {
      const s = splitCleanPolygon(r, 0, line, qz ?? undefined);
      for (const l of s.left) pushPolygon(l, qz, out);
      next.push(...s.right);
    }
    rest = next;
  }
  for (const r of rest) pushPolygon(r, qz, out);
  return true;
}

function pushPolygon(p: FlatPolygon, z: ZField | null, out: Piece[]): void {
  const [a, b] = xRange(p.coords, p.ringOffsets[0]!, p.ringOffsets[1]!);
  out.push({
    kind: 3,
    coords: p.coords,
    ringOffsets: p.ringOffsets,
    dx: shiftOf((a + b) / 2),
    zField: z,
    zs: null,
  });
}

/**
 * The pieces of line `coords[from .. to)` (Z per point in `z`): unwrapped, then cut where it
 * passes a ±180 + 360k line, each run moved back into [-180, 180].
 */
function linePieces(coords: Float64Array, from: number, to: number, z: ZField | null, out: Piece[]): boolean {
  const n = to - from;
  const jumps = hasJump(coords, from, to, false);
  const u = new Float64Array(n * 2);
  unwrap(coords, from, to, u, 0);
  const zs = z === null ? null : new Float64Array(n);
  if (zs) for (let i = 0; i < n; i++) zs[i] = z!.at(coords[(from + i) * 2]!, coords[(from + i) * 2 + 1]!);
  const [x0, x1] = xRange(u, 0, n);
  if (!jumps && shiftOf(x0) === 0 && shiftOf(x1) === 0) {
    out.push({ kind: 2, coords: u, ringOffsets: null, dx: 0, zField: null, zs });
    return false;
  }
  let run: number[] = [];
  let runZ: number[] = [];
  let runBand = shiftOf(u[0]!);
  const flush = (): void => {
    if (run.length >= 4) {
      out.push({
        kind: 2,
        coords: Float64Array.from(run),
        ringOffsets: null,
        dx: runBand,
        zField: null,
        zs: zs ? Float64Array.from(runZ) : null,
      });
    }
    run = [];
    runZ = [];
  };
  for (let i = 0; i < n; i++) {
    const x = u[i * 2]!;
    const y = u[i * 2 + 1]!;
    const zi = zs ? zs[i]! : 0;
    const b = shiftOf(x);
    if (i > 0 && b !== runBand) {
      // The edge of the run's band it leaves by: east at 180 - dx, west at -180 - dx.
      const xa = u[i * 2 - 2]!;
      const lineX = x > xa ? 180 - runBand : -180 - runBand;
      const t = (lineX - xa) / (x - xa);
      const cy = u[i * 2 - 1]! + t * (y - u[i * 2 - 1]!);
      const cz = zs ? zs[i - 1]! + t * (zi - zs[i - 1]!) : 0;
      if (run.length < 2 || run[run.length - 2] !== lineX || run[run.length - 1] !== cy) {
        run.push(lineX, cy);
        runZ.push(cz);
      }
      flush();
      runBand = b;
      run.push(lineX, cy);
      runZ.push(cz);
    }
    if (run.length < 2 || run[run.length - 2] !== x || run[run.length - 1] !== y) {
      run.push(x, y);
      runZ.push(zi);
    }
  }
  flush();
  return true;
}

/** The x range of piece `p` once moved. */
function pieceRange(p: Piece): [number, number] {
  const to = p.ringOffsets ? p.ringOffsets[1]! : p.coords.length / 2;
  const [a, b] = xRange(p.coords, p.ringOffsets ? p.ringOffsets[0]! : 0, to);
  return [a + p.dx, b + p.dx];
}

/**
 * The row's pieces by side (positive longitudes, then negative), or null when the row does
 * not cross (see the module comment). The decoder holds the row.
 */
function crossingSides(dec: WkbFlatDecoder, z: ZField | null): Piece[][] | null {
  const pieces: Piece[] = [];
  let changed = false;
  const pts = dec.points.coords;
  for (let i = 0; i < pts.length; i += 2) {
    const dx = shiftOf(pts[i]!);
    changed ||= dx !== 0;
    const zs = z === null ? null : Float64Array.of(z.at(pts[i]!, pts[i + 1]!));
    pieces.push({ kind: 1, coords: pts.slice(i, i + 2), ringOffsets: null, dx, zField: null, zs });
  }
  const lines = dec.lines;
  for (let k = 0; k + 1 < lines.partOffsets.length; k++) {
    changed =
      linePieces(lines.coords, lines.partOffsets[k]!, lines.partOffsets[k + 1]!, z, pieces) || changed;
  }
  const mp = dec.polygons;
  const coords = mp.coords.slice();
  for (let k = 0; k + 1 < mp.polygonOffsets.length; k++) {
    const ringOffsets = mp.ringOffsets.slice(mp.polygonOffsets[k]!, mp.polygonOffsets[k + 1]! + 1);
    changed = polygonPieces({ coords, ringOffsets }, z, pieces) || changed;
  }
  if (pieces.length === 0) return null;
  const ranges = pieces.map(pieceRange);
  if (ranges.some(([a, b]) => b - a > 180)) return null;
  // The widest gap in longitude between the pieces, and the gap across the antimeridian.
  const order = ranges.map((_, k) => k).sort((p, q) => ranges[p]![0] - ranges[q]![0]);
  let reach = ranges[order[0]!]![1];
  let gap = 0;
  let cut = Number.NaN;
  for (const k of order) {
    const [a, b] = ranges[k]!;
    if (a - reach > gap) {
      gap = a - reach;
      cut = a;
    }
    if (b > reach) reach = b;
  }
  const across = 180 - reach + (ranges[order[0]!]![0] + 180);
  // It crosses when it is closer together across the antimeridian than the other way round
  // (within 180°), or when a part of it was cut or moved there.
  if (!(gap > across && (changed || 360 - gap <= 180))) {
    return changed ? [pieces] : null;
  }
  const sides: Piece[][] = [[], []];
  for (let k = 0; k < pieces.length; k++) sides[ranges[k]![0] >= cut ? 0 : 1]!.push(pieces[k]!);
  return sides;
}

function writeCoords(b: WkbBuilder, p: Piece, from: number, to: number, hasZ: boolean): void {
  b.reserve((to - from) * (hasZ ? 24 : 16));
  for (let i = from; i < to; i++) {
    const x = p.coords[i * 2]!;
    const y = p.coords[i * 2 + 1]!;
    b.f64(x + p.dx);
    b.f64(y);
    if (hasZ) {
      b.f64(p.zs ? p.zs[i]! : p.zField ? p.zField.at(x, y) : Number.NaN);
    }
  }
}

function writePiece(b: WkbBuilder, p: Piece, hasZ: boolean): void {
  b.header(p.kind, hasZ);
  if (p.kind === 1) {
    writeCoords(b, p, 0, 1, hasZ);
  } else if (p.kind === 2) {
    b.u32(p.coords.length / 2);
    writeCoords(b, p, 0, p.coords.length / 2, hasZ);
  } else {
    const ro = p.ringOffsets!;
    b.u32(ro.length - 1);
    for (let r = 0; r + 1 < ro.length; r++) {
      b.u32(ro[r + 1]! - ro[r]!);
      writeCoords(b, p, ro[r]!, ro[r + 1]!, hasZ);
    }
  }
}

/**
 * Writes one side's pieces as one row, keeping the input's type family: a collection stays a
 * collection, a multi-geometry stays multi, and a single geometry stays single when one piece
 * is left (else it becomes the multi-geometry of its pieces).
 */
function writeSide(b: WkbBuilder, pieces: readonly Piece[], type: number, hasZ: boolean): void {
  if (type === WKB_GEOMETRYCOLLECTION || pieces.some((p) => p.kind !== pieces[0]!.kind)) {
    b.header(WKB_GEOMETRYCOLLECTION, hasZ);
    b.u32(pieces.length);
    for (const p of pieces) writePiece(b, p, hasZ);
  } else if (type <= WKB_POLYGON && pieces.length === 1) {
    writePiece(b, pieces[0]!, hasZ);
  } else {
    b.header(pieces[0]!.kind + 3, hasZ);
    b.u32(pieces.length);
    for (const p of pieces) writePiece(b, p, hasZ);
  }
  b.endRow();
}

/**
 * Splits the rows of `col` that cross the antimeridian (see the module comment) into one row
 * per side. `bounds` are the rows' boxes (`wkbBounds`): only rows wider than 180° or reaching
 * past ±180° are looked at. Pieces of a row with Z keep it (cut points get it interpolated);
 * M is dropped from the rows that are cut. Returns the input column itself when no row crosses.
 */
export function splitAntimeridian(col: WkbColumn, bounds: Float64Array): AntimeridianResult {
  const n = col.length;
  let dec: WkbFlatDecoder | null = null;
  // The sides of each crossing row, and whether it has Z (read once, for the cut and the write).
  const split = new Map<number, { sides: Piece[][]; hasZ: boolean }>();
  let outRows = n;
  for (let i = 0; i < n; i++) {
    const x0 = bounds[4 * i]!;
    const x1 = bounds[4 * i + 2]!;
    // Null, empty (NaN) and non-finite rows are left to the out-of-bounds check, and so are
    // rows more than one turn past ±180 (no reprojection or 0..360 longitude gives those).
    if (!(x0 >= -540 - TOLERANCE && x1 <= 540 + TOLERANCE)) continue;
    if (!(x1 - x0 > 180 || x0 < -180 - TOLERANCE || x1 > 180 + TOLERANCE)) continue;
    const s = col.offsets[i]!;
    const e = col.offsets[i + 1]!;
    dec ??= new WkbFlatDecoder(col.values);
    dec.decode(s, e, i);
    const z = ZField.fromWkb(col.values, s, e, i);
    const sides = crossingSides(dec, z);
    if (sides === null) continue;
    split.set(i, { sides, hasZ: z !== null });
    outRows += sides.length - 1;
  }
  const parentRow = new Int32Array(outRows);
  if (split.size === 0) {
    for (let i = 0; i < n; i++) parentRow[i] = i;
    return { wkb: col, parentRow, crossingRows: 0 };
  }
  const b = new WkbBuilder(outRows, col.values.length);
  const v = col.values;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const crossing = split.get(i);
    if (crossing) {
      const type = baseTypeAt(v, col.offsets[i]!);
      for (const side of crossing.sides) {
        writeSide(b, side, type, crossing.hasZ);
        parentRow[j++] = i;
      }
      continue;
    }
    if (isRowPresent(col, i)) {
      b.copy(v, col.offsets[i]!, col.offsets[i + 1]!);
      b.endRow();
    } else {
      b.appendNull();
    }
    parentRow[j++] = i;
  }
  return { wkb: b.finish(), parentRow, crossingRows: split.size };
}
