/**
 * Help texts of the command line, kept apart from the commands so that `--help` and the
 * dispatcher load no command's dependencies. The flags' lines of `ingest` come from its flag
 * table.
 */
import { flagUsage } from './flags.js';
import { INGEST_FLAGS } from './ingest-flags.js';

/** Usage text of `geopart`. */
export const USAGE = `Usage: geopart <command> [options]

Commands:
  info INPUT            layers, geometry types, feature counts, CRS, extent and fields of a dataset
  ingest INPUT... -o OUT   partition inputs into a GeoParquet table of files and chunks
  run JOB.json          run a job file (ingest and UDF steps) on this machine
  inspect OUT [--image F]  files, chunks, rows and chunk sizes of a table; a picture of its chunks
  query OUT --bbox W,S,E,N   rows of a table that intersect a box (GeoJSON lines, CSV or GeoParquet)
  remote run|status|logs|cancel|batch-setup   run a job file on EC2 or AWS Batch in your AWS account, and follow it

Run \`geopart <command> --help\` for a command's options.`;

/** Usage text of `geopart info`. */
export const INFO_USAGE = `Usage: geopart info INPUT [--layer NAME|INDEX] [--oo KEY=VALUE]... [--json]

Describes a vector dataset like \`ogrinfo -so\`: its layers, geometry types, feature
counts, CRS, extent and fields. Parquet and GeoParquet inputs are read from their footer
by the reader ingest uses (driver Parquet, one layer named after the file).

  --layer L      describe only layer L (name or 0-based index)
  --oo K=V       GDAL open option, repeatable (e.g. --oo HEADERS=NO); not for Parquet
  --json         print JSON instead of text`;

/** Usage text of `geopart ingest`. */
export const INGEST_USAGE = `Usage: geopart ingest INPUT... -o OUT [options]

Partitions vector data (any format GDAL reads, or Parquet) into a GeoParquet table: files
under a per-file cap, each cut into chunks (one row group each) under a per-chunk cap.

${flagUsage(INGEST_FLAGS)}`;

/** Usage text of \`geopart inspect\`. */
export const INSPECT_USAGE = `Usage: geopart inspect OUT [--json] [--image F.png|F.svg [--width N] [--overwrite]]

Describes a table written by \`geopart ingest\` (or any GeoParquet file or folder): files, chunks
and rows, chunk sizes in the partitioning measure with a histogram, the caps and the ingest
report's counts. Only the metadata is read; --image also reads each row's bbox.

  --json         print the summary as JSON
  --image F      draw the rows' density in greys and every chunk's box in its file's colour;
                 F ending in .png writes a PNG, in .svg an SVG with one <rect> per chunk
  --width N      picture width in pixels (default 1024); the height follows the table's extent
  --overwrite    replace F if it exists`;

