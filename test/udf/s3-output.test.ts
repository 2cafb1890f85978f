/**
 * A UDF step writing to an `s3://` output (as every step of a remote job does): the result
 * files go up first and the empty `_SUCCESS` marker last; a failing step leaves nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { JobConfig, UdfJobStepConfig } from '../../src/config/index.js';
import { GeopartError } from '../../src/errors.js';
import { getObject, listObjects, putObject } from '../../src/io/s3.js';
import { lit, query } from '../helpers/duckdb.js';
import { type LocalS3, startS3 } from '../helpers/s3.js';

const CASES = fileURLToPath(new URL('./modules/cases.mjs', import.meta.url));
let s3: LocalS3;
let tmp: string;

beforeAll(async () => {
  s3 = await startS3();
  tmp = mkdtempSync(join(tmpdir(), 'geopart-udf-s3-'));
});

afterAll(async () => {
  await s3?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function job(output: string, parameters: object = {}) {
  const step = new UdfJobStepConfig({
    udf: { module: CASES, name: 'tenfold', parameters: parameters as never },
    input: [1, 2, 3],
    output,
  });
  return new JobConfig({ name: 'udf-s3', steps: [step] });
}

describe('UDF step with an s3:// output', () => {
  test('uploads one file per input and the _SUCCESS marker, read back by DuckDB', async () => {
    const output = s3.url('udf/tenfold');
    const report = await job(output).runLocal({ threads: 2 });
    expect(report.steps[0]).toMatchObject({ files: 3, rowsWritten: 3 });
    const objects = await listObjects(output);
    const names = objects.map((o) => o.url.slice(output.length + 1)).sort();
    expect(names).toEqual(['0.parquet', '1.parquet', '2.parquet', '_SUCCESS']);
    for (const name of names.filter((f) => f.endsWith('.parquet'))) {
      writeFileSync(join(tmp, name), await getObject(`${output}/${name}`));
    }
    const rows = await query(`SELECT value FROM read_parquet(${lit(join(tmp, '*.parquet'))}) ORDER BY 1`);
    expect(rows.map((r) => r.value)).toEqual([10, 20, 30]);
  });

  test('a failing input leaves no object at the prefix, and an existing output is refused', async () => {
    const output = s3.url('udf/failing');
    await expect(job(output, { fail_on: 2 }).runLocal({ threads: 2 })).rejects.toThrow(/input 1 2 failed/);
    expect(await listObjects(output)).toEqual([]);
    await job(output).runLocal({ threads: 2 });
    await expect(job(output).runLocal({ threads: 2 })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
  });

  test('later steps whose s3:// output holds objects are refused before the first step runs', async () => {
    const first = s3.url('udf/first');
    const complete = s3.url('udf/complete');
    const partial = s3.url('udf/partial');
    await job(complete).runLocal({ threads: 2 });
    // An interrupted upload: objects, but no _SUCCESS marker.
    await putObject(`${partial}/0.parquet`, 'not a finished output');
    const step = (output: string) =>
      new UdfJobStepConfig({ udf: { module: CASES, name: 'tenfold' }, input: [1], output });
    const steps = [step(first), step(complete), step(partial), step(s3.url('udf/fresh'))];
    const err = await new JobConfig({ name: 'udf-s3-later', steps }).runLocal({ threads: 1 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GeopartError);
    expect((err as GeopartError).code).toBe('OUTPUT_EXISTS');
    const message = (err as GeopartError).message;
    expect(message).toContain(`steps[1].output: ${complete} already holds objects`);
    expect(message).toContain(`steps[2].output: ${partial} already holds objects`);
    expect(message).not.toContain('steps[3]');
    expect(message).toContain('"overwrite": true');
    expect(await listObjects(first)).toEqual([]);
  });
});
