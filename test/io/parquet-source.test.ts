import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Binary,
  Field,
  Float64,
  makeTable,
  type RecordBatch,
  Struct,
  type Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm/node';
import { afterAll, describe, expect, it } from 'vitest';
import { wkbColumnFromData } from '../../src/arrow/binary.js';
import { GeopartError } from '../../src/errors.js';
import { normalizeWkb } from '../../src/geometry/normalize.js';
import { needsReprojection } from '../../src/io/geoparquet-meta.js';
import { openParquetSource, type ParquetSourceOptions } from '../../src/io/parquet-source.js';
import { dataPath } from '../helpers/data.js';
import { decodeWkb, encodeWkb, rowBytes } from '../helpers/wkb-codec.js';

const tmp = mkdtempSync(join(tmpdir(), 'geopart-parquet-source-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes `table` as Parquet to a temp file, with optional key-value metadata and row-group size (rows). */
function writeTemp(
  name: string,
  table: unknown,
  opts: { kv?: Record<string, string>; rowGroupRows?: number } = {},
): string {
  let props = new WriterPropertiesBuilder();
  if (opts.rowGroupRows !== undefined) props = props.setMaxRowGroupSize(opts.rowGroupRows);
  if (opts.kv !== undefined) props = props.setKeyValueMetadata(new Map(Object.entries(opts.kv)));
  const bytes = writeParquet(WasmTable.fromIPCStream(tableToIPC(table as Table, 'stream')), props.build());
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

async function readAll(path: string, options: ParquetSourceOptions = {}): Promise<RecordBatch[]> {
  const source = await openParquetSource(path, options);
  try {
    const out: RecordBatch[] = [];
    for await (const b of source.batches()) out.push(b);
    return out;
  } finally {
    source.close();
  }
}

/** The geometry rows of batches as hex WKB (null for null), normalised to little-endian ISO. */
function geometryHex(batches: RecordBatch[]): (string | null)[] {
  return batches.flatMap((b) => {
    const col = normalizeWkb(wkbColumnFromData(b.getChild('geometry')!.data[0]!));
    return Array.from({ length: col.length }, (_, i) => {
      const bytes = rowBytes(col, i);
      return bytes === null || bytes.length === 0 ? null : Buffer.from(bytes).toString('hex');
    });
  });
}

async function caught(p: Promise<unknown>): Promise<GeopartError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GeopartError) return err;
    throw err;
  }
  throw new Error('expected a GeopartError');
}

const geoparquetFiles = readdirSync(dataPath('geoparquet')).filter((f) => f.endsWith('.parquet'));

describe('openParquetSource on the GeoParquet 1.1 examples', () => {
  it.each(geoparquetFiles)('%s reads, with a WKB geometry column and every row', async (name) => {
    const source = await openParquetSource(dataPath(`geoparquet/${name}`));
    expect(source.info.layer).toBe(name.replace(/\.parquet$/, ''));
    expect(source.info.crs).toMatch(/CRS84/);
    let rows = 0;
    for await (const b of source.batches()) {
      expect(b.schema.fields.at(-1)!.name).toBe('geometry');
      expect(b.getChild('geometry')!.type).toBeInstanceOf(Binary);
      expect(b.schema.fields.map(String)).toEqual(source.schema.fields.map(String));
      expect(b.getChild('bbox')).toBeNull();
      rows += b.numRows;
    }
    expect(rows).toBe(source.info.featureCount);
    source.close();
    source.close();
  });

  const kinds = ['point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon'];
  it.each(kinds)('data-%s: native and WKB encodings give the same geometries and rows', async (kind) => {
    const wkb = await readAll(dataPath(`geoparquet/data-${kind}-encoding_wkb.parquet`));
    const native = await readAll(dataPath(`geoparquet/data-${kind}-encoding_native.parquet`));
    const a = geometryHex(wkb);
    expect(a.length).toBeGreaterThan(2);
    expect(geometryHex(native)).toEqual(a);
    expect(a).toContain(null);
    const col = (bs: RecordBatch[]): unknown[] => bs.flatMap((b) => b.getChild('col')!.toArray());
    expect(col(native)).toEqual(col(wkb));
  });

  it('example.parquet: drops the covering bbox column and keeps the attributes in order', async () => {
    const [batch] = await readAll(dataPath('geoparquet/example.parquet'));
    expect(batch!.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'pop_est:Float64',
      'continent:Utf8',
      'name:Utf8',
      'iso_a3:Utf8',
      'gdp_md_est:Int64',
      'geometry:Binary',
    ]);
  });
});

