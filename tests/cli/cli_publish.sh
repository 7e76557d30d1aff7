#!/bin/sh
# Command output is a publication (issue 19, points 1 and 3): stdout and --json of
# profile, check, move, suggest (compare and info print no health number) show only
# disclosed cells, in the forms of the exports, and a printed profile is recorded in the
# workspace's publication ledger like an export. On the demo workspace with exact small
# counts (médecin traitant) and a one-commune territory with 7 flows, the raw values are
# read independently with sqlite3 and must never appear; `cpts audit` (and the
# independent attacker, when GDAL's Python and glpsol are there) find nothing in the
# JSON outputs; the ledger makes a later export suppress against a printed profile.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
. "$(dirname "$0")/lib/tap.sh"
export CPTS_FIXED_TIME="2026-01-01T00:00:00Z"
if ! command -v sqlite3 > /dev/null 2>&1 || ! command -v python3 > /dev/null 2>&1; then
  echo "1..0 # SKIP sqlite3 shell or python3 not installed"; exit 0
fi
if ! sh "$SRC/tests/browser/make_ws.sh" "$CPTS" "$T" > "$T/make.log" 2>&1; then
  echo "not ok - build the demo workspace"; sed 's/^/# /' "$T/make.log"; tap_done
fi
W="$T/ws.sqlite"
q() { sqlite3 "$W" "$1"; }
# exact small counts (as cli_ledger.sh); two communes c1, c2 with 4 and 3 patients
# without GP: the ad-hoc territory {c1, c2} has 7, a masked count
q "DELETE FROM mt; INSERT INTO mt(code, patients, sans_mt, sans_mt_mt_parti,
  sans_mt_fictif, mask) SELECT code, 40 + (CAST(substr(code, 3) AS INT) * 37) % 3000,
  3 + CAST(substr(code, 3) AS INT) % 90, 1 + CAST(substr(code, 3) AS INT) % 30,
  CAST(substr(code, 3) AS INT) % 5, 0 FROM communes"
