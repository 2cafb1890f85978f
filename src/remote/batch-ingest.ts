/**
 * The stages of an ingest step on Batch (docs/ARCHITECTURE.md, "An ingest on Batch"), each the
 * local stage of `ingest/` run on one machine's share, with S3 between them. Everything a
 * stage leaves for the next is under the step's work folder (`batch-store.ts`
 * `workFolder`), named by what it holds, so that a retried child rewrites exactly the objects
 * of the attempt before it:
 * - `scan` child c: the batches of its share of the input's pieces (whole files; a Parquet
 *   file's row groups), each with its file's columns (`scan/<c>/<b>.arrow`, numbered
 *   within the share), their keys (`.keys`) and its summary (`scan/<c>.pack`);
 * - `plan`: gathers every share's keys in share order (`ingest/spread.ts`), plans as a local
 *   run does, unions the shares' schemas into the whole input's, and writes the shuffle layout of each share (`plan/shuffle-<c>.pack`), the units
 *   of each writer (`plan/write-<j>.pack`) and the table's chunks and counts (`plan/table.pack`);
 * - `shuffle` child c: shuffles its share's batches, conformed to the whole input's schema, as
 *   locally (`shuffle/<g>.arrow`, one per group, and `shuffle/<c>.pack`, their indexes);
 * - `write` child j: fetches only its units' byte range of each shuffle file, writes its share
 *   of the output files as locally (`files/<name>`) and their statistics and samples
 *   (`files/<j>.pack`);
 * - `commit`: writes `_sample` and publishes the files with the local commit, `_sample` last.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Schema } from 'apache-arrow';
import { schemaFromMessage, schemaMessage } from '../arrow/batch-parts.js';
import type { Staging } from '../commit/commit.js';
import type { GeospatialPartitionJobStepConfig } from '../config/geospatial-step.js';
import { GeopartError } from '../errors.js';
import { dataFileName } from '../format/markers.js';
import type { IngestCounts, IngestReport } from '../ingest/report.js';
import {
  reportMetadata,
  type ScanCounts,
  sampleShare,
  writeMetadataFile,
  writeTableMetadata,
} from '../ingest/run-ingest.js';
import { scanStage } from '../ingest/scan-stage.js';
import { ingestSettings } from '../ingest/settings.js';
import { planShares, type ShareScan, sumScanCounts } from '../ingest/spread.js';
import { INGEST_TASKS, type IngestTasks, type WriteTaskResult } from '../ingest/tasks.js';
import { type FileUnits, fileUnitsOf, runShuffle, writeFiles } from '../ingest/write-stage.js';
import { unionSchema } from '../io/read-inputs.js';
import { getObject, putObject, uploadFile } from '../io/s3.js';
import { allocChunkTable, type ChunkTable } from '../partition/chunk-table.js';
import { createPool, defaultThreads, type WorkerPool } from '../pool/pool.js';
import type { ShuffleIndex } from '../scan/shuffle.js';
import { keySpillPath, spillPath } from '../scan/spill.js';
import { eachBounded } from '../util/bounded.js';
import { pack, unpack } from '../util/pack.js';
import { shareRange } from '../util/share.js';

/** Transfers to and from S3 at once. */
const TRANSFERS = 4;

/** What an ingest stage reports in its record: its own figures (the commit: the step's report). */
export interface IngestStageReport {
  readonly type: 'ingest-stage';
  readonly stage: string;
  readonly seconds: number;
  /** Bytes this child read from S3 and wrote to it. */
  readonly bytesDownloaded: number;
  readonly bytesUploaded: number;
  /** Rows it scanned, shuffled or wrote; files it wrote. */
  readonly rows: number;
  readonly files: number;
  /** A scan child: the input files it opened, of all the input's. */
  readonly opened?: number;
  readonly inputFiles?: number;
}

