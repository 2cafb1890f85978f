/**
 * What an ingest runs with. `ingestSettings` reads the step once, at the top of `runIngest`,
 * and unpacks it into plain options for each stage; the stages never see the config object.
 */
import type { GeospatialPartitionJobStepConfig } from '../config/geospatial-step.js';
import { parseMemorySize } from '../config/memory-size.js';
import { GeopartError } from '../errors.js';
import type { ReadOptions } from '../io/read-inputs.js';
import type { PlanOptions } from '../partition/options.js';
import type { ScanOptions } from '../scan/scan-batch.js';
import type { WriteOptions } from '../write/geoparquet-writer.js';

/** How to run an ingest; everything optional. */
export interface IngestRunOptions {
  /** Worker threads, 1 to 256 (default: one per core). The output does not depend on it. */
  readonly threads?: number;
  readonly signal?: AbortSignal;
  /** Called as rows are scanned and files written. */
  readonly onProgress?: (progress: IngestProgress) => void;
  /** Called with warnings (e.g. a layer without CRS). */
  readonly onWarning?: (message: string) => void;
  /** Called after each object of an `s3://` output is uploaded; `_sample` comes last. */
  readonly onUpload?: (url: string) => void | Promise<void>;
}

/** Where an ingest is. */
export interface IngestProgress {
  readonly stage: 'scan' | 'plan' | 'shuffle' | 'write' | 'commit';
  readonly rowsScanned: number;
  readonly filesWritten: number;
  /** Files to write (0 until planned). */
  readonly files: number;
  /**
   * Work done and to do in this stage: rows (scan), groups of spilled batches (shuffle), files
   * (write); `total` is 0 when not known (an input that does not give its row count).
   */
  readonly done: number;
  readonly total: number;
  /** Bytes done in this stage: spilled (scan), shuffled (shuffle), written (write). */
  readonly bytes: number;
}

/** A partition step's fields, as the stages of an ingest take them. */
export interface IngestSettings {
  /** Where the table goes (a path or URL), and whether an existing table may be replaced. */
  readonly output: string;
  readonly overwrite: boolean;
  /** Where the chunk table also goes as its own file, or null. */
  readonly outputMetadata: string | null;
  /** How the Parquet files are written (the writer's options). */
  readonly write: Pick<WriteOptions, 'geoTypes' | 'compression' | 'pageBytes' | 'pageIndex' | 'dictionary'>;
  /** How the inputs are read (`io/read-inputs.ts`). */
  readonly read: Omit<ReadOptions, 'onWarning' | 'batchSize'>;
  /** What the scan computes per row (`scan/scan-batch.ts`). */
  readonly scan: ScanOptions;
  /** How the planner cuts (`partition/plan.ts`), unless the boxes come from a file. */
  readonly plan: PlanOptions;
  /** A Parquet file of chunk boxes that rows are assigned to instead, or null. */
  readonly schemaInput: string | null;
  /** Bytes of working data the ingest may hold in memory (`memory_limit`). */
  readonly memoryLimit: number;
  /** Keys the planner holds at most; past it, it plans from a sample (`ingest/plan-stage.ts`). */
  readonly planBudgetRows: number;
}

/** The settings of `step`; throws `INVALID_CONFIG` when its output is not set. */
export function ingestSettings(step: GeospatialPartitionJobStepConfig): IngestSettings {
  if (step.output === null) {
    throw new GeopartError('INVALID_CONFIG', 'output: not set; give one with setOutput(...) or -o OUT', {
      option: 'output',
    });
  }
  const memoryLimit = parseMemorySize(step.memoryLimit)!;
  return {
    output: step.output,
    overwrite: step.overwrite,
    write: {
      geoTypes: step.parquetGeoTypes,
      compression: { codec: step.compression, level: step.compressionLevel },
      pageBytes: step.dataPageSize,
      pageIndex: step.writePageIndex,
      dictionary: step.useDictionary,
    },
    outputMetadata: step.outputMetadata,
    read: {
      input: step.input,
      fileSuffix: step.fileSuffix,
      openOptions: step.gdalConfig.openOptions as Readonly<Record<string, string>>,
      layer: step.gdalConfig.layer,
      lonlatCols: step.lonlatCols,
      loadColumns: step.loadColumns,
      removeCols: step.removeCols,
      explodeGeometries: step.explodeGeometries,
      dropOutOfBounds: step.dropOutOfBounds,
      // The scan tasks split and drop, off the thread that reads.
      boundsStepsLater: true,
    },
    scan: {
      splitAntimeridian: step.splitAntimeridian,
      dropOutOfBounds: step.dropOutOfBounds,
      method: step.partitioningMethod,
      subdivideStart: step.subdivideStart,
      subdivideStop: step.subdivideStop,
      makeValid: step.makeValid,
    },
    plan: {
      maxPerFile: step.partitioningMaximumPerFile,
      maxPerChunk: step.partitioningMaximumPerChunk,
      targetNumChunks: step.targetNumChunks,
      splitMethod: step.partitioningSplitMethod,
      maxWidthRatio: step.partitioningMaxWidthRatio,
      maxHeightRatio: step.partitioningMaxHeightRatio,
      splitIdenticalCentroids: step.splitIdenticalCentroids,
    },
    schemaInput: step.partitioningSchemaInput,
    memoryLimit,
    planBudgetRows: planBudgetRows(memoryLimit),
  };
}

/**
 * Bytes of memory the planner takes per key it holds: the key (56), its row index and place in
 * the sample (8), the plan's order and the splitter's working copies (28), the chunk of each row
 * (4), with room to spare. While the scan keeps a sample, its slots (the key, row index and
 * hash) number half as many again as the keys: 96 bytes per key.
 */
const PLAN_BYTES_PER_ROW = 128;

/** Keys the planner may hold at once: a quarter of the memory limit. */
export function planBudgetRows(memoryLimit: number): number {
  return Math.max(64, Math.floor(memoryLimit / 4 / PLAN_BYTES_PER_ROW));
}