describe('openParquetSource on GeoParquet 1.0 files', () => {
  it('natural-earth countries: 177 rows whose attributes and geometry match an independent reader', async () => {
    const path = dataPath('geoarrow/natural-earth_countries_geo.parquet');
    const batches = await readAll(path);
    const expected = (await parquetReadObjects({
      file: await asyncBufferFromFile(path),
      geoparquet: false,
      utf8: false,
    })) as {
      name: string;
      continent: string;
      geometry: Uint8Array;
    }[];
    expect(expected.length).toBe(177);
    const got = batches.flatMap((b) => b.toArray().map((r) => r.toJSON()));
    expect(got.map((r) => [r.name, r.continent])).toEqual(expected.map((r) => [r.name, r.continent]));
    expect(geometryHex(batches)).toEqual(expected.map((r) => Buffer.from(r.geometry).toString('hex')));
  });

  it('vermont UTM: info.crs is the file PROJJSON (UTM zone 18N) and needs reprojection', async () => {
    const source = await openParquetSource(dataPath('geoarrow/example-crs_vermont-utm_geo.parquet'));
    expect(source.info.crs).toMatch(/UTM zone 18N/);
    expect(JSON.parse(source.info.crs!).id).toEqual({ authority: 'EPSG', code: 32618 });
    expect(needsReprojection(source.info.crs)).toBe(true);
    source.close();
  });

  it.each(['geoarrow/natural-earth_countries_geo.parquet', 'geoarrow/quadrangles_100k_geo.parquet'])(
    '%s: the lon/lat CRS needs no reprojection',
    async (rel) => {
      const source = await openParquetSource(dataPath(rel));
      expect(needsReprojection(source.info.crs)).toBe(false);
      source.close();
    },
  );
});

