/**
 * The shuffle between the plan and the write (docs/ARCHITECTURE.md, "One ingest"): each group
 * of spilled batches is read once, and its rows are written grouped by destination (a write
 * unit: a run of whole chunks of one output file), as a sort-based MapReduce shuffle does. A
 * writer then reads only its own rows, so the bytes read grow with the data, not with data x
 * files.
 *
 * Each destination's rows are written in their final order (the order the plan gives them in
 * their file), so a writer whose unit lies in one shuffle file uses the piece as it is, and one
 * whose unit spans several files merges them in one sequential pass.
 *
 * A shuffle file is one Arrow IPC stream without its end marker: the schema message once,
 * then one record batch message per destination, in destination order. Its index (returned,
 * not stored) gives each destination's byte range, so a piece is read with one positioned
 * read and decoded as the schema plus that one message. A schema with dictionary columns
 * (whose dictionaries travel as separate messages) is written as one self-contained stream per
 * destination instead.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { type RecordBatch, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { IPC_EOS as EOS, hasDictionary, schemaMessage } from '../arrow/batch-parts.js';
import { takeRowsMulti } from '../io/take-multi.js';

/** Where each destination's rows are in one shuffle file. */
export interface ShuffleIndex {
  readonly path: string;
  /** The rows the file holds: row indices `[rowStart, rowEnd)` of the whole input. */
  readonly rowStart: number;
  readonly rowEnd: number;
  /** Bytes of the schema message at the start of the file; 0 when every piece is self-contained. */
  readonly prefixBytes: number;
  /** Destinations present, ascending, and the byte range and row count of each. */
  readonly dest: Int32Array;
  readonly offset: Float64Array;
  readonly bytes: Float64Array;
  readonly rows: Int32Array;
}

/** One destination's rows in one shuffle file. */
export interface Piece {
  readonly path: string;
  /** The rows of its file (see {@link ShuffleIndex}): the piece's rows are among them. */
  readonly rowStart: number;
  readonly rowEnd: number;
  readonly prefixBytes: number;
  readonly offset: number;
  readonly bytes: number;
}

/** The rows of one shuffle file, in final order, grouped by destination. */
export interface ShuffleLayout {
  /** The file's rows, `[rowStart, rowEnd)` of the whole input: those of its batches. */
  readonly rowStart: number;
  /**
   * Each output row, as its index among the batches' rows (counting across the batches):
   * destination by destination, each destination's rows in their final order.
   */
  readonly order: Int32Array;
  /** The destinations, ascending, and how many consecutive entries of `order` each has. */
  readonly dest: Int32Array;
  readonly count: Int32Array;
}

/**
 * Writes the rows of `batches` (one schema) to `path` in the order and grouping of `layout`.
 * Returns the index of the file.
 */
export function writeShuffle(
  path: string,
  batches: readonly RecordBatch[],
  layout: ShuffleLayout,
): ShuffleIndex {
  const { order, dest, count } = layout;
  const n = order.length;
  const total = batches.reduce((s, b) => s + b.numRows, 0);
  if (total !== n) throw new RangeError(`writeShuffle: ${n} rows placed of ${total}`);
  if (count.reduce((a, c) => a + c, 0) !== n)
    throw new RangeError('writeShuffle: destination counts do not sum to the rows');
  const batchOfRow = new Int32Array(n);
  const rowBase = new Int32Array(batches.length);
  for (let b = 0, at = 0; b < batches.length; at += batches[b]!.numRows, b++) {
    rowBase[b] = at;
    batchOfRow.fill(b, at, at + batches[b]!.numRows);
  }
  const batchOf = new Int32Array(n);
  const rowOf = new Int32Array(n);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = order[i]!;
    if (!(r >= 0 && r < n) || seen[r] === 1)
      throw new RangeError(`writeShuffle: row ${r} placed twice or out of range`);
    seen[r] = 1;
    const b = batchOfRow[r]!;
    batchOf[i] = b;
    rowOf[i] = r - rowBase[b]!;
  }
  const present = dest.length;
  const start = new Int32Array(present + 1);
  for (let s = 0; s < present; s++) start[s + 1] = start[s]! + count[s]!;
  const rowEnd = layout.rowStart + n;

  const schema = batches[0]?.schema;
  const selfContained = schema === undefined || hasDictionary(schema);
  const prefix = selfContained ? new Uint8Array(0) : schemaMessage(schema);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, prefix);
    let pos = prefix.length;
    const offset = new Float64Array(present);
    const bytes = new Float64Array(present);
    const rows = new Int32Array(present);
    for (let s = 0; s < present; s++) {
      const lo = start[s]!;
      const hi = start[s + 1]!;
      const piece = takeRowsMulti(batches, batchOf.subarray(lo, hi), rowOf.subarray(lo, hi));
      const stream = tableToIPC(new Table([piece]), 'stream');
      const body = selfContained ? stream : stream.subarray(prefix.length, stream.length - EOS.length);
      writeSync(fd, body);
      offset[s] = pos;
      bytes[s] = body.length;
      rows[s] = hi - lo;
      pos += body.length;
    }
    return {
      path,
      rowStart: layout.rowStart,
      rowEnd,
      prefixBytes: prefix.length,
      dest: Int32Array.from(dest),
      offset,
      bytes,
      rows,
    };
  } finally {
    closeSync(fd);
  }
}

/** The pieces of destination `d` across shuffle files, in file order. */
export function piecesOf(indexes: readonly ShuffleIndex[], d: number): Piece[] {
  const out: Piece[] = [];
  for (const ix of indexes) {
    let lo = 0;
    let hi = ix.dest.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = ix.dest[mid]!;
      if (v === d) {
        out.push({
          path: ix.path,
          rowStart: ix.rowStart,
          rowEnd: ix.rowEnd,
          prefixBytes: ix.prefixBytes,
          offset: ix.offset[mid]!,
          bytes: ix.bytes[mid]!,
        });
        break;
      }
      if (v < d) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  return out;
}

function readRange(fd: number, position: number, into: Uint8Array): void {
  let done = 0;
  while (done < into.length) {
    const got = readSync(fd, into, done, into.length - done, position + done);
    if (got === 0) throw new Error(`shuffle file ended ${into.length - done} bytes early`);
    done += got;
  }
}

/**
 * Reads pieces of shuffle files, keeping each file open and its schema message in memory
 * once read, so that a task reading many pieces of few files opens each file once. Close it
 * when done.
 */
export class PieceReader {
  private readonly files = new Map<string, { fd: number; head: Uint8Array | null }>();

  /** Reads one piece: the schema message (unless self-contained), its message, the end marker. */
  read(piece: Piece): RecordBatch {
    let file = this.files.get(piece.path);
    if (!file) {
      file = { fd: openSync(piece.path, 'r'), head: null };
      this.files.set(piece.path, file);
    }
    const head = piece.prefixBytes;
    const buf = new Uint8Array(head + piece.bytes + (head > 0 ? EOS.length : 0));
    if (head > 0) {
      if (file.head === null) {
        file.head = new Uint8Array(head);
        readRange(file.fd, 0, file.head);
      }
      buf.set(file.head);
    }
    readRange(file.fd, piece.offset, buf.subarray(head, head + piece.bytes));
    if (head > 0) buf.set(EOS, head + piece.bytes);
    const batches = tableFromIPC(buf).batches;
    if (batches.length !== 1)
      throw new Error(`shuffle piece at ${piece.offset} holds ${batches.length} batches`);
    return batches[0]!;
  }

  /** Closes every file it opened. */
  close(): void {
    for (const { fd } of this.files.values()) closeSync(fd);
    this.files.clear();
  }
}
