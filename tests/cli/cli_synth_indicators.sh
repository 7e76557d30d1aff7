#!/bin/sh
# The default catalogue's ingested indicators on a synthetic territory whose truth is
# known (`cpts synth --truth` writes the expected value of every random indicator):
# the profile recovers it (shares' Wilson intervals cover the truth of about 95 % of
# the communes; dsr and isr of every CPTS territory close to it, inside their interval
# for most), the structures of the BPE and the zoning shares equal sums recomputed here
# from the input files with python (not our code), the commune shares over a masked
# numerator are exactly those flagged masked. Then the demo: `cpts diagnose` with
# --indicators shows every block of the catalogue in the HTML report, fields in the
# GeoPackage, and `cpts audit` finds nothing in its export.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
D="$SRC/data/demo"
. "$(dirname "$0")/lib/tap.sh"
if ! command -v python3 > /dev/null; then echo "1..0 # SKIP python3 not installed"; exit 0; fi
export CPTS_FIXED_TIME=2026-01-01T00:00:00Z
S="$T/s"
W="$T/ws.sqlite"
"$CPTS" synth -q --communes 600 --seed 11 --truth --out "$S"; check "synth --truth exits 0" $?
for f in indicators.csv zonage.csv indicators_truth.csv; do
  [ -s "$S/$f" ]; check "$f written" $?
done
grep -q ';<11;' "$S/indicators.csv"; check "some numerators are masked (<11)" $?
{ "$CPTS" init -q "$W" && "$CPTS" ingest -q communes "$W" "$S/communes.geojson" &&
  "$CPTS" ingest -q population "$W" "$S/population.csv" &&
  "$CPTS" ingest -q partition "$W" "$S/partition.csv" --name cpts &&
  "$CPTS" ingest -q indicators "$W" "$S/indicators.csv" &&
  "$CPTS" ingest -q indicators "$W" "$S/zonage.csv"; } 2> "$T/err"
check "ingest the synthetic territory and its indicators (long and wide)" $?
"$CPTS" profile -q "$W" --partition cpts --no-table 2> "$T/err"; check "profile exits 0" $?
# wide files: errors name the file, the line and the field (exit 3)
W2="$T/ws2.sqlite"
"$CPTS" init -q "$W2" && "$CPTS" ingest -q communes "$W2" "$S/communes.geojson"
"$CPTS" ingest indicators "$W2" "$S/zonage.csv" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "zonage.csv: column 'zonage_mg' read as 'zonage_mg=1_ZIP' is a share of population: ingest the population first" "$T/err"
check "a zoning share without population exits 3 and says why (got $rc)" $?
c1=$(sed -n '2s/;.*//p' "$S/zonage.csv")
printf 'code_commune;autre\n%s;1\n' "$c1" > "$T/none.csv"
"$CPTS" ingest indicators "$W2" "$T/none.csv" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "none.csv, line 1: no column 'indicateur'" "$T/err"
check "neither long nor wide: exit 3 naming the missing column (got $rc)" $?
printf 'code_commune;NB_D113\n%s;deux\n' "$c1" > "$T/bad.csv"
"$CPTS" ingest indicators "$W2" "$T/bad.csv" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "bad.csv, line 2, field 'NB_D113': not a number nor a masked cell" "$T/err"
check "a bad cell of a wide file: exit 3 naming line and field (got $rc)" $?
c2=$(sed -n '3s/;.*//p' "$S/zonage.csv")
printf 'code_commune;NB_D113\n%s;2\n%s;0\n' "$c1" "$c2" > "$T/msp.csv"
printf 'key;label;type;sensitive;source\nmsp_bis;MSP (bis);count;non;NB_D113\n' > "$T/cat.csv"
"$CPTS" ingest indicators "$W2" "$T/msp.csv" --catalogue "$T/cat.csv" 2> "$T/err"; rc=$?
[ $rc -eq 0 ] && grep -q "ingested 2 indicator cells" "$T/err"
check "two catalogue rows on one column read it once (2 cells, exit $rc)" $?

python3 - "$S" "$W" > "$T/res" 2>&1 <<'EOF'
import csv, math, sqlite3, sys
S, W = sys.argv[1], sys.argv[2]
def rows(name):
    with open(f"{S}/{name}", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter=";"))
truth = {}
for r in rows("indicators_truth.csv"):
    truth[(r["indicateur"], r["niveau"], r["code"])] = float(r["verite"])
