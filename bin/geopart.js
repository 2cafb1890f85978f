#!/usr/bin/env node
import module from 'node:module';

// Node 22.1 and later keep the compiled code of the modules on disk between runs (in the
// system's temporary folder), which cuts start-up; Node 20 has no such cache. Enabled before
// geopart's modules load, so the import below is dynamic.
module.enableCompileCache?.();

// The command line's single-file build (scripts/bundle.mjs), which starts several times faster
// than its module graph, when no module it was made from is newer (dist/util/bundle.js).
const { freshBundle } = await import('../dist/util/bundle.js');
const bundle = new URL('../dist/bundle/main.mjs', import.meta.url);
const fresh = freshBundle(bundle, new URL('../dist/bundle/inputs.json', import.meta.url));
const { main } = await import(fresh ? bundle.href : '../dist/cli/main.js');

// A reader that stops early (`geopart query ... | head`) closes the pipe: stop quietly, as
// Unix tools do, rather than die on EPIPE.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

// The AWS SDK warns on every command under Node 20 that its releases after January 2027 will
// need Node 22; the locked SDK version runs on Node 20, so the command line stays quiet about
// it (set the variable to "false" to see it). Library users get the SDK's warning as it is.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.exitCode = await main(process.argv.slice(2));
