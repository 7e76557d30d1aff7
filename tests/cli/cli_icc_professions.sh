#!/bin/sh
# ICC and missing practitioners per profession (issue 14 point 4): `cpts synth --truth`
# writes consumption.csv with a profession column (GPs, nurses, physiotherapists,
# dentists, pharmacies, midwives) and the truth of each profession's ICC. The profile's
# <p>_icc (isr over the catalogue source consommation_<p>) and <p>_manquants equal a
# computation written here in python from the input files (rates of the whole area
# per stratum, E, O, phi = Pearson chi-square / df over the communes, the Poisson
# interval of O / phi over E / phi, A = the area's acts per FTE of the profession's
# supply); the adjusted interval covers the truth of 90-97 % of the communes, the pure
# Poisson one (--isr-poisson) fewer. Then the report: the GeoPackage fields and the HTML
# rows (French labels) of every profession, a workspace of the old schema (no
# profession column) still opens, and the audit of the exports (tap_done) is clean.
CPTS="$1"
. "$(dirname "$0")/lib/tap.sh"
PY=/usr/bin/python3
if ! "$PY" -c "import scipy.stats" 2> /dev/null; then
  echo "1..0 # SKIP /usr/bin/python3 with scipy needed for the chi-square quantiles"; exit 0
fi
export CPTS_FIXED_TIME=2026-01-01T00:00:00Z
S="$T/s"
W="$T/ws.sqlite"
"$CPTS" synth -q --communes 600 --seed 11 --truth --out "$S"; check "synth --truth exits 0" $?
head -1 "$S/consumption.csv" | grep -q '^code_commune;sexe;classe_age;actes;profession$'
check "consumption.csv has a profession column" $?
for p in infirmier masseur_kinesitherapeute chirurgien_dentiste pharmacien sage_femme; do
  grep -q ";$p\$" "$S/consumption.csv"; check "consumption.csv has rows of $p" $?
done
grep -q '^consommation_inf;territoire;' "$S/indicators_truth.csv"
check "the truth file holds the nurses' ICC of the territories" $?
{ "$CPTS" init -q "$W" && "$CPTS" ingest -q communes "$W" "$S/communes.geojson" &&
  for k in population consumption supply; do "$CPTS" ingest -q $k "$W" "$S/$k.csv" || exit 1; done &&
  "$CPTS" ingest -q partition "$W" "$S/partition.csv" --name cpts; } 2> "$T/err"
check "ingest the synthetic territory" $?
cp "$W" "$T/wp.sqlite"
"$CPTS" profile -q "$W" --partition cpts --no-table 2> "$T/err"; check "profile exits 0" $?
"$CPTS" profile -q "$T/wp.sqlite" --partition cpts --no-table --isr-poisson 2> "$T/err"
check "profile --isr-poisson exits 0" $?

"$PY" - "$S" "$W" "$T/wp.sqlite" > "$T/res" 2>&1 <<'EOF'
import csv, math, sqlite3, sys
from scipy.stats import chi2
S, W, WP = sys.argv[1:4]
def rows(name):
    with open(f"{S}/{name}", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter=";"))
canon = {"infirmier": "inf", "masseur_kinesitherapeute": "mk", "chirurgien_dentiste": "cd",
         "pharmacien": "ph", "sage_femme": "sf"}
pop = {}
for r in rows("population.csv"):
    pop[(r["code_commune"], r["sexe"], r["classe_age"])] = float(r["population"])
def den(code, sex, age):
    if sex == "T":
        return pop[(code, "F", age)] + pop[(code, "M", age)]
    return pop[(code, sex, age)]
cells = {}
for r in rows("consumption.csv"):
    p = canon.get(r["profession"])
    if p:
        cells.setdefault(p, []).append((r["code_commune"], float(r["actes"]),
                                        den(r["code_commune"], r["sexe"], r["classe_age"]),
                                        r["sexe"] + "|" + r["classe_age"]))
fte = {}
for r in rows("supply.csv"):
    p = canon.get(r["profession"])
    if p:
        fte[p] = fte.get(p, 0.0) + float(r["etp"])
terr = {}
for r in rows("partition.csv"):
    terr.setdefault(r["territoire"], []).append(r["code_commune"])
truth = {(r["indicateur"], r["niveau"], r["code"]): float(r["verite"])
         for r in rows("indicators_truth.csv")}
def load(path):
    v = {}
    for lev, code, ind, x, lo, hi, m in sqlite3.connect(path).execute(
            "SELECT level, level_code, indicator, value, lo, hi, masked FROM profile_values"
            " WHERE partition = 'cpts'"):
        v[(ind, lev, code)] = (x, lo, hi, m)
    return v
vals, valp = load(W), load(WP)
def limits(o, e, phi):
    f = max(phi, 1.0)
    lo = chi2.ppf(0.025, 2 * o / f) / 2 if o > 0 else 0.0
    hi = chi2.ppf(0.975, 2 * o / f + 2) / 2
    return 100 * lo / (e / f), 100 * hi / (e / f)
