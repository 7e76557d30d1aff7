#!/bin/sh
# Comparisons and trends of catalogue indicators (issue 14 points 3 and 6) on the demo
# territory (fictional): a share and a crude rate given for 2022 and 2023 get, per
# territory, <key>_cmp_dep / _cmp_reg (-1, 0, 1 against the rest of the département /
# région), <key>_evol (2023 minus 2022) with <key>_evol_sig, in the GeoPackage with
# French aliases and in the HTML rows. Expected values are recomputed here with python
# and scipy from the input files only (the two-proportion z-test, the z-test on two
# Poisson rates), not with our code. A 2022 cell masked masks the change of its
# territory (and the flag), through the catalogue relation. With the 13 metropolitan
# régions loaded, <key>_cmp_fr against the rest of the area, checked the same way.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
D="$SRC/data/demo"
. "$(dirname "$0")/lib/tap.sh"
if [ ! -f "$D/communes.geojson" ]; then echo "1..0 # SKIP no demo data in $D"; exit 0; fi
if ! command -v sqlite3 > /dev/null; then echo "1..0 # SKIP sqlite3 not installed"; exit 0; fi
PY=
for p in python3 /usr/bin/python3; do
  if "$p" -c 'import scipy' 2> /dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then echo "1..0 # SKIP no python3 with scipy"; exit 0; fi
export CPTS_FIXED_TIME=2026-01-01T00:00:00Z
WS="$T/ws.sqlite"
"$CPTS" init "$WS" -q
"$CPTS" ingest communes "$WS" "$D/communes.geojson" -q; check "ingest demo communes" $?
"$CPTS" ingest population "$WS" "$D/population.csv" -q; check "ingest demo population" $?
"$CPTS" ingest partition "$WS" "$D/partition.csv" --name cpts -q; check "ingest demo partition" $?

cat > "$T/cat.csv" <<'CSV'
key;label;block;type;unit;decimals;multiplier;sensitive;source
vacc_t;Vaccination de test;Prévention;share;%;1;100;oui;vacc
hosp_t;Hospitalisations de test;Accès aux soins;crude_rate;p. 1 000 hab.;1;1000;oui;hosp
pop_v;Population (recensement);Population et territoire;count;hab.;0;1;non;popv
CSV
# per commune: the share and the rate depend on the territory (its rank in the
# partition file) and on the year; commune 99004's 2022 vaccination cell is masked
$PY - "$D/partition.csv" "$T/ind.csv" <<'PYEOF'
import sys
part = [l.rstrip('\n').split(';') for l in open(sys.argv[1], encoding='utf-8')][1:]
terrs = sorted(set(t for _, t, *_ in part))
with open(sys.argv[2], 'w') as f:
    f.write('indicateur;code_commune;numerateur;denominateur;annee\n')
    for code, t, *_ in part:
        r = terrs.index(t)
        n = 300 + int(code) % 500
        for y in (2022, 2023):
            p = 0.30 + 0.04 * r + (0.03 if y == 2023 and r % 2 else 0)
            x = int(p * n)
            cell = 's' if (code == '99004' and y == 2022) else str(x)
            f.write(f'vacc;{code};{cell};{n};{y}\n')
            h = int((0.010 + 0.004 * r + (0.004 if y == 2023 and r >= 3 else 0)) * n * 10)
            f.write(f'hosp;{code};{h};{n * 10};{y}\n')
        # two population vintages (public counts)
        f.write(f'popv;{code};{1000 + int(code) % 700};;2015\n')
        f.write(f'popv;{code};{1000 + int(code) % 700 + (int(code) % 7) * 9 - 20};;2021\n')
PYEOF
check "make the indicators file" $?
"$CPTS" ingest indicators "$WS" "$T/ind.csv" -q; check "ingest indicators (two years)" $?
"$CPTS" profile -q "$WS" --partition cpts --catalogue "$T/cat.csv" --no-table
check "profile with the user catalogue" $?
"$CPTS" export -q "$WS" --partition cpts --catalogue "$T/cat.csv" --gpkg "$T/o.gpkg" \
  --html "$T/html"; check "export" $?

# the independent computation, one line per territory:
# terr vacc_cmp hosp_cmp vacc_evol vacc_evol_sig hosp_evol hosp_evol_sig masked
$PY - "$D/partition.csv" "$T/ind.csv" > "$T/want" <<'PYEOF'
import sys, math
from scipy.stats import norm
part = {l.split(';')[0]: l.rstrip('\n').split(';')[1]
        for l in list(open(sys.argv[1], encoding='utf-8'))[1:]}
