/**
 * One Parquet input decoded in its own worker thread (parquet-worker.ts). parquet-wasm traps
 * (`RuntimeError: unreachable`) on some damaged pages, in a callback that no `try` can catch
 * and that would end the whole process, leaving a staging folder behind; in a worker it ends
 * only that thread, and the read fails with a coded error naming the file and row group. The
 * next read starts a fresh worker, so a trap never poisons later work. A closed reader's
 * healthy worker is kept for the next file (starting one compiles parquet-wasm again).
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { GeopartError } from '../errors.js';
import type { ParquetFooter, ParquetReply, ParquetRequest } from './parquet-worker.js';

/**
 * The worker's module; under a TypeScript runner (tests) its built copy in dist/. Spelled from
 * this folder's parent, so that it holds from the command line's single-file build too.
 */
function workerFile(): string {
  const path = fileURLToPath(new URL('../io/parquet-worker.js', import.meta.url));
  if (!import.meta.url.endsWith('.ts')) return path;
  return path.replace(/\/src\/io\/parquet-worker\.js$/, '/dist/io/parquet-worker.js');
}

/** A healthy worker no reader uses, unref'd so it does not keep the process alive. */
let idle: Worker | null = null;

/** Workers whose exit already clears `idle`: a worker handed on many times gets one listener. */
const exitWatched = new WeakSet<Worker>();

/** What a failed request was doing, for its message. */
type Step = { readonly op: 'open' } | { readonly op: 'read'; readonly rowGroup: number };

/** A Parquet file opened in a worker; {@link ParquetReader.close} ends the worker. */
export class ParquetReader {
  readonly path: string;
  private worker: Worker | null = null;
  /** A request is in flight: its worker cannot be handed on. */
  private busy = false;

  private constructor(path: string) {
    this.path = path;
  }

  /**
   * Opens `path` (a local file, an `http(s)://` or `s3://` URL) and reads its footer. Throws CORRUPT_INPUT,
   * naming the file, when the footer cannot be decoded.
   */
  static async open(path: string): Promise<{ reader: ParquetReader; footer: ParquetFooter }> {
    const reader = new ParquetReader(path);
    try {
      const reply = await reader.request({ op: 'open', path }, { op: 'open' });
      if (!('footer' in reply)) throw new Error('the worker sent no footer');
      return { reader, footer: reply.footer };
    } catch (err) {
      reader.close();
      throw err;
    }
  }

  /**
   * Decodes row group `rowGroup` (0-based) into an Arrow IPC stream of batches of at most
   * `batchSize` rows, with only `columns` (null: all). Throws CORRUPT_INPUT naming the file
   * and row group when its pages cannot be decoded.
   */
  async readRowGroup(
    rowGroup: number,
    batchSize: number,
    columns: readonly string[] | null,
  ): Promise<Uint8Array> {
    const reply = await this.request({ op: 'read', rowGroup, batchSize, columns }, { op: 'read', rowGroup });
    if (!('ipc' in reply)) throw new Error('the worker sent no row group');
    return reply.ipc;
  }

  /** Ends the worker; the reader can no longer open or read. */
  close(): void {
    const worker = this.worker;
    this.worker = null;
    if (worker === null) return;
    if (idle === null && !this.busy) {
      worker.postMessage({ op: 'close' } satisfies ParquetRequest);
      if (!exitWatched.has(worker)) {
        exitWatched.add(worker);
        worker.once('exit', () => {
          if (idle === worker) idle = null;
        });
      }
      idle = worker;
    } else {
      void worker.terminate();
    }
  }

  private async request(req: ParquetRequest, step: Step): Promise<ParquetReply> {
    // A worker that died with an earlier request is replaced; the new one opens the file first.
    if (this.worker === null && req.op === 'read') await this.send({ op: 'open', path: this.path }, step);
    return this.send(req, step);
  }

  private send(req: ParquetRequest, step: Step): Promise<ParquetReply> {
    if (this.worker === null) {
      this.worker = idle ?? new Worker(workerFile());
      idle = null;
    }
    const worker = this.worker;
    this.busy = true;
    return new Promise<ParquetReply>((resolve, reject) => {
      const done = () => {
        this.busy = false;
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        // An idle worker does not keep the process alive.
        worker.unref();
      };
      const onMessage = (reply: ParquetReply) => {
        done();
        if ('error' in reply) reject(this.failure(step, reply.error, false));
        else resolve(reply);
      };
      const died = (detail: string) => {
        done();
        if (this.worker === worker) this.worker = null;
        void worker.terminate();
        reject(this.failure(step, detail, true));
      };
      const onError = (err: Error) => died(`${err.name}: ${err.message}`);
      const onExit = (code: number) => died(`the decoder stopped with exit code ${code}`);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.ref();
      worker.postMessage(req);
    });
  }

  private failure(step: Step, detail: string, trapped: boolean): GeopartError {
    const file = this.path;
    if (step.op === 'open') {
      return new GeopartError('CORRUPT_INPUT', `${file}: cannot read the Parquet footer: ${detail}`, {
        file,
      });
    }
    const what = trapped ? 'the Parquet decoder failed on damaged data' : 'cannot decode its pages';
    return new GeopartError(
      'CORRUPT_INPUT',
      `${file}, row group ${step.rowGroup}: ${what} (${detail}); the file is damaged: write or download it again`,
      { file, rowGroup: step.rowGroup },
    );
  }
}
