/**
 * Spilled rows: each scanned batch is written to a temporary Arrow IPC file, so only the key
 * table stays in memory. Write tasks read back the batches they need.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RecordBatch, Table, tableFromIPC, tableToIPC } from 'apache-arrow';

/** Path of spilled batch `batchId` under `dir`. */
export function spillPath(dir: string, batchId: number): string {
  return join(dir, `${batchId}.arrow`);
}

/** Writes one batch as an Arrow IPC file. */
export function writeSpill(path: string, batch: RecordBatch): void {
  writeFileSync(path, tableToIPC(new Table([batch]), 'file'));
}

/** Reads a spilled batch back (one batch per file). */
export function readSpill(path: string): RecordBatch {
  return tableFromIPC(readFileSync(path)).batches[0]!;
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
