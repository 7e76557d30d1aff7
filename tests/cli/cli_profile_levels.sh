#!/bin/sh
# The comparison levels of the catalogue's ingested indicators (issue 14 point 3): the
# values and 95 % intervals of the département, région and whole-area ("ensemble")
# columns, recomputed here with python and scipy from the input files only (not our
# code), to 1e-6: a count (MSP), the shares (Wilson; over masked cells no point, the
# range with every masked cell at 1 and at 10), a dsr (ALD, esp2013 weights, Dobson
# interval on exact Poisson limits), isr (emergency visits, mortality: rates of the
# whole area per stratum, interval widened by phi = Pearson chi-square / df over the
# communes) and the two population vintages (pop_mun and its change). A synthetic
# territory of 600 communes (one département) is cut into three départements of two
# régions in the workspace, so every level differs from the others. Then the HTML
# report's comparison columns (département, région, zone étudiée) show those values.
CPTS="$1"
. "$(dirname "$0")/lib/tap.sh"
PY=
for p in python3 /usr/bin/python3; do
  if "$p" -c 'import scipy' 2> /dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then echo "1..0 # SKIP no python3 with scipy"; exit 0; fi
if ! command -v sqlite3 > /dev/null; then echo "1..0 # SKIP sqlite3 not installed"; exit 0; fi
export CPTS_FIXED_TIME=2026-01-01T00:00:00Z
S="$T/s"
W="$T/ws.sqlite"
"$CPTS" synth -q --communes 600 --seed 5 --out "$S"; check "synth exits 0" $?
# the masked C2S cells (<11) given as 5, so that one share is a point with its Wilson
# interval at every level (the others lie over masked cells: their range)
sed -i '/^c2s;/s/;<11;/;5;/' "$S/indicators.csv"
{ "$CPTS" init -q "$W" && "$CPTS" ingest -q communes "$W" "$S/communes.geojson" &&
  "$CPTS" ingest -q population "$W" "$S/population.csv" &&
  "$CPTS" ingest -q partition "$W" "$S/partition.csv" --name cpts &&
  "$CPTS" ingest -q indicators "$W" "$S/indicators.csv"; } 2> "$T/err"
check "ingest the synthetic territory and its indicators" $?
# three départements (code modulo 3), 44 and 49 in région 52, 35 in région 53
sqlite3 "$W" "UPDATE communes SET dep = CASE CAST(code AS INTEGER) % 3 WHEN 0 THEN '44'
  WHEN 1 THEN '49' ELSE '35' END, reg = CASE CAST(code AS INTEGER) % 3 WHEN 2 THEN '53'
  ELSE '52' END"
[ "$(sqlite3 "$W" "SELECT count(DISTINCT dep) || ' ' || count(DISTINCT reg) FROM communes")" = "3 2" ]
check "three départements in two régions" $?
"$CPTS" profile -q "$W" --partition cpts --no-table 2> "$T/err"; check "profile exits 0" $?

$PY - "$S" "$W" > "$T/res" 2>&1 <<'EOF'
import csv, math, sqlite3, sys
from scipy.stats import chi2, norm
S, W = sys.argv[1], sys.argv[2]
db = sqlite3.connect(W)
geo = {c: (d, r) for c, d, r in db.execute("SELECT code, dep, reg FROM communes")}
def units(code):  # the comparison levels a commune belongs to
    d, r = geo[code]
    return [("departement", d), ("region", r), ("ensemble", "ALL")]
cells, years = {}, {}
with open(f"{S}/indicators.csv", encoding="utf-8") as f:
    for r in csv.DictReader(f, delimiter=";"):
        i, y = r["indicateur"], int(r["annee"])
        years.setdefault(i, set()).add(y)
        cells.setdefault((i, y), []).append(r)
def latest(i, back=0):
    return cells[(i, sorted(years[i])[-1 - back])]
Z = norm.ppf(0.975)
def garwood(o):
    return (chi2.ppf(0.025, 2 * o) / 2 if o > 0 else 0.0), chi2.ppf(0.975, 2 * o + 2) / 2
want = {}  # (indicator, level, code) -> (value or None, lo, hi)
# count
s = {}
for r in latest("NB_D113"):
    for u in units(r["code_commune"]):
        s[u] = s.get(u, 0) + int(r["numerateur"])
for u, v in s.items():
    want[("msp_count",) + u] = (float(v), None, None)
