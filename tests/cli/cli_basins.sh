#!/bin/sh
# cpts basins and cpts compare on a hand-made workspace (sqlite3 shell + SpatiaLite):
# a strip of four 1 km squares, towns 44001 (west) and 44004 (east); 44002 sends its
# flows west, 44003 east. By hand: two basins {44001, 44002} and {44003, 44004};
# LI = (900 + 90) / (1000 + 100) = 0.9 for the west, (80 + 950) / (100 + 1000) for the
# east; overall (990 + 1030) / 2200 = 0.9182. Then stdout, stderr and exit codes.
CPTS="$1"
. "$(dirname "$0")/lib/tap.sh"
if ! command -v sqlite3 >/dev/null 2>&1; then echo "1..0 # SKIP sqlite3 shell not installed"; exit 0; fi
WS="$T/ws.sqlite"
"$CPTS" init "$WS" 2> /dev/null
sq() { sqlite3 "$WS" ".load mod_spatialite" "$1" > /dev/null; }
add() { # code x0 pop
  x1=$(($2 + 1000))
  sq "INSERT INTO communes(code, name, dep, reg, parent, srid, area_km2, perimeter_km, px, py, lon, lat, geom) VALUES('$1', 'C$1', '44', '52', '', 2154, 1, 4, $2 + 500, 500, 0, 0, CastToMultiPolygon(GeomFromText('POLYGON(($2 0, $x1 0, $x1 1000, $2 1000, $2 0))', 2154)))"
  sq "INSERT INTO population VALUES('$1', 'T', 'ALL', $3)"
}
flow() { sq "INSERT INTO flows(orig, dest, profession, volume) VALUES('$1', '$2', '', $3)"; }
add 44001 0 10000; add 44002 1000 1000; add 44003 2000 1000; add 44004 3000 10000
flow 44001 44001 900; flow 44001 44004 100; flow 44002 44001 90; flow 44002 44004 10
flow 44003 44004 80; flow 44003 44001 20; flow 44004 44004 950; flow 44004 44001 50
"$CPTS" graph "$WS" > /dev/null 2>&1
"$CPTS" basins "$WS" --method plurality --name plu > "$T/out" 2> "$T/err"; rc=$?
check "basins plurality exits 0 (got $rc)" $([ $rc -eq 0 ]; echo $?)
grep -qx "basins: 2" "$T/out"; check "two basins" $?
grep -qx "overall LI: 0.9182" "$T/out"; check "overall LI 0.9182" $?
[ ! -s "$T/err" ]; check "nothing on stderr" $?
t=$(sqlite3 "$WS" "SELECT group_concat(code || '=' || territory, ' ') FROM (SELECT * FROM partition_members WHERE partition = 'plu' ORDER BY code)")
[ "$t" = "44001=44001 44002=44001 44003=44004 44004=44004" ]; check "basins as computed by hand ($t)" $?
li=$(sqlite3 "$WS" "SELECT round(li, 4) FROM basin_metrics WHERE partition = 'plu' AND territory = '44001'")
[ "$li" = "0.9" ]; check "LI of the west basin 0.9 (got $li)" $?
"$CPTS" basins "$WS" --method modularity --name mod --seed 7 > "$T/out" 2> "$T/err"; rc=$?
check "basins modularity exits 0 (got $rc)" $([ $rc -eq 0 ]; echo $?)
grep -qx "basins: 2" "$T/out"; check "modularity: two basins" $?
"$CPTS" compare "$WS" plu mod > "$T/out" 2> "$T/err"; rc=$?
check "compare exits 0 (got $rc)" $([ $rc -eq 0 ]; echo $?)
grep -qx "adjusted Rand index: 1.0000" "$T/out"; check "identical partitions: ARI 1" $?
grep -qx "population in matching territories: 1.0000" "$T/out"; check "matching 1" $?
"$CPTS" basins "$WS" --method plurality --min-pop 15000 --name big > "$T/out" 2>&1
grep -qx "basins: 1" "$T/out"; check "--min-pop 15000 merges into one basin" $?
"$CPTS" basins "$WS" --method plurality --max-pop 5000 --name small > "$T/out" 2> "$T/err"
grep -qx "single communes above the ceiling: 2" "$T/out"; check "--max-pop 5000: two towns reported" $?
grep -q "warning: commune 44001" "$T/err"; check "town above the ceiling warned on stderr" $?
# the default method is the optimiser; a target count with explicit bounds: the best
# 2-basin cut of the strip is the one computed by hand (0.9182; 1|234 gives 0.8818,
# 123|4 0.8909)
"$CPTS" basins "$WS" --target-count 2 --min-pop 1 --max-pop 100000 --name opt > "$T/out" 2> "$T/err"; rc=$?
check "basins (default method) exits 0 (got $rc)" $rc
grep -qx "partition: opt (optimise)" "$T/out"; check "default method is optimise" $?
grep -qx "overall LI: 0.9182" "$T/out"; check "optimise: LI 0.9182" $?
grep -q "^optimiser: objective 0.9182, [0-9]* moves, 6 starts, " "$T/out"; check "objective, moves, starts and time reported" $?
grep -qx "floor: 1, ceiling: 100000" "$T/out"; check "explicit bounds kept" $?
# the iterated local search: --iterations listed in --help, the same hand-computed cut
# with many kicks (none can improve on the optimum) and with none
"$CPTS" basins --help > "$T/out" 2>&1
grep -q -- "--iterations K" "$T/out"; check "--iterations in basins --help" $?
for it in 5000 0; do
  "$CPTS" basins "$WS" --target-count 2 --min-pop 1 --max-pop 100000 --iterations $it --name "it$it" > "$T/out" 2> "$T/err"; rc=$?
  check "--iterations $it exits 0 (got $rc)" $rc
  grep -qx "overall LI: 0.9182" "$T/out"; check "--iterations $it: LI 0.9182" $?
