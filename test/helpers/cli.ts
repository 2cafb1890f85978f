import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Result of running the built `geopart` binary. */
export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `bin/geopart.js` (the built CLI) as a user would, and captures its output. */
export function geopart(args: readonly string[], options: { cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [`${ROOT}bin/geopart.js`, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command and returns its stdout; throws with its stderr when it fails. */
export function run(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * Runs `bin/geopart.js` without blocking this process (which may be serving the API the
 * command calls, as the fake EC2 and Batch servers do). `onStdout` sees the output as it comes.
 */
export function geopartAsync(
  args: readonly string[],
  options: {
    readonly cwd: string;
    readonly env: NodeJS.ProcessEnv;
    readonly onStdout?: (all: string) => void;
  },
): Promise<CliResult> {
  const child = spawn(process.execPath, [`${ROOT}bin/geopart.js`, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    options.onStdout?.(stdout);
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((ok) => child.once('close', (status) => ok({ status, stdout, stderr })));
}
