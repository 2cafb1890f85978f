import type { IngestProgress } from '../ingest/settings.js';

const WIDTH = 24;

const count = (n: number) => n.toLocaleString('en-US');

/** Bytes for people: 512 B, 1.5 kB, 57.0 MB, 2.10 GB (powers of 1000, as `--memory-limit`). */
export function formatBytes(n: number): string {
  if (n < 1e3) return `${n} B`;
  const [v, unit] = n < 1e6 ? [n / 1e3, 'kB'] : n < 1e9 ? [n / 1e6, 'MB'] : [n / 1e9, 'GB'];
  return `${v.toFixed(v < 10 && unit === 'GB' ? 2 : 1)} ${unit}`;
}

/** `m:ss` (or `h:mm:ss`) of a number of seconds. */
function clock(seconds: number): string {
  const s = Math.round(seconds);
  const mm = String(Math.floor(s / 60) % 60).padStart(s >= 3600 ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * One line of progress for a terminal: the stage, its work done (rows scanned; a bar of groups
 * shuffled or files written), its bytes, and, given the seconds the stage has run, an estimate
 * of the time it has left (when its total is known).
 */
export function progressLine(p: IngestProgress, elapsed?: number): string {
  const parts: string[] = [];
  if (p.stage === 'scan') {
    parts.push(`scanning: ${count(p.rowsScanned)}${p.total > 0 ? ` of ${count(p.total)}` : ''} rows scanned`);
  } else if (p.total === 0) {
    return `${p.stage}...`;
  } else {
    const done = Math.min(WIDTH, Math.round((WIDTH * p.done) / p.total));
    const what = p.stage === 'write' ? 'files' : 'groups';
    parts.push(`${p.stage}: [${'#'.repeat(done)}${'.'.repeat(WIDTH - done)}] ${p.done}/${p.total} ${what}`);
  }
  if (p.bytes > 0) parts.push(formatBytes(p.bytes));
  if (elapsed !== undefined && p.total > 0 && p.done > 0 && p.done < p.total) {
    parts.push(`${clock((elapsed * (p.total - p.done)) / p.done)} left`);
  }
  return parts.join(' · ');
}

/** A progress callback that shows each stage on `status`, timing each stage for its estimate. */
export function showProgress(status: StatusLine): (p: IngestProgress) => void {
  let stage = '';
  let start = 0;
  return (p) => {
    const now = performance.now();
    if (p.stage !== stage) {
      stage = p.stage;
      start = now;
    }
    // A stage's first and last lines always show; the ones between at most every 100 ms.
    status.show(() => progressLine(p, (now - start) / 1000), p.done > 0 && p.done !== p.total);
  };
}

/** Progress and warnings on stderr: a line rewritten in place when stderr is a terminal. */
export interface StatusLine {
  /** Shows the line `line` makes (terminal only, made only then); with `throttle`, at most every 100 ms. */
  show(line: () => string, throttle?: boolean): void;
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
      process.stderr.write(`\r${line()}\u001b[K`);
    },
    warn(message) {
      process.stderr.write(`${tty ? '\r\u001b[K' : ''}warning: ${message}\n`);
    },
    clear() {
      if (tty) process.stderr.write('\r\u001b[K');
    },
  };
}
