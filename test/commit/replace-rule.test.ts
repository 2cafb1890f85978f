import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { abortCommit, beginCommit, finishCommit } from '../../src/commit/commit.js';
import { JobConfig, UdfJobStepConfig } from '../../src/config/index.js';
import { ingest } from '../../src/config/ingest.js';
import { geopart } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { debris, failure, scratch, snapshot } from '../helpers/outputs.js';
import { checkTable } from '../ingest/table-check.js';

const { place } = scratch('geopart-replace-');
const CITIES = dataPath('geoarrow/natural-earth_cities.fgb');
const CASES = fileURLToPath(new URL('../udf/modules/cases.mjs', import.meta.url));

/** A folder of a user's files (not geopart's), with a subfolder. */
function userFolder(dir: string): string {
  mkdirSync(join(dir, 'notes'), { recursive: true });
  writeFileSync(join(dir, 'thesis.docx'), 'years of work');
  writeFileSync(join(dir, 'data.csv'), 'a,b\n1,2\n');
  writeFileSync(join(dir, 'notes', 'todo.txt'), 'finish');
  return dir;
}

describe('overwrite replaces only what geopart made (library)', () => {
  it('refuses a folder of other files whatever overwrite says, naming it and some entries', async () => {
    const root = place();
    const user = userFolder(join(root, 'mine'));
    const before = snapshot(user);
    for (const overwrite of [false, true]) {
      const err = await failure(ingest(CITIES, user, { overwrite }).runLocal({ threads: 1 }));
      expect(err.code).toBe('OUTPUT_EXISTS');
      expect(err.message).toContain(`output ${user} is a folder of 3 entries`);
      expect(err.message).toContain('"data.csv", "notes", "thesis.docx"');
      expect(err.message).toContain('even with overwrite');
      expect(err.message).not.toContain('pass overwrite');
      expect(snapshot(user)).toEqual(before);
      expect(debris(root)).toEqual([]);
    }
  });

  it('refuses a plain file and a symbolic link, even with overwrite', async () => {
    const root = place();
    const file = join(root, 'file.parquet');
    writeFileSync(file, 'not a table');
    const fileErr = await failure(ingest(CITIES, file, { overwrite: true }).runLocal({ threads: 1 }));
    expect(fileErr.message).toContain(`output ${file} is a file, not a folder`);
    // A link to a table: replacing the link would leave its table, and a link to user data is worse.
    const table = join(root, 'table');
    await ingest(CITIES, table).runLocal({ threads: 1 });
    const link = join(root, 'link');
    symlinkSync(table, link);
    const before = snapshot(root);
    const linkErr = await failure(ingest(CITIES, link, { overwrite: true }).runLocal({ threads: 1 }));
    expect(linkErr.code).toBe('OUTPUT_EXISTS');
    expect(linkErr.message).toContain(`output ${link} is a symbolic link`);
    expect(snapshot(root)).toEqual(before);
    expect(debris(root)).toEqual([]);
  });

  it('replaces an empty folder only with overwrite, and a UDF output (_SUCCESS) with overwrite', async () => {
    const root = place();
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const err = await failure(ingest(CITIES, empty).runLocal({ threads: 1 }));
    expect(err.message).toContain(`output ${empty} already exists; pass overwrite`);
    const report = await ingest(CITIES, empty, { overwrite: true }).runLocal({ threads: 1 });
    await checkTable(empty, report.rowsWritten);

    const udfOut = join(root, 'udf-out');
    const step = new UdfJobStepConfig({
      udf: { module: CASES, name: 'tenfold' },
      input: [1],
      output: udfOut,
    });
    await new JobConfig({ name: 'udf', steps: [step] }).runLocal({ threads: 1 });
    expect(existsSync(join(udfOut, '_SUCCESS'))).toBe(true);
    const again = await ingest(CITIES, udfOut, { overwrite: true }).runLocal({ threads: 1 });
    await checkTable(udfOut, again.rowsWritten);
    expect(existsSync(join(udfOut, '_SUCCESS'))).toBe(false);
    expect(debris(root)).toEqual([]);
  });

  it('checks again at commit: a folder of other files that appeared meanwhile is left as it is', async () => {
    const root = place();
    const output = join(root, 'late');
    const staging = await beginCommit(output, true);
    writeFileSync(join(staging.dir, '_sample'), 'new');
    userFolder(output);
    const before = snapshot(output);
    const err = await failure(finishCommit(staging));
    expect(err.code).toBe('OUTPUT_EXISTS');
    expect(err.message).toContain('found when committing; it was left as it is');
    await abortCommit(staging);
    expect(snapshot(output)).toEqual(before);
    expect(debris(root)).toEqual([]);
  });

  it('refuses an input or a partitioning schema input inside the output, before any work', async () => {
    const root = place();
    const table = join(root, 'table');
    await ingest(CITIES, table).runLocal({ threads: 1 });
    const input = join(table, 'cities.fgb');
    copyFileSync(CITIES, input);
    const before = snapshot(table);
    const err = await failure(ingest(input, table, { overwrite: true }).runLocal({ threads: 1 }));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toBe(
      `input ${input} lies inside the output ${table}, which the step replaces; write the output elsewhere`,
    );
    // A glob whose folder is inside the output, and the table itself as input.
    const glob = await failure(
      ingest(`${table}/*.parquet`, table, { overwrite: true }).runLocal({ threads: 1 }),
    );
    expect(glob.message).toContain(`input ${table} lies inside the output`);
    const schema = await failure(
      ingest(CITIES, table, { overwrite: true, partitioningSchemaInput: join(table, '_sample') }).runLocal({
        threads: 1,
      }),
    );
    expect(schema.message).toContain(
      `partitioning_schema_input ${join(table, '_sample')} lies inside the output`,
    );
    // Through a symbolic link to the table's folder as well.
    const link = join(root, 'alias');
    symlinkSync(table, link);
    const linked = await failure(
      ingest(join(link, 'cities.fgb'), table, { overwrite: true }).runLocal({ threads: 1 }),
    );
    expect(linked.message).toContain('lies inside the output');
    expect(snapshot(table)).toEqual(before);
    expect(debris(root)).toEqual([]);
  });
});

