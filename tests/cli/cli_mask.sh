#!/bin/sh
# --mask-threshold (issue 12, item 8): a whole number from 2 to 1000, else a usage error
# (exit 2) before any work, in export and diagnose; the threshold given is the one the
# masking uses and the one the HTML report and the GeoPackage metadata state.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
. "$(dirname "$0")/lib/tap.sh"
export CPTS_FIXED_TIME="2026-01-01T00:00:00Z"
if ! sh "$SRC/tests/browser/make_ws.sh" "$CPTS" "$T" > "$T/make.log" 2>&1; then
  echo "not ok 1 - build the demo workspace"; sed 's/^/# /' "$T/make.log"; echo "1..1"; exit 1
fi
WS="$T/ws.sqlite"
P="$T/demo/partition.csv"

for v in 1 0 -3 inf nan 1.5 1001; do
  "$CPTS" export "$WS" --partition partition --gpkg "$T/bad.gpkg" --mask-threshold "$v" \
    2> "$T/err"; rc=$?
  [ $rc -eq 2 ]; check "export --mask-threshold $v exits 2 (got $rc)" $?
  grep -q "mask-threshold" "$T/err"; check "export --mask-threshold $v: the option is named" $?
done
[ ! -e "$T/bad.gpkg" ]; check "no output after a bad threshold" $?
"$CPTS" diagnose --communes "$T/demo/communes.geojson" --out "$T/d" --mask-threshold 1 \
  2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "diagnose --mask-threshold 1 exits 2 (got $rc)" $?
[ ! -e "$T/d/cpts.sqlite" ] && [ ! -e "$T/d/cpts.sqlite.tmp" ]
check "diagnose refuses before any work" $?

# mt with small counts: 0 without médecin traitant every third line (zeros are masked
# too: "< 11" covers 0 to 10), else 3 in odd lines, 7 in even lines
awk -F';' 'NR == 1 { print "code_commune;patients;sans_mt" }
           NR > 1 { print $1 ";100;" (NR % 3 == 0 ? 0 : NR % 2 ? 3 : 7) }' "$P" > "$T/mt.csv"
"$CPTS" ingest mt "$WS" "$T/mt.csv" -q; check "ingest mt with small counts" $?
n3=$(awk -F';' 'NR > 1 && (NR % 2 || NR % 3 == 0) { n++ } END { print n + 0 }' "$P")
n0=$(awk -F';' 'NR > 1 && NR % 3 == 0 { n++ } END { print n + 0 }' "$P")
for thr in 11 5; do
  "$CPTS" export -q "$WS" --partition partition --gpkg "$T/m$thr.gpkg" --html "$T/h$thr" \
    --mask-threshold $thr; check "export --mask-threshold $thr exits 0" $?
  ogrinfo -ro -q "$T/m$thr.gpkg" -sql "SELECT coalesce(sum(mt_sans_mt BETWEEN 0 AND $((thr - 1))), 0) AS a,
    coalesce(sum(mt_sans_mt = 7), 0) AS b, sum(mt_sans_mt_masque = 1 AND mt_sans_mt IS NULL AND mt_sans_mt_max IS NULL) AS c
    FROM communes" > "$T/q$thr" 2>&1
  a=$(sed -n 's/^ *a (Integer) = //p' "$T/q$thr")
  b=$(sed -n 's/^ *b (Integer) = //p' "$T/q$thr")
  c=$(sed -n 's/^ *c (Integer) = //p' "$T/q$thr")
  [ "$a" = 0 ]; check "threshold $thr: no published count from 0 to $((thr - 1)) (got $a; $n0 zeros in the input)" $?
  if [ $thr = 11 ]; then
    [ "$b" = 0 ]; check "threshold 11: the 7s are masked (published: $b)" $?
  else
    [ "${b:-0}" -gt 0 ]; check "threshold 5: 7s are published ($b)" $?
  fi
  [ "${c:-0}" -ge "$n3" ]; check "threshold $thr: the $n3 small counts are masked, without bounds ($c)" $?
  grep -q "entre 0 et $((thr - 1)) sont masqués et affichés « &lt; $thr »" "$T/h$thr/index.html"
  check "threshold $thr: the report says 0 to $((thr - 1)) and « < $thr »" $?
  ogrinfo -ro -q "$T/m$thr.gpkg" -sql "SELECT valeur FROM metadata WHERE cle = 'seuil_masquage'" |
    grep -q "valeur (String) = $thr$"
  check "threshold $thr: the metadata says $thr" $?
done
tap_done
