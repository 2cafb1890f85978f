/**
 * Runs geopart commands through driver.mjs in child processes, several commands per process.
 * A command that kills its process (a signal from native code) or runs past the time bound is
 * recorded as such and the rest of the batch goes on in a fresh process.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DRIVER = fileURLToPath(new URL('./driver.mjs', import.meta.url));

/** How one command ended. */
export type CommandEnd =
  /** The command returned `status`, or threw: `code` is its GeopartError code or `NOT_CODED`. */
  | { readonly kind: 'exit'; readonly status: number; readonly code: string | null; readonly message: string }
  /** The process died of a signal (or exited) while the command ran. */
  | { readonly kind: 'crash'; readonly signal: string; readonly stderr: string }
  /** The command ran longer than the bound and its process was killed. */
  | { readonly kind: 'timeout'; readonly stderr: string };

/**
 * Runs every argv of `commands` (geopart's argv, without `geopart`) and returns how each
 * ended, in order. `shards` processes run at once, each on a contiguous share; each command
 * gets `boundMs` from its start.
 */
export async function runCommands(
  commands: readonly (readonly string[])[],
  workDir: string,
  boundMs: number,
  shards: number,
): Promise<CommandEnd[]> {
  const ends = new Array<CommandEnd>(commands.length);
  const per = Math.ceil(commands.length / shards);
  await Promise.all(
    Array.from({ length: shards }, async (_, s) => {
      const slice = commands.slice(s * per, (s + 1) * per);
      const jobs = join(workDir, `jobs-${s}.json`);
      writeFileSync(jobs, JSON.stringify(slice));
      let next = 0;
      while (next < slice.length) {
        const got = await runDriver(jobs, next, boundMs);
        for (const [i, end] of got) ends[s * per + i] = end;
        next = Math.max(next + 1, ...[...got.keys()].map((i) => i + 1));
      }
    }),
  );
  return ends;
}

/** One driver process from command `first` on, until it ends; the commands it finished or lost. */
function runDriver(jobs: string, first: number, boundMs: number): Promise<Map<number, CommandEnd>> {
  return new Promise((resolve) => {
    const got = new Map<number, CommandEnd>();
    const child = spawn(process.execPath, [DRIVER, jobs, String(first)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let current = -1;
    let stderr = '';
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let buffered = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const m = /^(START|END) (\d+) ?(.*)$/.exec(line);
        if (m?.[1] === 'START') {
          current = Number(m[2]);
          stderr = '';
          clearTimeout(timer);
          timer = setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, boundMs);
        } else if (m?.[1] === 'END') {
          clearTimeout(timer);
          const r = JSON.parse(m[3]!) as { status: number; code: string | null; message: string };
          got.set(Number(m[2]), { kind: 'exit', ...r });
          current = -1;
        }
        nl = buffered.indexOf('\n');
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // A process that dies before its first command reports it lost, so the batch moves on.
      const lost = current >= 0 ? current : got.size === 0 ? first : -1;
      if (lost >= 0 && !got.has(lost)) {
        got.set(
          lost,
          timedOut
            ? { kind: 'timeout', stderr }
            : { kind: 'crash', signal: signal ?? `exit ${code}`, stderr },
        );
      }
      resolve(got);
    });
  });
}
