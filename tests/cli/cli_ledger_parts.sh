#!/bin/sh
# The ledger case of bench/disclosure_pdl.sh in small (issue 19, points 2 and 3): a
# commune whose published total and other part bound its masked part (mt_sans_mt 22,
# mt_mt_parti 20: mt_fictif <= 2). The first export (one territory, like a
# département) masks the part; the second (a 5-commune territory cut from it) finds
# the total already published (ledger) and the part pinned by its territory's sum:
# suppressing the part alone does not free the masked count, so it must become a target
# itself and be protected in its turn (its territory's total). Before the fix the second
# export warned "could not be fully protected" and `cpts audit` found mt_fictif in
# [0, 2] for both communes. Synthetic values (demo workspace): every commune 100
# patients without GP (50 left, 3 fictitious: every mt_fictif masked), two with 22/20/0
# and 23/21/0.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
. "$(dirname "$0")/lib/tap.sh"
export CPTS_FIXED_TIME="2026-01-01T00:00:00Z"

if ! sh "$SRC/tests/browser/make_ws.sh" "$CPTS" "$T" > "$T/make.log" 2>&1; then
  echo "not ok - build the demo workspace"; sed 's/^/# /' "$T/make.log"; tap_done
fi
W="$T/ws.sqlite"
c1=$(sqlite3 "$W" "SELECT code FROM communes ORDER BY code LIMIT 1")
c2=$(sqlite3 "$W" "SELECT code FROM communes ORDER BY code LIMIT 1 OFFSET 1")
sqlite3 "$W" "DELETE FROM mt; INSERT INTO mt(code, patients, sans_mt, sans_mt_mt_parti,
    sans_mt_fictif, mask) SELECT code, 1000, 100, 50, 3, 0 FROM communes;
  UPDATE mt SET sans_mt = 22, sans_mt_mt_parti = 20, sans_mt_fictif = 0 WHERE code = '$c1';
  UPDATE mt SET sans_mt = 23, sans_mt_mt_parti = 21, sans_mt_fictif = 0 WHERE code = '$c2';
  DELETE FROM partition_members WHERE partition = 'partition';
  INSERT INTO partition_members SELECT 'partition', code, 'Tout', NULL, 1 FROM communes;
  INSERT INTO partitions VALUES('cut', 'input', 'test', NULL, NULL);
  INSERT INTO partition_members SELECT 'cut', code, CASE WHEN code IN (SELECT code FROM
    communes ORDER BY code LIMIT 5) THEN 'G' ELSE 'Reste' END, NULL, 1 FROM communes"
"$CPTS" profile -q --no-table "$W" --partition partition &&
  "$CPTS" profile -q --no-table "$W" --partition cut
check "profiles of the two partitions ($c1, $c2 with masked parts bounded by 2)" $?
"$CPTS" export -q "$W" --partition partition --gpkg "$T/A.gpkg"; check "first export" $?
"$CPTS" export "$W" --partition cut --gpkg "$T/B.gpkg" 2> "$T/err"; rc=$?
[ $rc -eq 0 ]; check "second export exits 0" $?
! grep -q "could not be fully protected" "$T/err"
check "every masked count protected (no residual warning)" $?
grep -q "secondary ([1-9][0-9]* of them against earlier publications" "$T/err"
check "suppressions against the ledger counted" $?

# independent check of the breakdown, with sqlite3 on both files: for each commune
# whose mt_fictif is masked, total minus other part must not be published below 10
for f in A B; do
  k=$(sqlite3 "$T/$f.gpkg" "SELECT count(*) FROM communes WHERE mt_fictif IS NULL AND
    mt_sans_mt IS NOT NULL AND mt_mt_parti IS NOT NULL AND mt_sans_mt - mt_mt_parti < 10")
  [ "$k" = 0 ]; check "$f: no masked mt_fictif bounded below 10 by its commune's published cells ($k)" $?
done
# across both: a total from one file, the other part from the other
k=$(sqlite3 "$T/B.gpkg" "ATTACH '$T/A.gpkg' AS a; SELECT count(*) FROM communes b JOIN
  a.communes x USING(code) WHERE b.mt_fictif IS NULL AND x.mt_fictif IS NULL AND
  coalesce(b.mt_sans_mt, x.mt_sans_mt) - coalesce(b.mt_mt_parti, x.mt_mt_parti) < 10")
[ "$k" = 0 ]; check "A and B together: no masked mt_fictif bounded below 10 ($k)" $?
p1=$(sqlite3 "$T/B.gpkg" "SELECT mt_mt_parti IS NULL FROM communes WHERE code = '$c1'")
[ "$p1" = 1 ]; check "$c1: its mt_mt_parti is suppressed in the second export" $?

"$CPTS" audit "$T/B.gpkg" > "$T/out" 2>&1; rc=$?
[ $rc -eq 0 ]; check "cpts audit of the second export: nothing found (exit $rc)" $?
"$CPTS" audit "$T/A.gpkg" "$T/B.gpkg" > "$T/out" 2>&1; rc=$?
[ $rc -eq 0 ]; check "cpts audit of both: nothing found (exit $rc)" $?
if /usr/bin/python3 -c "import osgeo.ogr" 2>/dev/null && command -v glpsol > /dev/null; then
  /usr/bin/python3 "$SRC/tests/cli/attack.py" "$T/A.gpkg" "$T/B.gpkg" > "$T/att" 2>&1; rc=$?
  [ $rc -eq 0 ]; check "the attacker recovers nothing from both files ($(tail -1 "$T/att"))" $?
else
  echo "ok - # SKIP independent attacker: /usr/bin/python3 with osgeo or glpsol missing"
fi
tap_done
