#!/bin/sh
# cpts audit: usage errors, a hand-made leaky GeoPackage (a masked commune pinned by its
# territory total minus the published communes: exit 1, the value and the narrowing
# cells named), the same file with the territory total masked too (exit 0), a commune
# masked in one file and published in another, and the audit of the demo export.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
. "$(dirname "$0")/lib/tap.sh"
export CPTS_FIXED_TIME="2026-01-01T00:00:00Z"

"$CPTS" audit 2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "no file: exit 2 (got $rc)" $?
"$CPTS" audit "$T/nope.gpkg" 2> "$T/err"; rc=$?
[ $rc -eq 4 ]; check "missing file: exit 4 (got $rc)" $?
grep -q "nope.gpkg" "$T/err"; check "missing file is named" $?

# hand-made publication: territory A = 100 patients without GP over communes 1 (40),
# 2 (55) and 3 (masked, < 11): 3 holds 5
mk() { # mk FILE safe(0/1): safe = 44002 masked too, no masked cell shows bounds
  if [ "$2" = 1 ]; then c2=",1,,"; c3=",1,,"; else c2="55,0,,"; c3=",1,1,10"; fi
  cat > "$T/c.csv" <<CSV
code,nom,territoire,mt_sans_mt,mt_sans_mt_masque,mt_sans_mt_min,mt_sans_mt_max
44001,Un,A,40,0,,
44002,Deux,A,$c2
44003,Trois,A,$c3
CSV
  tv="100,0,,"
  cat > "$T/t.csv" <<CSV
territoire,mt_sans_mt,mt_sans_mt_masque,mt_sans_mt_min,mt_sans_mt_max
A,$tv
CSV
  rm -f "$1"
  ogr2ogr -f GPKG "$1" "$T/c.csv" -nln communes -oo AUTODETECT_TYPE=YES \
    -oo KEEP_SOURCE_COLUMNS=NO -oo EMPTY_STRING_AS_NULL=YES > /dev/null 2>&1 &&
  ogr2ogr -f GPKG -update "$1" "$T/t.csv" -nln territoires -oo AUTODETECT_TYPE=YES \
    -oo EMPTY_STRING_AS_NULL=YES > /dev/null 2>&1
}
mk "$T/leak.gpkg" 0; check "hand-made GeoPackage written" $?
"$CPTS" audit "$T/leak.gpkg" > "$T/out" 2> "$T/err"; rc=$?
[ $rc -eq 1 ]; check "leaky file: exit 1 (got $rc)" $?
grep -q "leak: communes|44003 (Trois)|mt_sans_mt is masked but lies in \[5, 5\], determined" "$T/out"
check "the masked commune is found determined at 5" $?
grep -q "territoires\[.*\]|A|mt_sans_mt = 100" "$T/out" && grep -q "communes|44001 (Un)|mt_sans_mt = 40" "$T/out"
check "the narrowing cells are named with their values" $?
grep -q "^1 finding(s)" "$T/out"; check "one finding counted" $?

mk "$T/safe.gpkg" 1
"$CPTS" audit "$T/safe.gpkg" > "$T/out" 2> "$T/err"; rc=$?
[ $rc -eq 0 ]; check "two communes masked, no bounds: exit 0 (got $rc)" $?
grep -q "^0 finding(s)" "$T/out"; check "no finding" $?

"$CPTS" audit "$T/safe.gpkg" "$T/leak.gpkg" > "$T/out" 2> "$T/err"; rc=$?
[ $rc -eq 1 ]; check "two files together: exit 1 (got $rc)" $?

# a commune masked in one publication and published in another (same commune cells)
sed 's/^44003,Trois,A,,1,,$/44003,Trois,A,5,0,,/' "$T/c.csv" > "$T/c2.csv"
grep -q "^44003,Trois,A,5,0" "$T/c2.csv"; check "second publication prepared" $?
rm -f "$T/other.gpkg"
ogr2ogr -f GPKG "$T/other.gpkg" "$T/c2.csv" -nln communes -oo AUTODETECT_TYPE=YES \
  -oo EMPTY_STRING_AS_NULL=YES > /dev/null 2>&1
