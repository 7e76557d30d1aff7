#!/bin/sh
# scripts/deps.sh - install the Debian 12 packages cpts needs, only those missing.
# Sourced by scripts/demo, scripts/test and scripts/bench. Extra packages can be asked
# for: `sh scripts/deps.sh chromium` installs the base set plus chromium. Quiet unless
# something is installed or fails: apt's output goes to a log shown only on failure.
set -e
# Libraries: GDAL, GEOS, PROJ, SQLite + SpatiaLite, GSL (core); GLPK (linear programs of
# the disclosure audit), igraph (community detection seeding), libzip + libxml2 (ODT).
base="meson ninja-build pkg-config gcc libc6-dev libgdal-dev gdal-bin libgeos-dev \
libproj-dev proj-data libsqlite3-dev libspatialite-dev libsqlite3-mod-spatialite \
libgsl-dev zlib1g-dev sqlite3 libglpk-dev libigraph-dev libzip-dev libxml2-dev"
missing=""
for p in $base "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "cpts: installing Debian packages:$missing" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp "${TMPDIR:-/tmp}/cpts-apt.XXXXXX")
  # shellcheck disable=SC2086
  if ! { $SUDO apt-get update -qq && \
         $SUDO apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "cpts: error: could not install:$missing (apt log above)" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
fi