/** Where one ingest stage runs: the step, its work folder, the stage sizes, a local folder. */
export interface IngestStageContext {
  readonly step: GeospatialPartitionJobStepConfig;
  /** The step's work folder (`.../work/step<i>/`). */
  readonly work: string;
  /** Children of the scan (and shuffle) arrays, and of the write array. */
  readonly scanTasks: number;
  readonly writeTasks: number;
  readonly index: number;
  /** A local folder of the child's own. */
  readonly dir: string;
  readonly warn: (message: string) => void;
}

/** Counts the bytes moved through S3 by one stage. */
class Transfers {
  down = 0;
  up = 0;
  async get(url: string, range?: readonly [number, number]): Promise<Uint8Array> {
    const bytes = await getObject(url, range ? { range } : {});
    this.down += bytes.length;
    return bytes;
  }
  async put(url: string, bytes: Uint8Array): Promise<void> {
    await putObject(url, bytes);
    this.up += bytes.length;
  }
  async upload(url: string, path: string, size: number): Promise<void> {
    await uploadFile(url, path);
    this.up += size;
  }
  /** Downloads `url` to the local file `path`. */
  async download(url: string, path: string): Promise<void> {
    await writeFile(path, await this.get(url));
  }
}

/** The schema, as its Arrow IPC message in base64 (a summary's header is JSON). */
function schemaToText(schema: Schema): string {
  return Buffer.from(schemaMessage(schema)).toString('base64');
}

function schemaFromText(text: string): Schema {
  return schemaFromMessage(Buffer.from(text, 'base64'));
}

/** The summary a scan child leaves in `scan/<c>.pack`. */
interface ScanSummary {
  readonly counts: ScanCounts;
  /** The union of the schemas of the files the share streamed, and each column's first file. */
  readonly schema: string;
  readonly columnFiles: readonly string[];
  /** The share's pieces `[first, end)` of the input's (`io/read-inputs.ts` `openInputs`). */
  readonly pieces: readonly [number, number];
  /** The input as the child found it: its files' digest and its pieces in all. */
  readonly listing: string;
  readonly pieceCount: number;
}

const scanFolder = (work: string, c: number) => `${work}scan/${c}/`;
const scanSummaryUrl = (work: string, c: number) => `${work}scan/${c}.pack`;
const shufflePlanUrl = (work: string, c: number) => `${work}plan/shuffle-${c}.pack`;
const writePlanUrl = (work: string, j: number) => `${work}plan/write-${j}.pack`;
const tablePlanUrl = (work: string) => `${work}plan/table.pack`;
const shuffleFileUrl = (work: string, g: number) => `${work}shuffle/${g}.arrow`;
const shuffleIndexUrl = (work: string, c: number) => `${work}shuffle/${c}.pack`;
const dataFileUrl = (work: string, name: string) => `${work}files/${name}`;
const writeResultUrl = (work: string, j: number) => `${work}files/${j}.pack`;

/**
 * Runs `task` with an ingest pool on every core, at most `most` threads (the plan's: its tasks
 * are sized for that many at once within `memory_limit`), closing it after.
 */
async function withPool<T>(
  task: (pool: WorkerPool<IngestTasks>, threads: number) => Promise<T>,
  most = Number.POSITIVE_INFINITY,
): Promise<T> {
  const threads = Math.max(1, Math.min(defaultThreads(), most));
  const pool = createPool(INGEST_TASKS, threads);
  try {
    return await task(pool, threads);
  } finally {
    await pool.close();
  }
}

function stageReport(
  stage: string,
  t0: number,
  io: Transfers,
  rows: number,
  files: number,
): IngestStageReport {
  return {
    type: 'ingest-stage',
    stage,
    seconds: (performance.now() - t0) / 1000,
    bytesDownloaded: io.down,
    bytesUploaded: io.up,
    rows,
    files,
  };
}

/**
 * A scan child: scans its share of the input's pieces (`util/share.ts` `shareRange` over every
 * file's pieces: a Parquet file's row groups, any other file whole), spilling every batch and
 * its keys, and uploads them with its summary (last).
 */
