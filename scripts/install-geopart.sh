#!/bin/bash
# Installs geopart on Debian 13 (trixie): Node and GDAL from the Debian archive, geopart from npm
# or a tarball, its native addons built against the system GDAL and Node headers. Nothing is
# fetched but the Debian archive and the npm registry.
#
# The one install of geopart on a machine: the EC2 user data runs this text (src/remote/bootstrap.ts
# embeds it) and the Dockerfile copies and runs this file.
#
# Usage: install-geopart.sh SPEC
#   SPEC is what `npm install -g` installs: geopart@VERSION, a tarball (path or https URL) or a folder.
set -euo pipefail

spec="${1:?usage: install-geopart.sh SPEC (geopart@VERSION, a tarball or a folder)}"

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# Node 20 with headers, GDAL with headers, a compiler for the addons.
apt-get install -q -y --no-install-recommends nodejs npm libnode-dev gdal-bin libgdal-dev libzstd-dev liblz4-dev zlib1g-dev build-essential python3 pkg-config ca-certificates curl
export npm_config_build_from_source=gdal-async npm_config_shared_gdal=true npm_config_nodedir=/usr
# cloud-init may run this without HOME, where npm keeps its cache.
export HOME="${HOME:-/root}"
npm install -g --no-fund --no-audit "$spec"
# The command is on the PATH and starts.
geopart --help > /dev/null
