/**
 * A UDF module that cannot be loaded fails its step through `geopart run`, with or without
 * `ignore_chunk_error`, naming the module's file and line; nothing is committed or left staged.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { JobConfig } from '../../src/config/job.js';
import { UdfJobStepConfig } from '../../src/config/udf-step.js';
import { GeopartError } from '../../src/errors.js';
import { geopart } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'geopart-udf-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Modules that fail to load, by case: their source and the line Node should name. */
const MODULES = {
  // Line 4 holds the syntax error; the lines before it parse.
  syntax: { source: 'export default function f() {\n  return [{ a: 1 }];\n}\nconst broken = ;\n', line: 4 },
  // Line 2 imports a name the other module does not export.
  binding: {
    source:
      "// imports a name that is not there\nimport { nothere } from './helper.mjs';\nexport default () => [{ a: nothere }];\n",
    line: 2,
  },
  // Line 3 throws while the module is evaluated.
  throws: { source: "export default () => [{ a: 1 }];\n\nthrow new Error('top-level failure');\n", line: 3 },
} as const;

/** A folder with a job file running `name` of `module` on three inputs; returns the job file. */
function jobWith(dir: string, module: string, source: string, name: string, ignore: boolean): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, module), source);
  writeFileSync(join(dir, 'helper.mjs'), 'export const there = 1;\n');
  const step = {
    type: 'udf',
    udf: { module, name },
    input: [1, 2, 3],
    output: 'out/result',
    ...(ignore ? { ignore_chunk_error: true } : {}),
  };
  const file = join(dir, 'job.json');
  writeFileSync(file, JSON.stringify({ name: 'load-failure', steps: [step] }));
  return file;
}

/**
 * The job folder holds only what the test wrote, and the output's parent folder (which the
 * step makes before it stages) is empty: no output, no staging folder.
 */
function expectNoDebris(dir: string): void {
  expect(
    readdirSync(dir)
      .filter((f) => f !== 'out')
      .sort(),
  ).toEqual(['helper.mjs', 'job.json', 'udf.mjs']);
  expect(existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')) : []).toEqual([]);
}

describe('a UDF module that fails to load fails the step', () => {
  for (const [kind, { source, line }] of Object.entries(MODULES)) {
    for (const ignore of [false, true]) {
      test(`${kind}${ignore ? ', with ignore_chunk_error' : ''}: exit 1 naming file:line, nothing left`, () => {
        const dir = join(root, `${kind}-${ignore}`);
        const job = jobWith(dir, 'udf.mjs', source, 'default', ignore);
        const r = geopart(['run', job, '--threads', '2']);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain(`cannot load UDF module ${join(dir, 'udf.mjs')}:${line}:`);
        expect(r.stderr).toContain('step 0 (udf ');
        expect(r.stderr).not.toMatch(/input \d+ .* failed/);
        expect(r.stderr).not.toMatch(/^\s+at /m);
        expectNoDebris(dir);
      });
    }
  }

  for (const ignore of [false, true]) {
    test(`a missing named export${ignore ? ', with ignore_chunk_error' : ''}: exit 1 naming the file and export`, () => {
      const dir = join(root, `export-${ignore}`);
      const source = 'export function present() {\n  return [{ a: 1 }];\n}\n';
      const job = jobWith(dir, 'udf.mjs', source, 'absent', ignore);
      const r = geopart(['run', job, '--threads', '2']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`UDF module ${join(dir, 'udf.mjs')} has no export "absent"`);
      expect(r.stderr).toContain('its exports: present (function)');
      expect(r.stderr).not.toMatch(/input \d+ .* failed/);
      expectNoDebris(dir);
    });
  }

  test('in the library the error is INVALID_UDF with the file and line in its context', async () => {
    const dir = join(root, 'library');
    mkdirSync(dir, { recursive: true });
    const module = join(dir, 'udf.mjs');
    writeFileSync(module, MODULES.syntax.source);
    const out = join(dir, 'out');
    const step = new UdfJobStepConfig({ udf: module, input: [1, 2], output: out, ignoreChunkError: true });
    const job = new JobConfig({ name: 'library', steps: [step] });
    const err = await job.runLocal({ threads: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeopartError);
    expect((err as GeopartError).code).toBe('INVALID_UDF');
    expect((err as GeopartError).context).toEqual({ file: module, line: 4 });
    expect((err as GeopartError).message).toContain(`${module}:4: SyntaxError: Unexpected token ';'`);
    expect(readdirSync(dir)).toEqual(['udf.mjs']);
  });
});
