/**
 * Assembling a RecordBatch from fields and column data.
 */
import { type Data, type Field, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';

/**
 * A RecordBatch whose columns are `columns` (one `Data` each, all of one length) described by
 * `fields`, with optional schema metadata. The row count is that of the columns (0 when none:
 * pass `length` for a batch without columns).
 */
export function makeBatch(
  fields: readonly Field[],
  columns: readonly Data[],
  metadata?: Map<string, string>,
  length = columns[0]?.length ?? 0,
): RecordBatch {
  const schema = new Schema([...fields], metadata);
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: [...columns] });
  return new RecordBatch(schema, data);
}