"$CPTS" audit "$T/safe.gpkg" > "$T/out" 2>/dev/null; rc1=$?
"$CPTS" audit "$T/safe.gpkg" "$T/other.gpkg" > "$T/out" 2> "$T/err"; rc=$?
[ $rc1 -eq 0 ] && [ $rc -eq 1 ]; check "each file alone is clean, together they leak (got $rc1, $rc)" $?
grep -q "leak: communes|44003 (Trois)|mt_sans_mt is masked in one publication and published as 5" "$T/out"
check "the commune published elsewhere is named with its value" $?

# the demo export (and its basins partition, read together with it): the relations
# rebuilt from the files agree with every published number, the audit finds nothing,
# and an attacker written apart (tests/cli/attack.py: its own relations, glpsol)
# recovers nothing either. Before the linear-programming suppression, the demo gave
# 3 findings (Marville: two masked breakdown parts told its masked total was >= 2).
if sh "$SRC/tests/browser/make_ws.sh" "$CPTS" "$T" > "$T/make.log" 2>&1 &&
   "$CPTS" export "$T/ws.sqlite" --partition partition --gpkg "$T/demo.gpkg" 2> "$T/exp.err"; then
  grep -q "disclosure: [0-9]* of [0-9]* health-count cells suppressed" "$T/exp.err"
  check "export prints the suppression counts" $?
  "$CPTS" audit "$T/demo.gpkg" > "$T/out" 2> "$T/err"; rc=$?
  [ $rc -eq 0 ]; check "demo export: audit exit 0 (got $rc)" $?
  grep -q "^0 finding(s)" "$T/out"; check "demo export: no finding" $?
  # the known part of the territories' C2S counts (pre-masked communes, bounds
  # [K + m, K + 10 m]) pinned the masked zeros of Fézac (99082) and Marville (99166)
  # at 0 before the suppression modelled known parts: their intervals now span [1, 10]
  "$CPTS" audit -vv "$T/demo.gpkg" 2>&1 >/dev/null | sed -n 's/^cpts: debug: audit: communes|\(99082\|99166\) [^|]*|mt_c2s lies in \[\(.*\), \(.*\)\]$/\1 \2 \3/p' > "$T/kp"
  [ "$(wc -l < "$T/kp")" -eq 2 ] && awk '$2 > 1 || $3 < 10 { bad = 1 } END { exit bad }' "$T/kp"
  check "demo export: mt_c2s of 99082 and 99166 span [1, 10] ($(tr '\n' ' ' < "$T/kp"))" $?
  ! grep -q "inconsistent\|contradict" "$T/out" "$T/err"; check "relations agree with every published number" $?
  nm=$(ogrinfo -ro "$T/demo.gpkg" -sql "SELECT sum(mt_sans_mt_masque + mt_patients_masque) AS n FROM communes" | sed -n 's/^ *n (Integer) = //p')
  [ -n "$nm" ] && [ "$nm" -gt 0 ]; check "the demo has masked counts ($nm)" $?
  files="$T/demo.gpkg"
  # the demo's HTML report, alone and with its GeoPackage, and the --json of profile
  # and of a move: nothing found, and the report's masked cells are read
  if "$CPTS" export -q "$T/ws.sqlite" --partition partition --html "$T/demohtml" 2>/dev/null &&
     "$CPTS" profile -q "$T/ws.sqlite" --partition partition --json > "$T/prof.json" 2>/dev/null; then
    "$CPTS" audit "$T/demohtml" > "$T/out" 2> "$T/err"; rc=$?
    nch=$(sed -n 's/.*audit: \([0-9]*\) cells, .*/\1/p' "$T/err")
    nrh=$(sed -n 's/.* \([0-9]*\) relations, .*/\1/p' "$T/err")
    [ $rc -eq 0 ] && [ "${nch:-0}" -gt 500 ] && [ "${nrh:-0}" -gt 50 ]
    check "demo HTML report: exit 0, $nch cells and $nrh relations read (got $rc)" $?
    "$CPTS" audit "$T/demo.gpkg" "$T/demohtml" "$T/prof.json" > "$T/out" 2> "$T/err"; rc=$?
    [ $rc -eq 0 ] && ! grep -q "inconsistent" "$T/out"
    check "demo GeoPackage + HTML + profile JSON together: exit 0, consistent (got $rc)" $?
  else
    echo "not ok - export the demo's HTML report and profile JSON"
  fi
  if "$CPTS" export -q "$T/ws.sqlite" --partition basins --gpkg "$T/basins.gpkg" 2>/dev/null; then
    files="$files $T/basins.gpkg"
    ogrinfo -ro -q "$T/basins.gpkg" -sql "SELECT count(*) AS n, sum(dest1_part <> CAST(dest1_part
      AS INTEGER)) + sum(dest2_part <> CAST(dest2_part AS INTEGER)) AS f FROM communes WHERE
      dest1_part IS NOT NULL AND dest2_part IS NOT NULL" > "$T/q" 2>&1
    np=$(sed -n 's/^ *n (Integer) = //p' "$T/q"); nf=$(sed -n 's/^ *f (Integer) = //p' "$T/q")
    [ "${np:-0}" -gt 0 ] && [ "$nf" = 0 ]
    check "attraction shares in whole percents ($np communes, $nf not whole; was all before)" $?
    "$CPTS" audit $files > "$T/out" 2> "$T/err"; rc=$?
    [ $rc -eq 0 ]; check "two partitions of one workspace read together: exit 0 (got $rc)" $?
  fi
  if /usr/bin/python3 -c "import osgeo.ogr" 2>/dev/null && command -v glpsol > /dev/null; then
    /usr/bin/python3 "$SRC/tests/cli/attack.py" "$T/leak.gpkg" > "$T/att" 2>&1; rc=$?
    [ $rc -eq 1 ] && grep -q "recovered: c|44003|mt_sans_mt in \[5, 5\]" "$T/att"
    check "the independent attacker recovers the hand-made leak (5)" $?
    # the same leak in a Real field, and in text fields (every numeric field is read);
    # territory B, fully published, lets the attacker test that the field sums
    mkv() { # mkv FILE AUTODETECT(YES/NO) TOTAL_A
      cat > "$T/cv.csv" <<CSV
code,nom,territoire,mt_sans_mt,mt_sans_mt_masque,mt_sans_mt_min,mt_sans_mt_max
44001,Un,A,40.0,0,,
44002,Deux,A,55.0,0,,
44003,Trois,A,,1,1,10
44004,Quatre,B,20.0,0,,
44005,Cinq,B,30.0,0,,
CSV
      printf 'territoire,mt_sans_mt,mt_sans_mt_masque,mt_sans_mt_min,mt_sans_mt_max\nA,%s,0,,\nB,50.0,0,,\n' "$3" > "$T/tv.csv"
      rm -f "$1"
      ogr2ogr -f GPKG "$1" "$T/cv.csv" -nln communes -oo AUTODETECT_TYPE=$2 \
        -oo EMPTY_STRING_AS_NULL=YES > /dev/null 2>&1 &&
      ogr2ogr -f GPKG -update "$1" "$T/tv.csv" -nln territoires -oo AUTODETECT_TYPE=$2 \
        -oo EMPTY_STRING_AS_NULL=YES > /dev/null 2>&1
    }
    mkv "$T/leakreal.gpkg" YES 100.0 && mkv "$T/leaktext.gpkg" NO 100.0 && mkv "$T/wrong.gpkg" YES 200.0
    ty=$(ogrinfo -ro -so "$T/leakreal.gpkg" communes | sed -n 's/^mt_sans_mt: \([A-Za-z]*\).*/\1/p')
    tt=$(ogrinfo -ro -so "$T/leaktext.gpkg" communes | sed -n 's/^mt_sans_mt: \([A-Za-z]*\).*/\1/p')
    /usr/bin/python3 "$SRC/tests/cli/attack.py" "$T/leakreal.gpkg" > "$T/att" 2>&1; rc1=$?
    grep -q "recovered: c|44003|mt_sans_mt in \[5, 5\]" "$T/att"; g1=$?
    /usr/bin/python3 "$SRC/tests/cli/attack.py" "$T/leaktext.gpkg" > "$T/att" 2>&1; rc2=$?
    grep -q "recovered: c|44003|mt_sans_mt in \[5, 5\]" "$T/att"; g2=$?
    [ "$ty" = Real ] && [ "$tt" = String ] && [ $rc1 -eq 1 ] && [ $g1 -eq 0 ] && [ $rc2 -eq 1 ] && [ $g2 -eq 0 ]
    check "the attacker recovers the leak from a Real field ($ty) and from text fields ($tt)" $?
    # published numbers contradicting the relations (A = 200 over 40 + 55 + at most 10):
    # an infeasible program is a misreading, and fails; never "nothing found"
    /usr/bin/python3 "$SRC/tests/cli/attack.py" "$T/wrong.gpkg" > "$T/att" 2>&1; rc=$?
    [ $rc -eq 1 ] && grep -q "misreading: the program of c|44003|mt_sans_mt is infeasible" "$T/att"
    check "an infeasible program fails the attacker as a misreading (exit $rc)" $?
    # every publication of the demo together (issue 19 point 5): the GeoPackage, the
    # HTML report, and a move's JSON and text output
    # attack 2-4: the report; the profile JSON's shares (attack 1, two partitions one
    # commune apart, is cli_ledger's)
    pubs="$T/demo.gpkg"
    [ -d "$T/demohtml" ] && pubs="$pubs $T/demohtml"
    [ -f "$T/prof.json" ] && pubs="$pubs $T/prof.json"
    c1=$(ogrinfo -ro -q "$T/demo.gpkg" -sql "SELECT code FROM communes WHERE territoire = (SELECT territoire FROM territoires LIMIT 1) LIMIT 1" | sed -n 's/^ *code (String) = //p')
    to=$(ogrinfo -ro -q "$T/demo.gpkg" -sql "SELECT territoire FROM territoires LIMIT 1 OFFSET 1" | sed -n 's/^ *territoire (String) = //p')
    cp "$T/ws.sqlite" "$T/wsm.sqlite"
    if [ -n "$c1" ] && [ -n "$to" ] &&
       "$CPTS" move -q "$T/wsm.sqlite" --partition partition --commune "$c1" --to "$to" --as m1 --json > "$T/mv.json" &&
       "$CPTS" move -q "$T/wsm.sqlite" --partition partition --commune "$c1" --to "$to" --as m2 > "$T/mv.txt"; then
      pubs="$pubs $T/mv.json $T/mv.txt"
    fi
    /usr/bin/python3 "$SRC/tests/cli/attack.py" $pubs > "$T/att" 2>&1; rc=$?
    [ $rc -eq 0 ] && [ $(echo $pubs | wc -w) -eq 5 ]
    check "the independent attacker recovers nothing from the demo's GeoPackage, report, profile JSON and move outputs ($(tail -1 "$T/att"))" $?
    [ $rc -eq 0 ] || sed -n '1,10s/^/# /p' "$T/att"
  else
    echo "ok - # SKIP independent attacker: /usr/bin/python3 with osgeo or glpsol missing"
  fi
