import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobConfig } from '../../src/config/index.js';
import { ingest } from '../../src/config/ingest.js';
import { geopart } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { lit, query } from '../helpers/duckdb.js';
import { debris, failure, scratch, snapshot } from '../helpers/outputs.js';

const { place } = scratch('geopart-meta-');
const CITIES = dataPath('geoarrow/natural-earth_cities.fgb');

describe('output_metadata follows the rules of output, checked before any work', () => {
  it('replaces an existing file only with overwrite', async () => {
    const root = place();
    const meta = join(root, 'meta.parquet');
    writeFileSync(meta, 'keep me');
    const output = join(root, 'table');
    const err = await failure(ingest(CITIES, output, { outputMetadata: meta }).runLocal({ threads: 1 }));
    expect(err.code).toBe('OUTPUT_EXISTS');
    expect(err.message).toBe(
      `output_metadata ${meta} already exists; pass overwrite (--overwrite) to replace it, or choose another file`,
    );
    expect(readFileSync(meta, 'utf8')).toBe('keep me');
    expect(existsSync(output)).toBe(false);
    expect(debris(root)).toEqual([]);

    const report = await ingest(CITIES, output, { outputMetadata: meta, overwrite: true }).runLocal({
      threads: 1,
    });
    const rows = await query(`SELECT count(*) AS n FROM read_parquet(${lit(meta)})`);
    expect(rows).toEqual([{ n: report.chunks }]);
  });

  it('refuses a folder, and a path inside the output table, even with overwrite', async () => {
    const root = place();
    const folder = join(root, 'meta');
    mkdirSync(folder);
    writeFileSync(join(folder, 'x.txt'), 'mine');
    const output = join(root, 'table');
    const err = await failure(
      ingest(CITIES, output, { outputMetadata: folder, overwrite: true }).runLocal({ threads: 1 }),
    );
    expect(err.message).toContain(`output_metadata ${folder} is a folder`);
    expect(snapshot(folder)).toEqual({ 'x.txt': Buffer.from('mine').toString('base64') });
    expect(existsSync(output)).toBe(false);

    await ingest(CITIES, output).runLocal({ threads: 1 });
    const before = snapshot(output);
    const inside = join(output, 'meta.parquet');
    const err2 = await failure(
      ingest(CITIES, output, { outputMetadata: inside, overwrite: true }).runLocal({ threads: 1 }),
    );
    expect(err2.code).toBe('INVALID_CONFIG');
    expect(err2.message).toContain(`output_metadata ${inside} lies inside the output ${output}`);
    expect(snapshot(output)).toEqual(before);
    expect(debris(root)).toEqual([]);
  });

  it('a job refuses a later step’s output_metadata before the first step runs', async () => {
    const root = place();
    const meta = join(root, 'meta.parquet');
    writeFileSync(meta, 'keep me');
    const first = join(root, 'first');
    const job = new JobConfig({
      name: 'meta',
      steps: [ingest(CITIES, first), ingest(CITIES, join(root, 'second'), { outputMetadata: meta })],
    });
    const err = await failure(job.runLocal({ threads: 1 }));
    expect(err.code).toBe('OUTPUT_EXISTS');
    expect(err.message).toContain(`steps[1].output_metadata: ${meta} already exists`);
    expect(existsSync(first)).toBe(false);
    expect(readFileSync(meta, 'utf8')).toBe('keep me');
  });

  it('the CLI says so with exit code 1 and leaves the file', () => {
    const root = place();
    const meta = join(root, 'meta.parquet');
    writeFileSync(meta, 'keep me');
    const r = geopart(['ingest', CITIES, '-o', join(root, 'table'), '--output-metadata', meta]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`output_metadata ${meta} already exists`);
    expect(readFileSync(meta, 'utf8')).toBe('keep me');
    expect(existsSync(join(root, 'table'))).toBe(false);
    expect(debris(root)).toEqual([]);
  });
});
