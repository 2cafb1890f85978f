#!/bin/sh
# Entrypoint of the geopart image: runs geopart with the container's command as its arguments.
# A command that starts with "geopart" itself, as a Batch job's does
# (`geopart remote batch-child ...`), runs as it is.
set -eu
if [ "${1:-}" = geopart ]; then shift; fi
exec geopart "$@"