export async function runScanChild(ctx: IngestStageContext): Promise<IngestStageReport> {
  const t0 = performance.now();
  const io = new Transfers();
  const settings = ingestSettings(ctx.step);
  const spillDir = join(ctx.dir, 'spill');
  await mkdir(spillDir);
  const scanned = await withPool((pool) =>
    scanStage(settings, pool, spillDir, { onWarning: ctx.warn }, { index: ctx.index, count: ctx.scanTasks }),
  );
  const batches = scanned.spillBytes.length;
  const folder = scanFolder(ctx.work, ctx.index);
  await eachBounded(2 * batches, TRANSFERS, async (i) => {
    const b = i >> 1;
    const path = i % 2 === 0 ? spillPath(spillDir, b) : keySpillPath(spillPath(spillDir, b));
    const name = i % 2 === 0 ? `${b}.arrow` : `${b}.keys`;
    await io.upload(`${folder}${name}`, path, statSync(path).size);
  });
  const {
    keys: _,
    batchStart,
    spillBytes,
    schema,
    columnFiles,
    files,
    pieces: pieceCount,
    piecesRead: pieces,
    opened,
    ...counts
  } = scanned;
  const listing = createHash('sha256').update(JSON.stringify(files)).digest('hex');
  const summary: ScanSummary = {
    counts,
    schema: schemaToText(schema),
    columnFiles,
    pieces,
    listing,
    pieceCount,
  };
  await io.put(scanSummaryUrl(ctx.work, ctx.index), pack(summary, { batchStart, spillBytes }));
  return { ...stageReport('scan', t0, io, batchStart[batches]!, 0), opened, inputFiles: files.length };
}

/** The table's plan the commit needs, in `plan/table.pack`. */
interface TablePlan {
  readonly counts: IngestCounts;
  readonly schema: string;
  readonly numFiles: number;
}

/** A writer's units, in `plan/write-<j>.pack`: per file, per unit, its id, rows and chunk sizes. */
interface WritePlan {
  /** The plan's threads, which sized the units. */
  readonly threads: number;
  readonly files: readonly { file: number; units: { unit: number; rows: number; chunkSizes: number[] }[] }[];
  readonly counts: IngestCounts;
}

/** A share's shuffle groups, in `plan/shuffle-<c>.pack`. */
interface ShufflePlan {
  /** The plan's threads, which sized the groups. */
  readonly threads: number;
  /** The whole input's schema, which the share's batches are conformed to. */
  readonly schema: string;
  readonly groups: readonly { g: number; b0: number; b1: number; bytes: number; rowStart: number }[];
}

const CHUNK_COLUMNS = [
  'fileId',
  'chunkId',
  'start',
  'end',
  'numRows',
  'minx',
  'miny',
  'maxx',
  'maxy',
  'sumMeasure',
] as const;

/**
 * The plan job: gathers every scan child's summary and keys, plans the whole table as a local
 * run does, and writes the plan's parts for the shuffle and write children and the commit.
 */
