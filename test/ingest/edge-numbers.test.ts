import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { GeopartError } from '../../src/errors.js';
import { geopart, ROOT } from '../helpers/cli.js';
import { lit, query } from '../helpers/duckdb.js';
import { encodeWkb } from '../helpers/wkb-codec.js';
import { checkTable } from './table-check.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-edge-numbers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const out = (name: string) => join(tmp, `${name}-${n++}`);

const COUNTRIES = join(ROOT, 'fixtures/geoarrow/natural-earth_countries_geo.parquet');

/** Writes points (id, lon, lat) as Parquet with DuckDB; `lon`/`lat` are SQL expressions. */
async function pointsParquet(path: string, rows: readonly [number, string, string][]): Promise<void> {
  const values = rows.map(([id, lon, lat]) => `(${id}, ${lon}::DOUBLE, ${lat}::DOUBLE)`).join(', ');
  await query(`COPY (SELECT * FROM (VALUES ${values}) t(id, lon, lat)) TO ${lit(path)} (FORMAT parquet)`);
}

describe('coordinates at the lon/lat bounds', () => {
  it('keeps Natural Earth countries whose edge passes 180 by rounding noise, values unchanged', async () => {
    const [input] = await query(`SELECT count(*) AS n FROM ${lit(COUNTRIES)}`);
    const dir = out('countries');
    const report = await ingest(COUNTRIES, dir).runLocal({ threads: 2 });
    expect(report.rowsDroppedOutOfBounds).toBe(0);
    // Russia and Fiji are split at the antimeridian, one row per side.
    expect(report.rowsWritten).toBe((input!.n as number) + 2);
    await checkTable(dir, (input!.n as number) + 2);
    const glob = lit(join(dir, '*.parquet'));
    const [russia] = await query(
      `SELECT max(bbox.xmax) AS xmax, min(bbox.xmin) AS xmin FROM ${glob} WHERE name = 'Russia'`,
    );
    // Kept as it is: not clamped to 180.
    expect(russia!.xmax).toBe(180.00000000000006);
    expect(russia!.xmin).toBe(-180);
  });

  it('still drops a point a hair more than the tolerance (1e-9 degrees) past a bound', async () => {
    const input = join(tmp, 'edge-points.parquet');
    await pointsParquet(input, [
      [1, '180.00000000000006', '0'],
      [2, '-180', '-90.0000000001'],
      [3, '180.000000002', '0'],
      [4, '0', '90.000000002'],
      [5, '10', '10'],
    ]);
    const dir = out('edge');
    // Kept whole at the antimeridian, point 3 is out of bounds (split, it would be moved by 360).
    const report = await ingest(input, dir, {
      lonlatCols: ['lon', 'lat'],
      splitAntimeridian: false,
    }).runLocal({
      threads: 1,
    });
    expect(report.rowsDroppedOutOfBounds).toBe(2);
    const rows = await query(
      `SELECT id, bbox.xmin AS x, bbox.ymin AS y FROM ${lit(join(dir, '*.parquet'))} ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 1, x: 180.00000000000006, y: 0 },
      { id: 2, x: -180, y: -90.0000000001 },
      { id: 5, x: 10, y: 10 },
    ]);

    // By default point 3, past 180, is moved by 360 instead (split_antimeridian); point 1,
    // within the tolerance, is on the line and stays as it is.
    const wrapped = out('edge-wrapped');
    const r2 = await ingest(input, wrapped, { lonlatCols: ['lon', 'lat'] }).runLocal({ threads: 1 });
    expect(r2.rowsDroppedOutOfBounds).toBe(1);
    expect(r2.rowsCrossingAntimeridian).toBe(1);
    const moved = await query(
      `SELECT id, bbox.xmin AS x FROM read_parquet(${lit(join(wrapped, '*.parquet'))}) WHERE id IN (1, 3) ORDER BY id`,
    );
    expect(moved[0]).toEqual({ id: 1, x: 180.00000000000006 });
    expect(moved[1]!.x as number).toBeCloseTo(-179.999999998, 12);
  });
});

describe('non-finite coordinates', () => {
  it('are dropped and counted without --keep-out-of-bounds', async () => {
    const input = join(tmp, 'non-finite-drop.parquet');
    await pointsParquet(input, [
      [1, '10', '5'],
      [2, "'inf'", '5'],
      [3, '20', "'-inf'"],
      [4, '30', '7'],
    ]);
    const dir = out('drop');
    const report = await ingest(input, dir, { lonlatCols: ['lon', 'lat'] }).runLocal({ threads: 1 });
    expect(report.rowsDroppedOutOfBounds).toBe(2);
    const rows = await query(`SELECT id FROM ${lit(join(dir, '*.parquet'))} ORDER BY id`);
    expect(rows).toEqual([{ id: 1 }, { id: 4 }]);
  });

  it('with --keep-out-of-bounds are a coded error naming the file and row, leaving nothing behind', async () => {
    // A NaN next to a number is not an empty point; DuckDB writes the WKB as given.
    const input = join(tmp, 'non-finite-keep.parquet');
    const line = (coords: number[][]) =>
      `unhex('${Buffer.from(encodeWkb({ type: 2, z: false, m: false, le: true, ewkb: false, coords })).toString('hex')}')`;
    const geo = {
      version: '1.1.0',
      primary_column: 'geometry',
      columns: { geometry: { encoding: 'WKB', geometry_types: [] } },
    };
    await query(
      `COPY (SELECT * FROM (VALUES (1, ${line([
        [500, 5],
        [501, 5],
      ])}), (2, ${line([
        [10, 6],
        [11, 6],
      ])}), ` +
        `(3, ${line([
          [10, 6],
          [Number.NaN, 7],
        ])}), (4, ${line([
          [30, 8],
          [31, 8],
        ])})) t(id, geometry)) ` +
        `TO ${lit(input)} (FORMAT parquet, KV_METADATA {geo: ${lit(JSON.stringify(geo))}})`,
    );
    // Its own parent folder, so any staging debris would show.
    const parent = out('keep');
    mkdirSync(parent);
    const dir = join(parent, 'table');
    const err = await ingest(input, dir, { dropOutOfBounds: false })
      .runLocal({ threads: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeopartError);
    expect((err as GeopartError).code).toBe('CORRUPT_INPUT');
    expect((err as GeopartError).message).toContain(
      `${input}, row 2: coordinate (NaN, 7) is not a finite number`,
    );
    expect((err as GeopartError).context).toMatchObject({ file: input, row: 2 });
    expect(readdirSync(parent)).toEqual([]);

    const cli = geopart(['ingest', input, '--keep-out-of-bounds', '-o', dir]);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain(`${input}, row 2: coordinate (NaN, 7) is not a finite number`);
    expect(cli.stderr).toContain('--keep-out-of-bounds');
    expect(cli.stderr).not.toMatch(/internal|\n\s+at /);
    expect(readdirSync(parent)).toEqual([]);

    // The out-of-bounds but finite row is kept with the flag once the bad row is gone.
    const clean = join(tmp, 'out-of-bounds-keep.parquet');
    await pointsParquet(clean, [
      [1, '500', '5'],
      [2, '10', '6'],
    ]);
    const kept = out('kept');
    const report = await ingest(clean, kept, { lonlatCols: ['lon', 'lat'], dropOutOfBounds: false }).runLocal(
      {
        threads: 1,
      },
    );
    expect(report.rowsWritten).toBe(2);
    const [{ n: rows }] = (await query(`SELECT count(*) AS n FROM ${lit(join(kept, '*.parquet'))}`)) as [
      { n: number },
    ];
    expect(rows).toBe(2);
  });
});
