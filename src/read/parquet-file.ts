/**
 * One remote or local Parquet file read through a {@link RangeReader}: the footer parsed with
 * hyparquet (which exposes row-group statistics; parquet-wasm does not), row groups decoded
 * into Arrow by geopart's direct decoder (row-group-decoder.ts) when the file's columns and
 * encodings are ones it reads (every file geopart writes), else by parquet-wasm. The footer
 * bytes are kept, so parquet-wasm opening the same file costs no second footer fetch.
 */
import { type Schema, Table, tableFromIPC } from 'apache-arrow';
import { type FileMetaData, parquetMetadata, parquetMetadataAsync } from 'hyparquet';
import { ParquetFile, readParquet } from 'parquet-wasm/node';
import { GeopartError } from '../errors.js';
import type { RangeReader } from '../io/range.js';
import { rangeBlob, rangeBuffer } from '../io/range-blob.js';
import { arrowLayout, columnChunkStart, decodeRowGroup } from './row-group-decoder.js';

/**
 * First footer fetch (bytes): enough for most footers (a geopart data file's of a few hundred
 * row groups is about 20 KiB), so a file opens in one request; small next to any data file.
 */
const FOOTER_GUESS = 64 * 1024;
/** Column chunks closer than this (bytes) are fetched in one request, gap included. */
const MERGE_GAP = 64 * 1024;

/** An open Parquet file: its parsed footer and row-group reads. */
export interface ParquetFileReader {
  readonly url: string;
  /** The parsed footer. */
  readonly metadata: FileMetaData;
  /** Key-value metadata. */
  readonly keyValue: ReadonlyMap<string, string>;
  /** Rows of row group `rowGroup` (columns `columns`, default all) as an Arrow table. */
  readRowGroup(rowGroup: number, columns: readonly string[] | null, signal?: AbortSignal): Promise<Table>;
  /** The file's Arrow schema (types as parquet-wasm decodes them). */
  schema(signal?: AbortSignal): Promise<Schema>;
  close(): Promise<void>;
}

/**
 * Parses the footer of `reader`'s file, fetching its last `footerGuess` bytes first (and the
 * rest of a longer footer after). Throws `UNKNOWN_FORMAT` when it is not Parquet and
 * `CORRUPT_INPUT` when the footer cannot be parsed, naming the file.
 */
export async function openParquetFile(
  reader: RangeReader,
  signal?: AbortSignal,
  footerGuess: number = FOOTER_GUESS,
): Promise<ParquetFileReader> {
  try {
    return await openOn(reader, signal, footerGuess);
  } catch (err) {
    // The reader holds a file handle or connection: give it back when the file is refused.
    await reader.close().catch(() => undefined);
    throw err;
  }
}

