#!/bin/sh
# scripts/build.sh DIR [meson options...] - configure (once) and build cpts into DIR.
set -e
cd "$(dirname "$0")/.."
dir="$1"; shift
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "$@" >&2
fi
ninja -C "$dir" >&2
