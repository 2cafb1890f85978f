/**
 * Handing a record batch to another thread as its buffers, without Arrow IPC: the schema as
 * an IPC schema message, each Data node's length, null count and offset, and its typed
 * arrays, which the message moves (transfers) or carries as copies. The receiving thread
 * rebuilds the same Data tree over them, with no copy and no decode.
 *
 * A buffer is moved only when it is known to belong to this batch alone: a reader that makes
 * fresh buffers for every batch marks them with {@link markExclusive}. Any other buffer may
 * be shared with batches still to be sent (batches decoded from one IPC buffer), so it is
 * copied whole. A slice of a batch should go as Arrow IPC instead, which copies only its rows
 * (a sliced Data keeps its parent's whole buffers), and so should a schema that
 * {@link needsIpc}.
 */
import {
  Data,
  DataType,
  type RecordBatch,
  type Schema,
  Struct,
  Table,
  Type,
  tableFromIPC,
  tableToIPC,
} from 'apache-arrow';
import { makeBatch } from './batch.js';

const exclusive = new WeakSet<ArrayBufferLike>();

/** Marks `buffer` as used by one batch only, so it may be moved to another thread with it. */
export function markExclusive(buffer: ArrayBufferLike): void {
  exclusive.add(buffer);
}

/** Arrow IPC's end-of-stream marker: continuation token and a zero length. */
export const IPC_EOS = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);

/** A record batch as {@link batchToParts} gives it; plain data for `postMessage`. */
export interface BatchParts {
  /** The schema, as an IPC stream's schema message. */
  readonly schema: Uint8Array;
  /** Per Data node, depth first from the batch's struct: length, null count, offset. */
  readonly nodes: Float64Array;
  /** Per Data node, its value offsets, values, validity bitmap and type ids (or null). */
  readonly buffers: readonly (ArrayBufferView | null)[];
}

/** True when `test` holds for a type in `schema`, at any depth. */
function anyType(schema: Schema, test: (t: DataType) => boolean): boolean {
  const walk = (t: DataType): boolean => test(t) || (t.children ?? []).some((c) => walk(c.type));
  return schema.fields.some((f) => walk(f.type));
}

/** True when a type in `schema` is dictionary-encoded. */
export function hasDictionary(schema: Schema): boolean {
  return anyType(schema, (t) => DataType.isDictionary(t));
}

/**
 * True when a batch of `schema` cannot travel as parts and must go as Arrow IPC: a column is
 * dictionary-encoded, or a view type whose values live in variadic buffers.
 */
export function needsIpc(schema: Schema): boolean {
  return anyType(
    schema,
    (t) => DataType.isDictionary(t) || t.typeId === Type.Utf8View || t.typeId === Type.BinaryView,
  );
}

const schemaBytes = new WeakMap<Schema, Uint8Array>();

/** The schema message an IPC stream of `schema` starts with (cached per schema; do not modify). */
export function schemaMessage(schema: Schema): Uint8Array {
  let bytes = schemaBytes.get(schema);
  if (!bytes) {
    const stream = tableToIPC(new Table(schema), 'stream');
    bytes = stream.slice(0, stream.length - IPC_EOS.length);
    schemaBytes.set(schema, bytes);
  }
  return bytes;
}

/** The schema of a schema message ({@link schemaMessage}'s inverse). */
export function schemaFromMessage(message: Uint8Array): Schema {
  const stream = new Uint8Array(message.length + IPC_EOS.length);
  stream.set(message);
  stream.set(IPC_EOS, message.length);
  return tableFromIPC(stream).schema;
}

/**
 * The parts of `batch` (whose schema must not {@link needsIpc}) and the buffers to transfer
 * with them: the batch's exclusive buffers, moved, and whole copies of the others. After the
 * parts are posted with that transfer list, the batch must not be read again.
 */
export function batchToParts(batch: RecordBatch): { parts: BatchParts; transfer: ArrayBuffer[] } {
  if (needsIpc(batch.schema)) throw new TypeError('batchToParts: this schema travels as Arrow IPC');
  const nodes: number[] = [];
  const buffers: (ArrayBufferView | null)[] = [];
  const transfer = new Set<ArrayBuffer>();
  const add = (view: ArrayBufferView | null | undefined): void => {
    if (!view) {
      buffers.push(null);
      return;
    }
    const own = view.buffer instanceof ArrayBuffer && exclusive.has(view.buffer);
    // A Node Buffer's slice() is a view, not a copy: copy it as a plain Uint8Array.
    const sent = own
      ? view
      : Buffer.isBuffer(view)
        ? new Uint8Array(view)
        : (view as unknown as { slice(): ArrayBufferView }).slice();
    buffers.push(sent);
    if (sent.buffer instanceof ArrayBuffer && sent.buffer.byteLength > 0) transfer.add(sent.buffer);
  };
  const walk = (d: Data): void => {
    nodes.push(d.length, d.nullCount, d.offset);
    add(d.valueOffsets);
    add(d.values);
    add(d.nullBitmap);
    add(d.typeIds);
    for (const c of d.children) walk(c);
  };
  walk(batch.data);
  const schema = schemaMessage(batch.schema).slice();
  transfer.add(schema.buffer);
  return { parts: { schema, nodes: Float64Array.from(nodes), buffers }, transfer: [...transfer] };
}

let lastSchema: { bytes: Uint8Array; schema: Schema } | null = null;

/** The batch {@link batchToParts} took apart. */
export function batchFromParts(parts: BatchParts): RecordBatch {
  if (lastSchema === null || Buffer.compare(lastSchema.bytes, parts.schema) !== 0) {
    const stream = new Uint8Array(parts.schema.length + IPC_EOS.length);
    stream.set(parts.schema);
    stream.set(IPC_EOS, parts.schema.length);
    lastSchema = { bytes: parts.schema, schema: tableFromIPC(stream).schema };
  }
  const schema = lastSchema.schema;
  let node = 0;
  const build = (type: DataType): Data => {
    const at = node++;
    const [length, nullCount, offset] = [
      parts.nodes[3 * at]!,
      parts.nodes[3 * at + 1]!,
      parts.nodes[3 * at + 2]!,
    ];
    const b = parts.buffers;
    const buffers = { 0: b[4 * at], 1: b[4 * at + 1], 2: b[4 * at + 2], 3: b[4 * at + 3] };
    const children = (type.children ?? []).map((c) => build(c.type));
    return new Data(type, offset, length, nullCount, buffers as never, children);
  };
  const root = build(new Struct(schema.fields));
  if (node * 3 !== parts.nodes.length)
    throw new Error(`batch parts: ${parts.nodes.length / 3} nodes, ${node} used`);
  return makeBatch(schema.fields, root.children as Data[], schema.metadata, root.length);
}