else
  echo "not ok - build and export the demo workspace"; sed 's/^/# /' "$T/make.log"
fi

# ---- HTML report directories (issue 19 point 4): a hand-made leaky report. Page
# "MT fictif": communes 44001, 44002 (Département 44, both listed) and 49001 whose
# count of patients without GP is shown "< 11"; territory 423, Département 44 (2
# communes) 422: the masked commune is 1 (attack 2). Its flow table: 329 + 310 +
# "< 11" with Total 648: the hidden row is 9 (attack 4).
mkhtml() { # mkhtml DIR DEP44 TOTAL PART (the rows' shares: each gives Total away)
  mkdir -p "$1"
  cat > "$1/index.html" <<HTML
<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body>
<h1>Diagnostic territorial</h1>
<table><tr><th>Partition</th><td>essai</td></tr>
<tr><th>Seuil du secret statistique</th><td>11</td></tr></table></body></html>
HTML
  cat > "$1/mt-fictif.html" <<HTML
<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body>
<h1>MT fictif</h1>
<table class="cmp"><thead><tr><th>Indicateur</th><th>Territoire</th><th>Loire-Atlantique</th></tr></thead>
<tbody><tr><th>Nombre de communes</th><td>3</td><td>2</td></tr>
<tr><th>Patients sans médecin traitant <span class="note">(patients)</span></th><td>423</td><td>$2</td></tr></tbody></table>
<table><thead><tr><th>Destination</th><th>Recours</th><th>Part</th></tr></thead><tbody>
<tr><td>MT fictif (le territoire)</td><td>329</td><td>${4:-50,8 %}</td></tr>
<tr><td>Ailleurs</td><td>310</td><td>${4:-47,8 %}</td></tr>
<tr><td>Autres destinations (regroupées)</td><td><span class="masked">&lt; 11</span></td><td>${4:-1,4 %}</td></tr>
<tr><th>Total</th><td>$3</td><td>100,0 %</td></tr></tbody></table>
<table><thead><tr><th>Commune</th><th>Code</th><th>Population</th><th>Patients sans médecin traitant</th></tr></thead><tbody>
<tr><td>Un</td><td>44001</td><td>1 200</td><td>200</td></tr>
<tr><td>Deux</td><td>44002</td><td>1 100</td><td>secret statistique</td></tr>
<tr><td>Trois</td><td>49001</td><td>300</td><td>&lt; 11</td></tr></tbody></table>
</body></html>
HTML
}
mkhtml "$T/leakhtml" 422 648
"$CPTS" audit "$T/leakhtml" > "$T/out" 2> "$T/err"; rc=$?
[ $rc -eq 1 ]; check "leaky HTML report: exit 1 (got $rc)" $?
grep -q "leak: communes|49001 (Trois)|mt_sans_mt is masked but lies in \[1, 1\], determined" "$T/out"
check "territory beside its département pins the masked commune at 1 (attack 2)" $?
grep -q "territoires\[essai\]|MT fictif|mt_sans_mt = 423" "$T/out" && grep -q "communes|44001 (Un)|mt_sans_mt = 200" "$T/out"
check "the territory and commune cells that narrow it are named" $?
grep -q "leak: flux\[essai\]|MT fictif|Destination|Autres destinations (regroupées) is masked but lies in \[9, 9\], determined" "$T/out"
check "a flow table's Total gives the row shown '< 11' (9, attack 4)" $?
# the flux reading (read_flux.c) adds the two residuals of the same table's block (the
# flows to the communes outside the territories and to other territories, which the
# masked row sums): the leaky Total holds both below 10, a consequence of the same leak
grep -q "leak: fluxres\[essai\]|MT fictif -> hors is masked but lies in \[-\?0, 9\]" "$T/out" &&
grep -q "leak: fluxres\[essai\]|MT fictif -> ext is masked but lies in \[-\?0, 9\]" "$T/out"
check "the masked row's two residual blocks are reported too, held in [0, 9] by the same Total" $?
grep -q "^4 finding(s)" "$T/out"; check "four findings counted ($(tail -1 "$T/out"))" $?
# the same report with the département and the Total hidden: nothing left to find
mkhtml "$T/safehtml" "secret statistique" "secret statistique" "secret statistique"
"$CPTS" audit "$T/safehtml" > "$T/out" 2> "$T/err"; rc=$?
[ $rc -eq 0 ] && grep -q "^0 finding(s)" "$T/out"; check "département and Total hidden: exit 0 (got $rc)" $?
# a report read with a GeoPackage naming the same commune: one cell
sed 's/^44003,Trois,A,,1,1,10$/49001,Trois,A,,1,,/' "$T/c.csv" > "$T/c3.csv"
"$CPTS" audit "$T/safehtml" > /dev/null 2>&1; rc1=$?
printf 'code,nom,territoire,mt_sans_mt,mt_sans_mt_masque\n49001,Trois,X,1,0\n' > "$T/c4.csv"
rm -f "$T/pub.gpkg"; ogr2ogr -f GPKG "$T/pub.gpkg" "$T/c4.csv" -nln communes -oo AUTODETECT_TYPE=YES > /dev/null 2>&1
"$CPTS" audit "$T/safehtml" "$T/pub.gpkg" > "$T/out" 2>&1; rc=$?
[ $rc1 -eq 0 ] && [ $rc -eq 1 ] && grep -q "communes|49001 (Trois)|mt_sans_mt is masked in one publication and published as 1" "$T/out"
check "HTML and GeoPackage read together share the commune's cell (got $rc1, $rc)" $?

