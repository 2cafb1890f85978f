/**
 * UDF modules of remote jobs. The UDF runner imports local files only, so a remote job names
 * each module by an `s3://` or `http(s)://` URL and the instance downloads it before the run.
 * A module is downloaded alone: it must not import relative files. It may import `geopart`
 * and geopart's own dependencies (`apache-arrow`, `@turf/turf`, ...): the download folder
 * gets a `node_modules` of links to the installed packages.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobJson } from '../config/job-schema.js';
import { GeopartError } from '../errors.js';
import { getObject } from '../io/s3.js';
import { isS3Url } from '../io/s3-url.js';

async function download(url: string, signal?: AbortSignal): Promise<Uint8Array> {
  if (isS3Url(url)) return getObject(url, { signal });
  const res = await fetch(url, { signal });
  if (!res.ok) {
    throw new GeopartError('INPUT_NOT_FOUND', `UDF module ${url}: HTTP ${res.status}; check the URL`, {
      url,
    });
  }
  return new Uint8Array(await res.arrayBuffer());
}

/** The root folder of this geopart installation (the one holding its package.json). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Links `geopart` and its dependencies into `dir/node_modules`, so that a module downloaded
 * into `dir` resolves them. Dependencies sit in the package's own `node_modules` (a global
 * install) or beside it (a project's hoisted `node_modules`); whichever holds each is linked.
 */
async function linkPackages(dir: string): Promise<void> {
  const modules = join(dir, 'node_modules');
  await mkdir(modules, { recursive: true });
  await symlink(PACKAGE_ROOT, join(modules, 'geopart'), 'dir').catch(() => undefined);
  const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const parent = dirname(PACKAGE_ROOT.replace(/\/+$/, ''));
  const homes = [join(PACKAGE_ROOT, 'node_modules')];
  if (basename(parent) === 'node_modules') homes.push(parent);
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    for (const home of homes) {
      const from = join(home, dep);
      const found = await readdir(from).then(
        () => true,
        () => false,
      );
      if (!found) continue;
      await mkdir(dirname(join(modules, dep)), { recursive: true });
      await symlink(from, join(modules, dep), 'dir').catch(() => undefined);
      break;
    }
  }
}

/**
 * The job with every UDF module downloaded into `dir` (as `udf-<step>.mjs`) and named by its
 * local path there. Steps without a UDF, or with a local module, are left as they are.
 */
export async function localizeUdfModules(job: JobJson, dir: string, signal?: AbortSignal): Promise<JobJson> {
  const steps = [];
  let linked = false;
  for (const [i, step] of job.steps.entries()) {
    if (step.type !== 'udf' || step.udf === null || !/^(s3|https?):\/\//i.test(step.udf.module)) {
      steps.push(step);
      continue;
    }
    const path = join(dir, `udf-${i}.mjs`);
    if (!linked) await linkPackages(dir);
    linked = true;
    await writeFile(path, await download(step.udf.module, signal));
    steps.push({ ...step, udf: { ...step.udf, module: path } });
  }
  return { ...job, steps };
}

/**
 * Downloads and imports every UDF module of the job here, checking that the export to call is a
 * function (`validate_imports`). This runs the modules' top-level code locally.
 *
 * @throws GeopartError `INVALID_UDF` naming the step's module and export.
 */
export async function checkImports(job: JobJson, signal?: AbortSignal): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'geopart-udf-check-'));
  try {
    const local = await localizeUdfModules(job, dir, signal);
    const { loadUdf } = await import('../udf/load-udf.js');
    for (const [i, step] of local.steps.entries()) {
      if (step.type !== 'udf' || step.udf === null) continue;
      try {
        await loadUdf(step.udf.module, step.udf.name);
      } catch (err) {
        const original = job.steps[i];
        const module = original?.type === 'udf' ? original.udf?.module : step.udf.module;
        const message =
          err instanceof Error ? err.message.replaceAll(step.udf.module, String(module)) : String(err);
        throw new GeopartError('INVALID_UDF', `steps[${i}]: ${message}`, { step: i }, { cause: err });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
