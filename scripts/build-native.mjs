#!/usr/bin/env node
// Builds geopart's two native parts against the system GDAL (Debian's libgdal-dev, or
// whatever `gdal-config` finds), with no npm configuration and no download:
//
//   gdal-async  compiled from source with its `shared_gdal` gyp variable set, so it links
//               the system libgdal instead of fetching a prebuilt binary or compiling the
//               GDAL copy it bundles;
//   addon       native/ (the OGR Arrow-stream reader), with node-gyp.
//
// Usage: node scripts/build-native.mjs [gdal-async] [addon] [--force]
// With no part named it builds both. gdal-async is skipped when a binary for this Node ABI
// that links the shared libgdal is already in place (--force rebuilds it).
//
// It runs from scripts/setup.sh (after `npm ci --ignore-scripts`) and as this package's
// preinstall/install scripts, so `npm install geopart` builds the same way. The preinstall
// runs before any dependency's install script, and gdal-async's own install script
// (node-pre-gyp) keeps the binary it finds in place. Only runtime dependencies are used:
// gdal-async brings node-pre-gyp and node-gyp, and native/ needs node-addon-api.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const force = args.includes('--force');
const parts = args.filter((a) => !a.startsWith('--'));
for (const p of parts) {
  if (p !== 'gdal-async' && p !== 'addon') {
    console.error(`build-native: unknown part "${p}" (expected gdal-async and/or addon)`);
    process.exit(2);
  }
}
const wanted = (p) => parts.length === 0 || parts.includes(p);

// Children (node-gyp, and the `node -p` in native/binding.gyp) run with this same Node.
const env = { ...process.env, PATH: [dirname(process.execPath), process.env.PATH].join(delimiter) };

// The headers of the running Node: an official tarball (and the npm registry's `node`
// packages) ships them in <prefix>/include/node, Debian's nodejs in /usr/include/node.
// Pointing node-gyp at them avoids a header download, and overrides an npm `nodedir`
// setting that belongs to another Node version.
function nodeDir() {
  const prefix = resolve(dirname(process.execPath), '..');
  const header = join(prefix, 'include', 'node', 'node_version.h');
  if (!existsSync(header)) return undefined;
  const text = readFileSync(header, 'utf8');
  const v = ['MAJOR', 'MINOR', 'PATCH'].map(
    (k) => text.match(new RegExp(`#define NODE_${k}_VERSION (\\d+)`))?.[1],
  );
  return `v${v.join('.')}` === process.version ? prefix : undefined;
}
const nodedir = nodeDir();
const gypArgs = nodedir ? [`--nodedir=${nodedir}`] : [];

function run(cmd, argv, cwd) {
  console.error(`build-native: (${cwd}) ${[cmd, ...argv].join(' ')}`);
  const r = spawnSync(cmd, argv, { cwd, env, stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    console.error(`build-native: failed with ${r.signal ?? `exit code ${r.status}`}`);
    process.exit(r.status || 1);
  }
}

function requireFrom(dir) {
  return createRequire(join(dir, 'package.json'));
}

const here = requireFrom(root);
const gdalDir = dirname(here.resolve('gdal-async/package.json'));
const fromGdal = requireFrom(gdalDir);
const nodeGyp = join(dirname(fromGdal.resolve('node-gyp/package.json')), 'bin', 'node-gyp.js');

if (wanted('gdal-async')) {
  const binary = join(
    gdalDir,
    'lib',
    'binding',
    `node-v${process.versions.modules}-${process.platform}-${process.arch}`,
    'gdal.node',
  );
  const shared = existsSync(binary) && /libgdal[.\w-]*\.(so|dylib)/.test(readFileSync(binary, 'latin1'));
  if (shared && !force) {
    console.error(`build-native: ${binary} links the system GDAL already (--force rebuilds it)`);
  } else {
    const preGyp = join(
      dirname(fromGdal.resolve('@mapbox/node-pre-gyp/package.json')),
      'bin',
      'node-pre-gyp',
    );
    // node-pre-gyp finds node-gyp through npm_config_node_gyp first: use gdal-async's own.
    env.npm_config_node_gyp = nodeGyp;
    const shim = yatagShim();
    try {
      run(
        process.execPath,
        [preGyp, 'install', '--build-from-source', '--shared_gdal=true', '-j', 'max', ...gypArgs],
        gdalDir,
      );
    } finally {
      if (shim) rmSync(shim);
    }
  }
}

// gdal-async's build ends with `npm run yatag` (`npx yatag`, which regenerates its typings),
// and npx looks for the command in node_modules/.bin folders up the tree. As a preinstall
// script this runs before npm links any bins, and npx would then try to fetch yatag. Until
// then a shim in gdal-async's own node_modules/.bin runs the installed yatag; it is removed
// after the build. Returns the shim's path, or undefined when yatag is found already.
function yatagShim() {
  for (let dir = gdalDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', '.bin', 'yatag'))) return undefined;
    if (dirname(dir) === dir) break;
  }
  const yatagDir = dirname(fromGdal.resolve('yatag/package.json'));
  const bin = JSON.parse(readFileSync(join(yatagDir, 'package.json'), 'utf8')).bin;
  const script = join(yatagDir, typeof bin === 'string' ? bin : bin.yatag);
  const binDir = join(gdalDir, 'node_modules', '.bin');
  mkdirSync(binDir, { recursive: true });
  const shim = join(binDir, 'yatag');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`, { mode: 0o755 });
  return shim;
}

if (wanted('addon')) {
  run(process.execPath, [nodeGyp, 'rebuild', '-j', 'max', ...gypArgs], join(root, 'native'));
}
