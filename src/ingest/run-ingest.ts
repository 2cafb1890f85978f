/**
 * The ingest orchestrator, the only code that knows the order of the stages:
 * config -> sources -> scan (pool) -> plan -> write (pool) -> commit.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { RecordBatch, Schema } from 'apache-arrow';
import { concatBatches } from '../arrow/concat.js';
import { writeFileAtomically } from '../commit/atomic-file.js';
import { abortCommit, beginCommit, finishCommit, type Staging } from '../commit/commit.js';
import { diskFullError } from '../commit/fs-errors.js';
import { checkStepPaths } from '../commit/step-paths.js';
import type { GeospatialPartitionJobStepConfig } from '../config/geospatial-step.js';
import { checkRunOptions } from '../config/run-options.js';
import { GeopartError } from '../errors.js';
import { CHUNK_TABLE_KEY, FORMAT_VERSION_KEY, REPORT_KEY, TABLE_KEY } from '../format/keys.js';
import { dataFileName, TABLE_MARKER } from '../format/markers.js';
import { tableLocationFor } from '../format/table-location.js';
import { FORMAT_VERSION } from '../format/version.js';
import { putObject } from '../io/s3.js';
import { isS3Url } from '../io/s3-url.js';
import type { ChunkTable } from '../partition/chunk-table.js';
import type { Plan } from '../partition/plan.js';
import { createPool, defaultThreads } from '../pool/pool.js';
import { batchFromBytes } from '../scan/spill.js';
import {
  encodeGeoParquet,
  type GeoParquetInput,
  parquetLayout,
  type WriteOptions,
} from '../write/geoparquet-writer.js';
import { CHUNK_STATS, chunkMetadataBatch } from './chunk-metadata.js';
import { planStage } from './plan-stage.js';
import type { IngestCounts, IngestReport } from './report.js';
import { type ScanOutcome, scanStage } from './scan-stage.js';
import {
  type IngestProgress,
  type IngestRunOptions,
  type IngestSettings,
  ingestSettings,
} from './settings.js';
import { INGEST_TASKS, type WriteTaskResult } from './tasks.js';
import { shuffleAndWrite, taskBytes } from './write-stage.js';

/** Rows of `_sample`, spread over the table. */
export const SAMPLE_ROWS = 1000;
/** Bytes of row data in `_sample` at most (docs/FORMAT.md, "`_sample`"): rows too large are left out. */
export const SAMPLE_BYTES = 1 << 20;

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** The rows of `_sample`, as the writer takes them, from the files' sample rows. */
function sampleInput(schema: Schema, samples: readonly Uint8Array[]): GeoParquetInput {
  const batches: RecordBatch[] = samples.filter((s) => s.length > 0).map(batchFromBytes);
  const sample = batches.length > 0 ? concatBatches(batches) : null;
  return {
    batches: sample ? [sample] : [],
    schema: sample?.schema ?? schema,
    rowGroupSizes: sample && sample.numRows > 0 ? [sample.numRows] : [],
  };
}

/** Writes `_sample`: sample rows, the chunk table (`fused:_metadata`) and the report. */
async function writeSample(
  staging: Staging,
  sample: GeoParquetInput,
  metadataBytes: Uint8Array,
  kv: Readonly<Record<string, string>>,
  writeOptions: WriteOptions,
): Promise<number> {
  const { bytes } = await encodeGeoParquet(
    {
      ...sample,
      keyValueMetadata: {
        ...kv,
        [CHUNK_TABLE_KEY]: Buffer.from(metadataBytes).toString('base64'),
        [FORMAT_VERSION_KEY]: FORMAT_VERSION,
      },
    },
    writeOptions,
  );
  await writeFile(join(staging.dir, TABLE_MARKER), bytes);
  return bytes.length;
}

/** The scan's counts of an ingest, as {@link ingestCounts} takes them. */
export type ScanCounts = Pick<
  ScanOutcome,
  | 'inputFiles'
  | 'rowsRead'
  | 'rowsAddedByExplode'
  | 'rowsCrossingAntimeridian'
  | 'rowsAddedByAntimeridian'
  | 'rowsDroppedOutOfBounds'
  | 'rowsDroppedNoGeometry'
  | 'rowsSubdivided'
  | 'rowsAddedBySubdivision'
  | 'rowsMadeValid'
>;