describe('overwrite replaces only what geopart made (UDF steps and jobs)', () => {
  it('a UDF step refuses a folder of other files, and a UDF module inside its output', async () => {
    const root = place();
    const user = userFolder(join(root, 'mine'));
    const before = snapshot(user);
    const step = new UdfJobStepConfig({
      udf: { module: CASES, name: 'tenfold' },
      input: [1],
      output: user,
      overwrite: true,
    });
    const err = await failure(new JobConfig({ name: 'u', steps: [step] }).runLocal({ threads: 1 }));
    expect(err.code).toBe('OUTPUT_EXISTS');
    expect(err.message).toContain(`steps[0].output: ${user} is a folder of 3 entries`);
    expect(err.message).not.toContain('Set "overwrite": true');
    // The step run on its own (not through a job) refuses it at beginCommit.
    const { runUdfStep } = await import('../../src/udf/run-udf-step.js');
    const direct = await failure(runUdfStep(step, { threads: 1 }));
    expect(direct.message).toContain(`output ${user} is a folder of 3 entries`);
    expect(snapshot(user)).toEqual(before);

    const out = join(root, 'out');
    mkdirSync(out);
    const module = join(out, 'cases.mjs');
    copyFileSync(CASES, module);
    const inside = new UdfJobStepConfig({
      udf: { module, name: 'tenfold' },
      input: [1],
      output: out,
      overwrite: true,
    });
    const modErr = await failure(new JobConfig({ name: 'u', steps: [inside] }).runLocal({ threads: 1 }));
    expect(modErr.code).toBe('INVALID_CONFIG');
    expect(modErr.message).toContain(`steps[0].udf.module: ${module} lies inside the output ${out}`);
    expect(existsSync(module)).toBe(true);
    expect(debris(root)).toEqual([]);
  });

  it('a job refuses a later step whose output is not geopart’s before the first step runs', async () => {
    const root = place();
    const user = userFolder(join(root, 'mine'));
    const before = snapshot(user);
    const first = join(root, 'first');
    const job = new JobConfig({
      name: 'two',
      steps: [
        ingest(CITIES, first),
        new UdfJobStepConfig({
          udf: { module: CASES, name: 'tenfold' },
          input: { chunksOf: first },
          output: user,
          overwrite: true,
        }),
      ],
    });
    const err = await failure(job.runLocal({ threads: 1 }));
    expect(err.code).toBe('OUTPUT_EXISTS');
    expect(err.message).toContain(`steps[1].output: ${user} is a folder of 3 entries`);
    expect(err.message).toContain('Choose another output.');
    expect(existsSync(first)).toBe(false);
    expect(snapshot(user)).toEqual(before);
    expect(debris(root)).toEqual([]);
  });
});

describe('overwrite replaces only what geopart made (CLI)', () => {
  it('refuses -o . --overwrite and -o DIR --overwrite on folders of user files, exit code 1', () => {
    const root = place();
    const user = userFolder(join(root, 'mine'));
    const before = snapshot(root);
    const dot = geopart(['ingest', CITIES, '-o', '.', '--overwrite'], { cwd: user });
    expect(dot.status).toBe(1);
    expect(dot.stderr).toContain(`geopart ingest: output . (${user}) is a folder of 3 entries`);
    expect(dot.stderr).not.toContain('internal error');
    const dir = geopart(['ingest', CITIES, '-o', 'mine', '--overwrite'], { cwd: root });
    expect(dir.status).toBe(1);
    expect(dir.stderr).toContain(`output mine (${user}) is a folder of 3 entries`);
    expect(snapshot(root)).toEqual(before);
    expect(debris(root)).toEqual([]);
    expect(debris(user)).toEqual([]);
  });

  it('refuses an input inside the output, leaving the old table and the input intact', () => {
    const root = place();
    const table = join(root, 'table');
    expect(geopart(['ingest', CITIES, '-o', table]).status).toBe(0);
    copyFileSync(CITIES, join(table, 'in.fgb'));
    const before = snapshot(table);
    const r = geopart(['ingest', join(table, 'in.fgb'), '-o', table, '--overwrite']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`input ${join(table, 'in.fgb')} lies inside the output ${table}`);
    expect(snapshot(table)).toEqual(before);
    expect(debris(root)).toEqual([]);
  });
});
