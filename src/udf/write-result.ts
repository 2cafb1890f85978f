/**
 * Writes one input's table to a file: GeoParquet (through geopart's own writer: WKB geometry,
 * bbox covering column, `geo` metadata) when it has a `geometry` column, else plain Parquet
 * (through parquet-wasm). Both are zstd-compressed, one row group per file.
 */
import { writeFile } from 'node:fs/promises';
import { tableToIPC } from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import { GeopartError } from '../errors.js';
import { GEOMETRY_COLUMN } from '../io/source.js';
import { CREATED_BY, writeGeoParquetFile } from '../write/geoparquet-writer.js';
import type { UdfTable } from './table-value.js';

/** What was written. */
export interface WrittenFile {
  /** Rows in the file. */
  readonly rows: number;
  /** File size (bytes). */
  readonly bytes: number;
}

function cannotWrite(err: unknown): GeopartError {
  return new GeopartError(
    'INVALID_UDF_OUTPUT',
    `cannot write the UDF's table as Parquet: ${err instanceof Error ? err.message : String(err)}`,
    {},
    { cause: err },
  );
}

async function writeGeo(
  path: string,
  value: UdfTable,
  kv: Readonly<Record<string, string>>,
): Promise<number> {
  // The writer takes the geometry as the last column.
  const names = value.table.schema.fields.map((f) => f.name).filter((n) => n !== GEOMETRY_COLUMN);
  const table = value.table.select([...names, GEOMETRY_COLUMN]);
  try {
    const result = await writeGeoParquetFile(path, {
      batches: table.batches.filter((b) => b.numRows > 0),
      schema: table.schema,
      rowGroupSizes: table.numRows > 0 ? [table.numRows] : [],
      keyValueMetadata: kv,
    });
    return result.bytes;
  } catch (err) {
    // Bad geometry, a `bbox` column, a type Parquet cannot hold: the UDF's value, not geopart.
    if (err instanceof TypeError || err instanceof RangeError || err instanceof GeopartError) {
      throw cannotWrite(err);
    }
    throw err;
  }
}

async function writePlain(
  path: string,
  value: UdfTable,
  kv: Readonly<Record<string, string>>,
): Promise<number> {
  let bytes: Uint8Array;
  try {
    const props = new WriterPropertiesBuilder()
      .setCompression(Compression.ZSTD)
      .setCreatedBy(CREATED_BY)
      .setKeyValueMetadata(new Map(Object.entries(kv)))
      .build();
    bytes = writeParquet(WasmTable.fromIPCStream(tableToIPC(value.table, 'stream')), props);
  } catch (err) {
    throw cannotWrite(err);
  }
  await writeFile(path, bytes);
  return bytes.length;
}

/**
 * Writes `value` to `path` (replacing a file there) and returns its rows and size. Throws a
 * GeopartError `INVALID_UDF_OUTPUT` when the table cannot be written (a WKB error, a column
 * named `bbox` next to a geometry, a column type Parquet cannot hold).
 */
export async function writeUdfTable(
  path: string,
  value: UdfTable,
  keyValueMetadata: Readonly<Record<string, string>> = {},
): Promise<WrittenFile> {
  const bytes = value.geometry
    ? await writeGeo(path, value, keyValueMetadata)
    : await writePlain(path, value, keyValueMetadata);
  return { rows: value.table.numRows, bytes };
}

/**
 * Where input `inputIndex`'s result goes in the step's output `output` (a folder path or URL):
 * `<output>/<inputIndex>.parquet`.
 */
export function resultLocation(output: string, inputIndex: number): string {
  return `${output.replace(/\/+$/, '')}/${inputIndex}.parquet`;
}
