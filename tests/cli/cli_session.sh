#!/bin/sh
# The workspace session (cpts/session.h): one `cpts diagnose` reads each input from the
# workspace once (CPTS_DEBUG_LOADS=1 prints the counts of the loaders on stderr): the
# commune model once, the given partition once (the basins are handed over as written,
# the graph as built), the flow matrix once, whatever the inputs.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
D="$SRC/data/demo"
. "$(dirname "$0")/lib/tap.sh"
export CPTS_FIXED_TIME="2026-01-01T00:00:00Z"
full="--communes $D/communes.geojson --population $D/population.csv --attributes $D/attributes.csv
 --consumption $D/consumption.csv --mt $D/mt.csv --supply $D/supply.csv --flows $D/flows.csv"
loads() { sed -n 's/^cpts: loads: //p' "$1"; }
# shellcheck disable=SC2086
CPTS_DEBUG_LOADS=1 "$CPTS" diagnose -q $full --partition "$D/partition.csv" --out "$T/a" \
  > /dev/null 2> "$T/a.err"; rc=$?
[ $rc -eq 0 ]; check "diagnose with a partition exits 0 (got $rc)" $?
l=$(loads "$T/a.err")
[ "$l" = "model 1, partitions 1, graph 0, flows 1" ]
check "partition + flows: model, partition and flows read once, graph built not read (got '$l')" $?
# shellcheck disable=SC2086
CPTS_DEBUG_LOADS=1 "$CPTS" diagnose -q $full --out "$T/b" > /dev/null 2> "$T/b.err"; rc=$?
l=$(loads "$T/b.err")
[ $rc -eq 0 ] && [ "$l" = "model 1, partitions 0, graph 0, flows 1" ]
check "basins only: the basins partition is never read back (rc $rc, got '$l')" $?
CPTS_DEBUG_LOADS=1 "$CPTS" diagnose -q --communes "$D/communes.geojson" --population \
  "$D/population.csv" --out "$T/c" > /dev/null 2> "$T/c.err"; rc=$?
l=$(loads "$T/c.err")
[ $rc -eq 0 ] && [ "$l" = "model 1, partitions 0, graph 0, flows 1" ]
check "no flows: one model read, the whole-area partition handed over (rc $rc, got '$l')" $?
# the flow matrix the session read is cached in the workspace, explicitly, for later
# commands; the workspace without flows has none
if command -v sqlite3 >/dev/null 2>&1; then
  c=$(sqlite3 "$T/b/prive/cpts.sqlite" "SELECT count(*) FROM flow_matrix")
  c2=$(sqlite3 "$T/c/prive/cpts.sqlite" "SELECT count(*) FROM flow_matrix")
  [ "$c" = 1 ] && [ "$c2" = 0 ]; check "diagnose caches the flow matrix it read (got $c, without flows $c2)" $?
  # the communes of each source, counted while the rows were stored, against the tables
  for tc in flows:orig population:code supply:code mt:code consumption:code; do
    tb=${tc%%:*}; col=${tc#*:}
    got=$(sqlite3 "$T/b/prive/cpts.sqlite" "SELECT n_communes FROM sources WHERE tbl = '$tb'")
    want=$(sqlite3 "$T/b/prive/cpts.sqlite" "SELECT count(DISTINCT $col) FROM $tb")
    [ -n "$got" ] && [ "$got" = "$want" ]; check "sources: $tb covers $want communes (got $got)" $?
  done
fi
# with indicator files (two: long and wide): the files are read against the session's
# model, not one model per file (3 model reads before)
# shellcheck disable=SC2086
CPTS_DEBUG_LOADS=1 "$CPTS" diagnose -q $full --partition "$D/partition.csv" --indicators \
  "$D/indicators.csv" --indicators "$D/zonage.csv" --no-html --no-gpkg --out "$T/i" \
  > /dev/null 2> "$T/i.err"; rc=$?
l=$(loads "$T/i.err")
[ $rc -eq 0 ] && [ "$l" = "model 1, partitions 1, graph 0, flows 1" ]
check "indicators: the model read once for both files (rc $rc, got '$l')" $?
if command -v sqlite3 >/dev/null 2>&1; then
  # the long file's keys, plus the wide file's zonage_mg categories of the catalogue
  want=$(( $(cut -d';' -f1 "$D/indicators.csv" | sed 1d | sort -u | wc -l) + 2 ))
  got=$(sqlite3 "$T/i/prive/cpts.sqlite" "SELECT count(DISTINCT indicator) FROM indicator_data")
  [ "$got" = "$want" ]; check "indicators: the files' $want indicators stored (got $got)" $?
fi
# without the variable: no count printed
# shellcheck disable=SC2086
"$CPTS" diagnose $full --no-html --no-gpkg --out "$T/d" > /dev/null 2> "$T/d.err"
! grep -q "loads:" "$T/d.err"; check "no load counts without CPTS_DEBUG_LOADS" $?
# the step commands read through their own session: export reads the model, its
# partition and the comparison partition once each (and the flows once, for the check)
ws="$T/b/prive/cpts.sqlite"
CPTS_DEBUG_LOADS=1 "$CPTS" export "$ws" --partition bassins --html "$T/e" -q 2> "$T/e.err"; rc=$?
l=$(loads "$T/e.err")
[ $rc -eq 0 ] && [ "$l" = "model 1, partitions 1, graph 1, flows 1" ]
check "export alone: each input read once (rc $rc, got '$l')" $?
cmp -s "$T/b/html/index.html" "$T/e/index.html"; check "the export alone writes the index page diagnose wrote" $?
tap_done