# ---- JSON outputs: a move printing flows_in before/after one small commune apart
# (attack 7: +6), and one hiding 'after' but printing LI to 6 decimals (LI x flows_res
# gives flows_in back: the hidden change is 6 again)
cat > "$T/move.json" <<JSON
{"from":"p","as":"p-move","to":"B","communes":["44009"],"territories":[{"id":"B","population":[20000,20100],"communes":[10,11],"tier":[1,1],"LI":[0.500000,0.500060],"MSI":[0.9,0.9],"flows_in":[50000,50006],"flows_res":[100000,100000],"pieces":[1,1],"PAC":[1.2,1.2]}]}
JSON
"$CPTS" audit "$T/move.json" > "$T/out" 2> "$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "leak: flows_in of 'B' is published before (50000, p) and after (50006, p-move) a move: the moved communes' flows make 6" "$T/out"
check "move JSON with a +6 flow change: exit 1, the change named (got $rc)" $?
sed 's/"flows_in":\[50000,50006\]/"flows_in":[50000,null]/' "$T/move.json" > "$T/move2.json"
"$CPTS" audit "$T/move2.json" > "$T/out" 2> "$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "leak: moved\[p->p-move\]|B|flows_in is masked but lies in \[6, 6\], determined" "$T/out"
check "move JSON hiding 'after' but with LI to 6 decimals: the change is found (6; got $rc)" $?
sed 's/"LI":\[0.500000,0.500060\]/"LI":[0.500,0.500]/' "$T/move2.json" > "$T/move3.json"
"$CPTS" audit "$T/move3.json" > "$T/out" 2> "$T/err"; rc=$?
[ $rc -eq 0 ]; check "LI to 3 decimals over 100 000 flows: nothing found (got $rc)" $?
printf '{"partition":' > "$T/bad.json"
"$CPTS" audit "$T/bad.json" > "$T/out" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "bad.json" "$T/err"; check "broken JSON: exit 3 naming the file (got $rc)" $?

