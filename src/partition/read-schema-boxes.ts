import { tableFromIPC, type Vector } from 'apache-arrow';
import { readParquet, readSchema } from 'parquet-wasm';
import { GeopartError } from '../errors.js';
import { openRangeReader } from '../io/range-reader.js';
import type { SchemaBoxes } from './schema-plan.js';

const OPTION = 'partitioning_schema_input';
const ID_COLUMNS = ['file_id', 'chunk_id'] as const;
const BOX_COLUMNS = ['bbox_minx', 'bbox_miny', 'bbox_maxx', 'bbox_maxy'] as const;
/** Columns a schema file must have; others (num_rows, geometry, ...) are ignored. */
export const SCHEMA_COLUMNS: readonly string[] = [...ID_COLUMNS, ...BOX_COLUMNS];

/**
 * Reads the boxes of a `partitioning_schema_input` Parquet file (a local path, or an `s3://`
 * or `http(s)://` URL; the file is small and read whole), e.g. an earlier table's chunk
 * metadata. Throws `GeopartError` naming the file: `INPUT_NOT_FOUND` when it does not exist,
 * `CORRUPT_INPUT` when it is not Parquet, `INVALID_CONFIG` when a column is missing or holds
 * nulls, non-numbers or ids outside int32.
 */
export async function readSchemaBoxes(path: string): Promise<SchemaBoxes> {
  let bytes: Uint8Array;
  try {
    bytes = await readWhole(path);
  } catch (err) {
    if (err instanceof GeopartError) {
      // A folder, or a file that shrank while being read, is not a schema file.
      const code = err.code === 'UNKNOWN_FORMAT' ? 'CORRUPT_INPUT' : err.code;
      throw new GeopartError(
        code,
        `${OPTION}: ${err.message}`,
        { option: OPTION, file: path },
        { cause: err },
      );
    }
    throw new GeopartError(
      'CORRUPT_INPUT',
      `${OPTION}: cannot read ${path}: ${(err as Error).message}`,
      { option: OPTION, file: path },
      { cause: err },
    );
  }
  return schemaBoxesFromParquet(bytes, path);
}

/** The whole file or object at `path`, through the range readers. */
async function readWhole(path: string): Promise<Uint8Array> {
  const reader = await openRangeReader(path);
  try {
    return await reader.read(0, reader.size);
  } finally {
    await reader.close();
  }
}

/** Parses schema boxes from the bytes of a Parquet file; `name` is used in error messages. */
export function schemaBoxesFromParquet(bytes: Uint8Array, name: string): SchemaBoxes {
  let present: string[];
  try {
    present = tableFromIPC(readSchema(bytes).intoIPCStream()).schema.fields.map((f) => f.name);
  } catch (err) {
    throw new GeopartError(
      'CORRUPT_INPUT',
      `${OPTION}: ${name} is not a readable Parquet file: ${String(err)}`,
      {
        option: OPTION,
        file: name,
      },
    );
  }
  const missing = SCHEMA_COLUMNS.filter((c) => !present.includes(c));
  if (missing.length > 0) {
    throw new GeopartError(
      'INVALID_CONFIG',
      `${OPTION}: ${name} has no column ${missing.join(', ')}; a schema file needs ${SCHEMA_COLUMNS.join(', ')} (it has ${present.join(', ') || 'no columns'})`,
      { option: OPTION, file: name, column: missing[0]! },
    );
  }
  const table = tableFromIPC(readParquet(bytes, { columns: [...SCHEMA_COLUMNS] }).intoIPCStream());
  const column = (c: string): Vector => table.getChild(c)!;
  const numbers = (c: string, integer: boolean): number[] => {
    const vec = column(c);
    const values: number[] = new Array(vec.length);
    for (let i = 0; i < vec.length; i++) {
      const raw: unknown = vec.get(i);
      const v = typeof raw === 'bigint' ? Number(raw) : raw;
      const ok =
        typeof v === 'number' &&
        (integer ? Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31 : !Number.isNaN(v));
      if (!ok) {
        throw new GeopartError(
          'INVALID_CONFIG',
          `${OPTION}: ${name}, column ${c}, row ${i}: ${String(raw)} is not ${integer ? 'an int32 id' : 'a number'}`,
          { option: OPTION, file: name, column: c, row: i },
        );
      }
      values[i] = v;
    }
    return values;
  };
  return {
    fileId: Int32Array.from(numbers('file_id', true)),
    chunkId: Int32Array.from(numbers('chunk_id', true)),
    minx: Float64Array.from(numbers('bbox_minx', false)),
    miny: Float64Array.from(numbers('bbox_miny', false)),
    maxx: Float64Array.from(numbers('bbox_maxx', false)),
    maxy: Float64Array.from(numbers('bbox_maxy', false)),
  };
}
