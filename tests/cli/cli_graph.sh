#!/bin/sh
# cpts graph: counts on a hand-made workspace (a 2 x 2 grid of 1 km squares + an island,
# inserted with the sqlite3 shell and SpatiaLite), options, stdout/stderr/exit codes.
# By hand: the 2 x 2 grid has 4 side pairs + 2 diagonal pairs = 6 queen edges, 4 rook;
# the island is bridged once.
CPTS="$1"
. "$(dirname "$0")/lib/tap.sh"
if ! command -v sqlite3 >/dev/null 2>&1; then echo "1..0 # SKIP sqlite3 shell not installed"; exit 0; fi
WS="$T/ws.sqlite"
"$CPTS" init "$WS" 2> /dev/null
sq() { sqlite3 "$WS" ".load mod_spatialite" "$1" > /dev/null; }
add() { # code x0 y0 x1 y1
  sq "INSERT INTO communes(code, name, dep, reg, parent, srid, area_km2, perimeter_km, px, py, lon, lat, geom) VALUES('$1', 'C$1', '44', '52', '', 2154, 1, 4, $2 + 500, $3 + 500, 0, 0, CastToMultiPolygon(GeomFromText('POLYGON(($2 $3, $4 $3, $4 $5, $2 $5, $2 $3))', 2154)))"
}
add 44001 0 0 1000 1000; add 44002 1000 0 2000 1000
add 44003 0 1000 1000 2000; add 44004 1000 1000 2000 2000
add 44005 5000 0 6000 1000
"$CPTS" graph "$WS" > "$T/out" 2> "$T/err"; rc=$?
check "graph exits 0 (got $rc)" $([ $rc -eq 0 ]; echo $?)
grep -qx "nodes: 5" "$T/out"; check "5 nodes" $?
grep -qx "edges: 6" "$T/out"; check "6 queen edges" $?
grep -qx "bridges: 1" "$T/out"; check "1 bridge" $?
grep -qx "components before bridging: 2" "$T/out"; check "2 components before bridging" $?
grep -qx "isolated communes before bridging: 1" "$T/out"; check "1 isolated before" $?
grep -qx "isolated communes after bridging: 0" "$T/out"; check "0 isolated after" $?
[ ! -s "$T/err" ]; check "nothing on stderr" $?
c=$(sqlite3 "$WS" "SELECT count(*) FROM graph_edges"); [ "$c" = 7 ]; check "7 rows in graph_edges (got $c)" $?
"$CPTS" graph "$WS" --rook > "$T/out" 2>&1
grep -qx "edges: 4" "$T/out"; check "--rook: 4 edges" $?
"$CPTS" graph "$WS" --no-bridges > "$T/out" 2>&1
grep -qx "bridges: 0" "$T/out" && grep -qx "isolated communes after bridging: 1" "$T/out"; check "--no-bridges" $?
"$CPTS" graph "$WS" --snap -3 > "$T/out" 2> "$T/err"; rc=$?
check "negative --snap exits 2 (got $rc)" $([ $rc -eq 2 ]; echo $?)
grep -q "snapping tolerance" "$T/err"; check "snap error message" $?
"$CPTS" graph "$T/missing.sqlite" 2> "$T/err"; rc=$?
check "missing workspace exits 4 (got $rc)" $([ $rc -eq 4 ]; echo $?)
"$CPTS" init "$T/empty.sqlite" 2> /dev/null
"$CPTS" graph "$T/empty.sqlite" 2> "$T/err"; rc=$?
check "workspace without communes exits 3 (got $rc)" $([ $rc -eq 3 ]; echo $?)
grep -q "holds no commune" "$T/err"; check "no-commune message" $?
tap_done
