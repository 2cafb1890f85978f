#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// A reader that stops early (`geopart query ... | head`) closes the pipe: stop quietly, as
// Unix tools do, rather than die on EPIPE.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2));
