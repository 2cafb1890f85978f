/**
 * The import rules of src/, checked by `npm run depcheck` (part of `npm test`).
 *
 * LAYERS is the layer order of docs/ARCHITECTURE.md, from the bottom: a module may import
 * modules of its own layer or of a layer below it, never one above. Keep the two in step.
 */

/** From the bottom up; each entry's paths are regular expressions over paths from the repository root. */
const LAYERS = [
  { name: 'base', paths: ['^src/errors\\.ts$', '^src/format/', '^src/util/'] },
  { name: 'kernels', paths: ['^src/geometry/', '^src/arrow/'] },
  { name: 'config', paths: ['^src/config/'] },
  { name: 'io', paths: ['^src/io/'] },
  { name: 'work', paths: ['^src/(partition|write|read|scan|commit|inspect)/'] },
  { name: 'pool', paths: ['^src/pool/'] },
  { name: 'run', paths: ['^src/(ingest|udf|job)/'] },
  { name: 'remote', paths: ['^src/remote/'] },
  { name: 'faces', paths: ['^src/cli/', '^src/index\\.ts$', '^src/run-methods\\.ts$'] },
];

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.name}`,
  comment: `${layer.name} imports only its own layer or those below it (docs/ARCHITECTURE.md)`,
  severity: 'error',
  from: { path: layer.paths },
  to: { path: LAYERS.slice(i + 1).flatMap((above) => above.paths) },
}));

/** Packages (or files) that exactly one module of src/ may import. */
const SOLE_IMPORTERS = [
  { name: 'gdal-async', importer: '^src/io/gdal\\.ts$', target: '(^|/)node_modules/gdal-async/' },
  { name: 'native-addon', importer: '^src/io/native\\.ts$', target: 'geopart_native\\.node$' },
  { name: 'codec-addon', importer: '^src/io/codecs\\.ts$', target: 'geopart_codecs\\.node$' },
  { name: 'aws-ec2', importer: '^src/remote/ec2\\.ts$', target: '(^|/)node_modules/@aws-sdk/client-ec2/' },
  {
    name: 'aws-batch',
    importer: '^src/remote/batch\\.ts$',
    target: '(^|/)node_modules/@aws-sdk/client-batch/',
  },
  { name: 'aws-s3', importer: '^src/io/s3\\.ts$', target: '(^|/)node_modules/@aws-sdk/client-s3/' },
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules that import each other in a loop',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'layer-unknown',
      comment: 'A module of src/ on no layer: add its folder to LAYERS and docs/ARCHITECTURE.md',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.flatMap((layer) => layer.paths) },
      to: {},
    },
    ...layerRules,
    ...SOLE_IMPORTERS.map((s) => ({
      name: `only-one-importer-of-${s.name}`,
      comment: `Only ${s.importer} imports ${s.name}`,
      severity: 'error',
      from: { path: '^src/', pathNot: s.importer },
      to: { path: s.target },
    })),
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to no file (the native addons exist only once built)',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: 'geopart_(native|codecs)\\.node$' },
    },
  ],
  required: SOLE_IMPORTERS.map((s) => ({
    name: `imports-${s.name}`,
    comment: `${s.importer} is the module that imports ${s.name}`,
    severity: 'error',
    module: { path: s.importer },
    to: { path: s.target },
  })),
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