export async function runPlanJob(ctx: IngestStageContext): Promise<IngestStageReport> {
  const t0 = performance.now();
  const io = new Transfers();
  const settings = ingestSettings(ctx.step);
  const summaries = await Promise.all(
    Array.from({ length: ctx.scanTasks }, async (_, c) =>
      unpack<ScanSummary>(await io.get(scanSummaryUrl(ctx.work, c)), scanSummaryUrl(ctx.work, c)),
    ),
  );
  // Every child must have found the same files and pieces, and read its own share of them.
  const first = summaries[0]!.meta;
  const differs = summaries.findIndex(
    ({ meta }, c) =>
      meta.listing !== first.listing ||
      meta.pieceCount !== first.pieceCount ||
      String(meta.pieces) !== String(shareRange(c, ctx.scanTasks, first.pieceCount)),
  );
  if (differs !== -1) {
    throw new GeopartError(
      'REMOTE_ERROR',
      `scan children 0 and ${differs} found different inputs (files, Parquet row groups or columns: ` +
        `${first.counts.inputFiles} files of ${first.pieceCount} pieces, and ${summaries[differs]!.meta.counts.inputFiles} of ${summaries[differs]!.meta.pieceCount}); ` +
        "the step's inputs changed during the run, so the shares do not fit together; run the job again once the inputs stay put",
      { reason: 'inputs_changed', child: differs },
    );
  }
  // The whole input's schema: the shares' in share order (clashing types fail as locally).
  const schema = schemaToText(
    unionSchema(
      summaries.flatMap(({ meta }) =>
        schemaFromText(meta.schema).fields.map((field, i) => ({
          path: meta.columnFiles[i]!,
          schema: new Schema([field]),
        })),
      ),
    ),
  );
  const shares: ShareScan[] = summaries.map((s) => ({
    batchStart: s.arrays.batchStart as Float64Array,
    spillBytes: s.arrays.spillBytes as Float64Array,
  }));
  // Every batch's keys, under its id in the whole input.
  const spillDir = join(ctx.dir, 'spill');
  await mkdir(spillDir);
  const where: [number, number][] = shares.flatMap((s, c) =>
    Array.from(s.spillBytes, (_, b): [number, number] => [c, b]),
  );
  await eachBounded(where.length, TRANSFERS, async (g) => {
    const [c, b] = where[g]!;
    await io.download(`${scanFolder(ctx.work, c)}${b}.keys`, keySpillPath(spillPath(spillDir, g)));
  });
  const threads = defaultThreads();
  const spread = await planShares(
    settings,
    shares,
    sumScanCounts(summaries.map((s) => s.meta.counts)),
    spillDir,
    threads,
  );
  const { plan, counts, units, groups } = spread;

  // Each share's shuffle layout.
  await eachBounded(ctx.scanTasks, TRANSFERS, async (c) => {
    const mine = groups.flatMap((g, i) => (g.share === c ? [{ g, i }] : []));
    const arrays: Record<string, Int32Array> = {};
    for (const { g, i } of mine) {
      arrays[`order${i}`] = g.layout.order;
      arrays[`dest${i}`] = g.layout.dest;
      arrays[`count${i}`] = g.layout.count;
    }
    const meta: ShufflePlan = {
      threads,
      schema,
      groups: mine.map(({ g, i }) => ({
        g: i,
        b0: g.b0,
        b1: g.b1,
        bytes: g.bytes,
        rowStart: g.layout.rowStart,
      })),
    };
    await io.put(shufflePlanUrl(ctx.work, c), pack(meta, arrays));
  });

  // Each writer's files and their units.
  const unitsOf = fileUnitsOf(plan, units);
  await eachBounded(ctx.writeTasks, 1, async (j) => {
    const [f0, f1] = shareRange(j, ctx.writeTasks, plan.numFiles);
    const files = Array.from({ length: f1 - f0 }, (_, i) => unitsOf(f0 + i));
    const rows = new Int32Array(
      files.reduce((n, f) => n + f.units.reduce((m, u) => m + u.rows.length, 0), 0),
    );
    let at = 0;
    for (const f of files)
      for (const u of f.units) {
        rows.set(u.rows, at);
        at += u.rows.length;
      }
    const meta: WritePlan = {
      threads,
      counts,
      files: files.map((f) => ({
        file: f.file,
        units: f.units.map((u) => ({ unit: u.unit, rows: u.rows.length, chunkSizes: [...u.chunkSizes] })),
      })),
    };
    await io.put(writePlanUrl(ctx.work, j), pack(meta, { rows }));
  });

  const table: TablePlan = { counts, schema, numFiles: plan.numFiles };
  const chunkArrays = Object.fromEntries(CHUNK_COLUMNS.map((k) => [k, plan.chunks[k]]));
  await io.put(tablePlanUrl(ctx.work), pack(table, chunkArrays));
  return stageReport('plan', t0, io, plan.order.length, plan.numFiles);
}

