#!/bin/sh
# `cpts diagnose` end to end on the embedded demo territory (data/demo): outputs,
# stdout/stderr contract, quiet mode, the comparison with the flow basins in the index,
# a failed run and an interrupted run leaving nothing half-written.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
D="$SRC/data/demo"
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/gis.sh"
export CPTS_FIXED_TIME="2026-01-01T00:00:00Z" # reproducible export dates
args="--communes $D/communes.geojson --population $D/population.csv --attributes $D/attributes.csv
 --consumption $D/consumption.csv --mt $D/mt.csv --supply $D/supply.csv --flows $D/flows.csv
 --partition $D/partition.csv"
# shellcheck disable=SC2086
"$CPTS" diagnose $args --out "$T/o" > "$T/out" 2> "$T/err"; rc=$?
[ $rc -eq 0 ]; check "diagnose on the demo exits 0 (got $rc)" $?
grep -q "^geopackage $T/o/cpts.gpkg$" "$T/out"; check "stdout names the GeoPackage" $?
grep -q "^html       $T/o/html/index.html$" "$T/out"; check "stdout names the index page" $?
! grep -q "cpts: error" "$T/err"; check "no error message" $?
for f in prive/cpts.sqlite cpts.gpkg html/index.html; do
  [ -s "$T/o/$f" ]; check "$f written" $?