# shares: sums of the known cells, masked cells (<11: 1 to 10) and their denominators
for key, src in (("c2s_pop", "c2s"), ("vacc_65p", "vacc_grippe_65p"),
                 ("dep_sein", "dep_sein_50_74"), ("polymed", "polymed_75p")):
    acc = {}
    for r in latest(src):
        for u in units(r["code_commune"]):
            a = acc.setdefault(u, [0, 0, 0, 0])
            if r["numerateur"] == "<11":
                a[2] += 1; a[3] += float(r["denominateur"])
            else:
                a[0] += float(r["numerateur"]); a[1] += float(r["denominateur"])
    for u, (x, n, m, dm) in acc.items():
        if m:
            want[(key,) + u] = (None, 100 * (x + m) / (n + dm), min(100, 100 * (x + 10 * m) / (n + dm)))
        else:
            p = x / n; c = 1 + Z * Z / n
            mid = (p + Z * Z / (2 * n)) / c
            h = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / c
            want[(key,) + u] = (100 * p, 100 * (mid - h), 100 * (mid + h))
# dsr: ESP 2013 weights of the 5-year bands (90+ one band), half per sex
esp = [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000,
       5500, 5000, 4000, 2500, 1500, 1000]
def w_of(age):
    return (esp[18] if age == "90+" else esp[int(age[:2]) // 5]) / 2
acc = {}
for r in latest("ald"):
    for u in units(r["code_commune"]):
        st = acc.setdefault(u, {}).setdefault((r["sexe"], r["classe_age"]), [0, 0])
        st[0] += float(r["numerateur"]); st[1] += float(r["denominateur"])
for u, sts in acc.items():
    sw = dsr = var = tot = 0
    for (sx, age), (o, p) in sts.items():
        if p > 0:
            w = w_of(age); sw += w; dsr += w * o / p; var += (w / p) ** 2 * o; tot += o
    dsr /= sw; var /= sw * sw
    lo, hi = garwood(tot)
    want[("ald_dsr",) + u] = (100 * dsr, 100 * (dsr + math.sqrt(var / tot) * (lo - tot)),
                              100 * (dsr + math.sqrt(var / tot) * (hi - tot)))
# isr: rates of the whole area per stratum, phi over the communes
for key, src in (("urg_isr", "urgences_sans_hospit"), ("mort_icm", "deces"),
                 ("prem_icm", "deces_avant_65")):
    rows = latest(src)
    od = {}
    for r in rows:
        k = (r["sexe"], r["classe_age"])
        a = od.setdefault(k, [0, 0]); a[0] += float(r["numerateur"]); a[1] += float(r["denominateur"])
    R = {k: (o / d if d > 0 else 0) for k, (o, d) in od.items()}
    com, acc = {}, {}
    for r in rows:
        o, e = float(r["numerateur"]), float(r["denominateur"]) * R[(r["sexe"], r["classe_age"])]
        a = com.setdefault(r["code_commune"], [0, 0]); a[0] += o; a[1] += e
        for u in units(r["code_commune"]):
            a = acc.setdefault(u, [0, 0]); a[0] += o; a[1] += e
    x2 = [(o - e) ** 2 / e for o, e in com.values() if e > 0]
    phi = max(1.0, sum(x2) / (len(x2) - 1))
    for u, (o, e) in acc.items():
        lo, hi = garwood(o / phi)
        want[(key,) + u] = (100 * o / e, 100 * lo / (e / phi), 100 * hi / (e / phi))
    print(f"# {key}: phi {phi:.4f}")
# the two population vintages
s = {}
for back in (0, 1):
    for r in latest("population_municipale", back):
        for u in units(r["code_commune"]):
            s[(u, back)] = s.get((u, back), 0) + int(r["numerateur"])
for (u, back), v in s.items():
    if back == 0:
        a = s[(u, 1)]
        want[("pop_mun",) + u] = (float(v), None, None)
        want[("pop_mun_prec",) + u] = (float(a), None, None)
        want[("pop_mun_evol",) + u] = (float(v - a), None, None)
        want[("pop_mun_evol_pct",) + u] = (100 * (v / a - 1), None, None)
# compare with the stored profile (one row per level, whatever the territory)
got = {}
for lev, code, ind, v, lo, hi, m in db.execute(
        "SELECT DISTINCT level, level_code, indicator, value, lo, hi, masked FROM profile_values"
        " WHERE partition = 'cpts' AND level IN ('departement', 'region', 'ensemble')"):
    got[(ind, lev, code)] = (v, lo, hi, m)
def close(a, b):
    return (a is None and b is None) or (a is not None and b is not None and
                                         abs(a - b) <= 1e-6 * max(1.0, abs(b)))
bad, n, nmask = [], {}, 0
for k, (v, lo, hi) in sorted(want.items()):
    g = got.get(k)
    if g is None:
        bad.append(f"{k} missing")
        continue
    gv, glo, ghi, gm = g
    ok = close(gv, v) and (lo is None or (close(glo, lo) and close(ghi, hi)))
    ok = ok and bool(gm) == (v is None)
    nmask += v is None
    n[k[1]] = n.get(k[1], 0) + 1
    if not ok:
        bad.append(f"{k} got {g} want {(v, lo, hi)}")
print(f"checked {n.get('departement', 0)} {n.get('region', 0)} {n.get('ensemble', 0)} {nmask} {len(bad)}")
for b in bad[:10]:
    print("# BAD", b)
with open(f"{S}/want_levels", "w") as f:
    for (key, lev, code), (v, lo, hi) in want.items():
        if key in ("c2s_pop", "ald_dsr", "urg_isr") and v is not None:
            f.write(f"{key};{lev};{code};{v!r}\n")
EOF
check "independent computation ran ($(tail -1 "$T/res"))" $?
grep '^#' "$T/res"
set -- $(grep '^checked' "$T/res")
# 13 indicators: 3 départements, 2 régions, 1 whole area
[ "${6:-1}" = 0 ] && [ "${2:-0}" = 39 ] && [ "${3:-0}" = 26 ] && [ "${4:-0}" = 13 ]
check "values and intervals of $2 département, $3 région and $4 whole-area cells = python/scipy to 1e-6 ($5 over masked cells: no point, the range; ${6:-?} differ)" $?
[ "${5:-0}" -gt 0 ] && [ "$5" -lt 24 ]
check "some level values lie over masked cells, not those of c2s_pop ($5)" $?
v=$(sqlite3 "$W" "SELECT DISTINCT printf('%.9f', value) FROM profile_values WHERE level = 'ensemble'
  AND indicator IN ('urg_isr', 'mort_icm', 'prem_icm')")
[ "$v" = "100.000000000" ]; check "the isr of the whole area are 100 ($v)" $?

# the comparison columns of the HTML report: the département, région and whole-area
# values of a share, a dsr and an isr as python computed them, in French (1 decimal)
"$CPTS" export -q "$W" --partition cpts --html "$T/html" 2> "$T/err"; check "export the HTML report" $?
$PY - "$S/want_levels" "$T/html" > "$T/html_res" 2>&1 <<'EOF'
import glob, re, sys
want = {}
for l in open(sys.argv[1]):
    k, lev, code, v = l.strip().split(";")
    want[(k, lev, code)] = float(v)
labels = {"c2s_pop": "Part de la population bénéficiaire de la complémentaire santé solidaire (C2S)",
          "ald_dsr": "Prévalence standardisée des affections de longue durée (ALD)",
          "urg_isr": "Indice comparatif des passages aux urgences non suivis"}
names = {"Ille-et-Vilaine": "35", "Loire-Atlantique": "44", "Maine-et-Loire": "49",
         "Pays de la Loire": "52", "Bretagne": "53"}
def fr(v):
    return f"{v:.1f}".replace(".", ",")
pages = n = bad = 0
for page in sorted(glob.glob(f"{sys.argv[2]}/*.html")):
    html = open(page, encoding="utf-8").read()
    # the columns are named after the territory's (first) département and its région
    m = re.search(r"<th>([^<]*)</th><th>Comparaison au département</th><th>([^<]*)</th>"
                  r"<th>Comparaison à la région</th>", html)
    if not m:
        continue
    dep, reg = names[m.group(1)], names[m.group(2)]
    pages += 1
    for key, label in labels.items():
        row = re.search(r"<tr><th>" + re.escape(label) + r".*?</tr>", html)
        tds = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0)) if row else []
        # Territoire, Département, comparison, Région, comparison, zone étudiée, ...
        got = [re.sub(r"\s*<span.*", "", tds[i]) for i in (1, 3, 5)] if len(tds) > 5 else []
        unit = "\u00a0%" if key == "c2s_pop" else ""  # a share shows its %
        exp = [fr(want[(key, "departement", dep)]) + unit, fr(want[(key, "region", reg)]) + unit,
               fr(want[(key, "ensemble", "ALL")]) + unit]
        n += 1
        if got != exp:
            bad += 1
            print(f"# BAD {page} {key} got {got} want {exp}")
print(f"html {pages} {n} {bad}")
EOF
sed -n '/^# BAD/p' "$T/html_res" | head -5
set -- $(grep '^html' "$T/html_res")
[ "${2:-0}" -ge 5 ] && [ "${4:-1}" = 0 ]
check "HTML: département, région and whole-area columns of c2s_pop, ald_dsr, urg_isr on ${2:-0} pages = python (${4:-?} of ${3:-?} rows differ)" $?
tap_done
