// Builds the single-file copies of the modules that start geopart's threads: the ingest tasks
// a worker thread loads (dist/ingest/tasks.bundle.mjs, see src/pool/pool.ts `loadable`) and the
// command line (dist/bundle/main.mjs and its chunks, loaded by bin/geopart.js). One file to
// read and compile instead of some 250 modules cuts a thread's start-up about fourfold. Run by
// `npm run build`, after tsc. Beside each bundle goes the list of the dist/ modules it was made
// from, so that a module rebuilt alone makes the bundle stale (src/util/bundle.ts).
//
// Left outside the bundles, as packages of node_modules: the native addons (found from the
// bundle's folder as from any other module of dist/, both two levels down), Piscina (whose
// workers must run the copy that started them), parquet-wasm (which finds its .wasm beside its
// module), gdal-async and the AWS SDK (loaded only by the commands that use them). Bundled
// CommonJS packages get a require() of their own, since an ES module has none.
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['*.node', 'gdal-async', 'piscina', 'parquet-wasm', 'parquet-wasm/*', '@aws-sdk/*'],
  banner: {
    js: "import { createRequire as geopartCreateRequire } from 'node:module'; const require = geopartCreateRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
};

/** Writes the dist/ inputs of a build to `list`, as paths relative to its folder. */
function writeInputs(result, list) {
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => p.startsWith('dist/'))
    .map((p) => relative(dirname(list), p));
  writeFileSync(list, `${JSON.stringify(inputs.sort())}\n`);
}

// The chunks are named by their content: a rebuild starts from an empty folder (a command
// running from the old one at that moment may then miss a chunk it loads late).
rmSync('dist/bundle', { recursive: true, force: true });

const [tasks, cli] = await Promise.all([
  build({ ...common, entryPoints: ['dist/ingest/tasks.js'], outfile: 'dist/ingest/tasks.bundle.mjs' }),
  // Split at the command line's dynamic imports, so that a command loads only its own code and
  // the packages it uses (an external package is imported where its chunk starts).
  build({
    ...common,
    entryPoints: { main: 'dist/cli/main.js' },
    outdir: 'dist/bundle',
    splitting: true,
    outExtension: { '.js': '.mjs' },
  }),
]);
writeInputs(tasks, 'dist/ingest/tasks.bundle.inputs.json');
writeInputs(cli, 'dist/bundle/inputs.json');