c1=$(q "SELECT code FROM partition_members WHERE partition = 'partition' ORDER BY code LIMIT 1")
t1=$(q "SELECT territory FROM partition_members WHERE partition = 'partition' AND code = '$c1'")
c2=$(q "SELECT code FROM partition_members WHERE partition = 'partition' AND territory = '$t1'
  AND code > '$c1' ORDER BY code LIMIT 1")
q "UPDATE mt SET sans_mt = 4, sans_mt_mt_parti = 1, sans_mt_fictif = 0 WHERE code = '$c1';
   UPDATE mt SET sans_mt = 3, sans_mt_mt_parti = 1, sans_mt_fictif = 0 WHERE code = '$c2'"
"$CPTS" profile -q --no-table "$W" --partition partition; check "profile with exact small counts" $?
[ "$(q "SELECT count(*) FROM publications")" = 0 ]; check "--no-table publishes nothing: ledger empty" $?

# ---- profile: the ad-hoc territory {c1, c2}: 7 without GP, its share masked ----
raw=$(q "SELECT printf('%.1f', 100.0 * sum(sans_mt) / sum(patients)) FROM mt WHERE code IN ('$c1','$c2')")
n7=$(q "SELECT sum(sans_mt) FROM mt WHERE code IN ('$c1','$c2')")
[ "$n7" = 7.0 ]; check "the ad-hoc territory $c1,$c2 has $n7 patients without GP (raw share $raw %)" $?
"$CPTS" profile -q "$W" --communes "$c1,$c2" > "$T/prof.txt"; check "profile --communes (text)" $?
"$CPTS" profile -q "$W" --communes "$c1,$c2" --json > "$T/prof.json"; check "profile --communes --json" $?
"$CPTS" profile -q "$W" --communes "$c1,$c2" --csv > "$T/prof.csv"; check "profile --communes --csv" $?
! grep -q -- "$raw" "$T/prof.txt" "$T/prof.json" "$T/prof.csv"
check "the raw share $raw % appears in no output" $?
python3 - "$T/prof.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["territories"][0]
assert t["mt_share"] is None and "mt_share" in t["masked"], t
PY
check "profile --json: mt_share null and listed in masked" $?
awk 'NR == 2' "$T/prof.txt" | grep -q " masked "; check "profile text: the share shows 'masked'" $?
np=$(q "SELECT count(*) FROM publications WHERE partition = '_adhoc'")
what=$(q "SELECT group_concat(what, '|') FROM publications WHERE partition = '_adhoc'")
[ "$np" = 1 ] && [ "$what" = "stdout of cpts profile" ]
check "the printed profile is in the ledger once, reprints add nothing ($np: $what)" $?
nv=$(q "SELECT count(*) FROM publication_values v JOIN publications p ON p.id = v.pub
  WHERE p.partition = '_adhoc' AND v.indicator = 'mt_sans_mt'")
nm=$(q "SELECT count(*) FROM publication_members m JOIN publications p ON p.id = m.pub
  WHERE p.partition = '_adhoc'")
[ "$nv" = 0 ] && [ "$nm" = 2 ]; check "its masked count is not recorded, its 2 communes are ($nv, $nm)" $?

# ---- check / move / suggest: a one-commune territory with 4 of its 7 flows inside ----
c0=$(q "SELECT code FROM partition_members WHERE partition = 'partition' AND territory <> '$t1'
  ORDER BY code LIMIT 1")
d0=$(q "SELECT code FROM partition_members WHERE partition = 'partition' AND territory <> '$t1'
  AND code <> '$c0' ORDER BY code LIMIT 1")
q "DELETE FROM flows WHERE orig = '$c0' OR dest = '$c0';
   INSERT INTO flows(orig, dest, profession, volume) VALUES ('$c0', '$c0', '', 4), ('$c0', '$d0', '', 3);
   DELETE FROM flow_matrix" # the cached matrix (src/graph/flows.c) is read otherwise
cp "$W" "$T/fl.sqlite" # flows as above, nothing published yet (the flow-ledger tests below)
"$CPTS" move -q "$W" --partition partition --commune "$c0" --to solo --as tiny > /dev/null
check "partition tiny: commune $c0 alone in territory 'solo'" $?
li=$(q "SELECT printf('%.3f', 1.0 * sum(CASE WHEN dest = '$c0' THEN volume END) / sum(volume)) FROM flows WHERE orig = '$c0'")
[ "$li" = 0.571 ]; check "raw LI of 'solo' is 4 / 7 = $li (sqlite3)" $?
tx=$(q "SELECT territory FROM partition_members WHERE partition = 'partition' AND code = '$c0'")
# the move printed tx's flow totals before; tx after is 7 flows apart (attack 7 of
# issue 19 across commands): check, like any later publication, withholds them
"$CPTS" check "$W" --partition tiny > "$T/check.txt" 2> "$T/check.err"; check "check (text)" $?
grep -q "partition 'tiny': flows_in of $tx withheld: its difference with territory '$tx' of partition 'partition' (published in stdout of cpts move)" "$T/check.err"
check "check warns that $tx's flows are withheld against the move's print" $?
"$CPTS" check "$W" --partition tiny --json > "$T/check.json" 2>/dev/null; check "check --json" $?
sed -n "/^territory 'solo'/,/verdict/p" "$T/check.txt" > "$T/solo.txt"
grep -q "LI masked, MSI masked" "$T/solo.txt" && ! grep -q "$li" "$T/check.txt" "$T/check.json"
check "check: LI and MSI of 'solo' masked, 0.571 nowhere" $?
python3 - "$T/check.json" "$tx" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for i in ("solo", sys.argv[2]):
    s = [t for t in r["territories"] if t["id"] == i][0]
    assert s["li"] is None and s["msi"] is None and s["masked"] == ["li", "msi"], s
    assert s["li_below_floor"] is None, s
o = [t for t in r["territories"] if t["id"] not in ("solo", sys.argv[2])]
assert o and all(t["li"] is not None and t["masked"] == [] for t in o), o
assert r["li"] is None and r["msi"] is None, r  # the sum less the others gives solo's
PY
check "check --json: li, msi of 'solo' and of $tx null and listed, the other published, overall null" $?
# exports too: the catalogue's LI and MSI of 'solo' (7 flows) are masked in the
# GeoPackage and the report, its key points and flow tables show no share of the 7
# (on a copy: this export must not enter the ledger of the checks below)
cp "$W" "$T/lim.sqlite"
"$CPTS" export -q "$T/lim.sqlite" --partition tiny --gpkg "$T/lim.gpkg" --html "$T/limh" 2>/dev/null
check "export of partition tiny (GeoPackage and report)" $?
r=$(sqlite3 "$T/lim.gpkg" "SELECT quote(li) || ',' || quote(msi) FROM territoires WHERE territoire = 'solo'")
rx=$(sqlite3 "$T/lim.gpkg" "SELECT quote(li) || ',' || quote(msi) FROM territoires WHERE territoire = '$tx'")
o=$(sqlite3 "$T/lim.gpkg" "SELECT count(*) FROM territoires WHERE territoire NOT IN ('solo', '$tx') AND li IS NOT NULL")
nt=$(sqlite3 "$T/lim.gpkg" "SELECT count(*) FROM territoires WHERE territoire NOT IN ('solo', '$tx')")
[ "$r" = "NULL,NULL" ] && [ "$rx" = "NULL,NULL" ] && [ "$o" = "$nt" ] && [ "$nt" -gt 0 ]
check "GeoPackage: li, msi of 'solo' and of $tx (withheld against the move) NULL, the $nt other(s) published ($r; $rx)" $?
! grep -q "57,1" "$T/limh/index.html" && grep -c "secret statistique" "$T/limh/index.html" > /dev/null
check "report index: the partition check shows no LI of 'solo' (57,1 % nowhere)" $?
! grep -q "57,1" "$T/limh/solo.html" "$T/limh/solo.md" && grep -q "secret statistique" "$T/limh/solo.html"
check "report: 57,1 % nowhere on the page of 'solo', LI shown as secret" $?
"$CPTS" audit "$T/lim.gpkg" "$T/limh" > "$T/aud" 2>&1; rc=$?
[ $rc -eq 0 ]; check "audit of the export with the 7-flow territory: exit 0 (got $rc)" $?
# move d0 into 'solo': its in-flows 4 -> 7, all flows 7 -> 7 + d0's own (both small)
"$CPTS" move "$W" --partition tiny --commune "$d0" --to solo --as tiny2 > "$T/move.txt" 2>/dev/null
check "move (text)" $?
"$CPTS" move "$W" --partition tiny --commune "$d0" --to solo --as tiny3 --json > "$T/move.json" 2>/dev/null
check "move --json" $?
python3 - "$T/move.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = [t for t in r["territories"] if t["id"] == "solo"][0]
# before: 4 of 7 flows, both masked; after: a change from 1 to 10 or a count < 11
assert s["flows_in"][0] is None and s["flows_res"][0] is None, s
assert s["LI"][0] is None and s["MSI"][0] is None, s
# solo's 7 flows would be its total after minus what its neighbour lost (the moved
# commune's flows): with a hidden flow cell in the move, every "after" is withheld
for t in r["territories"]:
    for k in ("flows_in", "flows_res", "LI", "MSI"):
        assert t[k][1] is None, (t["id"], k, t[k])
PY
check "move --json: solo's small flow totals, its LI and every flow total after are null" $?
sed -n "/^territory 'solo'/,/^$/p" "$T/move.txt" > "$T/solo.txt"
grep -q "^  flows_in *< 11 " "$T/solo.txt" && grep -q "^  LI *masked " "$T/solo.txt" &&
  ! grep -q " 4 \| 7 \|$li" "$T/solo.txt"
check "move text: 'solo' flows '< 11', LI masked, neither 4 nor 7 nor $li" $?
"$CPTS" suggest "$W" --partition tiny --json > "$T/suggest.json" 2>/dev/null; check "suggest --json" $?
"$CPTS" suggest "$W" --partition tiny > "$T/suggest.txt" 2>/dev/null; check "suggest (text)" $?
python3 - "$T/suggest.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["suggestions"], r
for s in r["suggestions"]:
    for k in ("li_before", "li_after"):
        v = s[k]
        assert v is None or abs(v * 1000 - round(v * 1000)) < 1e-6, (k, v)  # 3 decimals, as check
PY
check "suggest --json: LI at three decimals as check prints it" $?

# ---- the JSON outputs audited: nothing deduced ----
"$CPTS" audit "$T/prof.json" "$T/check.json" "$T/move.json" "$T/suggest.json" > "$T/aud" 2>&1; rc=$?
[ $rc -eq 0 ]; check "cpts audit of the profile, check, move and suggest JSON: exit 0 (got $rc)" $?
[ $rc -eq 0 ] || sed 's/^/# /' "$T/aud"
if /usr/bin/python3 -c "import osgeo.ogr" 2>/dev/null && command -v glpsol > /dev/null; then
  /usr/bin/python3 "$SRC/tests/cli/attack.py" "$T/prof.json" "$T/move.json" "$T/move.txt" > "$T/att" 2>&1; rc=$?
  [ $rc -eq 0 ]; check "the attacker recovers nothing from them ($(tail -1 "$T/att"))" $?
else
  echo "ok - # SKIP independent attacker: /usr/bin/python3 with osgeo or glpsol missing"
fi

# ---- the ledger: a printed profile protects, and is protected by, exports ----
# commune c (small count) moved to another territory; without the printed profile in
# the ledger the export of the new partition suppresses nothing against it
c=$(q "SELECT m.code FROM partition_members m JOIN mt USING(code) WHERE m.partition = 'partition'
  AND mt.sans_mt < 11 AND m.code NOT IN ('$c1','$c2') ORDER BY m.code LIMIT 1")
to=$(q "SELECT territory FROM partition_members WHERE partition = 'partition' AND territory <>
  (SELECT territory FROM partition_members WHERE partition = 'partition' AND code = '$c') LIMIT 1")
cp "$W" "$T/nl.sqlite"
"$CPTS" profile -q "$W" --partition partition --json > "$T/A.json"; check "profile --json of partition" $?
[ "$(q "SELECT what FROM publications WHERE partition = 'partition' AND id IN (SELECT pub FROM
  publication_values WHERE level <> 'flux')")" = "--json of cpts profile" ]
check "recorded as '--json of cpts profile'" $?
for w in ws nl; do
  "$CPTS" move -q "$T/$w.sqlite" --partition partition --commune "$c" --to "$to" --as moved > /dev/null &&
    "$CPTS" profile -q --no-table "$T/$w.sqlite" --partition moved
done
"$CPTS" export "$W" --partition moved --gpkg "$T/B.gpkg" 2> "$T/err"; rc=$?
[ $rc -eq 0 ] && grep -q "partition 'moved': cells suppressed because its difference with territory '.*' of partition 'partition' (published in --json of cpts profile)" "$T/err"
check "export after the printed profile: suppressions name it (exit $rc)" $?
"$CPTS" export "$T/nl.sqlite" --partition moved --gpkg "$T/B-nl.gpkg" 2> "$T/err"; rc=$?
[ $rc -eq 0 ] && ! grep -q "cells suppressed because" "$T/err"
check "control: without the printed profile nothing is suppressed against it" $?
# and the other way: printed after that export, the profile of 'partition' (one
# commune apart) is protected against it (the export is in the ledger, read by the
# disclosure of every print)
"$CPTS" profile "$T/nl.sqlite" --partition partition --json > "$T/C.json" 2> "$T/err"; rc=$?
[ $rc -eq 0 ] && grep -q "partition 'partition': cells suppressed because its difference with territory '.*' of partition 'moved' (published in $T/B-nl.gpkg)" "$T/err"
check "a profile printed after an export is protected against it (exit $rc)" $?
"$CPTS" audit "$T/B.gpkg" "$T/A.json" > "$T/aud" 2>&1; rc=$?
[ $rc -eq 0 ]; check "audit of the export with the printed profile before it: exit 0 (got $rc)" $?
"$CPTS" audit "$T/B-nl.gpkg" "$T/C.json" > "$T/aud" 2>&1; rc=$?
[ $rc -eq 0 ]; check "audit of the export with the profile printed after it: exit 0 (got $rc)" $?

# ---- flow totals printed by check, move, suggest are in the ledger (issue 19 attack 7) ----
# A partition m1 = 'partition' with $c0 (7 flows of its residents, 4 staying) moved out
# of $tx into $t1. Each command prints its flow figures of 'partition'; the export
# of m1 that follows must not give, beside them, a flow total of $tx differing by 1 to
# 10 (the moved commune's flows). Attacker: the figures of the command (JSON) and every
# number of the export's page of $tx and of its index; control: the same export with
# the command's publication deleted from the ledger.
slug_of() { ls "$1" | while read -r f; do
  case "$f" in *.html) grep -q "<h1>$2" "$1/$f" && echo "$1/$f";; esac; done | head -1; }
raw_in=$(sqlite3 "$T/fl.sqlite" "SELECT sum(f.volume) FROM flows f JOIN partition_members a ON a.code = f.orig
  AND a.partition = 'partition' JOIN partition_members b ON b.code = f.dest AND b.partition = 'partition'
  WHERE a.territory = '$tx' AND b.territory = '$tx'")
raw_in=${raw_in%.0}
flowtest() { # $1 name, then the command's arguments after the workspace
  name=$1; shift
  X="$T/fx-$name.sqlite"; cp "$T/fl.sqlite" "$X"
  "$CPTS" move -q "$X" --partition partition --commune "$c0" --to "$t1" --as m1 > /dev/null 2>&1
  sqlite3 "$X" "DELETE FROM publications; DELETE FROM publication_values; DELETE FROM publication_members"
  "$CPTS" "$name" "$X" "$@" > "$T/fx-$name.json" 2>/dev/null || return 1
  cp "$X" "$X.nl"
  sqlite3 "$X.nl" "DELETE FROM publications; DELETE FROM publication_values; DELETE FROM publication_members"
  "$CPTS" export "$X" --partition m1 --html "$T/fx-$name-h" 2> "$T/fx-$name.err" &&
    "$CPTS" export -q "$X.nl" --partition m1 --html "$T/fx-$name-nl" 2>/dev/null
}
# every number of a page (French format) within 1 to 10 below the command's flows_in of $tx
near() { python3 - "$1" "$2" <<'PY'
import re, sys
t = re.sub(r"<[^>]+>", " ", open(sys.argv[1], encoding="utf-8").read())
t = t.replace("\u00a0", "").replace("\u202f", "")
nums = {float(x.replace(",", ".")) for x in re.findall(r"\d+(?:,\d+)?", t)}
base = float(sys.argv[2])
hits = sorted(base - v for v in nums if 1 <= base - v <= 10)
print(" ".join("%g" % h for h in hits))
PY
}
# move: prints $tx's flows_in before (exact) and withholds the after; the export of
# the partition after would have printed it in its flow table
flowtest move --partition partition --commune "$c0" --to solo --as m2 --json; check "move then export of m1" $?
b=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print([t for t in r['territories'] if t['id']==sys.argv[2]][0]['flows_in'][0])" "$T/fx-move.json" "$tx")
[ "$b" = "$raw_in" ]; check "move printed $tx's flows_in before exactly ($b = $raw_in, sqlite3)" $?
pg=$(slug_of "$T/fx-move-h" "$tx"); pn=$(slug_of "$T/fx-move-nl" "$tx")
h=$(near "$pg" "$b"); hn=$(near "$pn" "$b")
[ -z "$h" ] && [ "$hn" = 7 ]
check "the export after the move gives no total 1-10 below it ('$h'); without the ledger it gives 7 ('$hn')" $?
grep -q "flows_in of $tx withheld: its difference with territory '$tx' of partition 'partition' (published in --json of cpts move)" "$T/fx-move.err"
check "the export names the move's print" $?
"$CPTS" audit "$T/fx-move-h" "$T/fx-move.json" > "$T/aud" 2>&1; rc=$?
[ $rc -eq 0 ]; check "cpts audit of the move's JSON with the export: exit 0 (got $rc)" $?
# check: its LI and MSI of $tx are recorded as their counts; the export of m1 then
# withholds $tx's flow tables, LI and MSI (control: shown without the ledger)
flowtest check --partition partition --json; check "check then export of m1" $?
nrec=$(sqlite3 "$T/fx-check.sqlite" "SELECT count(*) FROM publication_values v JOIN publications p ON p.id = v.pub
  WHERE p.what = '--json of cpts check' AND v.level = 'flux' AND v.code = '$tx'")
[ "$nrec" = 3 ]; check "check recorded flows_in, flows_res, flows_into of $tx ($nrec)" $?
pg=$(slug_of "$T/fx-check-h" "$tx"); pn=$(slug_of "$T/fx-check-nl" "$tx")
grep -q "Flux couverts par le secret statistique" "$pg" && ! grep -q "Flux couverts par le secret statistique" "$pn" &&
  [ -z "$(near "$pg" "$raw_in")" ] && [ "$(near "$pn" "$raw_in")" = 7 ]
check "export after check: $tx's flow tables withheld (a total 7 below its printed counts without the ledger)" $?
# suggest: its overall LI before is recorded as the partition's flow sums; the overall
# LI of m1 (3 flows apart: $c0's flow to $d0 no longer stays in a territory) printed
# later by check is then withheld (control: printed without the ledger)
flowtest suggest --partition partition --json; check "suggest then export of m1" $?
nrec=$(sqlite3 "$T/fx-suggest.sqlite" "SELECT count(*) FROM publications WHERE what = '--json of cpts suggest'")
"$CPTS" check "$T/fx-suggest.sqlite" --partition m1 --json > "$T/fx-s1.json" 2>/dev/null
"$CPTS" check "$T/fx-suggest.sqlite.nl" --partition m1 --json > "$T/fx-s2.json" 2>/dev/null
python3 - "$T/fx-s1.json" "$T/fx-s2.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["li"] is None and a["msi"] is None, (a["li"], a["msi"])
assert b["li"] is not None and b["msi"] is not None, (b["li"], b["msi"])
PY
[ $? -eq 0 ] && [ "$nrec" -ge 1 ]
check "suggest recorded ($nrec); the overall LI of m1 printed by check is withheld against it, shown without the ledger" $?
# the other way: an export first, then check prints nothing 1-10 apart from it
X="$T/fx-rev.sqlite"; cp "$T/fl.sqlite" "$X"
"$CPTS" move -q "$X" --partition partition --commune "$c0" --to "$t1" --as m1 > /dev/null 2>&1
sqlite3 "$X" "DELETE FROM publications; DELETE FROM publication_values; DELETE FROM publication_members"
"$CPTS" export -q "$X" --partition partition --html "$T/fx-rev-h" 2>/dev/null
"$CPTS" check "$X" --partition m1 --json > "$T/fx-rev.json" 2>/dev/null
python3 - "$T/fx-rev.json" "$tx" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = [t for t in r["territories"] if t["id"] == sys.argv[2]][0]
assert t["li"] is None and t["msi"] is None, t
PY
check "check of m1 after the export of 'partition': $tx's LI and MSI withheld" $?

# ---- compare and info print no health number ----
"$CPTS" compare "$W" partition tiny > "$T/cmp.txt"; check "compare" $?
"$CPTS" info "$W" --json > "$T/info.json"; check "info --json" $?
! grep -q "flows_in\|sans_mt\|mt_share" "$T/cmp.txt"; check "compare prints populations and indices only" $?
tap_done
