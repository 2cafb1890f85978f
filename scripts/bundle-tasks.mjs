// Builds the single-file copy of the ingest task module that worker threads load
// (dist/ingest/tasks.bundle.mjs, see src/pool/pool.ts `loadable`): one file to read and compile
// instead of some 250 modules, which cuts a worker's start-up from about 130 ms to about 30 ms
// on an idle core. Run by `npm run build`, after tsc. The native addons stay outside the bundle,
// found from the bundle's folder as from any other module of dist/ (both are two levels down),
// and so does Piscina, which must be the copy that runs the worker. The bundled CommonJS
// packages get a require() of their own (an ES module has none).
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/ingest/tasks.js'],
  outfile: 'dist/ingest/tasks.bundle.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['*.node', 'gdal-async', 'piscina'],
  banner: {
    js: "import { createRequire as geopartCreateRequire } from 'node:module'; const require = geopartCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
