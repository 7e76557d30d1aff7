#!/bin/sh
# scripts/build.sh DIR [meson options...] - configure and build cpts into DIR.
# A new DIR is set up with the options; an existing one gets them applied (meson
# configure), so that e.g. -Dwerror=true holds whichever script configured DIR first.
set -e
cd "$(dirname "$0")/.."
dir="$1"; shift
# Basin methods (src/basins/method_*.c) and their tests (tests/unit/basins/test_method_*.c)
# are registered by listings that meson reads when it configures: a DIR configured before
# the files on disk changed is reconfigured.
listed=$(ls src/basins/method_*.c tests/unit/basins/test_method_*.c 2>/dev/null || true)
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "$@" >&2
elif [ "$listed" != "$(cat "$dir/cpts-listed.txt" 2>/dev/null)" ]; then
  meson setup --reconfigure "$dir" "$@" >&2
elif [ $# -gt 0 ]; then
  meson configure "$dir" "$@" >/dev/null
fi
printf '%s' "$listed" > "$dir/cpts-listed.txt"
ninja -C "$dir" >&2
