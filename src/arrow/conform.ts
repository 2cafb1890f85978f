/**
 * Conforming batches to one schema, for inputs whose files have different columns.
 */
import { type Data, type DataType, type RecordBatch, type Schema, vectorFromArray } from 'apache-arrow';
import { makeBatch } from './batch.js';

/** A column of `length` nulls of `type`. */
export function nullData(type: DataType, length: number): Data {
  return vectorFromArray(new Array<null>(length).fill(null), type).data[0]!;
}

/**
 * The batch with the columns of `schema`, in its order: columns the batch lacks are all
 * null. A column is found by its name, else by its name in another letter case. Column types must already agree (see `unionSchema`). The batch is returned as is when
 * it already has exactly those columns in that order.
 */
export function conformBatch(batch: RecordBatch, schema: Schema): RecordBatch {
  const have = batch.schema.fields;
  const want = schema.fields;
  if (have.length === want.length && have.every((f, i) => f.name === want[i]!.name)) return batch;
  const byName = new Map(have.map((f, i) => [f.name, i]));
  const byLowerName = new Map(have.map((f, i) => [f.name.toLowerCase(), i]));
  const columns = want.map((f) => {
    const i = byName.get(f.name) ?? byLowerName.get(f.name.toLowerCase());
    return i === undefined ? nullData(f.type, batch.numRows) : batch.data.children[i]!;
  });
  return makeBatch(want, columns, schema.metadata, batch.numRows);
}
