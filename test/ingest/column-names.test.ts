import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Field,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
} from 'apache-arrow';
import { Table as WasmTable, writeParquet } from 'parquet-wasm/node';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/config/ingest.js';
import { readerNames } from '../../src/io/column-names.js';
import { geopart } from '../helpers/cli.js';
import { lit, query } from '../helpers/duckdb.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-column-names-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const out = (name: string) => join(tmp, `${name}-${n++}`);

/** Column names of the written table as DuckDB shows them, and its rows (bbox left out). */
async function readBack(dir: string): Promise<{ names: string[]; rows: Record<string, unknown>[] }> {
  const glob = lit(join(dir, '*.parquet'));
  const names = (await query(`DESCRIBE SELECT * FROM ${glob}`)).map((r) => r.column_name as string);
  const rows = await query(`SELECT * EXCLUDE (geometry, bbox) FROM ${glob} ORDER BY 1`);
  return { names, rows };
}

async function run(input: string, opts: Parameters<typeof ingest>[2] = {}) {
  const warnings: string[] = [];
  const dir = out('t');
  const report = await ingest(input, dir, opts).runLocal({ threads: 1, onWarning: (w) => warnings.push(w) });
  return { dir, report, warnings };
}

describe('readerNames', () => {
  it('renames as DuckDB does, keeping geometry and bbox for the columns geopart writes', () => {
    expect(readerNames(['', 'x', '', 'X', 'geometry', 'Geometry', 'BBOX']).names).toEqual([
      'C0',
      'x',
      '_1',
      'X_1',
      'geometry_1',
      'Geometry_2',
      'BBOX_1',
    ]);
    expect(readerNames(['a', 'a_1', 'a', 'a']).names).toEqual(['a', 'a_1', 'a_1_1', 'a_2']);
  });
});

describe('column names that clash', () => {
  it('GeoJSON: geometry, BBOX, a case repeat and an empty name are renamed with a warning, no value lost', async () => {
    const input = join(tmp, 'clash.geojson');
    const props = (i: number) => ({
      name: `n${i}`,
      Name: `N${i}`,
      geometry: `g${i}`,
      BBOX: i + 0.5,
      '': `e${i}`,
    });
    const features = [0, 1].map((i) => ({
      type: 'Feature',
      properties: props(i),
      geometry: { type: 'Point', coordinates: [i, i] },
    }));
    writeFileSync(input, JSON.stringify({ type: 'FeatureCollection', features }));
    const { dir, report, warnings } = await run(input);
    expect(report.rowsWritten).toBe(2);
    const w = warnings.find((m) => m.includes('another name'));
    expect(w).toContain(input);
    expect(w).toContain("'geometry' as 'geometry_1'");
    expect(w).toContain("'BBOX' as 'BBOX_1'");
    expect(w).toContain("'Name' as 'Name_1'");
    expect(w).toContain("'' as 'C4'");
    expect(w).toContain('--drop-columns');
    const { names, rows } = await readBack(dir);
    expect(names).toEqual(['name', 'Name_1', 'geometry_1', 'BBOX_1', 'C4', 'geometry', 'bbox']);
    expect(rows).toEqual(
      [0, 1].map((i) => ({
        name: `n${i}`,
        Name_1: `N${i}`,
        geometry_1: `g${i}`,
        BBOX_1: i + 0.5,
        C4: `e${i}`,
      })),
    );

    // --drop-columns takes the input's names; the CLI says the warning on stderr.
    const dropped = out('cli');
    const cli = geopart(['ingest', input, '-o', dropped, '--drop-columns', 'geometry,BBOX']);
    expect(cli.status).toBe(0);
    expect(cli.stderr).toContain(`${input}: columns written under another name`);
    expect(cli.stderr).not.toContain("'BBOX'");
    expect((await readBack(dropped)).names).toEqual(['name', 'Name_1', 'C4', 'geometry', 'bbox']);
  });

  it('CSV: a repeated header keeps both columns', async () => {
    const input = join(tmp, 'repeat.csv');
    writeFileSync(input, 'x,y,a,A,a,bbox\n1,2,p,q,s,t\n');
    const { dir, warnings } = await run(input, { lonlatCols: ['x', 'y'] });
    expect(warnings.join('\n')).toContain(`${input}: columns written under another name`);
    const { names, rows } = await readBack(dir);
    expect(names).toEqual(['x', 'y', 'a', 'A_1', 'a_2', 'bbox_1', 'geometry', 'bbox']);
    expect(rows).toEqual([{ x: 1, y: 2, a: 'p', A_1: 'q', a_2: 's', bbox_1: 't' }]);
  });

  it('Parquet: names come out as DuckDB shows the input; bbox and geometry attributes renamed', async () => {
    // DuckDB does not write repeated or empty names, so this file is written with parquet-wasm.
    const input = join(tmp, 'names.parquet');
    const cols = ['lon', 'lat', '', 'v', 'V', 'Geometry', 'bbox'];
    const fields = cols.map((c, i) => new Field(c, i < 2 ? new Float64() : new Int32(), true));
    const data = cols.map((_, i) =>
      i < 2
        ? makeData({ type: new Float64(), length: 1, data: Float64Array.of(10 + i) })
        : makeData({ type: new Int32(), length: 1, data: Int32Array.of(i) }),
    );
    const batch = new RecordBatch(
      new Schema(fields),
      makeData({ type: new Struct(fields), length: 1, children: data }),
    );
    writeFileSync(input, writeParquet(WasmTable.fromIPCStream(tableToIPC(new Table([batch]), 'stream'))));
    const duck = (await query(`DESCRIBE SELECT * FROM ${lit(input)}`)).map((r) => r.column_name);
    expect(duck).toEqual(['lon', 'lat', 'C2', 'v', 'V_1', 'Geometry', 'bbox']);

    const { dir, warnings } = await run(input, { lonlatCols: ['lon', 'lat'] });
    const w = warnings.find((m) => m.includes('another name'));
    expect(w).toContain(input);
    expect(w).toContain("'bbox' as 'bbox_1'");
    expect(w).toContain("'Geometry' as 'Geometry_1'");
    const { names, rows } = await readBack(dir);
    // As DuckDB shows the input, but for the two names geopart keeps for its own columns.
    expect(names).toEqual(['lon', 'lat', 'C2', 'v', 'V_1', 'Geometry_1', 'bbox_1', 'geometry', 'bbox']);
    expect(rows).toEqual([{ lon: 10, lat: 11, C2: 2, v: 3, V_1: 4, Geometry_1: 5, bbox_1: 6 }]);
  });

  it('files whose names differ in letter case only are one column, as DuckDB unions them', async () => {
    const folder = join(tmp, 'two');
    mkdirSync(folder);
    const fc = (prop: string, v: string, x: number) =>
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { [prop]: v }, geometry: { type: 'Point', coordinates: [x, 0] } },
        ],
      });
    writeFileSync(join(folder, '1.geojson'), fc('Name', 'a', 1));
    writeFileSync(join(folder, '2.geojson'), fc('name', 'b', 2));
    const { dir } = await run(folder);
    const { names, rows } = await readBack(dir);
    expect(names).toEqual(['Name', 'geometry', 'bbox']);
    expect(rows).toEqual([{ Name: 'a' }, { Name: 'b' }]);
  });
});
