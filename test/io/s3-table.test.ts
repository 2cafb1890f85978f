import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { GeopartError } from '../../src/errors.js';
import { openTable } from '../../src/read/open-table.js';
import type { BBox } from '../../src/read/types.js';
import { geopart } from '../helpers/cli.js';
import { dataPath } from '../helpers/data.js';
import { type LocalS3, startS3 } from '../helpers/s3.js';

let s3: LocalS3;
let tmp: string;
let local: string;
const COUNTRIES = dataPath('flatgeobuf/countries.fgb');
const step = (output: string) =>
  ingest(COUNTRIES, output, { partitioningMaximumPerFile: 60, partitioningMaximumPerChunk: 15 });

beforeAll(async () => {
  s3 = await startS3();
  tmp = await mkdtemp(join(tmpdir(), 'geopart-s3-table-'));
  local = join(tmp, 'countries');
  await step(local).runLocal({ threads: 2 });
  await step(s3.url('tables/countries')).runLocal({ threads: 2 });
});

afterAll(async () => {
  await s3?.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe('openTable over s3://', () => {
  it('geopart query reads an s3:// table from the command line, with nothing on stderr', async () => {
    const r = geopart([
      'query',
      s3.url('tables/countries'),
      '--bbox',
      '-10,35,30,60',
      '--columns',
      'name',
      '--format',
      'csv',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const disk = await openTable(local);
    const want = (await disk.read({ bbox: [-10, 35, 30, 60], columns: ['name'] }))
      .getChild('name')!
      .toArray();
    await disk.close();
    expect(r.stdout.trim().split('\n')).toEqual(['name', ...want]);
  });

  it('reads the same chunks and rows as the local copy, fetching only what a box needs', async () => {
    const url = s3.url('tables/countries');
    const remote = await openTable(url);
    const disk = await openTable(local);
    try {
      const strip = (cs: ReturnType<typeof remote.chunks>) => cs.map(({ url: _, ...c }) => c);
      expect(strip(remote.chunks())).toEqual(strip(disk.chunks()));
      const europe: BBox = [-10, 35, 30, 60];
      const a = await remote.read({ bbox: europe, columns: ['name'] });
      const b = await disk.read({ bbox: europe, columns: ['name'] });
      expect(a.numRows).toBeGreaterThan(10);
      expect(a.getChild('name')!.toArray()).toEqual(b.getChild('name')!.toArray());
      // The same row groups and bytes as from the local copy: ranged reads, not whole objects.
      expect(remote.stats.rowGroupsRead).toBe(remote.chunks(europe).length);
      expect(remote.stats).toEqual(disk.stats);
    } finally {
      await remote.close();
      await disk.close();
    }
  });

  it('refuses a prefix whose upload was interrupted (no _sample), saying why', async () => {
    const url = s3.url('tables/half');
    let uploads = 0;
    const failed = await step(url)
      .runLocal({
        threads: 2,
        // Fail once the first data file is up, before the others and _sample.
        onUpload: async () => {
          if (++uploads === 1) throw new GeopartError('ABORTED', 'interrupted');
        },
      })
      .catch((e: unknown) => e);
    expect((failed as GeopartError).code).toBe('ABORTED');
    const err = await openTable(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeopartError);
    expect((err as GeopartError).code).toBe('INCOMPLETE_TABLE');
    expect((err as GeopartError).message).toContain(`${url} has no _sample`);

    await step(url).setOutput(url, { overwrite: true }).runLocal({ threads: 2 });
    const table = await openTable(url);
    expect(table.chunks().reduce((s, c) => s + c.numRows, 0)).toBe(181); // 179 countries, Russia and Fiji split at the antimeridian into one row per side.
    await table.close();
  });

  it('names a missing object as INPUT_NOT_FOUND', async () => {
    const url = s3.url('tables/countries/99.parquet');
    const err = await openTable(url).catch((e: unknown) => e);
    expect((err as GeopartError).code).toBe('INPUT_NOT_FOUND');
    expect((err as GeopartError).message).toContain(url);
  });
});