/** The counts of the job report, from the scan's counts and the plan. */
export function ingestCounts(settings: IngestSettings, scanned: ScanCounts, plan: Plan): IngestCounts {
  return {
    inputFiles: scanned.inputFiles,
    rowsRead: scanned.rowsRead,
    rowsAddedByExplode: scanned.rowsAddedByExplode,
    ...(scanned.rowsCrossingAntimeridian > 0
      ? {
          rowsCrossingAntimeridian: scanned.rowsCrossingAntimeridian,
          rowsAddedByAntimeridian: scanned.rowsAddedByAntimeridian,
        }
      : {}),
    rowsDroppedOutOfBounds: scanned.rowsDroppedOutOfBounds,
    rowsDroppedNoGeometry: scanned.rowsDroppedNoGeometry,
    rowsSubdivided: scanned.rowsSubdivided,
    rowsAddedBySubdivision: scanned.rowsAddedBySubdivision,
    ...(settings.scan.makeValid ? { rowsMadeValid: scanned.rowsMadeValid } : {}),
    rowsWritten: plan.order.length,
    files: plan.numFiles,
    chunks: plan.chunks.length,
    partitioningMethod: settings.scan.method,
    maxPerFile: plan.maxPerFile,
    maxPerChunk: plan.maxPerChunk,
  };
}

/** The key-value metadata every file of the table carries: the report's counts. */
export function reportMetadata(counts: IngestCounts): Record<string, string> {
  // Counts only: timings would make reruns differ byte for byte.
  return { [REPORT_KEY]: JSON.stringify(counts) };
}

/** Sample rows each file of a table of `files` files gives to `_sample`, and their byte budget. */
export function sampleShare(files: number): { sampleRows: number; sampleBytes: number } {
  return {
    sampleRows: Math.ceil(SAMPLE_ROWS / Math.max(1, files)),
    sampleBytes: Math.floor(SAMPLE_BYTES / Math.max(1, files)),
  };
}

/**
 * Writes `_sample` into the staging folder, from the files' results (in file order): the chunk
 * table with each chunk's statistics, the sample rows and the report. Returns the chunk table
 * and the bytes of `_sample`.
 */
export async function writeTableMetadata(
  staging: Staging,
  settings: IngestSettings,
  schema: Schema,
  chunks: ChunkTable,
  written: readonly Pick<WriteTaskResult, 'stats' | 'sample' | 'layout'>[],
  kv: Readonly<Record<string, string>>,
): Promise<{ metadata: RecordBatch; sampleBytes: number }> {
  const files = written.length;
  const firstChunk = new Int32Array(files + 1);
  for (let c = 0, f = 0; f <= files; f++) {
    while (c < chunks.length && chunks.fileId[c]! < f) c++;
    firstChunk[f] = c;
  }
  const stats = new Float64Array(chunks.length * CHUNK_STATS);
  for (const [f, r] of written.entries()) {
    const want = (firstChunk[f + 1]! - firstChunk[f]!) * CHUNK_STATS;
    if (r.stats.length !== want) {
      throw new Error(`file ${f}: ${r.stats.length} chunk statistics, ${want} expected`);
    }
    stats.set(r.stats, firstChunk[f]! * CHUNK_STATS);
  }
  const sample = sampleInput(
    schema,
    written.map((w) => w.sample),
  );
  // Row groups are located in the chunk table only when every data file has _sample's Parquet
  // schema and codec, which a reader then decodes them with (docs/FORMAT.md): inputs that
  // differ in a column's nullability can give files of different schemas.
  const sampleLayout = parquetLayout(sample, settings.write);
  const spans = written.every((w) => w.layout === sampleLayout);
  const metadata = chunkMetadataBatch(chunks, stats, spans);
  const { bytes: metadataBytes } = await encodeGeoParquet(
    {
      batches: [metadata],
      rowGroupSizes: metadata.numRows > 0 ? [metadata.numRows] : [],
      keyValueMetadata: kv,
    },
    settings.write,
  );
  const sampleBytes = await writeSample(staging, sample, metadataBytes, kv, settings.write);
  return { metadata, sampleBytes };
}

/** Writes the step's `output_metadata` file, if it has one: the chunk table, naming its table. */
export async function writeMetadataFile(
  settings: IngestSettings,
  output: string,
  metadata: RecordBatch,
  kv: Readonly<Record<string, string>>,
): Promise<void> {
  if (settings.outputMetadata === null) return;
  // The metadata file names its table, so that file alone is enough to open the table.
  const { bytes } = await encodeGeoParquet(
    {
      batches: [metadata],
      rowGroupSizes: metadata.numRows > 0 ? [metadata.numRows] : [],
      keyValueMetadata: { ...kv, [TABLE_KEY]: tableLocationFor(settings.outputMetadata, output) },
    },
    settings.write,
  );
  await writeAtomically(settings.outputMetadata, bytes);
}

