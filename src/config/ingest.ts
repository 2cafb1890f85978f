import { ConfigError } from '../errors.js';
import { type GeospatialPartitionInit, GeospatialPartitionJobStepConfig } from './geospatial-step.js';
import { outputChange } from './output-target.js';

/** Options of {@link ingest}: every ingestion field except `input` and `output`. */
export type IngestOptions = Omit<GeospatialPartitionInit, 'input' | 'output'>;

/**
 * Builds an ingestion step, like `fused.ingest`: `input` is a path, URL, directory, glob or a
 * list of them; `output` a table name (a folder under the working directory) or a path/URL,
 * read as `setOutput` reads its first argument.
 */
export function ingest(
  input: string | readonly string[],
  output?: string | null,
  options: IngestOptions = {},
): GeospatialPartitionJobStepConfig {
  let fields: { output?: string | null };
  try {
    fields = outputChange(output, {}).fields;
  } catch (err) {
    // outputChange names its argument table_or_url; here the caller knows it as output.
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(err.issues.map((i) => ({ ...i, path: i.path.replace(/^table_or_url/, 'output') })));
  }
  return new GeospatialPartitionJobStepConfig({ ...options, input, ...fields });
}
