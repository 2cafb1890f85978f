/**
 * The worker thread of {@link ParquetReader} (parquet-reader.ts): it opens one Parquet input
 * (a local path, `http(s)://` or `s3://` URL) through a range reader of its own (range-reader.ts)
 * with parquet-wasm and decodes its footer and row groups on request, replying with Arrow IPC
 * bytes. Damaged pages can make parquet-wasm trap (`RuntimeError: unreachable`) inside a
 * callback no caller can catch; here that ends this thread only, never the process.
 */
import { parentPort } from 'node:worker_threads';
import { ParquetFile } from 'parquet-wasm/node';
import { GEO_KEY } from '../format/keys.js';
import type { RangeReader } from './range.js';
import { rangeBlob } from './range-blob.js';
import { openRangeReader } from './range-reader.js';

/** A request to the worker. */
export type ParquetRequest =
  | { readonly op: 'open'; readonly path: string }
  /** Lets go of the open file; no reply. */
  | { readonly op: 'close' }
  | {
      readonly op: 'read';
      readonly rowGroup: number;
      readonly batchSize: number;
      /** Top-level columns to decode; null for all. */
      readonly columns: readonly string[] | null;
    };

/** The footer facts the reader needs. */
export interface ParquetFooter {
  /** The `geo` key-value metadata, if any (JSON text). */
  readonly geo: string | null;
  /** Rows in the file. */
  readonly numRows: number;
  readonly rowGroups: number;
  /** Rows of each row group. */
  readonly rowGroupRows: readonly number[];
  /** The Arrow schema as an IPC stream without batches. */
  readonly schema: Uint8Array;
}

/** The worker's reply: the footer, a row group as an Arrow IPC stream, or parquet-wasm's error text. */
export type ParquetReply =
  | { readonly footer: ParquetFooter }
  | { readonly ipc: Uint8Array }
  | { readonly error: string };

let file: ParquetFile | null = null;
/** The open file's bytes. */
let reader: RangeReader | null = null;

/** Frees the open file and closes its reader. */
function release(): void {
  file?.free();
  file = null;
  void reader?.close().catch(() => undefined);
  reader = null;
}

async function handle(req: Exclude<ParquetRequest, { op: 'close' }>): Promise<ParquetReply> {
  if (req.op === 'open') {
    release();
    reader = await openRangeReader(req.path);
    file = await ParquetFile.fromFile(rangeBlob(reader));
    const meta = file.metadata();
    const fileMeta = meta.fileMetadata();
    const geo = (fileMeta.keyValueMetadata().get(GEO_KEY) as string | undefined) ?? null;
    const footer = {
      geo,
      numRows: fileMeta.numRows(),
      rowGroups: meta.numRowGroups(),
      rowGroupRows: Array.from({ length: meta.numRowGroups() }, (_, i) => {
        const rg = meta.rowGroup(i);
        const n = rg.numRows();
        rg.free();
        return n;
      }),
      schema: new Uint8Array(0),
    };
    fileMeta.free();
    meta.free();
    return { footer: { ...footer, schema: file.schema().intoIPCStream() } };
  }
  if (file === null) return { error: 'read before open' };
  const table = await file.read({
    rowGroups: [req.rowGroup],
    batchSize: req.batchSize,
    ...(req.columns === null ? {} : { columns: [...req.columns] }),
  });
  return { ipc: table.intoIPCStream() };
}

parentPort?.on('message', (req: ParquetRequest) => {
  if (req.op === 'close') {
    release();
    return;
  }
  handle(req).then(
    (reply) => {
      const bytes = 'ipc' in reply ? reply.ipc : 'footer' in reply ? reply.footer.schema : null;
      parentPort!.postMessage(reply, bytes && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : []);
    },
    (err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) }),
  );
});