/**
 * Runs a partition step: reads its inputs, partitions them into files and chunks and writes
 * the table atomically at `step.output`. Returns the job report.
 */
export async function runIngest(
  step: GeospatialPartitionJobStepConfig,
  options: IngestRunOptions = {},
): Promise<IngestReport> {
  // Every check before any work: nothing to clean up when one fails.
  const settings = ingestSettings(step);
  checkRunOptions({ threads: options.threads });
  await checkStepPaths(step);
  const t0 = performance.now();
  const threads = options.threads ?? defaultThreads();
  const staging = await beginCommit(settings.output, settings.overwrite);
  const pool = createPool(INGEST_TASKS, threads);
  const progress = (p: Pick<IngestProgress, 'stage'> & Partial<IngestProgress>) =>
    options.onProgress?.({ rowsScanned: 0, filesWritten: 0, files: 0, done: 0, total: 0, bytes: 0, ...p });
  try {
    const spillDir = join(staging.dir, '_spill');
    await mkdir(spillDir);
    const scanned = await scanStage(settings, pool, spillDir, options);
    const tScan = seconds(t0);

    progress({ stage: 'plan', rowsScanned: scanned.rowsRead });
    const t1 = performance.now();
    const { batchStart } = scanned;
    const keys = scanned.keys!;
    scanned.keys = null;
    const plan = await planStage(settings, keys, spillDir, batchStart);
    const tPlan = seconds(t1);
    const counts = ingestCounts(settings, scanned, plan);
    const kv = reportMetadata(counts);

    const t2 = performance.now();
    const written = await shuffleAndWrite(pool, {
      plan,
      spillDir,
      batchStart,
      spillBytes: scanned.spillBytes,
      dir: staging.dir,
      fileName: dataFileName,
      keyValueMetadata: kv,
      ...sampleShare(plan.numFiles),
      writeOptions: settings.write,
      threads,
      signal: options.signal,
      taskBytes: taskBytes(settings.memoryLimit, threads),
      onShuffled: (done, total, bytes) => progress({ stage: 'shuffle', done, total, bytes }),
      onFileWritten: (filesWritten, files, bytes) =>
        progress({ stage: 'write', filesWritten, files, done: filesWritten, total: files, bytes }),
    });
    const filesWritten = written.length;
    const { metadata, sampleBytes } = await writeTableMetadata(
      staging,
      settings,
      scanned.schema,
      plan.chunks,
      written,
      kv,
    );
    await rm(spillDir, { recursive: true, force: true });
    const tWrite = seconds(t2);

    progress({ stage: 'commit', filesWritten, files: plan.numFiles });
    const t3 = performance.now();
    await writeMetadataFile(settings, staging.output, metadata, kv);
    await finishCommit(staging, { signal: options.signal, onUpload: options.onUpload });
    const tCommit = seconds(t3);
    return {
      ...counts,
      output: staging.output,
      bytesWritten: written.reduce((a, w) => a + w.bytes, sampleBytes),
      seconds: { scan: tScan, plan: tPlan, write: tWrite, commit: tCommit, total: seconds(t0) },
    };
  } catch (err) {
    await abortCommit(staging);
    // Stopped by the caller: say so with its reason, whichever stage noticed it first (the
    // pool reports a bare AbortError).
    if (options.signal?.aborted) throw abortedError(options.signal, staging.output);
    throw diskFullError(err, settings.output);
  } finally {
    await pool.close();
  }
}

/** The error of an ingest stopped through `signal`: its reason when that is ours, else ABORTED. */
function abortedError(signal: AbortSignal, output: string): GeopartError {
  if (signal.reason instanceof GeopartError) return signal.reason;
  return new GeopartError('ABORTED', `ingest into ${output} was aborted; nothing was committed`, {
    file: output,
  });
}

/**
 * Writes a file through a temporary name and a rename, so it is never seen half-written; an
 * `s3://` object in one PUT, which S3 makes visible only once complete.
 */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  if (isS3Url(path)) return putObject(path, bytes);
  const target = resolve(path);
  await mkdir(dirname(target), { recursive: true });
  await writeFileAtomically(target, (tmp) => writeFile(tmp, bytes));
}
