import { JobStepConfig, type JobStepInit } from './job-step.js';
import type { PartitionStepJson } from './partition-schema.js';
import { defineFields } from './readonly.js';

/** Options every partition step takes. */
export interface PartitionStepInit extends JobStepInit {
  /** The input: one path or URL, or a list; a directory or glob expands to its files. Required. */
  readonly input: string | readonly string[];
  /** Where to also write the chunk metadata table as its own GeoParquet file. Default null. */
  readonly outputMetadata?: string | null;
  /** Cap of the partitioning measure in one file; null (default): a tenth of the total. */
  readonly partitioningMaximumPerFile?: number | null;
  /** Cap of the partitioning measure in one chunk (<= the per-file cap); null (default): engine picks. */
  readonly partitioningMaximumPerChunk?: number | null;
}

/**
 * Base of partitioner steps; not instantiated directly (use GeospatialPartitionJobStepConfig
 * or `ingest()`).
 */
export abstract class PartitionJobStepConfig extends JobStepConfig {
  /** The input: one path or URL, or a list of them; a directory or glob expands to its files. */
  declare readonly input: string | readonly string[];
  /** Where to also write the chunk metadata table as its own GeoParquet file, or null. */
  declare readonly outputMetadata: string | null;
  /**
   * Cap of the partitioning measure in one file, in the measure's unit (rows, deg^2, deg or
   * vertices). Null: a tenth of the total.
   */
  declare readonly partitioningMaximumPerFile: number | null;
  /**
   * Cap of the partitioning measure in one chunk, in the measure's unit; never above the per-file
   * cap. Null: total / `targetNumChunks` when the per-file cap is unset too, else total / 100.
   */
  declare readonly partitioningMaximumPerChunk: number | null;

  protected constructor(json: PartitionStepJson) {
    if (new.target === PartitionJobStepConfig) {
      throw new TypeError(
        'PartitionJobStepConfig is a base class; create a GeospatialPartitionJobStepConfig (or call ingest())',
      );
    }
    super(json);
  }

  protected override load(json: PartitionStepJson): void {
    super.load(json);
    defineFields(this, {
      input: json.input,
      outputMetadata: json.output_metadata,
      partitioningMaximumPerFile: json.partitioning_maximum_per_file,
      partitioningMaximumPerChunk: json.partitioning_maximum_per_chunk,
    });
  }

  /** The base and partition fields in JSON form, for subclasses' `toJSON`. */
  protected partitionJSON(): PartitionStepJson {
    return {
      ...this.baseJSON(),
      input: typeof this.input === 'string' ? this.input : [...this.input],
      output_metadata: this.outputMetadata,
      partitioning_maximum_per_file: this.partitioningMaximumPerFile,
      partitioning_maximum_per_chunk: this.partitioningMaximumPerChunk,
    };
  }
}
