#!/bin/sh
# Every test on disk must be registered in tests/meson.build (and vice versa), as git's
# t/meson.build check does: a forgotten test is a test that never runs.
# check-registered.sh TESTS_DIR [BUILD_DIR]: a test is registered when its name is written
# in a meson.build, or, for the tests registered by a listing (tests/unit/basins/
# test_method_*.c), when the build's meson-info/intro-tests.json, the tests meson
# actually registered, names it (a file added after the last configure is not: run
# `meson setup --reconfigure BUILD_DIR`, which scripts/build.sh does).
dir="$1"
intro="${2:-}/meson-info/intro-tests.json"
n=0; bad=0
# modules register their tests in tests/unit/<module>/meson.build, included from here
registered() {
  cat "$dir/meson.build" "$dir"/unit/*/meson.build "$dir"/fuzz/meson.build 2>/dev/null | grep -q "'$1'" ||
    { [ -n "${2:-}" ] && [ -f "$intro" ] && grep -q "\"name\": \"$1\"" "$intro"; }
}
for f in "$dir"/unit/*/test_*.c; do
  [ -e "$f" ] || continue
  name=${f#"$dir"/unit/}; name=${name%.c}
  n=$((n+1))
  if registered "$name" "$2"; then echo "ok $n - unit $name registered"
  else echo "not ok $n - unit $name is on disk but not in tests/meson.build (nor in a listing the build knows)"; bad=1; fi
done
for f in "$dir"/cli/*.sh; do
  [ -e "$f" ] || continue
  name=$(basename "$f" .sh)
  n=$((n+1))
  if registered "$name"; then echo "ok $n - cli $name registered"
  else echo "not ok $n - cli $name is on disk but not in tests/meson.build"; bad=1; fi
done
echo "1..$n"
exit $bad