cells = {}
for l in list(open(sys.argv[2]))[1:]:
    ind, code, x, n, y = l.strip().split(';')
    if ind == 'popv': continue
    cells.setdefault((ind, part[code], int(y)), []).append((x, float(n)))
def sums(ind, t, y, rest=False):
    x = n = m = 0
    for (i, tt, yy), v in cells.items():
        if i == ind and yy == y and ((tt != t) if rest else (tt == t)):
            for a, b in v:
                if a == 's': m += 1
                else: x += float(a); n += b
    return x, n, m
def flag(p, d): return 0 if p >= 0.05 else (1 if d > 0 else -1)
def prop(a, b):  # two-proportion z-test, pooled
    (x1, n1, _), (x2, n2, _) = a, b
    p = (x1 + x2) / (n1 + n2); se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    d = x1 / n1 - x2 / n2
    return flag(2 * norm.sf(abs(d) / se), d), 100 * d
def rate(a, b):  # z-test on the difference of two Poisson rates (x 1000)
    (x1, n1, _), (x2, n2, _) = a, b
    d = 1000 * (x1 / n1 - x2 / n2); se = 1000 * math.sqrt(x1 / n1**2 + x2 / n2**2)
    return flag(2 * norm.sf(abs(d) / se), d), d
for t in sorted(set(part.values())):
    vc, _ = prop(sums('vacc', t, 2023), sums('vacc', t, 2023, True))
    hc, _ = rate(sums('hosp', t, 2023), sums('hosp', t, 2023, True))
    vs, ve = prop(sums('vacc', t, 2023), sums('vacc', t, 2022))
    hs, he = rate(sums('hosp', t, 2023), sums('hosp', t, 2022))
    masked = sums('vacc', t, 2022)[2] > 0
    print(f'{t}|{vc}|{hc}|{ve:.6f}|{vs}|{he:.6f}|{hs}|{int(masked)}')
PYEOF
check "independent computation" $?
sqlite3 "$T/o.gpkg" "SELECT territoire, vacc_t_cmp_dep, hosp_t_cmp_dep,
  CASE WHEN vacc_t_evol IS NULL THEN '' ELSE printf('%.6f', vacc_t_evol) END, coalesce(vacc_t_evol_sig, ''),
  printf('%.6f', hosp_t_evol), hosp_t_evol_sig, vacc_t_evol_masque
  FROM territoires ORDER BY territoire" > "$T/got"
# a masked change is NULL: the want file has its value, blank it there
awk -F'|' 'BEGIN { OFS = "|" } $8 == 1 { $4 = ""; $5 = "" } { print }' "$T/want" > "$T/want2"
diff "$T/want2" "$T/got" > "$T/diff"; check "flags and changes of the 5 territories = python/scipy ($(cat "$T/diff" | tr '\n' ' '))" $?
[ "$(cut -d'|' -f2,3,5,7 "$T/got" | tr '|\n' '  ' | grep -o -- '-1\|1' | wc -l)" -ge 4 ]
check "the data give significant flags (not all 0)" $?
[ "$(sqlite3 "$T/o.gpkg" "SELECT count(*) FROM territoires WHERE vacc_t_cmp_dep IS NOT vacc_t_cmp_reg")" = 0 ]
check "one département = one région in the demo: the same flags" $?
[ "$(sqlite3 "$T/o.gpkg" "SELECT count(*) FROM territoires WHERE vacc_t_cmp_fr IS NOT NULL")" = 0 ]
check "the demo is not France: _cmp_fr NULL" $?
[ "$(sqlite3 "$T/o.gpkg" "SELECT name FROM gpkg_data_columns WHERE table_name = 'territoires'
  AND column_name = 'vacc_t_cmp_dep'")" = "Vaccination de test : comparaison au reste du département (-1 inférieur, 0 non significatif, 1 supérieur)" ]
check "the flag has its French alias" $?
sqlite3 "$T/o.gpkg" "SELECT type FROM pragma_table_info('territoires') WHERE name = 'vacc_t_cmp_dep'" | grep -q INT &&
  [ "$(sqlite3 "$T/o.gpkg" "SELECT count(*) FROM pragma_table_info('territoires') WHERE name = 'vacc_t_cmp_dep_min'")" = 0 ]
check "the flag is an integer field, with a _masque companion but no bounds" $?
MT=$(awk -F';' '$1 == "99004" { print $2 }' "$D/partition.csv")
[ "$(sqlite3 "$T/o.gpkg" "SELECT vacc_t_evol_masque || '|' || coalesce(vacc_t_evol, 'NULL')
  FROM territoires WHERE territoire = '$MT'")" = "1|NULL" ]
