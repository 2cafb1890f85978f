#!/usr/bin/env bash
# Installs everything geopart needs on a Debian machine with Node 20 or 24:
# the system GDAL (headers for the native addon and gdal-async, tools for tests and
# benchmarks), then the npm dependencies and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libgdal-dev libzstd-dev liblz4-dev zlib1g-dev gdal-bin time)
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

# Dependencies without their install scripts, then the native parts built explicitly:
# gdal-async from source against the system GDAL, and native/ (scripts/build-native.mjs),
# then the TypeScript sources. No npm configuration is involved, so a newer npm can
# neither fetch a prebuilt gdal-async nor skip the build.
npm ci --ignore-scripts --no-audit --no-fund
node scripts/build-native.mjs
npm run build
