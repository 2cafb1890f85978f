/**
 * A {@link Source} wrapper that reprojects the geometry column to EPSG:4326 (lon/lat), for
 * sources that cannot do it themselves (GeoParquet files with another CRS).
 */
import type { RecordBatch } from 'apache-arrow';
import { makeBatch } from '../arrow/batch.js';
import { binaryDataFromWkb, wkbColumnFromData } from '../arrow/binary.js';
import { reprojectWkb } from './native.js';
import { GEOMETRY_COLUMN, type Source } from './source.js';

/** `source` with its geometries reprojected from `source.info.crs` to `targetCrs`. */
export function reprojected(source: Source, targetCrs: string): Source {
  const crs = source.info.crs;
  if (crs === null) return source;
  const g = source.schema.fields.findIndex((f) => f.name === GEOMETRY_COLUMN);
  return {
    info: source.info,
    schema: source.schema,
    async *batches(signal?: AbortSignal, parts?: readonly [number, number]): AsyncIterable<RecordBatch> {
      for await (const batch of source.batches(signal, parts)) {
        const columns = [...batch.data.children];
        const wkb = reprojectWkb(wkbColumnFromData(columns[g]!), crs, targetCrs, source.info.path);
        columns[g] = binaryDataFromWkb(wkb);
        yield makeBatch(batch.schema.fields, columns, batch.schema.metadata, batch.numRows);
      }
    },
    close: () => source.close(),
  };
}
