#!/bin/sh
# SCRATCH: the method 'single' on the strip of cli_basins.sh: one basin of 4 communes.
CPTS="$1"
. "$(dirname "$0")/lib/tap.sh"
if ! command -v sqlite3 >/dev/null 2>&1; then echo "1..0 # SKIP sqlite3 shell not installed"; exit 0; fi
WS="$T/ws.sqlite"
"$CPTS" init "$WS" 2> /dev/null
sq() { sqlite3 "$WS" ".load mod_spatialite" "$1" > /dev/null; }
for i in 0 1 2 3; do x=$((i * 1000)); x1=$((x + 1000))
  sq "INSERT INTO communes(code, name, dep, reg, parent, srid, area_km2, perimeter_km, px, py, lon, lat, geom) VALUES('4400$i', 'C$i', '44', '52', '', 2154, 1, 4, $x + 500, 500, 0, 0, CastToMultiPolygon(GeomFromText('POLYGON(($x 0, $x1 0, $x1 1000, $x 1000, $x 0))', 2154)))"
done
"$CPTS" basins "$WS" --method single --name one > "$T/out" 2> "$T/err"; rc=$?
check "single exits 0 (got $rc)" $rc
grep -qx "basins: 1" "$T/out"; check "one basin" $?
"$CPTS" basins --help | grep -q "^  single "; check "listed by --help" $?
tap_done