terr = {r["code_commune"]: r["territoire"] for r in rows("partition.csv")}
pop = {}
for r in rows("population.csv"):
    pop[r["code_commune"]] = pop.get(r["code_commune"], 0) + int(r["population"])
db = sqlite3.connect(W)
vals = {}
for t, lev, code, ind, v, lo, hi, m in db.execute(
        "SELECT territory, level, level_code, indicator, value, lo, hi, masked"
        " FROM profile_values WHERE partition = 'cpts'"):
    vals[(ind, lev, code)] = (v, lo, hi, m)
src = {"c2s_pop": "c2s", "vacc_65p": "vacc_grippe_65p", "dep_sein": "dep_sein_50_74",
       "dep_colo": "dep_colorectal_50_74", "dep_uter": "dep_col_25_65",
       "polymed": "polymed_75p", "ald_dsr": "ald", "urg_isr": "urgences_sans_hospit",
       "mort_icm": "deces", "prem_icm": "deces_avant_65"}
shares = list(src)[:6]
# 1. shares of the communes (not masked): Wilson intervals cover the truth
cov = tot = 0
for key in shares:
    for (ind, lev, code), (v, lo, hi, m) in vals.items():
        if ind != key or lev != "commune" or m or lo is None:
            continue
        tot += 1
        cov += lo <= truth[(src[key], "commune", code)] <= hi
print(f"share_cov {cov} {tot} {100.0 * cov / max(tot, 1):.1f}")
# 2. standardised indicators of the territories: inside the interval, close to truth
for key, tol in (("ald_dsr", 0.03), ("urg_isr", 0.08), ("mort_icm", 0.10),
                 ("prem_icm", 0.20)):
    n = inside = 0
    worst = 0.0
    for (ind, lev, code), (v, lo, hi, m) in vals.items():
        if ind != key or lev != "territoire":
            continue
        tv = truth[(src[key], "territoire", code)]
        n += 1
        inside += (not m) and lo <= tv <= hi
        worst = max(worst, abs(v - tv) / tv)
    print(f"std {key} {inside} {n} {worst:.4f} {int(worst <= tol)}")
for key in ("urg_isr", "mort_icm", "prem_icm"):
    v = vals[(key, "ensemble", "ALL")][0]
    print(f"isr_area {key} {v:.9f} {int(abs(v - 100) < 1e-9)}")
# 3. structures of the BPE: sums of the input file by territory
for key, col in (("msp_count", "NB_D113"), ("cds_count", "NB_D108"), ("ehpad_count", "NB_D401")):
    exp = {}
    for r in rows("indicators.csv"):
        if r["indicateur"] == col and r["code_commune"] in terr:
            t = terr[r["code_commune"]]
            exp[t] = exp.get(t, 0) + int(r["numerateur"])
    got = {c: v for (ind, lev, c), (v, lo, hi, m) in vals.items()
           if ind == key and lev == "territoire"}
    # a territory whose cells are all 0 gets 0 (a known 0, not "no data")
    want = {t: float(x) for t, x in exp.items()}
    print(f"count {key} {int(got == want)} {sum(exp.values())} {len(want)}")
# 4. zoning shares: population in ZIP (ZAC) / population, by territory
for key, val in (("zip_share", "1_ZIP"), ("zac_share", "2_ZAC")):
    num, den = {}, {}
    for r in rows("zonage.csv"):
        c = r["code_commune"]
        if c in terr:
            t = terr[c]
            num[t] = num.get(t, 0) + (pop[c] if r["zonage_mg"] == val else 0)
            den[t] = den.get(t, 0) + pop[c]
    worst = max(abs(vals[(key, "territoire", t)][0] - 100.0 * num[t] / den[t]) for t in den)
    print(f"zone {key} {worst:.2e} {int(worst < 1e-9)} {sum(num.values())}")
# 5. the commune shares flagged masked are those whose numerator is masked
for key in shares:
    cells = [r for r in rows("indicators.csv") if r["indicateur"] == src[key]]
    last = max(r["annee"] for r in cells)  # the profile reads the latest year
    masked_in = {r["code_commune"] for r in cells if r["annee"] == last
                 and r["numerateur"] == "<11" and r["code_commune"] in terr}
    masked_out = {c for (ind, lev, c), (v, lo, hi, m) in vals.items()
                  if ind == key + "_num" and lev == "commune" and m}
    shown = {c for (ind, lev, c), (v, lo, hi, m) in vals.items()
             if ind == key and lev == "commune" and not m and c in masked_in}
    print(f"mask {key} {int(masked_in == masked_out and not shown)} {len(masked_in)}")
