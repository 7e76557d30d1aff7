#!/bin/sh
# The publication ledger (issue 19, point 3): export partition A, `cpts move` a commune
# with a small masked count to the other territory, export again. Without the ledger
# the two files together give the commune's count away (the audit of both finds it);
# with it the second export suppresses cells against the first, names both
# territories, and neither `cpts audit` nor the independent attacker (attack.py)
# recovers anything from both files. Synthetic data with exact small counts.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
. "$(dirname "$0")/lib/tap.sh"
export CPTS_FIXED_TIME="2026-01-01T00:00:00Z"

if ! sh "$SRC/tests/browser/make_ws.sh" "$CPTS" "$T" > "$T/make.log" 2>&1; then
  echo "not ok - build the demo workspace"; sed 's/^/# /' "$T/make.log"; tap_done
fi
W="$T/ws.sqlite"
# exact small counts: 3 to 92 patients without GP, 1 to 30 left, 0 to 4 fictitious
sqlite3 "$W" "DELETE FROM mt; INSERT INTO mt(code, patients, sans_mt, sans_mt_mt_parti,
  sans_mt_fictif, mask) SELECT code, 40 + (CAST(substr(code, 3) AS INT) * 37) % 3000,
  3 + CAST(substr(code, 3) AS INT) % 90, 1 + CAST(substr(code, 3) AS INT) % 30,
  CAST(substr(code, 3) AS INT) % 5, 0 FROM communes"
"$CPTS" profile -q --no-table "$W" --partition partition; check "profile with exact small counts" $?
# a commune with a small count and a territory it does not belong to
c=$(sqlite3 "$W" "SELECT m.code FROM partition_members m JOIN mt USING(code) WHERE
  m.partition = 'partition' AND mt.sans_mt < 11 ORDER BY m.code LIMIT 1")
to=$(sqlite3 "$W" "SELECT territory FROM partition_members WHERE partition = 'partition'
  AND territory <> (SELECT territory FROM partition_members WHERE partition = 'partition'
  AND code = '$c') LIMIT 1")
from=$(sqlite3 "$W" "SELECT territory FROM partition_members WHERE partition = 'partition' AND code = '$c'")
[ -n "$c" ] && [ -n "$to" ]; check "commune $c (small count) moves from '$from' to '$to'" $?
cp "$W" "$T/nl.sqlite"

for w in ws nl; do
  "$CPTS" export -q "$T/$w.sqlite" --partition partition --gpkg "$T/A-$w.gpkg" 2>/dev/null
  "$CPTS" move "$T/$w.sqlite" --partition partition --commune "$c" --to "$to" --as moved \
    > /dev/null 2>&1 && "$CPTS" profile -q --no-table "$T/$w.sqlite" --partition moved
done
# catalogue publications (the flow totals `move` printed are publications of their own,
# level 'flux', cli_publish.sh)
CAT="id IN (SELECT pub FROM publication_values WHERE level <> 'flux')"
np=$(sqlite3 "$W" "SELECT count(*) FROM publications WHERE partition = 'partition' AND $CAT")
m=$(sqlite3 "$W" "SELECT count(*) FROM publication_members m JOIN publications p ON p.id = m.pub
  WHERE p.$CAT")
[ "$np" = 1 ] && [ "$m" -gt 100 ]; check "the export is in the ledger ($np publication, $m members)" $?
v=$(sqlite3 "$W" "SELECT count(*) FROM publication_values WHERE level = 'commune' AND code = '$c'
  AND indicator = 'mt_sans_mt'")
[ "$v" = 0 ]; check "its masked count is not recorded as published" $?

# control: the same two exports without the ledger leak the moved commune
sqlite3 "$T/nl.sqlite" "DELETE FROM publications; DELETE FROM publication_values;
  DELETE FROM publication_members"
"$CPTS" export -q "$T/nl.sqlite" --partition moved --gpkg "$T/B-nl.gpkg" 2>/dev/null
"$CPTS" audit "$T/A-nl.gpkg" "$T/B-nl.gpkg" > "$T/out" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q "$c.*mt_sans_mt is masked but lies in \[\([0-9]*\), \1\], determined" "$T/out"
check "without the ledger both files give the moved commune's count away (audit exit $rc)" $?

"$CPTS" export "$W" --partition moved --gpkg "$T/B.gpkg" 2> "$T/err"; rc=$?
[ $rc -eq 0 ]; check "second export exits 0" $?
grep -q "territory '.*' of partition 'moved': cells suppressed because its difference with territory '.*' of partition 'partition' (published in $T/A-ws.gpkg)" "$T/err"
check "the message names both territories and the earlier file" $?
grep -q "secondary ([1-9][0-9]* of them against earlier publications" "$T/err"
check "the ledger suppressions are counted" $?
"$CPTS" audit "$T/A-ws.gpkg" "$T/B.gpkg" > "$T/out" 2>&1; rc=$?
[ $rc -eq 0 ]; check "both files audited together: nothing found (exit $rc)" $?
[ "$(sqlite3 "$W" "SELECT count(*) FROM publications WHERE $CAT")" = 2 ]; check "two publications recorded" $?
if /usr/bin/python3 -c "import osgeo.ogr" 2>/dev/null && command -v glpsol > /dev/null; then
  /usr/bin/python3 "$SRC/tests/cli/attack.py" "$T/A-nl.gpkg" "$T/B-nl.gpkg" > "$T/att" 2>&1; rc=$?
  [ $rc -eq 1 ] && grep -q "recovered: c|$c|mt_sans_mt" "$T/att"
  check "the attacker recovers the commune without the ledger" $?
  /usr/bin/python3 "$SRC/tests/cli/attack.py" "$T/A-ws.gpkg" "$T/B.gpkg" > "$T/att" 2>&1; rc=$?
  [ $rc -eq 0 ]; check "the attacker recovers nothing from both files ($(tail -1 "$T/att"))" $?
else
  echo "ok - # SKIP independent attacker: /usr/bin/python3 with osgeo or glpsol missing"
fi
tap_done