done
[ -z "$(find "$T/o" -name '*.tmp')" ]; check "no temporary file left" $?
# the unmasked workspace is apart: only publishable files beside prive/
[ "$(ls "$T/o" | tr '\n' ' ')" = "cpts.gpkg html prive " ]; check "DIR holds cpts.gpkg, html/ and prive/ only (got $(ls "$T/o" | tr '\n' ' '))" $?
[ -z "$(find "$T/o/html" "$T/o/cpts.gpkg" -name '*.sqlite')" ]; check "no workspace among the publishable files" $?
grep -q "^workspace  $T/o/prive/cpts.sqlite (unmasked, not for publication)$" "$T/out"; check "stdout says where the private workspace is" $?
grep -q "unmasked workspace is $T/o/prive/cpts.sqlite" "$T/err"; check "stderr says to keep it private" $?
nterr=$(cut -d';' -f2 "$D/partition.csv" | tail -n +2 | sort -u | wc -l)
npages=$(ls "$T/o/html" | grep '\.html$' | grep -vc '^index.html$')
[ "$npages" -eq "$nterr" ]; check "one page per territory of the partition ($nterr, got $npages)" $?
gis_check "$T/o/cpts.gpkg" "diagnose GeoPackage"
"$CPTS" info "$T/o/prive/cpts.sqlite" > "$T/info"; check "the workspace opens" $?
grep -q "bassins " "$T/info" && grep -q "territoires " "$T/info"; check "partition and basins stored" $?
sha=$(sha256sum "$D/partition.csv" | cut -c1-64)
grep -q "sha256 $sha" "$T/info"; check "info shows the partition file's SHA-256" $?
grep -q "Comparaison avec d'autres découpages" "$T/o/html/index.html"; check "index compares with the basins" $?
ncom=$(ogrinfo -ro -so -al "$D/communes.geojson" | sed -n 's/^Feature Count: //p')
nd=$(tr '\n' ' ' < "$T/o/html/index.html" | sed 's/class="disagree"/\n&/' | tail -n 1 | sed 's/<\/svg>.*//' | grep -o 'data-code="' | wc -l)
[ "$nd" -eq "$ncom" ]; check "map of disagreements has one path per commune ($ncom, got $nd)" $?
# quiet: nothing on stderr
# shellcheck disable=SC2086
"$CPTS" diagnose $args --out "$T/q" -q > /dev/null 2> "$T/err"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$T/err" ]; check "-q: exit 0 and nothing on stderr (got $rc)" $?
cmp -s "$T/o/html/index.html" "$T/q/html/index.html"; check "two runs give byte-identical index pages" $?
# a missing input: exit 4, named, nothing left behind
"$CPTS" diagnose --communes "$D/communes.geojson" --flows "$T/nope.csv" --out "$T/bad" 2> "$T/err"; rc=$?
[ $rc -eq 4 ]; check "missing flows file exits 4 (got $rc)" $?
grep -q "nope.csv" "$T/err"; check "the missing file is named" $?
[ ! -e "$T/bad/prive/cpts.sqlite" ] && [ -z "$(find "$T/bad" -name '*.tmp' 2>/dev/null)" ]; check "no workspace left after a failure" $?
# interrupted (deterministic Ctrl-C at the 5th progress report): exit 130, nothing half-written
# shellcheck disable=SC2086
CPTS_TEST_INTERRUPT_AFTER=5 "$CPTS" diagnose $args --out "$T/int" 2> "$T/err"; rc=$?
[ $rc -eq 130 ]; check "interrupted run exits 130 (got $rc)" $?
grep -q "cpts: error: interrupted" "$T/err"; check "interruption reported" $?
[ ! -e "$T/int/prive/cpts.sqlite" ] && [ ! -e "$T/int/cpts.gpkg" ] && [ -z "$(find "$T/int" -name '*.tmp' 2>/dev/null)" ]
check "nothing half-written after the interruption" $?
# --map-indicator: the styles draw it; an unknown key is a usage error listing the keys
# shellcheck disable=SC2086
"$CPTS" diagnose -q $args --no-html --map-indicator gp_density --out "$T/mi" > /dev/null; rc=$?
[ $rc -eq 0 ]; check "diagnose --map-indicator gp_density exits 0 (got $rc)" $?
ogrinfo -ro "$T/mi/cpts.gpkg" -sql "SELECT styleName FROM layer_styles WHERE f_table_name = 'communes'" | grep -q "styleName (String) = communes (gp_density)"
check "the communes style draws gp_density" $?
"$CPTS" diagnose --communes "$D/communes.geojson" --map-indicator zz --out "$T/bad2" 2> "$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "unknown indicator 'zz' for --map-indicator (one of: pop_total .*gp_density" "$T/err"
check "unknown --map-indicator: exit 2, valid keys listed (got $rc)" $?
[ ! -e "$T/bad2/cpts.sqlite" ]; check "nothing written for a bad --map-indicator" $?
"$CPTS" diagnose --help | tr '\n' ' ' | grep -q -- "--map-indicator keys: *pop_total .*mt_share.*pac"
check "diagnose --help lists the keys of --map-indicator" $?
"$CPTS" diagnose --population x.csv 2> "$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "needs --communes" "$T/err"; check "missing --communes is a usage error (got $rc)" $?
# CPTS_DEBUG_TIMES=1: one line per stage with wall and CPU seconds, none without it
CPTS_DEBUG_TIMES=1 "$CPTS" diagnose -q --communes "$D/communes.geojson" --population "$D/population.csv" \
  --no-html --out "$T/tm" > /dev/null 2> "$T/err"; rc=$?
nt=$(grep -cE '^cpts: time: (communes|tables|graph|metrics|profiles|export) +[0-9]+\.[0-9]{2} s wall +[0-9]+\.[0-9]{2} s cpu$' "$T/err")
[ $rc -eq 0 ] && [ "$nt" -eq 6 ]; check "CPTS_DEBUG_TIMES=1 prints the 6 stages of a run without flows (got $nt, rc $rc)" $?
"$CPTS" diagnose -q --communes "$D/communes.geojson" --no-html --out "$T/tm2" > /dev/null 2> "$T/err"
! grep -q "cpts: time:" "$T/err"; check "no stage times without CPTS_DEBUG_TIMES" $?
# the help prints the domain's numbers (cpts/domain.h), not copies of them
"$CPTS" diagnose --help | grep -q "floor (default 10000)" && "$CPTS" diagnose --help | grep -q "ceiling (default 175000)" &&
  "$CPTS" diagnose --help | grep -q "1000 (default 11)"
check "diagnose --help shows floor 10000, ceiling 175000 and threshold 11" $?
tap_done