# the independent attacker on the hand-made leaky publications above
if /usr/bin/python3 -c "import osgeo.ogr" 2>/dev/null && command -v glpsol > /dev/null; then
  /usr/bin/python3 "$SRC/tests/cli/attack.py" "$T/leakhtml" > "$T/att" 2>&1; rc=$?
  [ $rc -eq 1 ] && grep -q "recovered: c|49001|mt_sans_mt in \[1, 1\]" "$T/att" &&
    grep -q "recovered: f|essai|MT fictif|Destination|Autres destinations (regroupées) in \[9, 9\]" "$T/att"
  check "the attacker recovers the hand-made HTML leaks (attack 2: 1, attack 4: 9)" $?
  /usr/bin/python3 "$SRC/tests/cli/attack.py" "$T/move.json" > "$T/att" 2>&1; rc1=$?
  /usr/bin/python3 "$SRC/tests/cli/attack.py" "$T/move2.json" > "$T/att2" 2>&1; rc2=$?
  [ $rc1 -eq 1 ] && grep -q "changes by 6 in a move" "$T/att" && [ $rc2 -eq 1 ] &&
    grep -q "recovered: moved|p|B|flows_in in \[6, 6\]" "$T/att2"
  check "the attacker recovers the hand-made move leaks (attack 7: +6 shown, +6 from LI)" $?
else
  echo "ok - # SKIP independent attacker: /usr/bin/python3 with osgeo or glpsol missing"
fi

tap_done
