import type { IngestProgress } from '../ingest/settings.js';

const WIDTH = 24;

/** One line of progress for a terminal: stage, rows scanned, and a bar of files written. */
export function progressLine(p: IngestProgress): string {
  const rows = `${p.rowsScanned.toLocaleString('en-US')} rows scanned`;
  if (p.stage === 'scan') return `scanning: ${rows}`;
  if (p.files === 0) return `${p.stage}...`;
  const done = Math.round((WIDTH * p.filesWritten) / p.files);
  return `${p.stage}: [${'#'.repeat(done)}${'.'.repeat(WIDTH - done)}] ${p.filesWritten}/${p.files} files`;
}

/** Progress and warnings on stderr: a line rewritten in place when stderr is a terminal. */
export interface StatusLine {
  /** Shows `line` (terminal only); with `throttle`, at most every 100 ms. */
  show(line: string, throttle?: boolean): void;
  /** Prints a warning on a line of its own, whether or not stderr is a terminal. */
  warn(message: string): void;
  /** Clears the progress line before the command prints its result. */
  clear(): void;
}

/** The {@link StatusLine} of this process's stderr. */
export function statusLine(): StatusLine {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return {
    show(line, throttle = true) {
      const now = Date.now();
      if (!tty || (throttle && now - last < 100)) return;
      last = now;
      process.stderr.write(`\r${line}\u001b[K`);
    },
    warn(message) {
      process.stderr.write(`${tty ? '\r\u001b[K' : ''}warning: ${message}\n`);
    },
    clear() {
      if (tty) process.stderr.write('\r\u001b[K');
    },
  };
}