describe('plain Parquet with lonlat_cols', () => {
  const table = makeTable({
    id: Int32Array.from([0, 1, 2, 3, 4, 5, 6]),
    lon: vectorFromArray([10.5, -20, null, 179.9, 0, 1, 2], new Float64()).data[0]!,
    lat: vectorFromArray([45, -33.25, 5, null, 0, 1, 2], new Float64()).data[0]!,
    name: vectorFromArray(['a', 'b', 'c', 'd', 'e', 'f', 'g'], new Utf8()).data[0]!,
  } as never);

  it('builds little-endian points, null geometry where lon or lat is null, and keeps lon/lat as attributes', async () => {
    const path = writeTemp('plain.parquet', table);
    const source = await openParquetSource(path, { lonlatCols: ['lon', 'lat'] });
    expect(source.info.crs).toBe('OGC:CRS84');
    const batches: RecordBatch[] = [];
    for await (const b of source.batches()) batches.push(b);
    source.close();
    expect(batches[0]!.schema.fields.map((f) => f.name)).toEqual(['id', 'lon', 'lat', 'name', 'geometry']);
    const geoms = geometryHex(batches).map((h) => (h === null ? null : decodeWkb(Buffer.from(h, 'hex'))));
    expect(geoms.map((g) => g?.coords?.[0] ?? null)).toEqual([
      [10.5, 45],
      [-20, -33.25],
      null,
      null,
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(geoms[0]).toMatchObject({ type: 1, le: true, z: false, m: false });
  });

  it('reads row group by row group: a file of 3 row groups gives 3 batches', async () => {
    const path = writeTemp('three-groups.parquet', table, { rowGroupRows: 3 });
    const batches = await readAll(path, { lonlatCols: ['lon', 'lat'] });
    expect(batches.map((b) => b.numRows)).toEqual([3, 3, 1]);
    expect(batches.flatMap((b) => Array.from(b.getChild('id')!.toArray()))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('splits a row group larger than batchRows', async () => {
    const path = writeTemp('one-group.parquet', table);
    const batches = await readAll(path, { lonlatCols: ['lon', 'lat'], batchRows: 4 });
    expect(batches.map((b) => b.numRows)).toEqual([4, 3]);
  });

  it('applies load_columns and remove_cols, reading only what is needed', async () => {
    const path = writeTemp('cols.parquet', table);
    const kept = await readAll(path, { lonlatCols: ['lon', 'lat'], columns: ['name', 'geometry'] });
    expect(kept[0]!.schema.fields.map((f) => f.name)).toEqual(['name', 'geometry']);
    expect(geometryHex(kept)[0]).not.toBeNull();
    const removed = await readAll(path, { lonlatCols: ['lon', 'lat'], removeCols: ['lon', 'lat', 'absent'] });
    expect(removed[0]!.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'geometry']);
  });

  it('without lonlat_cols: NO_GEOMETRY naming the file, listing the columns and saying to pass lonlat_cols', async () => {
    const path = writeTemp('nogeo.parquet', table);
    const err = await caught(openParquetSource(path));
    expect(err.code).toBe('NO_GEOMETRY');
    expect(err.message).toContain(path);
    expect(err.message).toContain('id, lon, lat, name');
    expect(err.message).toContain('lonlat_cols');
  });

  it('a missing lonlat column names the file and column and lists the columns', async () => {
    const path = writeTemp('missing-lon.parquet', table);
    const err = await caught(openParquetSource(path, { lonlatCols: ['longitude', 'lat'] }));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toContain(path);
    expect(err.message).toContain("'longitude'");
    expect(err.message).toContain('id, lon, lat, name');
  });

  it('a non-numeric lonlat column is refused', async () => {
    const path = writeTemp('string-lon.parquet', table);
    const err = await caught(openParquetSource(path, { lonlatCols: ['name', 'lat'] }));
    expect(err.message).toMatch(/'name' has type Utf8; it must be numeric/);
  });

  it('a load_columns name not in the file names it, the file and the columns', async () => {
    const path = writeTemp('bad-load.parquet', table);
    const err = await caught(openParquetSource(path, { lonlatCols: ['lon', 'lat'], columns: ['nme'] }));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toContain("'nme'");
    expect(err.message).toContain(path);
    expect(err.message).toContain('id, lon, lat, name');
  });

  it('lonlat_cols win over geo metadata: the file geometry column is dropped', async () => {
    const batches = await readAll(dataPath('geoparquet/data-point-encoding_wkb.parquet'), {
      lonlatCols: ['col', 'col'],
    });
    expect(batches[0]!.schema.fields.map((f) => f.name)).toEqual(['col', 'geometry']);
    const first = decodeWkb(Buffer.from(geometryHex(batches)[0]!, 'hex'));
    expect(first.coords).toEqual([[0, 0]]);
  });

  it('stops when the signal is aborted', async () => {
    const path = writeTemp('abort.parquet', table, { rowGroupRows: 2 });
    const source = await openParquetSource(path, { lonlatCols: ['lon', 'lat'] });
    const ctrl = new AbortController();
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const b of source.batches(ctrl.signal)) {
          seen.push(b.numRows);
          ctrl.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(seen).toEqual([2]);
    source.close();
  });
});

describe('geo metadata edge cases', () => {
  it('big-endian WKB becomes little-endian; a secondary native column becomes WKB; an attribute named geometry is renamed', async () => {
    const be = encodeWkb({ type: 1, z: true, m: true, le: false, ewkb: false, coords: [[1, 2, 3, 4]] });
    const geomData = vectorFromArray([be, null], new Binary()).data[0]!;
    const pt = vectorFromArray(
      [
        { x: 5, y: 6 },
        { x: 7, y: 8 },
      ],
      new Struct([new Field('x', new Float64(), false), new Field('y', new Float64(), false)]),
    ).data[0]!;
    const table = makeTable({
      geometry: vectorFromArray(['not', 'geometry'], new Utf8()).data[0]!,
      geom: geomData,
      pt,
      n: Int32Array.from([1, 2]),
    } as never);
    const geo = {
      version: '1.1.0',
      primary_column: 'geom',
      columns: {
        geom: { encoding: 'WKB', geometry_types: ['Point ZM'] },
        pt: { encoding: 'point', geometry_types: ['Point'] },
      },
    };
    const path = writeTemp('edge.parquet', table, { kv: { geo: JSON.stringify(geo) } });
    const [batch] = await readAll(path);
    expect(batch!.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'geometry_1:Utf8',
      'pt:Binary',
      'n:Int32',
      'geometry:Binary',
    ]);
    expect(geometryHex([batch!])).toEqual([
      Buffer.from(
        encodeWkb({ type: 1, z: true, m: false, le: true, ewkb: false, coords: [[1, 2, 3]] }),
      ).toString('hex'),
      null,
    ]);
    const pts = wkbColumnFromData(batch!.getChild('pt')!.data[0]!);
    expect(decodeWkb(rowBytes(pts, 1)!).coords).toEqual([[7, 8]]);
    expect(batch!.getChild('geometry_1')!.get(0)).toBe('not');
  });

  it('corrupt WKB is reported with the file and row', async () => {
    const table = makeTable({
      n: Int32Array.from([1, 2]),
      geometry: vectorFromArray(
        [
          encodeWkb({ type: 1, z: false, m: false, le: true, ewkb: false, coords: [[1, 2]] }),
          Uint8Array.from([1, 99, 0, 0, 0]),
        ],
        new Binary(),
      ).data[0]!,
    } as never);
    const geo = {
      version: '1.0.0',
      primary_column: 'geometry',
      columns: { geometry: { encoding: 'WKB', geometry_types: [] } },
    };
    const path = writeTemp('corrupt-wkb.parquet', table, { kv: { geo: JSON.stringify(geo) } });
    const err = await caught(readAll(path));
    expect(err.code).toBe('CORRUPT_INPUT');
    expect(err.message).toContain(path);
    expect(err.message).toContain('row 1');
    expect(err.context.row).toBe(1);
  });
});

describe('openParquetSource errors', () => {
  it('a missing file is INPUT_NOT_FOUND', async () => {
    const err = await caught(openParquetSource(join(tmp, 'nope.parquet')));
    expect(err.code).toBe('INPUT_NOT_FOUND');
    expect(err.message).toContain('nope.parquet');
  });

  it('a file that is not Parquet is UNKNOWN_FORMAT naming the file', async () => {
    const path = dataPath('geoparquet/schema.json');
    const err = await caught(openParquetSource(path));
    expect(err.code).toBe('UNKNOWN_FORMAT');
    expect(err.message).toContain(path);
  });

  it('a tiny file is UNKNOWN_FORMAT too', async () => {
    const path = join(tmp, 'tiny.parquet');
    writeFileSync(path, 'PAR1');
    expect((await caught(openParquetSource(path))).code).toBe('UNKNOWN_FORMAT');
  });

  it('a Parquet file with a broken footer is CORRUPT_INPUT', async () => {
    const path = join(tmp, 'broken.parquet');
    writeFileSync(path, Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 7), Buffer.from('PAR1')]));
    const err = await caught(openParquetSource(path));
    expect(err.code).toBe('CORRUPT_INPUT');
    expect(err.message).toContain(path);
  });

  it('batchRows must be a positive integer', async () => {
    await expect(openParquetSource(dataPath('geoparquet/example.parquet'), { batchRows: 0 })).rejects.toThrow(
      RangeError,
    );
  });

  it('accepts integer lon/lat columns', async () => {
    const table = makeTable({ x: Int32Array.from([1, 2]), y: Int32Array.from([3, 4]) });
    const path = writeTemp('ints.parquet', table);
    const batches = await readAll(path, { lonlatCols: ['x', 'y'] });
    expect(decodeWkb(Buffer.from(geometryHex(batches)[1]!, 'hex')).coords).toEqual([[2, 4]]);
  });
});
