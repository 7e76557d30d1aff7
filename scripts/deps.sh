#!/bin/sh
# scripts/deps.sh - install the Debian 12 packages cpts needs, only those missing.
# Sourced by scripts/demo, scripts/test and scripts/bench. Extra packages can be asked
# for: `sh scripts/deps.sh chromium` installs the base set plus chromium.
set -e
base="meson ninja-build pkg-config gcc libc6-dev libgdal-dev gdal-bin libgeos-dev \
libproj-dev proj-data libsqlite3-dev libspatialite-dev libsqlite3-mod-spatialite \
libgsl-dev zlib1g-dev sqlite3"
missing=""
for p in $base "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "cpts: installing Debian packages:$missing" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing >&2
fi
