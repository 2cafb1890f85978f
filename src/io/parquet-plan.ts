/**
 * Decides, from a Parquet file's schema and `geo` metadata and the user's column options, where
 * the geometry comes from and which columns each output batch has. Pure: no reading.
 */
import { Binary, Field, Schema } from 'apache-arrow';
import { isNumericType } from '../arrow/numeric.js';
import { GeopartError } from '../errors.js';
import { BBOX_COLUMN } from '../format/columns.js';
import type { GeoArrowEncoding } from '../geometry/geoarrow-to-wkb.js';
import { type ColumnRename, readerNames } from './column-names.js';
import { crsText, type GeoParquetMeta } from './geoparquet-meta.js';
import { GEOMETRY_COLUMN } from './source.js';

/** Where the output `geometry` comes from. */
export type GeometryOrigin =
  | { readonly kind: 'wkb'; readonly column: string }
  | { readonly kind: 'native'; readonly column: string; readonly encoding: GeoArrowEncoding }
  | { readonly kind: 'lonlat'; readonly lon: string; readonly lat: string };

/** One output column: a file column passed through, renamed or converted, or the geometry. */
export type OutputColumn =
  | { readonly kind: 'geometry' }
  | { readonly kind: 'attribute'; readonly source: string; readonly name: string }
  /** A secondary GeoArrow-encoded geometry column, converted to a WKB attribute. */
  | {
      readonly kind: 'native-attribute';
      readonly source: string;
      readonly name: string;
      readonly encoding: GeoArrowEncoding;
    };

/** The reading plan for one file. */
export interface ParquetPlan {
  readonly geometry: GeometryOrigin;
  /** Output columns in order (`geometry` last). */
  readonly output: readonly OutputColumn[];
  /** The schema of every output batch, matching `output`. */
  readonly schema: Schema;
  /** Top-level file columns to read (file order). */
  readonly read: readonly string[];
  /** `SourceInfo.crs`. */
  readonly crs: string | null;
  /** Attribute columns written under another name (column-names.ts). */
  readonly renames: readonly ColumnRename[];
}

/** The options of {@link planParquet}; see `ParquetSourceOptions`. */
export interface PlanOptions {
  readonly lonlatCols?: readonly [string, string] | null;
  readonly columns?: readonly string[] | null;
  readonly removeCols?: readonly string[] | null;
}

/**
 * Builds the plan for `file` (named in every error). Decisions the GeoParquet specification
 * leaves open:
 * - `lonlatCols` wins over `geo` metadata; the file's primary geometry column is then not output.
 * - The geometry is the last column, `geometry` (the `Source` contract), whatever its file name.
 * - Secondary geometry columns stay as attributes, as WKB (native ones are converted).
 * - Covering `bbox` columns (declared in `geo`, or an undeclared struct `bbox` of
 *   xmin/ymin/xmax/ymax) are dropped: the writer recomputes them.
 * - `columns` lists attribute columns to keep; naming the geometry column there is allowed.
 *   A name not in the file is an error; `removeCols` names not in the file are ignored.
 * - Attributes are named as a reader would show them, `geometry` and `bbox` kept for the
 *   columns geopart writes (column-names.ts): e.g. an attribute `geometry` becomes `geometry_1`.
 */
