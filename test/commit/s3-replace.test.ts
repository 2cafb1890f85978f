import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobConfig, UdfJobStepConfig } from '../../src/config/index.js';
import { ingest } from '../../src/config/ingest.js';
import { getObject, headObject, listObjects, putObject } from '../../src/io/s3.js';
import { dataPath } from '../helpers/data.js';
import { failure } from '../helpers/outputs.js';
import { type LocalS3, startS3 } from '../helpers/s3.js';

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(() => s3.stop());

const CITIES = dataPath('geoarrow/natural-earth_cities.fgb');
const CASES = fileURLToPath(new URL('../udf/modules/cases.mjs', import.meta.url));
const text = async (url: string) => new TextDecoder().decode(await getObject(url));
const stagingFolders = () =>
  readdirSync(tmpdir()).filter((f) => f.startsWith(`geopart-s3-staging-${process.pid}-`));

describe('s3:// outputs follow the same overwrite rule', () => {
  it('refuses a prefix with objects but no marker even with overwrite, saying it may be an interrupted upload', async () => {
    const output = s3.url('replace/user');
    await putObject(`${output}/report.pdf`, 'the user’s');
    await putObject(`${output}/0.parquet`, 'partial');
    const err = await failure(ingest(CITIES, output, { overwrite: true }).runLocal({ threads: 1 }));
    expect(err.code).toBe('OUTPUT_EXISTS');
    expect(err.message).toContain(`output ${output} holds 2 object(s) but no _sample or _SUCCESS`);
    expect(err.message).toContain(
      'an interrupted upload, or objects geopart did not write: "0.parquet", "report.pdf"',
    );
    expect(err.message).toContain('even with overwrite');
    expect((await listObjects(`${output}/`)).map((o) => o.url)).toEqual([
      `${output}/0.parquet`,
      `${output}/report.pdf`,
    ]);
    expect(await text(`${output}/report.pdf`)).toBe('the user’s');
    expect(stagingFolders()).toEqual([]);
  });

  it('a job with such an output and overwrite is refused before its first step runs', async () => {
    const first = s3.url('replace/first');
    const output = s3.url('replace/job-user');
    await putObject(`${output}/keep.txt`, 'keep');
    const job = new JobConfig({
      name: 's3-rule',
      steps: [
        ingest(CITIES, first),
        new UdfJobStepConfig({
          udf: { module: CASES, name: 'tenfold' },
          input: [1],
          output,
          overwrite: true,
        }),
      ],
    });
    const err = await failure(job.runLocal({ threads: 1 }));
    expect(err.code).toBe('OUTPUT_EXISTS');
    expect(err.message).toContain(
      `steps[1].output: ${output} already holds objects; it holds 1 object(s) but no _SUCCESS`,
    );
    expect(await listObjects(`${first}/`)).toEqual([]);
    expect(await text(`${output}/keep.txt`)).toBe('keep');
  });

  it('replaces a prefix holding a geopart output with overwrite, and refuses an existing output_metadata object', async () => {
    const output = s3.url('replace/table');
    await ingest(CITIES, output).runLocal({ threads: 1 });
    const report = await ingest(CITIES, output, { overwrite: true }).runLocal({ threads: 1 });
    expect(await headObject(`${output}/_sample`)).not.toBeNull();
    expect(report.rowsWritten).toBe(243);

    const meta = s3.url('replace/meta.parquet');
    await putObject(meta, 'keep me');
    const other = s3.url('replace/other');
    const err = await failure(ingest(CITIES, other, { outputMetadata: meta }).runLocal({ threads: 1 }));
    expect(err.message).toBe(
      `output_metadata ${meta} already exists; pass overwrite (--overwrite) to replace it, or choose another file`,
    );
    expect(await text(meta)).toBe('keep me');
    expect(await listObjects(`${other}/`)).toEqual([]);
    const inside = await failure(
      ingest(CITIES, output, { outputMetadata: `${output}/meta.parquet`, overwrite: true }).runLocal({
        threads: 1,
      }),
    );
    expect(inside.message).toContain(`lies inside the output ${output}`);
  });
});
