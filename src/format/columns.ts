/**
 * Column names of a table's data files (docs/FORMAT.md, "Data files"): the WKB geometry column
 * and the GeoParquet 1.1.0 bbox covering column.
 */

/** Name of the geometry column (ISO WKB, EPSG:4326 longitude/latitude), the last data column. */
export const GEOMETRY_COLUMN = 'geometry';

/** Name of the covering column: a struct of the row's box in degrees, after the geometry. */
export const BBOX_COLUMN = 'bbox';

/** The covering column's fields, in order (float64, degrees). */
export const BBOX_FIELDS = ['xmin', 'ymin', 'xmax', 'ymax'] as const;
