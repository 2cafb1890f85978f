/**
 * The list a UDF step runs over: its JSON inputs, or the chunks of a table (read when the step
 * runs, so the table may be one an earlier step has just written).
 */
import type { JsonValue } from '../config/json.js';
import type { UdfInput } from '../config/udf-step.js';

/** One input of a `chunksOf` step: a chunk of the table, as the UDF receives it. */
export interface ChunkInput {
  readonly file_id: number;
  readonly chunk_id: number;
  /** `[minx, miny, maxx, maxy]` of the chunk's geometries (degrees). */
  readonly bbox: [number, number, number, number];
  /** The data file holding the chunk (row group `chunk_id` of it). */
  readonly url: string;
  /** The table, as `openTable` takes it: `openTable(table).readChunk(file_id, chunk_id)`. */
  readonly table: string;
  readonly [key: string]: JsonValue;
}

/** The chunks of the table at `location`, one input each, ordered by file and chunk. */
export async function chunkInputs(location: string, signal?: AbortSignal): Promise<ChunkInput[]> {
  const { openTable } = await import('../read/open-table.js');
  const table = await openTable(location, { signal });
  try {
    return table.chunks().map((c) => ({
      file_id: c.fileId,
      chunk_id: c.chunkId,
      bbox: [c.bbox[0], c.bbox[1], c.bbox[2], c.bbox[3]],
      url: c.url,
      table: location,
    }));
  } finally {
    await table.close();
  }
}

/**
 * The inputs of a step: the JSON list as it is, the chunks of a `chunksOf` table, or `[null]`
 * for a step without input (it runs once, on null).
 */
export async function resolveInputs(input: UdfInput, signal?: AbortSignal): Promise<readonly JsonValue[]> {
  if (input === null) return [null];
  if ('chunksOf' in input) return chunkInputs(input.chunksOf, signal);
  return input;
}
