#!/bin/sh
# scripts/build.sh DIR [meson options...] - configure and build cpts into DIR.
# A new DIR is set up with the options; an existing one gets them applied (meson
# configure), so that e.g. -Dwerror=true holds whichever script configured DIR first.
set -e
cd "$(dirname "$0")/.."
dir="$1"; shift
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "$@" >&2
elif [ $# -gt 0 ]; then
  meson configure "$dir" "$@" >/dev/null
fi
ninja -C "$dir" >&2
