#!/bin/sh
# `cpts profile` end to end on the demo territory (data/demo, fictional, 300 communes):
# usage errors (exit 2), an unreadable reference file (exit 3, workspace unchanged),
# a full run, totals adding up (territories to the whole area, communes to their
# territory) for every count whatever the partition (the demo CPTS partition and a
# second one made here), and --communes / --territory. Expected sums are recomputed
# with sqlite3 from the ingested tables, not from our code.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
D="$SRC/data/demo"
. "$(dirname "$0")/lib/tap.sh"
if [ ! -f "$D/communes.geojson" ]; then echo "1..0 # SKIP no demo data in $D"; exit 0; fi
if ! command -v sqlite3 > /dev/null; then echo "1..0 # SKIP sqlite3 not installed"; exit 0; fi
WS="$T/ws.sqlite"
q() { sqlite3 "$WS" "$1" 2>/dev/null; }
# same to 1e-6 relative (floating sums)
same() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; m = (b < 0 ? -b : b);
  if (m < 1) m = 1; exit !(a != "" && b != "" && d <= 1e-6 * m) }'; }

"$CPTS" profile --help > "$T/out"; check "profile --help exits 0" $?
grep -q "^usage: cpts profile WS" "$T/out"; check "profile --help usage line" $?
"$CPTS" init "$WS" -q
"$CPTS" ingest communes "$WS" "$D/communes.geojson" -q; check "ingest demo communes" $?
for k in population consumption mt supply attributes traveltime; do
  "$CPTS" ingest $k "$WS" "$D/$k.csv" -q; check "ingest demo $k" $?
done
"$CPTS" ingest partition "$WS" "$D/partition.csv" --name cpts -q; check "ingest demo partition" $?

"$CPTS" profile "$WS" 2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "no partition nor communes exits 2 (got $rc)" $?
"$CPTS" profile "$WS" --partition nope 2> "$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "no partition named 'nope'" "$T/err"; check "unknown partition exits 2 (got $rc)" $?
"$CPTS" profile "$WS" --communes 99001,12345 2> "$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "12345" "$T/err"; check "unknown commune in --communes exits 2 (got $rc)" $?
"$CPTS" profile "$WS" --partition cpts --gp-activity 0 2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "--gp-activity 0 exits 2 (got $rc)" $?
cp "$WS" "$T/before.sqlite"
"$CPTS" profile "$WS" --partition cpts --reference "$T/none.csv" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "none.csv" "$T/err"; check "missing reference file exits 3 (got $rc)" $?
cmp -s "$WS" "$T/before.sqlite"; check "failed run leaves the workspace byte for byte" $?

"$CPTS" profile "$WS" --partition cpts > /dev/null 2> "$T/err"; check "profile the demo partition" $?
grep -q "profiled 5 territories of partition 'cpts'" "$T/err"; check "5 territories reported" $?
[ "$(q "SELECT count(*) FROM runs WHERE command='profile'")" = "1" ]; check "run recorded" $?
q "SELECT value FROM meta WHERE key='profile:cpts'" | grep -q '"apl_travel":"traveltime table"'
check "method recorded in meta (APL from the traveltime table)" $?

# a second partition: communes cut in 7 groups by code, with one split commune
q "INSERT INTO partitions VALUES('alt','input','test',NULL,NULL);
   INSERT INTO partition_members SELECT 'alt', code, 'G' || (CAST(substr(code,3) AS INT) % 7),
     NULL, 1 FROM communes WHERE code <> '99001';
   INSERT INTO partition_members VALUES('alt','99001','G0',NULL,0.25),('alt','99001','G1',NULL,0.75);"
"$CPTS" profile "$WS" --partition alt -q > /dev/null; check "profile a partition with a split commune" $?

for P in cpts alt; do
  for K in pop_total pop_75p pyr_F_80-84 mt_patients mt_sans_mt mt_fictif mt_c2s_sans_mt icc_observed icc_expected gp_count gp_etp; do
    w=$(q "SELECT value FROM profile_values WHERE partition='$P' AND level='ensemble' AND indicator='$K' LIMIT 1")
    # whole area = sum over every commune, unless the partition leaves some out
    s=$(q "SELECT sum(value) FROM profile_values WHERE partition='$P' AND level='territoire' AND indicator='$K'")
    cov=$(q "SELECT count(DISTINCT code) = (SELECT count(*) FROM communes) FROM partition_members WHERE partition='$P'")
    if [ "$cov" = "1" ]; then same "$s" "$w"; check "$P: territories sum to the whole area for $K ($s vs $w)" $?; fi
    case $K in pyr_*) continue;; esac
    bad=$(q "SELECT count(*) FROM profile_values t LEFT JOIN (SELECT territory, sum(value) AS s
      FROM profile_values WHERE partition='$P' AND level='commune' AND indicator='$K' GROUP BY territory) c
      ON c.territory = t.territory WHERE t.partition='$P' AND t.level='territoire' AND t.indicator='$K'
      AND abs(t.value - coalesce(c.s, 0)) > 1e-6 * max(1, abs(t.value))")
    [ "$bad" = "0" ]; check "$P: communes sum to their territory for $K" $?
  done
