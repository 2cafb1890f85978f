import { GeopartError } from '../errors.js';
// The run methods of the config classes: `geopart run` and `geopart remote run` call them.
import '../run-methods.js';
import {
  INFO_USAGE,
  INGEST_USAGE,
  INSPECT_USAGE,
  QUERY_USAGE,
  REMOTE_USAGE,
  RUN_USAGE,
  USAGE,
} from './usage.js';

type Command = (argv: readonly string[], out: (s: string) => void) => Promise<number>;

/** Commands are loaded on use: `ingest` never loads gdal-async, `info` never loads the pool. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  info: async () => (await import('./info.js')).runInfo,
  ingest: async () => (await import('./ingest.js')).runIngestCommand,
  inspect: async () => (await import('./inspect.js')).runInspect,
  query: async () => (await import('./query.js')).runQueryCommand,
  remote: async () => (await import('./remote.js')).runRemoteCommand,
  run: async () => (await import('./run.js')).runJobCommand,
};

/** Help of every command, for `geopart help COMMAND`. */
const HELP: Readonly<Record<string, string>> = {
  info: INFO_USAGE,
  ingest: INGEST_USAGE,
  inspect: INSPECT_USAGE,
  query: QUERY_USAGE,
  remote: REMOTE_USAGE,
  run: RUN_USAGE,
};

/**
 * Runs the command line and returns the process exit code. Errors are printed to stderr,
 * never thrown, so `bin/geopart.js` only picks the build to load and calls this.
 */
export async function main(
  argv: readonly string[],
  out: (s: string) => void = (s) => process.stdout.write(`${s}\n`),
  err: (s: string) => void = (s) => process.stderr.write(`${s}\n`),
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = rest[0];
    out(topic && HELP[topic] ? HELP[topic] : USAGE);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    err(`geopart: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
  try {
    return await (await load())(rest, out);
  } catch (e) {
    if (e instanceof GeopartError) {
      err(`geopart ${name}: ${e.message}`);
      // 130: what a shell reports for a command stopped by Ctrl-C.
      return e.code === 'INVALID_ARGUMENT' ? 2 : e.code === 'ABORTED' ? 130 : 1;
    }
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
      err(`geopart ${name}: ${e.message}\n\n${HELP[name] ?? USAGE}`);
      return 2;
    }
    err(`geopart ${name}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  }
}