# 6. the two population vintages (issue 14 point 6): pop_mun, pop_mun_prec, the change
# and the relative change per territory = sums of the file; the relative change = the
# truth; the latest vintage = population.csv
vint = {}
for r in rows("indicators.csv"):
    if r["indicateur"] == "population_municipale" and r["code_commune"] in terr:
        k = (terr[r["code_commune"]], int(r["annee"]))
        vint[k] = vint.get(k, 0) + int(r["numerateur"])
    if r["indicateur"] == "population_municipale" and r["annee"] == "2021":
        assert int(r["numerateur"]) == pop[r["code_commune"]], r
years = sorted({y for _, y in vint})
worst, nt = 0.0, 0
for t in sorted({t for t, _ in vint}):
    a, b = vint[(t, years[0])], vint[(t, years[1])]
    want = {"pop_mun": b, "pop_mun_prec": a, "pop_mun_evol": b - a,
            "pop_mun_evol_pct": 100.0 * (b / a - 1)}
    for key, w in want.items():
        v, lo, hi, m = vals[(key, "territoire", t)]
        worst = max(worst, abs(v - w))
        assert not m, (key, t)
    worst = max(worst, abs(want["pop_mun_evol_pct"] -
                           truth[("population_municipale_evol_pct", "territoire", t)]))
    nt += 1
print(f"popvint {years[0]} {years[1]} {nt} {worst:.2e} {int(worst < 1e-6 and nt > 0)}")
EOF
check "independent checks ran" $?
sed 's/^/# /' "$T/res"
set -- $(grep '^share_cov' "$T/res")
awk -v p="$4" 'BEGIN { exit !(p >= 90 && p <= 99) }'
check "shares of $3 communes: Wilson interval covers the truth of $4 % (90-99)" $?
grep '^std' "$T/res" | while read -r _ key inside n worst ok; do
  [ "$ok" = 1 ] && [ $((inside * 10)) -ge $((n * 7)) ]
  echo "$? $key: $inside of $n territories' intervals hold the truth, worst relative error $worst"
done > "$T/std"
while read -r rc what; do check "$what" "$rc"; done < "$T/std"
[ "$(grep -c '^std' "$T/res")" -eq 4 ]; check "four standardised indicators checked" $?
grep '^isr_area' "$T/res" | while read -r _ key v ok; do
  [ "$ok" = 1 ]; echo "$? $key of the whole area is 100 ($v)"; done > "$T/area"
while read -r rc what; do check "$what" "$rc"; done < "$T/area"
grep '^count' "$T/res" | while read -r _ key ok total nt; do
  [ "$ok" = 1 ] && [ "$total" -gt 0 ]; echo "$? $key of the $nt territories with cells (zeros included) = the file's sums ($total in all)"
done > "$T/cnt"
while read -r rc what; do check "$what" "$rc"; done < "$T/cnt"
grep '^zone' "$T/res" | while read -r _ key worst ok num; do
  [ "$ok" = 1 ] && [ "$num" -gt 0 ]; echo "$? $key per territory = population in the zone / population (max gap $worst)"
done > "$T/zone"
while read -r rc what; do check "$what" "$rc"; done < "$T/zone"
grep '^mask' "$T/res" | while read -r _ key ok nm; do
  [ "$ok" = 1 ]; echo "$? $key: the $nm communes with a masked numerator are exactly those whose ${key}_num is flagged masked, none with a published share"
done > "$T/mask"
while read -r rc what; do check "$what" "$rc"; done < "$T/mask"
[ "$(grep -c '^mask' "$T/res")" -eq 6 ]; check "six shares checked for masking" $?
set -- $(grep '^popvint' "$T/res")
[ "${6:-0}" = 1 ] && [ "$2" = 2015 ] && [ "$3" = 2021 ]
check "population vintages $2 and $3: pop_mun, _prec, _evol, _evol_pct of the $4 territories = python sums of the file and the truth (max gap ${5:-?}), 2021 = population.csv" $?