done
# independent: the whole population is the sum of the population table
w=$(q "SELECT value FROM profile_values WHERE partition='cpts' AND level='ensemble' AND indicator='pop_total' LIMIT 1")
s=$(q "SELECT sum(pop) FROM population")
same "$w" "$s"; check "whole population = sum of the ingested table ($w)" $?
# médecin traitant share of a territory from the raw mt table (known cells)
t=$(q "SELECT min(territory) FROM partition_members WHERE partition='cpts'")
got=$(q "SELECT value FROM profile_values WHERE partition='cpts' AND territory='$t' AND level='territoire' AND indicator='mt_share'")
want=$(q "SELECT 100.0 * sum(sans_mt) / sum(patients) FROM mt JOIN partition_members p ON p.code = mt.code AND p.partition='cpts' AND p.territory='$t'")
same "$got" "$want"; check "mt_share of '$t' from summed counts ($got)" $?
# masked inputs are carried as bounds, never zeros
m=$(q "SELECT count(*) FROM profile_values WHERE partition='cpts' AND level='territoire' AND indicator='mt_fictif' AND masked=1 AND hi > value")
[ "${m:-0}" -ge 1 ]; check "counts over masked cells stored with bounds ($m territories)" $?

"$CPTS" profile "$WS" --communes 99001,99004 -q > /dev/null; check "--communes profiles an ad-hoc territory" $?
p=$(q "SELECT value FROM profile_values WHERE partition='_adhoc' AND level='territoire' AND indicator='pop_total'")
s=$(q "SELECT sum(pop) FROM population WHERE code IN ('99001','99004')")
same "$p" "$s"; check "ad-hoc population = its two communes ($p)" $?
"$CPTS" profile "$WS" --partition cpts --territory "$t" --byar -q > /dev/null; check "--territory with --byar" $?
q "SELECT value FROM meta WHERE key='profile:cpts'" | grep -q '"interval":"byar"'; check "Byar recorded" $?

# ---- what profile prints: table, --json, --csv (after disclosure control) ----
"$CPTS" profile "$WS" --partition cpts -q > "$T/table"; check "profile prints a table" $?
nt=$(q "SELECT count(DISTINCT territory) FROM partition_members WHERE partition='cpts'")
[ "$(head -n 1 "$T/table" | awk '{print $1, $2, $3}')" = "id name pop" ] &&
  [ "$(($(wc -l < "$T/table") - 1))" = "$nt" ]; check "table: header and one line per territory ($nt)" $?
"$CPTS" profile "$WS" --partition cpts -q --json > "$T/json"; check "profile --json" $?
"$CPTS" profile "$WS" --partition cpts -q --csv > "$T/csv"; check "profile --csv" $?
"$CPTS" profile "$WS" --partition cpts -q --no-table > "$T/none"; [ ! -s "$T/none" ]
check "--no-table prints nothing" $?
"$CPTS" profile "$WS" --partition cpts -q --json --csv 2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "--json with --csv exits 2 (got $rc)" $?
if command -v python3 > /dev/null; then
  # every territory's pop is the sum of the population table over its members (sqlite3),
  # a masked value is null and listed in "masked", and the CSV carries the same numbers
  q "SELECT p.territory, sum(pop.pop) FROM partition_members p JOIN population pop
     ON pop.code = p.code WHERE p.partition='cpts' GROUP BY p.territory" > "$T/pops"
  q "SELECT territory FROM profile_values WHERE partition='cpts' AND level='territoire'
     AND indicator='mt_share' AND masked = 0" > "$T/unmasked_mt"
  python3 - "$T/json" "$T/csv" "$T/pops" > "$T/py.log" 2>&1 <<'PY'
import csv, json, sys
j = json.load(open(sys.argv[1]))
pops = dict(l.strip().split("|") for l in open(sys.argv[3]) if l.strip())
keys = ["id", "name", "pop", "n_communes", "tier", "mt_share", "icc", "icc_lo", "icc_hi",
        "missing_gps", "gp_density", "apl", "li", "masked"]
assert j["partition"] == "cpts" and len(j["territories"]) == len(pops), "count"
for t in j["territories"]:
    assert list(t.keys()) == keys, t.keys()
    assert abs(t["pop"] - float(pops[t["id"]])) < 1e-6 * max(1, t["pop"]), t["id"]
    for k in t["masked"]:
        assert t[k] is None, (t["id"], k)
rows = list(csv.reader(open(sys.argv[2]), delimiter=";"))
assert rows[0] == keys[:-1], rows[0]
for r, t in zip(rows[1:], j["territories"]):
    assert r[0] == t["id"] and float(r[2]) == float("%.6g" % t["pop"]), r
    assert (r[5] == "") == (t["mt_share"] is None), r
print("ok")
PY
  check "JSON keys, pop = summed population table, masked values null; CSV agrees" $?
  sed 's/^/# /' "$T/py.log"
fi
"$CPTS" profile "$WS" --communes 99001,99004 -q --name "CPTS des Deux Rives" > "$T/adhoc"
grep -q "CPTS des Deux Rives" "$T/adhoc"; check "--name: the ad-hoc territory is named" $?
nm=$(q "SELECT nom FROM territory_names WHERE partition='_adhoc'")
[ "$nm" = "CPTS des Deux Rives" ]; check "--name stored as the territory's display name" $?
"$CPTS" export -q "$WS" --partition _adhoc --html "$T/adhoc_html"
grep -q "<h1>CPTS des Deux Rives</h1>" "$T/adhoc_html"/*.html; check "the report is titled by --name" $?
# a one-territory partition: no comparison with the other partitions (an ARI on its own
# communes says nothing), but the partition check: coverage and white zones
! grep -q "Comparaison avec d'autres découpages" "$T/adhoc_html/index.html"
check "one territory: no comparison with other partitions" $?
nc=$(q "SELECT count(*) FROM communes")
grep -q "Couverture : 2 communes sur $nc," "$T/adhoc_html/index.html" &&
  grep -q "<h3>Zones blanches par département</h3>" "$T/adhoc_html/index.html"
check "partition check in the report: 2 of $nc communes covered, white zones" $?
"$CPTS" profile "$WS" --partition cpts --name x -q 2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "--name without --communes exits 2 (got $rc)" $?
tap_done
