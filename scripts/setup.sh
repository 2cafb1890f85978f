#!/usr/bin/env bash
# Installs everything geopart needs on a Debian machine with Node >= 20:
# the system GDAL (headers for the native addon and gdal-async, tools for tests and
# benchmarks), then the npm dependencies and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libgdal-dev libzstd-dev gdal-bin time)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: run as root (or install ${missing[*]} with apt-get first)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm ci builds gdal-async against the system GDAL (see .npmrc), builds native/ and
# compiles the TypeScript sources (prepare).
npm ci --no-audit --no-fund
