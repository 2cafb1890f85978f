// Runs many geopart commands in one process, as `bin/geopart.js` would run each, so a batch of
// damaged inputs costs one Node start-up rather than one per command. Usage:
//   node driver.mjs JOBS.json FIRST
// JOBS.json is an array of argv arrays (`info ...` or `ingest ...`); commands FIRST.. are run
// in order, each through the command's own entry as `geopart` runs it. Each prints `START i`
// before it runs and `END i {"status":..,"code":..,"message":..}` after, one line each, so the
// parent knows which command was running should this process die of a signal or hang. A
// failure is reported with its GeopartError code, or as `NOT_CODED` with its stack.
import { readFileSync } from 'node:fs';
import { runInfo } from '../../dist/cli/info.js';
import { runIngestCommand } from '../../dist/cli/ingest.js';
import { GeopartError } from '../../dist/errors.js';

const COMMANDS = { info: runInfo, ingest: runIngestCommand };

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const jobs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const first = Number(process.argv[3] ?? 0);
const say = (line) => new Promise((done) => process.stdout.write(`${line}\n`, done));

for (let i = first; i < jobs.length; i++) {
  await say(`START ${i}`);
  const [name, ...argv] = jobs[i];
  let end;
  try {
    end = { status: await COMMANDS[name](argv, () => {}), code: null, message: '' };
  } catch (err) {
    end =
      err instanceof GeopartError
        ? { status: 1, code: err.code, message: err.message }
        : {
            status: 1,
            code: 'NOT_CODED',
            message: err instanceof Error ? (err.stack ?? err.message) : String(err),
          };
  }
  await say(`END ${i} ${JSON.stringify(end)}`);
}
process.exit(0);