/** The indexes of a share's shuffle files, in `shuffle/<c>.pack`. */
interface ShuffleIndexes {
  readonly files: readonly { g: number; rowStart: number; rowEnd: number; prefixBytes: number }[];
}

/** A shuffle child: shuffles its share's batches as a local run does and uploads the shuffle files. */
export async function runShuffleChild(ctx: IngestStageContext): Promise<IngestStageReport> {
  const t0 = performance.now();
  const io = new Transfers();
  const { meta, arrays } = unpack<ShufflePlan>(
    await io.get(shufflePlanUrl(ctx.work, ctx.index)),
    shufflePlanUrl(ctx.work, ctx.index),
  );
  const spillDir = join(ctx.dir, 'spill');
  await mkdir(spillDir);
  // The share's batches come as read: each is conformed to the whole input's schema, once, as a
  // local run's reader does.
  const schema = schemaMessage(schemaFromText(meta.schema));
  const batches = meta.groups.flatMap((g) => Array.from({ length: g.b1 - g.b0 }, (_, i) => g.b0 + i));
  const folder = scanFolder(ctx.work, ctx.index);
  await eachBounded(batches.length, TRANSFERS, async (i) => {
    await io.download(`${folder}${batches[i]}.arrow`, spillPath(spillDir, batches[i]!));
  });
  const indexes = await withPool(
    (pool, threads) =>
      runShuffle(
        pool,
        meta.groups.map((g) => ({
          spills: Array.from({ length: g.b1 - g.b0 }, (_, i) => spillPath(spillDir, g.b0 + i)),
          // Copies: the views share the plan's one buffer, and each task takes its arrays' buffers.
          layout: {
            rowStart: g.rowStart,
            order: (arrays[`order${g.g}`] as Int32Array).slice(),
            dest: (arrays[`dest${g.g}`] as Int32Array).slice(),
            count: (arrays[`count${g.g}`] as Int32Array).slice(),
          },
          path: join(ctx.dir, `shuffle-${g.g}.arrow`),
          bytes: g.bytes,
          schema,
        })),
        threads,
      ),
    meta.threads,
  );
  let rows = 0;
  const out: Record<string, Int32Array | Float64Array> = {};
  const files: ShuffleIndexes['files'][number][] = [];
  for (const [i, ix] of indexes.entries()) {
    const g = meta.groups[i]!.g;
    files.push({ g, rowStart: ix.rowStart, rowEnd: ix.rowEnd, prefixBytes: ix.prefixBytes });
    out[`dest${g}`] = ix.dest;
    out[`offset${g}`] = ix.offset;
    out[`bytes${g}`] = ix.bytes;
    out[`rows${g}`] = ix.rows;
    rows += ix.rowEnd - ix.rowStart;
  }
  await eachBounded(indexes.length, TRANSFERS, async (i) => {
    const ix = indexes[i]!;
    const size = ix.prefixBytes + ix.bytes.reduce((a, b) => a + b, 0);
    await io.upload(shuffleFileUrl(ctx.work, files[i]!.g), ix.path, size);
  });
  await io.put(shuffleIndexUrl(ctx.work, ctx.index), pack({ files } satisfies ShuffleIndexes, out));
  return stageReport('shuffle', t0, io, rows, 0);
}

/**
 * The shuffle files' indexes, every share's, with each file's path set to `dir/shuffle-<g>.arrow`.
 */
async function readShuffleIndexes(
  ctx: IngestStageContext,
  io: Transfers,
): Promise<{ indexes: ShuffleIndex[]; groups: number[] }> {
  const parts = await Promise.all(
    Array.from({ length: ctx.scanTasks }, async (_, c) =>
      unpack<ShuffleIndexes>(await io.get(shuffleIndexUrl(ctx.work, c)), shuffleIndexUrl(ctx.work, c)),
    ),
  );
  const files = parts.flatMap(({ meta, arrays }) => meta.files.map((f) => ({ f, arrays })));
  return {
    groups: files.map(({ f }) => f.g),
    indexes: files.map(({ f, arrays }) => ({
      path: join(ctx.dir, `shuffle-${f.g}.arrow`),
      rowStart: f.rowStart,
      rowEnd: f.rowEnd,
      prefixBytes: f.prefixBytes,
      dest: arrays[`dest${f.g}`] as Int32Array,
      offset: arrays[`offset${f.g}`] as Float64Array,
      bytes: arrays[`bytes${f.g}`] as Float64Array,
      rows: arrays[`rows${f.g}`] as Int32Array,
    })),
  };
}