/** Usage text of `geopart remote`. */
export const REMOTE_USAGE = `Usage: geopart remote run JOB.json --instance-type T --region R [options]
       geopart remote run JOB.json --batch-queue Q --tasks N [--job-definition D] [options]
       geopart remote status ID | logs ID [--follow] | cancel ID
       geopart remote batch-setup --image IMAGE [--print] [options]

Runs a job file on one EC2 instance of your AWS account: the instance installs this geopart
version (Debian 13, Node and GDAL from the Debian archive), runs the job, writes its s3://
outputs, reports status and log under the job prefix, and terminates itself. Every output must
be an s3:// URL and every input an s3:// or http(s):// URL. AWS access comes from the usual
environment (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...); AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL_S3
(or AWS_ENDPOINT_URL) point it at EC2- and S3-compatible servers.

run:
  --instance-type T            m5.large (default), m5.xlarge ... m5.16xlarge, r5.large ... r5.16xlarge
  --region R                   AWS region (default AWS_REGION)
  --disk-size-gb N             root disk in GiB (default 32; at least the image's root size)
  --env KEY=value              variable for the job, repeatable; travels in the instance's user
                               data, which EC2 shows to anyone allowed to describe it: no secrets
  --image NAME|ami-ID          AMI name (wildcards allowed) or id (default debian-13-amd64-*)
  --image-owner ACCOUNT        owner of AMI names (default 136693071363, Debian)
  --iam-instance-profile P     instance profile (name or ARN) the job runs as; it must read the
                               inputs and write the outputs and the job prefix
  --subnet-id S, --security-group-id G (repeatable), --key-name K   networking and SSH
  --overwrite                  replace existing outputs
  --install-spec SPEC          what the instance npm-installs instead of geopart@<this version>
                               (e.g. the https URL of an "npm pack" tarball)
  --no-validate-inputs         do not check that the s3:// and http(s):// inputs exist first
  --validate-imports           import the UDF modules here first (runs their top-level code)
  --wait                       print the log as it grows, then the final status; exit 1 unless succeeded

run on AWS Batch (a UDF step's inputs spread over N children, then one commit job; an ingest
step as a scan of N children, a plan job, a shuffle of N, a write of M, then one commit job):
  --batch-queue Q              job queue (name or ARN): runs the job on Batch instead of one instance
  --tasks N                    children per UDF step and per ingest scan and shuffle, 1 to 10000
  --write-tasks M              children writing an ingest's output files, 1 to 10000 (default N)
  --job-definition D           job definition (name, name:revision or ARN) whose container has
                               geopart on its PATH (default GEOPART_BATCH_JOB_DEFINITION, else geopart)
  --attempts N                 attempts per child, 1 to 10 (default 2)
  --child-timeout SECONDS      time limit of one attempt (at least 60; default none)
  --env, --overwrite, --no-validate-inputs, --validate-imports, --wait   as above
  AWS_ENDPOINT_URL_BATCH (or AWS_ENDPOINT_URL) points it at a Batch-compatible server.

batch-setup (registers the job definition Batch runs use; a new revision if the name exists):
  --image IMAGE                the geopart image built from the repository's Dockerfile
  --print                      print the RegisterJobDefinition request as JSON; register nothing
  --job-definition NAME        its name (default geopart)
  --vcpus N                    vCPUs of one child (default 2; Fargate: 0.25, 0.5, 1, 2, 4, 8, 16)
  --memory MiB                 memory of one child (default 4096; Fargate: within its vCPUs' range)
  --job-role-arn ARN           role the container runs as (S3 on the job prefix, inputs, outputs)
  --execution-role-arn ARN     role that pulls the image and writes logs (required on Fargate)
  --platform EC2|FARGATE       where the containers run (default EC2)
  --assign-public-ip           (Fargate) a public IP per task, to pull the image without NAT
  --region R                   region to register in (default AWS_REGION)

every command:
  --job-prefix s3://B/P        where jobs keep their files (default GEOPART_JOB_PREFIX)
  --region R                   region of the instance (status, logs, cancel: the launch's)
  --poll SECONDS               how often --wait and logs --follow look (default 10 and 5)
  --json                       print JSON
  --follow                     (logs) keep printing new lines until the job ends`;

/** Usage text of `geopart query`. */
export const QUERY_USAGE = `Usage: geopart query OUT --bbox W,S,E,N [options]

Prints the rows of table OUT (a table folder, its output metadata file, or a GeoParquet file)
whose bounding box intersects the box W,S,E,N (degrees; touching counts). Only the chunks the
box touches are read.

  --bbox W,S,E,N             the box: west, south, east, north in degrees
  --exact                    keep only rows whose geometry itself intersects the box
  --columns a,b              columns to output (default: all; 'bbox' only when listed)
  --format geojsonl|csv|parquet   GeoJSON Feature per line (default), CSV with WKT geometry, or GeoParquet
                             (its geometry column written as 'geometry', WKB)
  -o, --output FILE          write to FILE (written whole, then renamed into place); needed for parquet
  --overwrite                replace FILE if it exists`;

/** Usage text of `geopart run`. */
export const RUN_USAGE = `Usage: geopart run JOB.json [--threads N] [--timeout S] [--output-dir DIR] [--json]

Runs the steps of a job file in order on this machine: ingest steps (partition_geospatial)
and UDF steps (udf). Relative paths in the file are resolved against its folder. The job is
checked before anything runs: every UDF step needs a UDF, every step an output, and local
inputs must exist.

  --threads N        worker threads of each step (default: one per core)
  --timeout S        per-input time limit of every UDF step, in seconds (overrides timeout_seconds)
  --output-dir DIR   resolve the relative tables the job writes (output, output_metadata, and a
                     chunks_of naming an earlier step's output) against DIR instead of the job
                     file's folder; inputs and other chunks_of tables stay beside the job file
  --ignore-no-udf    skip UDF steps without a UDF instead of refusing the job
  --ignore-no-output run steps without an output (UDF results are checked, not written)
  --no-validate-inputs   do not check that local inputs exist before running
  --json             print the job report as JSON`;