export function planParquet(
  file: string,
  schema: Schema,
  geo: GeoParquetMeta | null,
  opts: PlanOptions,
): ParquetPlan {
  const names = schema.fields.map((f) => f.name);
  const available = names.join(', ');
  const lonlat = opts.lonlatCols ?? null;

  let geometry: GeometryOrigin;
  let crs: string | null;
  if (lonlat !== null) {
    for (const [i, name] of lonlat.entries()) {
      const field = schema.fields.find((f) => f.name === name);
      const which = i === 0 ? 'longitude' : 'latitude';
      if (field === undefined) {
        throw new GeopartError(
          'INVALID_CONFIG',
          `${file}: lonlat_cols ${which} column '${name}' is not in the file; its columns are: ${available}`,
          { file, option: 'lonlat_cols', column: name },
        );
      }
      if (!isNumericType(field.type)) {
        throw new GeopartError(
          'INVALID_CONFIG',
          `${file}: lonlat_cols ${which} column '${name}' has type ${field.type}; it must be numeric`,
          { file, option: 'lonlat_cols', column: name },
        );
      }
    }
    geometry = { kind: 'lonlat', lon: lonlat[0], lat: lonlat[1] };
    crs = 'OGC:CRS84';
  } else if (geo !== null) {
    const meta = geo.columns.get(geo.primaryColumn)!;
    if (!names.includes(meta.name)) {
      throw new GeopartError(
        'CORRUPT_INPUT',
        `${file}: GeoParquet primary column '${meta.name}' is not in the file; its columns are: ${available}`,
        { file, column: meta.name },
      );
    }
    geometry =
      meta.encoding === 'WKB'
        ? { kind: 'wkb', column: meta.name }
        : { kind: 'native', column: meta.name, encoding: meta.encoding };
    crs = crsText(meta);
  } else {
    throw new GeopartError(
      'NO_GEOMETRY',
      `${file} has no GeoParquet 'geo' metadata, so no geometry column is known. Its columns are: ${available}. ` +
        'Pass lonlat_cols (--lonlat LON,LAT) to build points from two numeric columns.',
      { file },
    );
  }

  const primary = geometry.kind === 'lonlat' ? null : geometry.column;
  const dropped = new Set<string>();
  if (primary !== null) dropped.add(primary);
  if (geo !== null && geometry.kind === 'lonlat') dropped.add(geo.primaryColumn);
  for (const c of geo?.columns.values() ?? []) if (c.coveringColumn !== null) dropped.add(c.coveringColumn);
  const bbox = schema.fields.find((f) => f.name === BBOX_COLUMN);
  if (bbox !== undefined && isBboxStruct(bbox.type)) dropped.add(BBOX_COLUMN);

  const keep = opts.columns ? new Set(opts.columns) : null;
  if (keep !== null) {
    for (const name of keep) {
      if (!names.includes(name) && name !== GEOMETRY_COLUMN) {
        throw new GeopartError(
          'INVALID_CONFIG',
          `${file}: load_columns names '${name}', which is not in the file; its columns are: ${available}`,
          { file, option: 'load_columns', column: name },
        );
      }
    }
  }
  const remove = new Set(opts.removeCols ?? []);

  const kept = names.flatMap((name, i) =>
    dropped.has(name) || remove.has(name) || (keep !== null && !keep.has(name)) ? [] : [i],
  );
  const named = readerNames(
    kept.map((i) => names[i]!),
    kept,
  );
  const output: OutputColumn[] = [];
  for (const [k, i] of kept.entries()) {
    const name = names[i]!;
    const out = named.names[k]!;
    const meta = geo?.columns.get(name);
    output.push(
      meta !== undefined && meta.encoding !== 'WKB'
        ? { kind: 'native-attribute', source: name, name: out, encoding: meta.encoding }
        : { kind: 'attribute', source: name, name: out },
    );
  }
  output.push({ kind: 'geometry' });

  const needed = new Set<string>(output.flatMap((c) => (c.kind === 'geometry' ? [] : [c.source])));
  if (geometry.kind === 'lonlat') {
    needed.add(geometry.lon);
    needed.add(geometry.lat);
  } else {
    needed.add(geometry.column);
  }
  const fields = output.map((c) => {
    if (c.kind === 'geometry') return new Field(GEOMETRY_COLUMN, new Binary(), true);
    if (c.kind === 'native-attribute') return new Field(c.name, new Binary(), true);
    const field = schema.fields.find((f) => f.name === c.source)!;
    return c.name === field.name ? field : field.clone({ name: c.name });
  });
  return {
    geometry,
    output,
    schema: new Schema(fields),
    read: names.filter((n) => needed.has(n)),
    crs,
    renames: named.renames,
  };
}

function isBboxStruct(type: { children?: readonly { name: string }[] | null }): boolean {
  const fields = (type.children ?? []).map((f) => f.name).sort();
  return fields.join(',') === 'xmax,xmin,ymax,ymin';
}