for p, cs in sorted(cells.items()):
    num, dn = {}, {}
    for code, a, d, s in cs:
        num[s] = num.get(s, 0) + a
        dn[s] = dn.get(s, 0) + d
    rate = {s: num[s] / dn[s] if dn[s] > 0 else 0 for s in num}
    O, E = {}, {}
    for code, a, d, s in cs:
        O[code] = O.get(code, 0) + a
        E[code] = E.get(code, 0) + d * rate[s]
    nc = [c for c in E if E[c] > 0]
    phi = max(1.0, sum((O[c] - E[c]) ** 2 / E[c] for c in nc) / (len(nc) - 1))
    A = sum(O.values()) / fte[p]
    worst = 0.0
    n = 0
    for t, members in terr.items():
        o = sum(O[c] for c in members)
        e = sum(E[c] for c in members)
        icc = 100 * o / e
        lo, hi = limits(o, e, phi)
        mg = max(0.0, (e - o) / A)
        got = vals[(f"{p}_icc", "territoire", t)]
        gm = vals[(f"{p}_manquants", "territoire", t)][0]
        for x, y in ((got[0], icc), (got[1], lo), (got[2], hi), (gm, mg)):
            worst = max(worst, abs(x - y) / max(1.0, abs(y)))
        n += 1
    print(f"value {p} {n} {worst:.3e} {int(worst < 1e-6)} {phi:.3f} {A:.1f}")
    # coverage of the truth by the communes' intervals, adjusted and pure Poisson
    for tag, v in (("adjusted", vals), ("poisson", valp)):
        cov = tot = 0
        for (ind, lev, code), (x, lo, hi, m) in v.items():
            if ind != f"{p}_icc" or lev != "commune" or m or lo is None:
                continue
            tot += 1
            cov += lo <= truth[(f"consommation_{p}", "commune", code)] <= hi
        print(f"cov {p} {tag} {cov} {tot} {100.0 * cov / max(tot, 1):.1f}")
EOF
check "independent computation ran" $?
sed 's/^/# /' "$T/res"
grep '^value' "$T/res" | while read -r _ p n worst ok phi a; do
  [ "$ok" = 1 ] && [ "$n" -ge 5 ]
  echo "$? ${p}_icc, its interval and ${p}_manquants of the $n territories = the python computation (max relative gap $worst, phi $phi, A $a acts per FTE)"
done > "$T/v"
while read -r rc what; do check "$what" "$rc"; done < "$T/v"
[ "$(grep -c '^value' "$T/res")" -eq 5 ]; check "five professions checked" $?
grep '^cov .* adjusted' "$T/res" | while read -r _ p _ cov tot pct; do
  awk -v x="$pct" 'BEGIN { exit !(x >= 90 && x <= 97) }'
  echo "$? ${p}_icc: the adjusted interval covers the truth of $pct % of $tot communes (90-97)"
done > "$T/c"
while read -r rc what; do check "$what" "$rc"; done < "$T/c"
a=$(awk '/^cov inf adjusted/ { print $6 }' "$T/res")
b=$(awk '/^cov inf poisson/ { print $6 }' "$T/res")
awk -v a="$a" -v b="$b" 'BEGIN { exit !(b < a - 5) }'
check "the pure Poisson interval covers the nurses' truth less often ($b % vs $a %)" $?

# the report: GeoPackage fields and HTML rows from the catalogue, French labels
mkdir -p "$T/e"
"$CPTS" export -q "$W" --partition cpts --gpkg "$T/e/cpts.gpkg" --html "$T/e/html" 2> "$T/err"; rc=$?
[ $rc -eq 0 ]; check "export exits 0 (got $rc)" $?
if command -v sqlite3 > /dev/null && [ -f "$T/e/cpts.gpkg" ]; then
  nt=$(sqlite3 "$T/e/cpts.gpkg" "SELECT count(*) FROM territoires WHERE inf_icc_ic_bas < inf_icc
    AND inf_icc < inf_icc_ic_haut AND inf_manquants >= 0 AND mk_icc > 0 AND cd_icc > 0
    AND ph_icc > 0 AND sf_icc > 0 AND sf_manquants >= 0")
  [ "$nt" -ge 5 ]; check "GeoPackage: every territory carries the ICC of the five professions and the missing practitioners (got $nt)" $?
else
  check "GeoPackage written" 1
fi
page=$(ls "$T/e/html"/cpts-*.html 2> /dev/null | head -1)
# one row per profession: the index with its interval, then its missing practitioners
# in the same row (the cell titled with their label); no trend column (one year)
grep "Indice comparatif de consommation de soins infirmiers" "$page" | grep -q "title=\"Infirmiers manquants" &&
  grep "Indice comparatif de consommation de soins de sages-femmes" "$page" | grep -q "title=\"Sages-femmes manquantes" &&
  ! grep "Indice comparatif de consommation de soins infirmiers" "$page" | grep -q "n\.d\."
check "HTML: one row per profession with its French label and its missing practitioners" $?

# a workspace made before the profession column: rebuilt at open, its rows are GPs'
O="$T/old.sqlite"
"$CPTS" init -q "$O" && "$CPTS" ingest -q communes "$O" "$S/communes.geojson" &&
  "$CPTS" ingest -q population "$O" "$S/population.csv" &&
  "$CPTS" ingest -q partition "$O" "$S/partition.csv" --name cpts
sqlite3 "$O" "DROP TABLE consumption; CREATE TABLE consumption(code TEXT NOT NULL,
  sex TEXT NOT NULL, age TEXT NOT NULL, actes REAL, masked INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(code, sex, age)) WITHOUT ROWID;
  INSERT INTO consumption SELECT code, sex, age, 1000, 0 FROM population;"
"$CPTS" profile -q "$O" --partition cpts --no-table 2> "$T/err"; rc=$?
nr=$(sqlite3 "$O" "SELECT count(*) FROM consumption WHERE profession = ''")
np=$(sqlite3 "$O" "SELECT count(*) FROM population")
[ $rc -eq 0 ] && [ "$nr" = "$np" ] && [ "$(sqlite3 "$O" "SELECT count(*) FROM profile_values WHERE indicator = 'icc' AND level = 'territoire'")" -ge 5 ]
check "an old workspace (no profession column) opens, its $nr consumption rows kept as GPs' (exit $rc)" $?
tap_done