async function openOn(
  reader: RangeReader,
  signal: AbortSignal | undefined,
  footerGuess: number,
): Promise<ParquetFileReader> {
  const { url, size } = reader;
  const notParquet = () =>
    new GeopartError('UNKNOWN_FORMAT', `${url} is not a Parquet file (no PAR1 magic bytes)`, { file: url });
  if (size < 12) throw notParquet();
  const tailStart = Math.max(0, size - footerGuess);
  let tail = await reader.read(tailStart, size - tailStart, signal);
  let tailOffset = tailStart;
  const end = tail.byteLength;
  if (String.fromCharCode(...tail.subarray(end - 4)) !== 'PAR1') throw notParquet();
  const footerLength = new DataView(tail.buffer, tail.byteOffset).getUint32(end - 8, true);
  if (footerLength + 8 > size)
    throw new GeopartError('CORRUPT_INPUT', `${url}: footer length ${footerLength} exceeds the file`, {
      file: url,
    });
  if (footerLength + 8 > end) {
    tailOffset = size - footerLength - 8;
    tail = await reader.read(tailOffset, footerLength + 8, signal);
  }
  // Byte ranges held in memory: the footer for good, and the column chunks of row groups
  // being read, each fetched in one request and dropped when its read is done.
  const held: { offset: number; bytes: Uint8Array }[] = [{ offset: tailOffset, bytes: tail }];
  /** The file, ranges inside a held range served from memory, the rest from the reader. */
  const file: RangeReader = {
    url,
    size,
    async read(offset, length, sig) {
      const c = held.find((h) => offset >= h.offset && offset + length <= h.offset + h.bytes.byteLength);
      if (c) return c.bytes.subarray(offset - c.offset, offset + length - c.offset);
      return reader.read(offset, length, sig ?? signal);
    },
    close: () => reader.close(),
  };
  let metadata: FileMetaData;
  try {
    // geoparquet: false: hyparquet would mark columns the 'geo' entry names with a GEOMETRY
    // logical type; a file's own annotations are what geoFromLogicalTypes and the decoder read.
    metadata = await parquetMetadataAsync(rangeBuffer(file), {
      initialFetchSize: size - tailOffset,
      geoparquet: false,
    });
  } catch (err) {
    throw new GeopartError(
      'CORRUPT_INPUT',
      `${url}: cannot read the Parquet footer: ${(err as Error).message}`,
      {
        file: url,
      },
    );
  }
  const keyValue = new Map((metadata.key_value_metadata ?? []).map((kv) => [kv.key, kv.value ?? '']));
  /** The direct decoder's plan for this file, null when parquet-wasm reads it. */
  const layout = arrowLayout(metadata);
  /** Bytes of a range held in memory (the row group being read, or the footer fetch). */
  const bytesAt = (offset: number, length: number): Uint8Array => {
    const c = held.find((h) => offset >= h.offset && offset + length <= h.offset + h.bytes.byteLength);
    if (c === undefined) throw new Error(`bytes ${offset}..${offset + length} were not fetched`);
    return c.bytes.subarray(offset - c.offset, offset + length - c.offset);
  };
  let wasm: Promise<ParquetFile> | null = null;
  const wasmFile = async (): Promise<ParquetFile> => {
    wasm ??= ParquetFile.fromFile(rangeBlob(file));
    try {
      return await wasm;
    } catch (err) {
      wasm = null;
      throw new GeopartError('CORRUPT_INPUT', `${url}: cannot read the Parquet footer: ${errorText(err)}`, {
        file: url,
      });
    }
  };
  /** Fetches the column chunks of a row group (merging near neighbours) and holds them. */
  const holdRowGroup = async (rowGroup: number, columns: readonly string[] | null, sig?: AbortSignal) => {
    const spans = (metadata.row_groups[rowGroup]?.columns ?? [])
      .filter((c) => c.meta_data && (columns === null || columns.includes(c.meta_data.path_in_schema[0]!)))
      .map((c) => {
        const m = c.meta_data!;
        const start = columnChunkStart(m);
        return [start, start + Number(m.total_compressed_size)] as [number, number];
      })
      .sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [a, b] of spans) {
      const last = merged.at(-1);
      if (last && a - last[1] <= MERGE_GAP) last[1] = Math.max(last[1], b);
      else merged.push([a, b]);
    }
    // Ranges the footer fetch already holds (small files) are not fetched again.
    const missing = merged.filter(
      ([a, b]) => !held.some((h) => a >= h.offset && b <= h.offset + h.bytes.byteLength),
    );
    const out = await Promise.all(
      missing.map(async ([a, b]) => ({ offset: a, bytes: await reader.read(a, b - a, sig ?? signal) })),
    );
    held.push(...out);
    return out;
  };
  // Reads in flight: close() waits for them, since freeing parquet-wasm's file under a running
  // read would crash the process.
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    const done = () => inFlight.delete(p);
    p.then(done, done);
    return p;
  };
  return {
    url,
    metadata,
    keyValue,
    readRowGroup(rowGroup, columns, readSignal) {
      if (closed) {
        return Promise.reject(new GeopartError('INTERNAL', `${url}: read after close()`, { file: url }));
      }
      return track(readRowGroup(rowGroup, columns, readSignal));
    },
    schema(readSignal) {
      if (closed) {
        return Promise.reject(new GeopartError('INTERNAL', `${url}: read after close()`, { file: url }));
      }
      return track(schema(readSignal));
    },
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
      if (wasm !== null) (await wasm.catch(() => null))?.free();
      wasm = null;
      await reader.close();
    },
  };

  async function readRowGroup(
    rowGroup: number,
    columns: readonly string[] | null,
    readSignal?: AbortSignal,
  ): Promise<Table> {
    readSignal?.throwIfAborted();
    const file = layout === null ? await wasmFile() : null;
    const ranges = await holdRowGroup(rowGroup, columns, readSignal);
    let table: Table;
    try {
      const batch = layout === null ? null : decodeRowGroup(metadata, layout, rowGroup, columns, bytesAt);
      if (batch !== null) table = new Table([batch]);
      else {
        const rows = Number(metadata.row_groups[rowGroup]?.num_rows ?? 0);
        const read = await (file ?? (await wasmFile())).read({
          rowGroups: [rowGroup],
          batchSize: Math.max(1, rows),
          ...(columns === null ? {} : { columns: [...columns] }),
        });
        table = tableFromIPC(read.intoIPCStream());
      }
    } catch (err) {
      if (err instanceof GeopartError) throw err;
      throw new GeopartError(
        'CORRUPT_INPUT',
        `${url}, row group ${rowGroup}: cannot decode: ${errorText(err)}`,
        { file: url, rowGroup },
      );
    } finally {
      for (const r of ranges) held.splice(held.indexOf(r), 1);
    }
    readSignal?.throwIfAborted();
    return table;
  }

  async function schema(readSignal?: AbortSignal): Promise<Schema> {
    readSignal?.throwIfAborted();
    if (layout !== null) return layout.schema;
    return tableFromIPC((await wasmFile()).schema().intoIPCStream()).schema;
  }
}

/**
 * A whole Parquet file held in memory (such as the chunk table embedded in `_sample`) as an
 * Arrow table: by the direct decoder when it reads the file, else by parquet-wasm. Throws an
 * Error when the bytes are not a readable Parquet file.
 */
export function readParquetBytes(bytes: Uint8Array): Table {
  const metadata = parquetMetadata(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    { geoparquet: false },
  );
  const layout = arrowLayout(metadata);
  if (layout !== null) {
    const batches = [];
    for (let rg = 0; rg < metadata.row_groups.length; rg++) {
      const batch = decodeRowGroup(metadata, layout, rg, null, (o, l) => bytes.subarray(o, o + l));
      if (batch === null) break;
      batches.push(batch);
    }
    if (batches.length === metadata.row_groups.length) {
      return batches.length === 0 ? new Table(layout.schema) : new Table(batches);
    }
  }
  return tableFromIPC(readParquet(bytes).intoIPCStream());
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
