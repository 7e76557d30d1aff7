#!/bin/sh
# Derived results know what they were computed from (issue 12, items 4-5): re-ingesting
# mt, population, consumption, supply, a partition or flows makes the profile, the basin
# metrics or the basins partition stale; `export` then recomputes (profile, metrics) or
# refuses with exit 3 naming what changed (a basins partition), and never publishes the
# old numbers. A partition never profiled gets its profile computed by `export`.
# Every expected value is computed here with awk from the files written by this test.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
. "$(dirname "$0")/lib/tap.sh"
export CPTS_FIXED_TIME="2026-01-01T00:00:00Z"
if ! sh "$SRC/tests/browser/make_ws.sh" "$CPTS" "$T" > "$T/make.log" 2>&1; then
  echo "not ok 1 - build the demo workspace"; sed 's/^/# /' "$T/make.log"; echo "1..1"; exit 1
fi
WS="$T/ws.sqlite"
P="$T/demo/partition.csv"

# value of field F of territory TERR in the territoires layer of GPKG
terr_val() { # gpkg terr field
  ogrinfo -ro -q "$1" -sql "SELECT $3 AS v FROM territoires WHERE territoire = '$2'" 2>/dev/null |
    sed -n 's/^ *v ([A-Za-z0-9]*) = //p'
}
# expected: k * number of communes of territory TERR in the partition file
expect_k() { # terr k
  awk -F';' -v t="$1" -v k="$2" 'NR > 1 && $2 == t { n++ } END { printf "%d\n", n * k }' "$P"
}
T1=$(awk -F';' 'NR == 2 { print $2 }' "$P")
T2=$(awk -F';' -v a="$T1" 'NR > 1 && $2 != a { print $2; exit }' "$P")
same() { # got expected (numbers)
  awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 == b + 0) }'
}

export_check() { # name field k
  "$CPTS" export "$WS" --partition partition --gpkg "$T/$1.gpkg" 2> "$T/$1.err"; rc=$?
  [ $rc -eq 0 ]; check "$1: export exits 0 (got $rc)" $?
  grep -q "profile of partition 'partition' is stale ($1 was re-ingested" "$T/$1.err"
  check "$1: the warning names what changed" $?
  for t in "$T1" "$T2"; do
    got=$(terr_val "$T/$1.gpkg" "$t" "$2"); exp=$(expect_k "$t" "$3")
    same "$got" "$exp"; check "$1: $2 of '$t' is the new $exp (got $got)" $?
  done
}

# mt: every commune of the partition 1000 patients, 100 without médecin traitant
awk -F';' 'NR == 1 { print "code_commune;patients;sans_mt" } NR > 1 { print $1 ";1000;100" }' \
  "$P" > "$T/mt2.csv"
"$CPTS" ingest mt "$WS" -q "$T/mt2.csv"; check "re-ingest mt" $?
export_check mt mt_patients 1000
got=$(terr_val "$T/mt.gpkg" "$T1" mt_sans_mt); exp=$(expect_k "$T1" 100)
same "$got" "$exp"; check "mt: mt_sans_mt is the new $exp (got $got)" $?
sha=$(sha256sum "$T/mt2.csv" | cut -d' ' -f1)
ogrinfo -ro -q "$T/mt.gpkg" metadata | grep -q "sha256 (String) = $sha"
check "mt: the metadata carries the SHA-256 of the new file" $?
"$CPTS" export "$WS" --partition partition --gpkg "$T/mt_again.gpkg" 2> "$T/again.err"
grep -q "stale" "$T/again.err"; [ $? -ne 0 ]; check "mt: a second export finds it fresh" $?

# population: totals, 500 inhabitants per commune
awk -F';' 'NR == 1 { print "code_commune;population" } NR > 1 { print $1 ";500" }' "$P" \
  > "$T/pop2.csv"
"$CPTS" ingest population "$WS" -q "$T/pop2.csv"; check "re-ingest population" $?
export_check population pop_total 500

# consumption: 20 consultations per commune
awk -F';' 'NR == 1 { print "code_commune;sexe;classe_age;actes" } NR > 1 { print $1 ";T;ALL;20" }' \
  "$P" > "$T/conso2.csv"
"$CPTS" ingest consumption "$WS" -q "$T/conso2.csv"; check "re-ingest consumption" $?
export_check consumption icc_observed 20

# supply: 2 GPs per commune
awk -F';' 'NR == 1 { print "code_commune;profession;effectif" } NR > 1 { print $1 ";medecin_generaliste;2" }' \
  "$P" > "$T/supply2.csv"
"$CPTS" ingest supply "$WS" -q "$T/supply2.csv"; check "re-ingest supply" $?
export_check supply gp_count 2

# reference: one rate for everybody, 2 consultations a year: expected = 2 x 500 a commune
printf 'sexe;classe_age;taux\nT;ALL;2\n' > "$T/ref2.csv"
"$CPTS" ingest reference "$WS" -q "$T/ref2.csv"; check "ingest reference" $?
export_check reference icc_expected 1000

