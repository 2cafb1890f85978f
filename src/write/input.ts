/**
 * The writer's input: its type, the checks made once before anything is written, and the walk
 * that cuts the batches into row groups.
 */
import { type Data, DataType, type RecordBatch, type Schema, util } from 'apache-arrow';
import { BBOX_COLUMN, GEOMETRY_COLUMN } from '../format/columns.js';
import { GEO_KEY } from '../format/keys.js';

/** What {@link writeGeoParquetFile} writes: rows in final order, and how they form row groups. */
export interface GeoParquetInput {
  /**
   * The rows, in the order they are written. All batches share one schema whose last column is
   * `geometry`: Binary (or LargeBinary) ISO WKB, EPSG:4326 longitude/latitude in degrees. An
   * async iterable is drawn from as the row groups need rows, so memory holds the batches of
   * one row group, not the file; it needs `schema`, and its batches are checked as they come.
   */
  readonly batches: readonly RecordBatch[] | AsyncIterable<RecordBatch>;
  /** The schema; needed when `batches` is empty or an async iterable (default: the first batch's). */
  readonly schema?: Schema;
  /** Rows of each row group, in order: each a positive integer, summing to the row count. */
  readonly rowGroupSizes: readonly number[];
  /** Extra key-value metadata (e.g. the job report), written after `geo`, in this order. */
  readonly keyValueMetadata?: Readonly<Record<string, string>>;
}

/** A run of rows of one batch. */
export interface Segment {
  readonly batch: RecordBatch;
  readonly start: number;
  readonly length: number;
}

/**
 * The input's schema after checking everything about the input that could fail, so a file is
 * only opened for input that can be written. Throws TypeError / RangeError naming the field.
 */
export function checkInput(input: GeoParquetInput): Schema {
  const { batches, rowGroupSizes } = input;
  const schema = input.schema ?? (Array.isArray(batches) ? batches[0]?.schema : undefined);
  if (schema === undefined) {
    throw new TypeError('input.schema is required when input.batches is empty or an async iterable');
  }
  const fields = schema.fields;
  const geometry = fields[fields.length - 1];
  if (
    geometry === undefined ||
    geometry.name !== GEOMETRY_COLUMN ||
    !(DataType.isBinary(geometry.type) || DataType.isLargeBinary(geometry.type))
  ) {
    const last = geometry === undefined ? 'no columns' : `'${geometry.name}' of type ${geometry.type}`;
    throw new TypeError(`input: the last column must be '${GEOMETRY_COLUMN}' (binary WKB), got ${last}`);
  }
  const names = new Set<string>();
  for (const f of fields) {
    if (f.name === BBOX_COLUMN) {
      throw new TypeError(
        `input: column '${BBOX_COLUMN}' clashes with the covering column the writer adds; drop or rename it`,
      );
    }
    if (names.has(f.name)) throw new TypeError(`input: column '${f.name}' appears twice`);
    names.add(f.name);
  }
  let rows = 0;
  const list: readonly RecordBatch[] = Array.isArray(batches) ? batches : [];
  list.forEach((b, i) => {
    checkBatchSchema(schema, b, i);
    rows += b.numRows;
  });
  let total = 0;
  rowGroupSizes.forEach((size, i) => {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(
        `input.rowGroupSizes[${i}] is ${size}; every row group needs a whole number of rows >= 1`,
      );
    }
    total += size;
  });
  if (Array.isArray(batches) && total !== rows) {
    throw new RangeError(`input.rowGroupSizes sum to ${total} rows but the batches hold ${rows}`);
  }
  for (const [key, value] of Object.entries(input.keyValueMetadata ?? {})) {
    if (key === GEO_KEY)
      throw new TypeError(`input.keyValueMetadata may not set '${GEO_KEY}'; the writer makes it`);
    if (typeof value !== 'string') throw new TypeError(`input.keyValueMetadata['${key}'] is not a string`);
  }
  return schema;
}

function checkBatchSchema(schema: Schema, b: RecordBatch, i: number): void {
  const fields = schema.fields;
  const same =
    b.schema.fields.length === fields.length &&
    b.schema.fields.every((f, j) => f.name === fields[j]!.name && util.compareTypes(f.type, fields[j]!.type));
  if (!same) throw new TypeError(`input.batches[${i}] has a different schema from the first batch`);
}

/**
 * Yields, for each row group size in turn, the batch segments that make it up. Batches of an
 * async iterable are drawn one at a time as the row groups need them, and checked against
 * `schema` as they come.
 */
export async function* rowGroupSegments(
  batches: readonly RecordBatch[] | AsyncIterable<RecordBatch>,
  sizes: readonly number[],
  schema: Schema,
): AsyncGenerator<Segment[]> {
  const streamed = !Array.isArray(batches);
  const it: Iterator<RecordBatch> | AsyncIterator<RecordBatch> = Array.isArray(batches)
    ? (batches as readonly RecordBatch[])[Symbol.iterator]()
    : (batches as AsyncIterable<RecordBatch>)[Symbol.asyncIterator]();
  let index = 0;
  const next = async (): Promise<RecordBatch | null> => {
    const r = await it.next();
    if (r.done) return null;
    if (streamed) checkBatchSchema(schema, r.value, index);
    index++;
    return r.value;
  };
  let batch = await next();
  let row = 0;
  let given = 0;
  for (const size of sizes) {
    const segments: Segment[] = [];
    let need = size;
    while (need > 0) {
      if (batch === null) {
        throw new RangeError(`input.rowGroupSizes sum to more rows than the batches hold (${given})`);
      }
      const take = Math.min(need, batch.numRows - row);
      if (take > 0) segments.push({ batch, start: row, length: take });
      need -= take;
      row += take;
      given += take;
      if (row === batch.numRows) {
        batch = await next();
        row = 0;
      }
    }
    yield segments;
  }
  while (batch !== null && batch.numRows === 0) batch = await next();
  if (batch !== null) {
    throw new RangeError(`input.rowGroupSizes sum to ${given} rows but the batches hold more`);
  }
}

/** Column `j` of a segment, sliced to its rows (the batch's own data when it is the whole batch). */
export function segmentColumn(segment: Segment, j: number): Data {
  const data = segment.batch.data.children[j]!;
  return segment.start === 0 && segment.length === data.length
    ? data
    : data.slice(segment.start, segment.length);
}
