#!/bin/sh
# Every public header compiles on its own with -std=c11 -pedantic (STYLE.md section 14):
# a header that needs another included before it is a bug.
src="$1"; build="$2"
cc=${CC:-cc}
flags="-std=c11 -pedantic -Wall -Wextra -Werror -fsyntax-only -I$src/include -I$build/include $(pkg-config --cflags-only-I gdal geos proj sqlite3 spatialite gsl | sed 's/-I/-isystem /g')"
n=0; bad=0
for h in "$src"/include/cpts/*.h; do
  n=$((n+1))
  # shellcheck disable=SC2086
  if printf '#include "cpts/%s"\n' "$(basename "$h")" | $cc $flags -x c - 2>/tmp/hdr.$$; then
    echo "ok $n - $(basename "$h") is self-contained"
  else
    echo "not ok $n - $(basename "$h") does not compile alone"; sed 's/^/# /' /tmp/hdr.$$; bad=1
  fi
done
rm -f /tmp/hdr.$$
echo "1..$n"
exit $bad