# attributes and communes (the same files again): stale, recomputed, same numbers
"$CPTS" ingest attributes "$WS" -q "$T/demo/attributes.csv"; check "re-ingest attributes" $?
export_check attributes pop_total 500
"$CPTS" ingest communes "$WS" -q "$T/demo/communes.geojson"; check "re-ingest communes" $?
export_check communes gp_count 2

# partition: one territory 'Tout' over the same communes; its profile is dropped and
# computed again, never the rows of the old territories
awk -F';' 'NR == 1 { print "code_commune;territoire" } NR > 1 { print $1 ";Tout" }' "$P" \
  > "$T/part2.csv"
"$CPTS" ingest partition "$WS" -q "$T/part2.csv" --name partition; check "re-ingest partition" $?
"$CPTS" export "$WS" --partition partition --gpkg "$T/part.gpkg" 2> "$T/part.err"; rc=$?
[ $rc -eq 0 ]; check "partition: export exits 0 (got $rc)" $?
grep -q "profile of partition 'partition' is stale (partition 'partition' was replaced)" "$T/part.err"
check "partition: the warning names the partition" $?
nt=$(ogrinfo -ro -so "$T/part.gpkg" territoires | sed -n 's/^Feature Count: //p')
[ "$nt" = 1 ]; check "partition: one territory (got $nt)" $?
got=$(terr_val "$T/part.gpkg" Tout mt_patients); exp=$(($(wc -l < "$P") - 1))000
same "$got" "$exp"; check "partition: mt_patients of 'Tout' is $exp (got $got)" $?

# a partition never profiled: export computes its profile (item 5)
"$CPTS" ingest partition "$WS" -q "$P" --name jamais; check "ingest a partition never profiled" $?
"$CPTS" export "$WS" --partition jamais --gpkg "$T/never.gpkg" 2> "$T/never.err"; rc=$?
[ $rc -eq 0 ]; check "never profiled: export exits 0 (got $rc)" $?
grep -q "partition 'jamais' has no profile: computing it" "$T/never.err"
check "never profiled: export says it computes the profile" $?
got=$(terr_val "$T/never.gpkg" "$T1" mt_patients); exp=$(expect_k "$T1" 1000)
same "$got" "$exp"; check "never profiled: mt_patients of '$T1' is $exp (got $got)" $?
got=$(terr_val "$T/never.gpkg" "$T2" gp_count); exp=$(expect_k "$T2" 2)
same "$got" "$exp"; check "never profiled: gp_count of '$T2' is $exp (got $got)" $?

# flows: the basins partition was computed from the old flows: export refuses (exit 3)
if sqlite3 "$WS" "SELECT 1 FROM partitions WHERE name = 'basins'" | grep -q 1; then
  awk -F';' 'NR == 1 { print "commune_residence;commune_exercice;volume" } NR > 1 { print $1 ";" $1 ";10" }' \
    "$P" > "$T/flows2.csv"
  "$CPTS" ingest flows "$WS" -q "$T/flows2.csv"; check "re-ingest flows" $?
  "$CPTS" export "$WS" --partition basins --gpkg "$T/basins.gpkg" 2> "$T/basins.err"; rc=$?
  [ $rc -eq 3 ]; check "flows: export of the stale basins exits 3 (got $rc)" $?
  grep -q "flows was re-ingested" "$T/basins.err" && grep -q "cpts basins" "$T/basins.err"
  check "flows: the message names flows and what to run" $?
  [ ! -e "$T/basins.gpkg" ]; check "flows: nothing written" $?
else
  echo "# the demo basins could not be built: flows checks skipped"
fi

# flows with stored metrics (diagnose): the metrics are recomputed from the new flows,
# where every resident stays in the commune: LI = 100 % in every territory
D="$T/diag"
"$CPTS" diagnose -q --communes "$T/demo/communes.geojson" --population "$T/demo/population.csv" \
  --mt "$T/demo/mt.csv" --flows "$T/demo/flows.csv" --partition "$P" --out "$D" --no-html \
  > /dev/null 2> "$T/diag.err"; check "diagnose" $?
li0=$(terr_val "$D/cpts.gpkg" "$T1" li)
awk -v a="$li0" 'BEGIN { exit !(a != "" && a + 0 < 99.9) }'; check "flows: LI before is $li0 (< 100)" $?
"$CPTS" ingest flows "$D/prive/cpts.sqlite" -q "$T/flows2.csv"; check "re-ingest flows (diagnose)" $?
"$CPTS" export "$D/prive/cpts.sqlite" --partition territoires --gpkg "$T/li.gpkg" 2> "$T/li.err"; rc=$?
[ $rc -eq 0 ]; check "flows: export exits 0 (got $rc)" $?
grep -q "basin metrics of partition 'territoires' are stale (flows was re-ingested" "$T/li.err"
check "flows: the warning names flows" $?
for t in "$T1" "$T2"; do
  got=$(terr_val "$T/li.gpkg" "$t" li)
  same "$got" 100; check "flows: LI of '$t' is the new 100 (got $got)" $?
done
tap_done
