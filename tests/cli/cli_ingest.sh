#!/bin/sh
# `cpts ingest` end to end on the fixtures of tests/data/ingest: every kind through the
# CLI, arrondissement layers (parent set, never both), --map, --name, re-ingest, usage
# errors, and `cpts info` showing the sources. Expected values are computed by hand from
# the fixture rows (see tests/data/ingest/README.md).
CPTS="$1"
D="${CPTS_SRC:-$(dirname "$0")/../..}/tests/data/ingest"
. "$(dirname "$0")/lib/tap.sh"
q() { sqlite3 "$WS" "$1" 2>/dev/null; }
WS="$T/ws.sqlite"
"$CPTS" init "$WS" -q
"$CPTS" ingest --help > "$T/out"; check "ingest --help exits 0" $?
grep -q "^usage: cpts ingest KIND WS FILE" "$T/out"; check "ingest --help lists the kinds" $?
"$CPTS" ingest flows --help > "$T/out"; check "ingest flows --help exits 0" $?
grep -q "^usage: cpts ingest flows WS FILE" "$T/out"; check "ingest flows --help usage" $?
"$CPTS" ingest frogs "$WS" x.csv 2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "unknown kind exits 2 (got $rc)" $?
"$CPTS" ingest population "$WS" 2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "missing FILE exits 2 (got $rc)" $?
"$CPTS" ingest population "$T/nows.sqlite" "$D/flows.csv" 2> "$T/err"; rc=$?
[ $rc -eq 4 ]; check "missing workspace exits 4 (got $rc)" $?

"$CPTS" ingest communes "$WS" "$D/communes.geojson" --vintage "COG 2024" 2> "$T/err"; check "communes" $?
grep -q "ingested 7 communes" "$T/err"; check "7 communes reported" $?
[ "$(q "SELECT vintage FROM sources WHERE tbl='communes'")" = "COG 2024" ]; check "vintage recorded" $?
for k in "population population_latin1.csv" "passage passage.csv" "population population_bom.csv" \
         "consumption consumption_masked.csv" "mt mt.csv" "supply supply.csv" "flows flows.csv" \
         "traveltime traveltime.tsv" "partition partition_arm.csv" "attributes attributes.csv" \
         "reference reference.csv"; do
  set -- $k
  "$CPTS" ingest "$1" "$WS" "$D/$2" -q; check "ingest $1 $2" $?
done
[ "$(q "SELECT pop FROM population WHERE code='44109'")" = "326070.0" ]; check "population through passage: 325070 + 1000" $?
[ "$(q "SELECT count(*) FROM consumption WHERE masked AND actes IS NULL")" = "6" ]; check "6 masked consumption cells" $?
[ "$(q "SELECT count(*) FROM flows WHERE outside = 1")" = "1" ]; check "one outside flow" $?
[ "$(q "SELECT count(*) FROM partition_members WHERE partition='partition_arm'")" = "5" ]; check "partition: 3 communes + Marseille split in 2" $?
"$CPTS" ingest partition "$WS" "$D/partition_arm.csv" --name secteurs -q; check "partition --name" $?
[ "$(q "SELECT count(*) FROM partitions")" = "2" ]; check "two partitions coexist" $?
"$CPTS" ingest population "$WS" "$D/mapped.csv" --map population=effectif_total -q; check "--map" $?
[ "$(q "SELECT pop FROM population")" = "42.0" ]; check "--map read effectif_total; re-ingest replaced the table" $?
"$CPTS" ingest population "$WS" "$D/mapped.csv" --map habitants=effectif_total 2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "--map with an unknown canonical column exits 2 (got $rc)" $?
"$CPTS" info "$WS" > "$T/out"; check "info" $?
grep -q "population_bom.csv\|mapped.csv" "$T/out"; check "info names the source file" $?

# arrondissements in the geometry: parent set; with their commune too: dropped
WS2="$T/arm.sqlite"; "$CPTS" init "$WS2" -q
"$CPTS" ingest communes "$WS2" "$D/communes_arm.geojson" -q; check "arrondissement layer" $?
[ "$(sqlite3 "$WS2" "SELECT parent FROM communes WHERE code='13201'")" = "13055" ]; check "parent of 13201 is 13055" $?
"$CPTS" ingest flows "$WS2" "$D/flows.csv" --skip-unknown -q; check "flows on arrondissement geometry" $?
[ "$(sqlite3 "$WS2" "SELECT volume FROM flows WHERE orig='13201'")" = "700.0" ]; check "flows kept by arrondissement" $?
"$CPTS" ingest communes "$WS2" "$D/communes_arm_both.geojson" 2> "$T/err"; check "layer with communes and arrondissements" $?
grep -q "2 arrondissements dropped: the layer also has their commune" "$T/err"; check "never both: warning" $?
[ "$(sqlite3 "$WS2" "SELECT count(*) FROM communes")" = "2" ]; check "13055 and 44109 kept, arrondissements dropped" $?
# SNDS residence codes: 044109 -> 44109
printf 'commune_residence;commune_exercice;volume\n044109;44109;5\n' > "$T/snds.csv"
"$CPTS" ingest flows "$WS" "$T/snds.csv" --snds-codes -q; check "--snds-codes" $?
[ "$(q "SELECT orig FROM flows")" = "44109" ]; check "SNDS code 044109 converted" $?
# re-ingesting the communes drops what was derived from the old ones (graph...)
"$CPTS" graph "$WS" -q > /dev/null; check "graph on the fixture communes" $?
[ "$(q "SELECT count(*) FROM graph_edges")" -gt 0 ]; check "graph edges stored" $?
"$CPTS" ingest communes "$WS" "$D/communes.geojson" -q; check "communes re-ingested" $?
[ "$(q "SELECT count(*) FROM graph_edges")" = "0" ]; check "re-ingest drops the stale graph" $?
[ "$(q "SELECT count(*) FROM meta WHERE key LIKE 'graph%'")" = "0" ]; check "and its metadata" $?
tap_done