done
"$CPTS" basins "$WS" --method leiden --target-count 2 --name lei > "$T/out" 2> "$T/err"; rc=$?
check "leiden exits 0 (got $rc)" $rc
grep -qx "floor: 10000, ceiling: 175000" "$T/out"; check "a target without bounds takes the CPTS band" $?
grep -qx "basins: 2" "$T/out"; check "leiden: two basins" $?
"$CPTS" basins "$WS" --method plurality --resample 10 --stability-threshold 1 --name st > "$T/out" 2> "$T/err"; rc=$?
check "basins --resample exits 0 (got $rc)" $rc
c=$(sqlite3 "$WS" "SELECT count(*) FROM basin_stability WHERE partition = 'st' AND resamples = 10")
[ "$c" = "4" ]; check "co-assignment stored for the 4 communes (got $c)" $?
u=$(sqlite3 "$WS" "SELECT count(*) FROM basin_stability WHERE partition = 'st' AND coassign < 1")
grep -q "^resamples: 10, communes with co-assignment below 1.00: $u " "$T/out"; check "unstable count printed ($u)" $?
"$CPTS" check "$WS" --partition st > "$T/out" 2> "$T/err"
grep -q "^unstable border communes: [0-9]* with a co-assignment with their pole below 0.80 over 10 resamples" "$T/out"; check "check reports the stability" $?
"$CPTS" export "$WS" --partition st --gpkg "$T/st.gpkg" --html "$T/st_html" > /dev/null 2>&1; rc=$?
check "export of the resampled basins exits 0 (got $rc)" $rc
grep -q "<th>Source de la partition</th><td class=\"n\">pluralité (méthode de Dartmouth affinée)</td>" "$T/st_html/index.html"
check "the report names the method in French (the method table's label), not 'plurality'" $?
a=$(sqlite3 "$WS" "SELECT group_concat(code || '=' || round(100 * coassign, 6), ' ') FROM (SELECT * FROM basin_stability WHERE partition = 'st' ORDER BY code)")
b=$(sqlite3 "$T/st.gpkg" "SELECT group_concat(code || '=' || round(coaffectation, 6), ' ') FROM (SELECT * FROM communes ORDER BY code)")
[ -n "$a" ] && [ "$a" = "$b" ]; check "GeoPackage field coaffectation = 100 x co-assignment ($b)" $?
# the HSAr floor in the GeoPackage: 44002 and 44003 together keep none of their 200
# flows (LI 0 < 0.4), 44001 alone keeps 900 of 1,000, 44004 950 of 1,000
sq "INSERT INTO partitions VALUES('lowp', 'input', 't', NULL, '2024-01-01T00:00:00Z')"
sq "INSERT INTO partition_members VALUES('lowp', '44001', 'W', NULL, 1), ('lowp', '44002', 'M', NULL, 1), ('lowp', '44003', 'M', NULL, 1), ('lowp', '44004', 'E', NULL, 1)"
"$CPTS" basins "$WS" --method plurality --lock lowp --name lowb > /dev/null 2>&1
"$CPTS" export "$WS" --partition lowb --gpkg "$T/low.gpkg" --html "$T/low_html" > /dev/null 2>&1; rc=$?
check "export of a partition with a basin under LI 0.4 exits 0 (got $rc)" $rc
l=$(sqlite3 "$T/low.gpkg" "SELECT group_concat(territoire || '=' || li_sous_seuil, ' ') FROM (SELECT * FROM territoires ORDER BY territoire)" 2>&1)
[ "$l" = "E=0 M=1 W=0" ]; check "GeoPackage li_sous_seuil: M (LI 0) flagged, E and W not ($l)" $?
a=$(sqlite3 "$T/low.gpkg" "SELECT name FROM gpkg_data_columns WHERE column_name = 'li_sous_seuil'" 2>&1)
[ "$a" = "LI sous le seuil de 0,4" ]; check "li_sous_seuil has its French alias ($a)" $?
nh=$(grep -l "Sous le seuil de LI de 0,4" "$T"/low_html/*.html 2>/dev/null | wc -l)
[ "$nh" -ge 1 ] && grep -l "Sous le seuil de LI de 0,4" "$T"/low_html/*.html | xargs grep -q "C44002\|C44003"
check "the report flags M's LI under 0.4 ($nh pages)" $?
"$CPTS" basins "$WS" --method plurality --resample -1 2> "$T/err"; rc=$?
check "negative --resample exits 2 (got $rc)" $([ $rc -eq 2 ]; echo $?)
"$CPTS" basins "$WS" --method kmeans 2> "$T/err"; rc=$?
check "unknown method exits 2 (got $rc)" $([ $rc -eq 2 ]; echo $?)
grep -q "unknown method 'kmeans'" "$T/err"; check "unknown method named" $?
grep -q "unknown method 'kmeans' (optimise, plurality, modularity or leiden)" "$T/err"
check "the error lists the methods of the table" $?
# the method table (src/basins/methods.c) writes the --method values of both commands
for cmd in basins diagnose; do
  "$CPTS" $cmd --help > "$T/help" 2>&1
  sed -n '/^--method values/,/^$/p' "$T/help" | awk '/^  [a-z]/ { printf "%s ", $1 }' > "$T/names"
  [ "$(cat "$T/names")" = "optimise plurality modularity leiden " ]; check "$cmd --help lists the table's methods ($(cat "$T/names"))" $?
  grep -A1 "^  optimise " "$T/help" | grep -q "(default; reads --resolution, --seed, the optimiser options)"
  check "$cmd --help: optimise is the default and reads the optimiser options" $?
done
# an option the method does not read is said to be ignored; the basins are plurality's
"$CPTS" basins "$WS" --method plurality --starts 3 --lns 5 --name ign > "$T/out" 2> "$T/err"; rc=$?
check "plurality with --starts exits 0 (got $rc)" $rc
grep -qx "cpts: warning: --starts is not used by method plurality: ignored" "$T/err" &&
  grep -qx "cpts: warning: --lns is not used by method plurality: ignored" "$T/err"
check "--starts and --lns said ignored by plurality" $?
grep -qx "overall LI: 0.9182" "$T/out"; check "plurality with ignored options: LI 0.9182" $?
"$CPTS" basins "$WS" --method optimise --starts 2 --name ign2 > /dev/null 2> "$T/err"
[ ! -s "$T/err" ]; check "optimise reads --starts: no warning" $?
# no --method: the table's default row
"$CPTS" basins "$WS" --name dflt > "$T/out" 2> /dev/null
grep -qx "partition: dflt (optimise)" "$T/out"; check "no --method: the default row (optimise)" $?
"$CPTS" basins "$WS" --min-pop 9 --max-pop 3 2> "$T/err"; rc=$?
check "inconsistent bounds exit 2 (got $rc)" $([ $rc -eq 2 ]; echo $?)
"$CPTS" basins "$WS" --lock nope --name x 2> "$T/err"; rc=$?
check "unknown lock partition exits 2 (got $rc)" $([ $rc -eq 2 ]; echo $?)
grep -q "no partition named 'nope'" "$T/err"; check "unknown lock named" $?
c=$(sqlite3 "$WS" "SELECT count(*) FROM partitions WHERE name = 'x'"); [ "$c" = 0 ]; check "failed run stored nothing" $?
"$CPTS" compare "$WS" plu 2> "$T/err"; rc=$?
check "compare with one partition exits 2 (got $rc)" $([ $rc -eq 2 ]; echo $?)
# flows written by hand: no cached matrix, and a basins run does not write one (loads
# have no side effect; the ingest of flows and cpts diagnose write it, explicitly)
c=$(sqlite3 "$WS" "SELECT count(*) FROM flow_matrix")
[ "$c" = "0" ]; check "no flow matrix cached by a basins run (got $c)" $?
cat > "$T/flows2.csv" <<'CSV'
commune_residence;commune_exercice;volume
44001;44001;900
44001;44004;100
44002;44001;10
44002;44004;90
44003;44004;80
44003;44001;20
44004;44004;950
44004;44001;50
CSV
"$CPTS" ingest flows "$WS" "$T/flows2.csv" -q; check "new flows ingested" $?
# the ingest replaced the matrix: 44002 -> 44004 (90) is in it, 44002 -> 44001 is 10
c=$(sqlite3 "$WS" "SELECT count(*) FROM flow_matrix")
[ "$c" = "1" ]; check "the ingest of flows packs the matrix again (got $c)" $?
"$CPTS" basins "$WS" --method plurality --name plu2 > /dev/null 2>&1
t=$(sqlite3 "$WS" "SELECT territory FROM partition_members WHERE partition = 'plu2' AND code = '44002'")
[ "$t" = "44004" ]; check "basins follow the new flows: 44002 now goes east (got $t)" $?
li_cached=$(sqlite3 "$WS" "SELECT group_concat(territory || '=' || round(li, 6), ' ') FROM (SELECT * FROM basin_metrics WHERE partition = 'plu2' ORDER BY territory)")
# a damaged cache (truncated blob, then a wrong magic) is ignored: same basins, same LI
sqlite3 "$WS" "UPDATE flow_matrix SET data = substr(data, 1, 40)"
"$CPTS" basins "$WS" --method plurality --name plu3 > /dev/null 2>&1; check "run on a truncated cache exits 0" $?
sqlite3 "$WS" "DELETE FROM flow_matrix"
"$CPTS" basins "$WS" --method plurality --name plu4 > /dev/null 2>&1
# a load never writes the cache as a side effect (cpts/session.h): only the ingest does
c=$(sqlite3 "$WS" "SELECT count(*) FROM flow_matrix")
[ "$c" = "0" ]; check "a basins run does not write the flow matrix cache (got $c)" $?
"$CPTS" ingest flows "$WS" "$T/flows2.csv" -q
sqlite3 "$WS" "UPDATE flow_matrix SET data = X'00' || substr(data, 2)"
"$CPTS" basins "$WS" --method plurality --name plu5 > /dev/null 2>&1; check "run on a cache with a wrong magic exits 0" $?
for p in plu3 plu4 plu5; do
  li=$(sqlite3 "$WS" "SELECT group_concat(territory || '=' || round(li, 6), ' ') FROM (SELECT * FROM basin_metrics WHERE partition = '$p' ORDER BY territory)")
  [ "$li" = "$li_cached" ] && [ -n "$li" ]; check "$p: same basins and LI as from the packed matrix ($li)" $?
done
[ "$li_cached" = "44001=0.9 44004=0.933333" ]; check "LI by hand: 900/1000 west, (90+80+950)/(100+100+1000) east ($li_cached)" $?
# the optimiser honours Ctrl-C and SIGTERM (issue 17): an annealing of 2e9 proposals per
# start would run for minutes; interrupted, it stops within seconds, exits 130 and leaves
# the workspace as it was. wait_for PID SECONDS: its exit status, or 124 after killing it.
wait_for() {
  k=0
  while kill -0 "$1" 2> /dev/null && [ $k -lt $(($2 * 10)) ]; do sleep 0.1; k=$((k + 1)); done
  if kill -0 "$1" 2> /dev/null; then kill -9 "$1"; wait "$1"; return 124; fi
  wait "$1"
}
sum0=$(sha256sum "$WS" | cut -c1-64)
CPTS_TEST_INTERRUPT_AFTER=500 "$CPTS" basins "$WS" --target-count 2 --min-pop 1 --max-pop 100000 \
  --kicks 2000000000 --name intr > "$T/out" 2> "$T/err" &
wait_for $! 30; rc=$?
[ $rc -eq 130 ]; check "optimiser interrupted at a progress report exits 130 within 30 s (got $rc)" $?
grep -q "cpts: error: interrupted" "$T/err"; check "interruption reported on stderr" $?
"$CPTS" basins "$WS" --target-count 2 --min-pop 1 --max-pop 100000 --kicks 2000000000 \
  --threads 2 --name intr > "$T/out" 2> "$T/err" &
pid=$!
sleep 1
kill -TERM $pid
wait_for $pid 30; rc=$?
[ $rc -eq 130 ]; check "optimiser stopped by SIGTERM exits 130 within 30 s (got $rc)" $?
c=$(sqlite3 "$WS" "SELECT count(*) FROM partitions WHERE name = 'intr'")
[ "$c" = "0" ]; check "no partition stored by the interrupted runs (got $c)" $?
[ "$(sha256sum "$WS" | cut -c1-64)" = "$sum0" ]; check "workspace file unchanged by the interrupted runs" $?
tap_done