# the demo report: every block of the catalogue, the GeoPackage fields, a clean audit
if [ -f "$D/indicators.csv" ]; then
  "$CPTS" diagnose -q --communes "$D/communes.geojson" --population "$D/population.csv" \
    --attributes "$D/attributes.csv" --consumption "$D/consumption.csv" --mt "$D/mt.csv" \
    --supply "$D/supply.csv" --flows "$D/flows.csv" --partition "$D/partition.csv" \
    --indicators "$D/indicators.csv" --indicators "$D/zonage.csv" --out "$T/demo" \
    > /dev/null 2> "$T/err"
  check "demo diagnose with --indicators exits 0" $?
  page="$T/demo/html/cpts-fictionville-et-environs.html"
  for b in "Précarité et affections de longue durée" "Accès aux soins" "Prévention" \
           "État de santé" "Offre de soins : structures et établissements" "Zonage médecins"; do
    grep -q "<h2>$b</h2>" "$page"; check "demo report shows the block « $b »" $?
  done
  grep -q "Indice comparatif de mortalité générale" "$page"; check "demo report: the ICM row" $?
  # the population change between the two vintages of the demo (2015, 2021): the row,
  # the value and the change (relative change in a note), recomputed with awk
  want=$(awk -F';' 'FNR == 1 { next } FILENAME ~ /partition/ { if ($2 == "CPTS Fictionville et environs") in_t[$1] = 1; next }
    $1 == "population_municipale" && ($2 in in_t) { s[$5] += $6 }
    END { d = s[2021] - s[2015]; printf "%d %d %.1f", s[2021], d, 100 * (s[2021] / s[2015] - 1) }' \
    "$D/partition.csv" "$D/indicators.csv")
  set -- $want
  # French numbers: decimal comma, thousands by a narrow no-break space, a no-break
  # space before %
  sp=$(printf '\342\200\257'); nb=$(printf '\302\240')
  fr() { echo "$1" | sed "s/\./,/; s/^\(-\{0,1\}[0-9]\{1,3\}\)\([0-9]\{3\}\)\$/\1$sp\2/"; }
  grep "<th>Population municipale (recensement, dernier millésime)" "$page" |
    grep -q "<td class=\"n\">$(fr "$1")</td>.*<td class=\"n\">$(fr "$2") <span class=\"note\">($(fr "$3")$nb%)</span></td></tr>"
  check "demo report: population $(fr "$1"), change $(fr "$2") ($(fr "$3") %) since the earlier vintage, as awk sums" $?
  if command -v sqlite3 > /dev/null; then
    nt=$(sqlite3 "$T/demo/cpts.gpkg" "SELECT count(*) FROM territoires WHERE msp_count IS NOT NULL
      AND ald_dsr_ic_bas < ald_dsr AND ald_dsr < ald_dsr_ic_haut AND zip_share >= 0
      AND mort_icm > 0")
    [ "$nt" -eq 5 ]; check "GeoPackage: the 5 territories carry msp_count, ald_dsr with its interval, zip_share, mort_icm (got $nt)" $?
    awk -F';' 'FNR == 1 { next } FILENAME ~ /partition/ { t[$1] = $2; next }
      $1 == "population_municipale" && ($2 in t) { s[t[$2] "|" $5] += $6; n[t[$2]] = 1 }
      END { for (k in n) printf "%s|%d|%d|%.6f\n", k, s[k "|2021"], s[k "|2015"],
            100 * (s[k "|2021"] / s[k "|2015"] - 1) }' "$D/partition.csv" "$D/indicators.csv" |
      LC_ALL=C sort > "$T/popw"
    sqlite3 "$T/demo/cpts.gpkg" "SELECT territoire, pop_mun, pop_mun_prec, printf('%.6f', pop_mun_evol_pct)
      FROM territoires ORDER BY territoire" | LC_ALL=C sort > "$T/popg"
    diff "$T/popw" "$T/popg" > "$T/diff" && [ "$(wc -l < "$T/popg")" -eq 5 ]
    check "GeoPackage: pop_mun, pop_mun_prec, pop_mun_evol_pct of the 5 territories = awk sums of the demo file ($(tr '\n' ' ' < "$T/diff"))" $?
    [ "$(sqlite3 "$T/demo/cpts.gpkg" "SELECT name FROM gpkg_data_columns WHERE table_name = 'territoires'
      AND column_name = 'pop_mun_evol_pct'")" = "Population municipale (recensement, dernier millésime) : évolution depuis le millésime précédent (%)" ]
    check "GeoPackage: pop_mun_evol_pct has its French alias" $?
  fi
  "$CPTS" audit "$T/demo/cpts.gpkg" > "$T/out" 2> "$T/err"; rc=$?
  [ $rc -eq 0 ] && grep -q "^0 finding(s)" "$T/out"; check "audit of the demo export: no finding (exit $rc)" $?
else
  echo "ok - # SKIP no data/demo/indicators.csv"
fi
tap_done
