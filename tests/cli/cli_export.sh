#!/bin/sh
# cpts export: usage errors (exit 2), a GeoPackage and an HTML report from a demo
# workspace, any OGR driver (FlatGeobuf: one file per layer), determinism (ogrinfo -al
# attribute dumps and HTML bytes identical across two exports), Ctrl-C (exit 130, no
# file left), and the workspace left byte for byte unchanged once the first export has
# computed the partition's missing basin metrics (issue 13: every partition gets them).
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/gis.sh"
export CPTS_FIXED_TIME="2026-01-01T00:00:00Z"
if ! sh "$SRC/tests/browser/make_ws.sh" "$CPTS" "$T" > "$T/make.log" 2>&1; then
  echo "not ok 1 - build the demo workspace"; sed 's/^/# /' "$T/make.log"; echo "1..1"; exit 1
fi
WS="$T/ws.sqlite"
# the workspace apart from its publication ledger (which every export appends to)
ws_sum() { sqlite3 "$WS" .dump | grep -v -i "publication" | sha256sum | cut -d' ' -f1; }

"$CPTS" export "$WS" --gpkg "$T/x.gpkg" 2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "missing --partition exits 2 (got $rc)" $?
grep -q "partition" "$T/err"; check "missing --partition is named" $?
"$CPTS" export "$WS" --partition partition 2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "nothing to export exits 2 (got $rc)" $?
"$CPTS" export "$WS" --partition nope --gpkg "$T/x.gpkg" 2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "unknown partition exits 2 (got $rc)" $?
grep -q "no partition named 'nope'" "$T/err"; check "unknown partition is named" $?
"$CPTS" export "$WS" --partition partition --gpkg "$T/x.gpkg" --map-indicator zz 2> "$T/err"
rc=$?; [ $rc -eq 2 ]; check "unknown --map-indicator exits 2 (got $rc)" $?
[ ! -e "$T/x.gpkg" ]; check "no output after a usage error" $?

"$CPTS" export -q "$WS" --partition partition --gpkg "$T/o1/cpts.gpkg" --html "$T/o1/html" \
  --flows-threshold 50 2> "$T/err"; rc=$?
[ $rc -eq 0 ]; check "export exits 0 (got $rc)" $?
[ ! -s "$T/err" ]; check "-q export prints nothing" $?
sum0=$(ws_sum) # the first export stored the metrics: fresh now
ls "$T/o1" | grep -q tmp; [ $? -ne 0 ]; check "no temporary file left" $?
ogrinfo -ro -so "$T/o1/cpts.gpkg" > "$T/layers" 2>&1
for l in communes territoires flux metadata layer_styles; do
  grep -q "^[0-9]*: $l " "$T/layers" || grep -q "^[0-9]*: $l$" "$T/layers"
  check "layer $l present" $?
done
# the demo partition has 2 territories over 118 communes (partition.csv, header excluded)
nt=$(ogrinfo -ro -so "$T/o1/cpts.gpkg" territoires | sed -n 's/^Feature Count: //p')
[ "$nt" = 2 ]; check "2 territories (got $nt)" $?
nc=$(ogrinfo -ro -so "$T/o1/cpts.gpkg" communes | sed -n 's/^Feature Count: //p')
exp=$(ogrinfo -ro -so -al "$T/demo/communes.geojson" | sed -n 's/^Feature Count: //p')
[ "$nc" = "$exp" ]; check "every commune written, white zones included ($exp, got $nc)" $?
nm=$(($(wc -l < "$T/demo/partition.csv") - 1))
nnull=$(ogrinfo -ro "$T/o1/cpts.gpkg" -sql "SELECT count(*) AS n FROM communes WHERE territoire IS NULL" | sed -n 's/^ *n (Integer) = //p')
[ "$nnull" = $((exp - nm)) ]; check "communes outside the partition have no territory ($((exp - nm)), got $nnull)" $?
gis_check "$T/o1/cpts.gpkg" "demo GeoPackage"
[ -f "$T/o1/html/index.html" ]; check "index.html written" $?
np=$(ls "$T/o1/html" | grep '\.html$' | grep -vc '^index.html$')
[ "$np" = 2 ]; check "one page per territory (got $np)" $?
nl=$(ls "$T/o1/html" | grep -c '\.md$'); no=$(ls "$T/o1/html" | grep -c '\.odt$')
[ "$nl" = 2 ] && [ "$no" = 2 ]; check "premiers éléments: one .md and one .odt per territory ($nl, $no)" $?

"$CPTS" export -q "$WS" --partition partition --gpkg "$T/o2/cpts.gpkg" --html "$T/o2/html" \
  --flows-threshold 50; check "second export exits 0" $?
ogrinfo -ro -al "$T/o1/cpts.gpkg" | grep -v "^INFO: Open of" > "$T/d1"
ogrinfo -ro -al "$T/o2/cpts.gpkg" | grep -v "^INFO: Open of" > "$T/d2"
cmp -s "$T/d1" "$T/d2"; check "ogrinfo -al dumps identical" $?
diff -r "$T/o1/html" "$T/o2/html" > /dev/null; check "HTML byte-identical" $?

"$CPTS" export -q "$WS" --partition partition --gpkg "$T/fgb" --format FlatGeobuf
check "FlatGeobuf export exits 0" $?
[ -f "$T/fgb/communes.fgb" ] && [ -f "$T/fgb/territoires.fgb" ]; check "FlatGeobuf: one file per layer" $?
nt=$(ogrinfo -ro -so "$T/fgb/territoires.fgb" territoires | sed -n 's/^Feature Count: //p')
[ "$nt" = 2 ]; check "FlatGeobuf: 2 territories (got $nt)" $?

CPTS_TEST_INTERRUPT_AFTER=4 "$CPTS" export -q "$WS" --partition partition \
  --gpkg "$T/int/cpts.gpkg" 2> "$T/err"; rc=$?
[ $rc -eq 130 ]; check "interrupted export exits 130 (got $rc)" $?
[ -z "$(ls "$T/int" 2>/dev/null)" ]; check "interrupted export leaves no file" $?

[ "$(ws_sum)" = "$sum0" ]; check "workspace unchanged by exports (but for its publication ledger)" $?
np=$(sqlite3 "$WS" "SELECT count(*) FROM publications WHERE partition = 'partition'")
[ "${np:-0}" -ge 3 ]; check "each successful export is in the ledger ($np), the interrupted one is not" $?
tap_done