check "the change over a masked 2022 cell is masked" $?
PAGE=$(grep -l "<h1>$MT</h1>" "$T/html"/*.html | head -1)
grep -q "Comparaison à la région" "$PAGE" && grep -q "Évolution" "$PAGE"
check "the HTML table has the région comparison and the change" $?
OTHER=$(sed -n 1p "$T/got" | cut -d'|' -f1)
PAGE=$(grep -l "<h1>$OTHER</h1>" "$T/html"/*.html | head -1)
WANT=$(sed -n 1p "$T/got" | cut -d'|' -f3 | sed 's/^-1$/significativement inférieur/; s/^1$/significativement supérieur/; s/^0$/non significatif/')
grep "Hospitalisations de test" "$PAGE" | grep -q "<td>$WANT</td>"
check "the HTML row of the rate shows the département comparison ($WANT)" $?

# population change between the two vintages: sums per territory from the input file
$PY - "$D/partition.csv" "$T/ind.csv" > "$T/wantp" <<'PYEOF'
import sys
part = {l.split(';')[0]: l.rstrip('\n').split(';')[1]
        for l in list(open(sys.argv[1], encoding='utf-8'))[1:]}
s = {}
for l in list(open(sys.argv[2]))[1:]:
    ind, code, x, n, y = l.strip().split(';')
    if ind == 'popv':
        k = (part[code], int(y)); s[k] = s.get(k, 0) + int(x)
for t in sorted(set(part.values())):
    a, b = s[(t, 2015)], s[(t, 2021)]
    print(f'{t}|{b}|{a}|{b - a}|{100 * (b / a - 1):.6f}')
PYEOF
sqlite3 "$T/o.gpkg" "SELECT territoire, pop_v, pop_v_prec, printf('%.0f', pop_v_evol), printf('%.6f', pop_v_evol_pct)
  FROM territoires ORDER BY territoire" > "$T/gotp"
diff "$T/wantp" "$T/gotp" > "$T/diff"; check "population change 2015-2021 per territory = python ($(tr '\n' ' ' < "$T/diff"))" $?
[ "$(sqlite3 "$T/o.gpkg" "SELECT count(*) FROM pragma_table_info('territoires') WHERE name = 'pop_v_evol_masque'")" = 0 ]
check "population vintages are public: no masking companion" $?

# comparison with France: once the 13 metropolitan régions are loaded (here 13 demo
# communes moved into them, their département unchanged) the territories get
# <key>_cmp_fr, the territory against the rest of the whole area: in the demo, whose
# communes are one département, the same sets as the python flags against the rest of
# the département above
cp "$WS" "$T/fr.sqlite"
sqlite3 "$T/fr.sqlite" "UPDATE communes SET reg = CASE (SELECT count(*) FROM communes c2
  WHERE c2.code < communes.code) WHEN 0 THEN '11' WHEN 1 THEN '24' WHEN 2 THEN '27'
  WHEN 3 THEN '28' WHEN 4 THEN '32' WHEN 5 THEN '44' WHEN 6 THEN '52' WHEN 7 THEN '53'
  WHEN 8 THEN '75' WHEN 9 THEN '76' WHEN 10 THEN '84' WHEN 11 THEN '93' WHEN 12 THEN '94'
  ELSE reg END"
[ "$(sqlite3 "$T/fr.sqlite" "SELECT count(DISTINCT reg) FROM communes")" = 14 ]
check "13 metropolitan régions loaded (and the demo's own)" $?
"$CPTS" profile -q "$T/fr.sqlite" --partition cpts --catalogue "$T/cat.csv" --no-table
check "profile with every metropolitan région" $?
sqlite3 "$T/fr.sqlite" "SELECT v.territory, printf('%d', v.value), printf('%d', h.value)
  FROM profile_values v JOIN profile_values h ON h.partition = v.partition AND
  h.territory = v.territory AND h.level = v.level AND h.level_code = v.level_code
  WHERE v.partition = 'cpts' AND v.level = 'territoire' AND v.indicator = 'vacc_t_cmp_fr'
  AND h.indicator = 'hosp_t_cmp_fr' ORDER BY v.territory" > "$T/gotfr"
cut -d'|' -f1-3 "$T/want" > "$T/wantfr"
[ -s "$T/gotfr" ] && diff "$T/wantfr" "$T/gotfr" > "$T/diff"
check "_cmp_fr of the share and the rate = python/scipy against the rest of the area ($(tr '\n' ' ' < "$T/diff"))" $?
tap_done