/**
 * Fetches, from each shuffle file, only its schema message and the byte range of the units
 * `[u0, u1)` (one range: a file's pieces are in unit order), into a local file at the same
 * offsets, so that the local piece reader reads it as the whole file. Returns the indexes of the
 * files fetched.
 */
async function fetchPieces(
  ctx: IngestStageContext,
  io: Transfers,
  indexes: readonly ShuffleIndex[],
  groups: readonly number[],
  u0: number,
  u1: number,
): Promise<void> {
  await eachBounded(indexes.length, TRANSFERS, async (i) => {
    const ix = indexes[i]!;
    let first = -1;
    let last = -1;
    for (let k = 0; k < ix.dest.length; k++) {
      if (ix.dest[k]! < u0 || ix.dest[k]! >= u1) continue;
      if (first === -1) first = k;
      last = k;
    }
    if (first === -1) return;
    const url = shuffleFileUrl(ctx.work, groups[i]!);
    const start = ix.offset[first]!;
    const end = ix.offset[last]! + ix.bytes[last]!;
    const fd = openSync(ix.path, 'w');
    try {
      if (ix.prefixBytes > 0) writeSync(fd, await io.get(url, [0, ix.prefixBytes - 1]), 0, ix.prefixBytes, 0);
      const body = await io.get(url, [start, end - 1]);
      writeSync(fd, body, 0, body.length, start);
    } finally {
      closeSync(fd);
    }
  });
}

/** The files a writer wrote, with their statistics and samples, in `files/<j>.pack`. */
interface WriteResults {
  /** Each file written; `layout` its Parquet schema and codec (tasks.ts `WriteTaskResult`). */
  readonly files: readonly { file: number; name: string; bytes: number; layout: string }[];
}

/** A write child: writes its share of the output files as a local run does and uploads them. */
export async function runWriteChild(ctx: IngestStageContext): Promise<IngestStageReport> {
  const t0 = performance.now();
  const io = new Transfers();
  const settings = ingestSettings(ctx.step);
  const { meta, arrays } = unpack<WritePlan>(
    await io.get(writePlanUrl(ctx.work, ctx.index)),
    writePlanUrl(ctx.work, ctx.index),
  );
  const allRows = arrays.rows as Int32Array;
  let at = 0;
  const files: FileUnits[] = meta.files.map((f) => ({
    file: f.file,
    units: f.units.map((u) => {
      const rows = allRows.slice(at, at + u.rows);
      at += u.rows;
      return { unit: u.unit, rows, chunkSizes: u.chunkSizes };
    }),
  }));
  const unitIds = files.flatMap((f) => f.units.map((u) => u.unit));
  const out = join(ctx.dir, 'files');
  await mkdir(out);
  let written: WriteTaskResult[] = [];
  if (unitIds.length > 0) {
    const { indexes, groups } = await readShuffleIndexes(ctx, io);
    // A writer's units are consecutive.
    await fetchPieces(ctx, io, indexes, groups, unitIds[0]!, unitIds[unitIds.length - 1]! + 1);
    const kv = reportMetadata(meta.counts);
    written = await withPool(
      (pool, threads) =>
        writeFiles(pool, files.length, (i) => files[i]!, indexes, {
          dir: out,
          fileName: dataFileName,
          keyValueMetadata: kv,
          ...sampleShare(meta.counts.files),
          writeOptions: settings.write,
          threads,
        }),
      meta.threads,
    );
  }
  const results: WriteResults = {
    files: files.map((f, i) => ({
      file: f.file,
      name: dataFileName(f.file),
      bytes: written[i]!.bytes,
      layout: written[i]!.layout,
    })),
  };
  await eachBounded(results.files.length, TRANSFERS, async (i) => {
    const f = results.files[i]!;
    await io.upload(dataFileUrl(ctx.work, f.name), join(out, f.name), f.bytes);
  });
  const resultArrays: Record<string, Float64Array | Uint8Array> = {};
  for (const [i, w] of written.entries()) {
    resultArrays[`stats${i}`] = w.stats;
    resultArrays[`sample${i}`] = w.sample;
  }
  await io.put(writeResultUrl(ctx.work, ctx.index), pack(results, resultArrays));
  const rows = allRows.length;
  return stageReport('write', t0, io, rows, files.length);
}

