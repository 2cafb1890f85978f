/**
 * Spilled rows: each scanned batch is written to a temporary file as Arrow IPC stream bytes
 * (the same bytes that carry batches between threads), so only the key table stays in
 * memory. Write tasks read back the batches they need.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RecordBatch, Table, tableFromIPC, tableToIPC } from 'apache-arrow';

/** Path of spilled batch `batchId` under `dir`. */
export function spillPath(dir: string, batchId: number): string {
  return join(dir, `${batchId}.arrow`);
}

/** Writes one batch, given as {@link batchToBytes} bytes, to the spill. */
export function writeSpill(path: string, bytes: Uint8Array): void {
  writeFileSync(path, bytes);
}

/** Reads a spilled batch back (one batch per file). */
export function readSpill(path: string): RecordBatch {
  return batchFromBytes(readFileSync(path));
}

/** Serialises a batch for another thread (Arrow IPC stream bytes). */
export function batchToBytes(batch: RecordBatch): Uint8Array {
  return tableToIPC(new Table([batch]), 'stream');
}

/** The batch serialised by {@link batchToBytes}. */
export function batchFromBytes(bytes: Uint8Array): RecordBatch {
  const table = tableFromIPC(bytes);
  return table.batches[0]!;
}
