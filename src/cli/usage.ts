/**
 * Help texts of the command line, kept apart from the commands so that `--help` and the
 * dispatcher load no command's dependencies.
 */

/** Usage text of `geopart`. */
export const USAGE = `Usage: geopart <command> [options]

Commands:
  info INPUT            layers, geometry types, feature counts, CRS, extent and fields of a dataset
  ingest INPUT... -o OUT   partition inputs into a GeoParquet table of files and chunks

Run \`geopart <command> --help\` for a command's options.`;

/** Usage text of `geopart info`. */
export const INFO_USAGE = `Usage: geopart info INPUT [--layer NAME|INDEX] [--oo KEY=VALUE]... [--json]

Describes a vector dataset like \`ogrinfo -so\`: its layers, geometry types, feature
counts, CRS, extent and fields.

  --layer L      describe only layer L (name or 0-based index)
  --oo K=V       GDAL open option, repeatable (e.g. --oo HEADERS=NO)
  --json         print JSON instead of text`;

/** Usage text of `geopart ingest`. */
export const INGEST_USAGE = `Usage: geopart ingest INPUT... -o OUT [options]

Partitions vector data (any format GDAL reads, or Parquet) into a GeoParquet table: files
under a per-file cap, each cut into chunks (one row group each) under a per-chunk cap.

Output:
  -o, --output OUT             the table folder to write
  --output-metadata P          also write the chunk table as its own GeoParquet file
  --overwrite                  replace OUT if it exists (the old table stays readable until the new one is done)
  --json                       print the report as JSON

Partitioning:
  --method rows|area|length|coords   what the caps measure (default rows)
  --max-per-file N             cap per file (default: total/10)
  --max-per-chunk N            cap per chunk (default: total/target-chunks, or total/100 with --max-per-file)
  --target-chunks N            chunks aimed at when --max-per-file is unset (default 500)
  --split-method mean|median   where a node is cut (default mean)
  --max-width-ratio R, --max-height-ratio R   cut across the long side past this ratio (default 2)
  --no-split-identical-centroids   keep a group of rows with one centroid whole, even over a cap
  --schema-input F             place rows in the boxes of an earlier table's chunk metadata
  --subdivide-start A          cut polygons larger than A deg^2 ...
  --subdivide-stop A           ... into pieces of at most A deg^2 (default: the start)

Input:
  --layer NAME                 the layer to read (name or 0-based index)
  --oo KEY=VALUE               GDAL open option, repeatable (as in ogr2ogr)
  --lonlat LON,LAT             build points from two columns (CSV, Parquet)
  --columns a,b                keep only these attribute columns
  --drop-columns a,b           drop these attribute columns
  --explode                    one row per part of multi-part geometries
  --keep-out-of-bounds         keep rows outside lon [-180,180] / lat [-90,90]
  --file-suffix S              with a folder input, read only files ending in S

Running:
  --threads N                  worker threads (default: one per core)`;