/** What the commit of an ingest publishes: the data files in the work folder, and `_sample`. */
export interface IngestPublication {
  /** The data files: name -> its URL in the work folder. */
  readonly copies: Readonly<Record<string, string>>;
  /** Writes `_sample` into the staging folder (and the metadata file at its place). */
  readonly fill: (staging: Staging) => Promise<void>;
  /** The step's report (timings: the commit's own). */
  readonly report: () => IngestReport;
}

/**
 * Reads the plan and every writer's results, and returns what the commit publishes: the data
 * files (copied inside S3 from the work folder) and `_sample`, written as a local run writes it.
 */
export async function ingestPublication(ctx: IngestStageContext): Promise<IngestPublication> {
  const t0 = performance.now();
  const io = new Transfers();
  const settings = ingestSettings(ctx.step);
  const table = unpack<TablePlan>(await io.get(tablePlanUrl(ctx.work)), tablePlanUrl(ctx.work));
  const n = (table.arrays.fileId as Int32Array).length;
  const chunks: ChunkTable = allocChunkTable(n);
  for (const k of CHUNK_COLUMNS) (chunks[k] as Int32Array | Float64Array).set(table.arrays[k] as never);
  const results = await Promise.all(
    Array.from({ length: ctx.writeTasks }, async (_, j) =>
      unpack<WriteResults>(await io.get(writeResultUrl(ctx.work, j)), writeResultUrl(ctx.work, j)),
    ),
  );
  const files = results.flatMap(({ meta, arrays }) =>
    meta.files.map((f, i) => ({
      ...f,
      stats: arrays[`stats${i}`] as Float64Array,
      sample: arrays[`sample${i}`] as Uint8Array,
    })),
  );
  const { counts, numFiles } = table.meta;
  const misplaced = files.findIndex((f, i) => f.file !== i);
  if (files.length !== numFiles || misplaced !== -1) {
    throw new GeopartError(
      'REMOTE_ERROR',
      `the writers' results (${writeResultUrl(ctx.work, 0)} to ${ctx.writeTasks - 1}.pack) list ${files.length} files of the plan's ${numFiles}` +
        `${misplaced === -1 ? '' : `, file ${files[misplaced]!.file} in place ${misplaced}`}; the output is not written`,
      { files: files.length, planned: numFiles },
    );
  }
  let sampleBytes = 0;
  const dataBytes = files.reduce((a, f) => a + f.bytes, 0);
  return {
    copies: Object.fromEntries(files.map((f) => [f.name, dataFileUrl(ctx.work, f.name)])),
    fill: async (staging) => {
      const kv = reportMetadata(counts);
      const schema = schemaFromText(table.meta.schema);
      const done = await writeTableMetadata(staging, settings, schema, chunks, files, kv);
      sampleBytes = done.sampleBytes;
      await writeMetadataFile(settings, staging.output, done.metadata, kv);
    },
    report: () => {
      const s = (performance.now() - t0) / 1000;
      return {
        ...counts,
        output: settings.output,
        bytesWritten: dataBytes + sampleBytes,
        // The commit's own time: each stage's children report theirs in their records.
        seconds: { scan: 0, plan: 0, write: 0, commit: s, total: s },
      };
    },
  };
}
