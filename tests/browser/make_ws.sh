#!/bin/sh
# make_ws.sh CPTS DIR - build a small demo workspace DIR/ws.sqlite for the export tests
# with the cpts pipeline itself: synth (120 fictional communes), ingest every table,
# profile the input partition "partition"; then graph + basins + profile of "basins"
# when they succeed (the export tests use "partition" and do not depend on them).
set -u
CPTS="$1"; D="$2"
mkdir -p "$D"
"$CPTS" synth -q -n 120 -s 2026 -o "$D/demo" || exit 1
"$CPTS" init "$D/ws.sqlite" -q || exit 1
"$CPTS" ingest communes "$D/ws.sqlite" "$D/demo/communes.geojson" -q || exit 1
for k in population consumption mt supply flows partition attributes; do
  "$CPTS" ingest $k "$D/ws.sqlite" "$D/demo/$k.csv" -q || exit 1
done
"$CPTS" profile -q --no-table "$D/ws.sqlite" --partition partition || exit 1
if "$CPTS" graph -q "$D/ws.sqlite" >/dev/null 2>&1 &&
   "$CPTS" basins -q "$D/ws.sqlite" --method plurality >/dev/null 2>&1; then
  "$CPTS" profile -q --no-table "$D/ws.sqlite" --partition basins >/dev/null 2>&1 || true
fi
exit 0
