#!/bin/sh
# The indicator catalogue end to end on the demo territory (fictional): a user-defined
# indicator (a catalogue row plus an indicators file, no code) is computed by
# `cpts profile --catalogue`, and appears in the GeoPackage (value, 95 % interval,
# masking companions, French alias) and in the HTML page (its block, interval,
# comparison with the département). The expected share and its Wilson interval are
# recomputed here with sqlite3 and awk from the input file, not with our code; so is a
# dsr standardised on the ingested area (standard `area`). Bad
# catalogue rows and bad indicator cells exit 3 naming file, line and field.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
D="$SRC/data/demo"
. "$(dirname "$0")/lib/tap.sh"
if [ ! -f "$D/communes.geojson" ]; then echo "1..0 # SKIP no demo data in $D"; exit 0; fi
if ! command -v sqlite3 > /dev/null; then echo "1..0 # SKIP sqlite3 not installed"; exit 0; fi
export CPTS_FIXED_TIME=2026-01-01T00:00:00Z
WS="$T/ws.sqlite"
"$CPTS" init "$WS" -q
"$CPTS" ingest communes "$WS" "$D/communes.geojson" -q; check "ingest demo communes" $?
"$CPTS" ingest population "$WS" "$D/population.csv" -q; check "ingest demo population" $?
"$CPTS" ingest partition "$WS" "$D/partition.csv" --name cpts -q; check "ingest demo partition" $?

cat > "$T/cat.csv" <<'CSV'
key;label;block;type;unit;decimals;multiplier;sensitive;source
vaccin_test;Vaccination de test des 65 ans ou plus;Prévention;share;%;1;100;oui;vacc
depist_test;Dépistage de test;Prévention;share;%;1;100;oui;depist
conso_test;Consultations de test par habitant;Prévention;mean;par habitant;2;1;oui;conso
CSV
# one cell per commune: n = 100 + (code mod 200), x = 40 % of n, in 2023 (the year
# used) and a masked 2019 cell (ignored); depist: the same with commune 99001 masked
awk -F';' 'NR > 1 { print $1 }' "$D/population.csv" | sort -u | awk '
  BEGIN { print "indicateur;code_commune;numerateur;denominateur;annee" }
  { n = 100 + ($1 % 200); x = int(0.4 * n);
    print "vacc;" $1 ";" x ";" n ";2023"; print "vacc;" $1 ";s;" n ";2019";
    if ($1 == "99001") print "depist;" $1 ";<11;" n ";2023"; else print "depist;" $1 ";" x ";" n ";2023";
    print "conso;" $1 ";" 3 * n + ($1 % 7) ";" n ";2023" }' > "$T/ind.csv"
"$CPTS" ingest indicators "$WS" "$T/ind.csv" -q; check "ingest indicators" $?
[ "$(sqlite3 "$WS" "SELECT count(*) FROM indicator_data WHERE masked = 1 AND indicator = 'depist'")" = "1" ]
check "the masked cell is stored as masked" $?
"$CPTS" profile -q "$WS" --partition cpts --catalogue "$T/cat.csv" --no-table
check "profile with the user catalogue" $?

# a territory: expected share and Wilson interval
TERR=$(sqlite3 "$WS" "SELECT territory FROM partition_members WHERE partition = 'cpts'
  ORDER BY territory LIMIT 1")
set -- $(sqlite3 -separator ' ' "$WS" "SELECT sum(i.num), sum(i.den) FROM indicator_data i
  JOIN partition_members p ON p.code = i.code AND p.partition = 'cpts'
  WHERE p.territory = '$TERR' AND i.indicator = 'vacc' AND i.year = 2023")
X=$1; N=$2
EXP=$(awk -v x="$X" -v n="$N" 'BEGIN { z = 1.959963984540054; p = x / n; d = 1 + z*z/n;
  c = (p + z*z/(2*n)) / d; h = z * sqrt(p*(1-p)/n + z*z/(4*n*n)) / d;
  printf "%.6f %.6f %.6f", 100*p, 100*(c-h), 100*(c+h) }')
"$CPTS" export -q "$WS" --partition cpts --catalogue "$T/cat.csv" --gpkg "$T/o.gpkg" \
  --html "$T/html"; check "export with the user catalogue" $?
GOT=$(sqlite3 "$T/o.gpkg" "SELECT printf('%.6f %.6f %.6f', vaccin_test, vaccin_test_ic_bas,
  vaccin_test_ic_haut) FROM territoires WHERE territoire = '$TERR'")
[ "$GOT" = "$EXP" ]; check "GeoPackage share and Wilson interval (got '$GOT', want '$EXP')" $?
# the mean (a ratio of sums) and its exact Poisson (Garwood) interval on the summed
# numerator, computed apart with scipy from the raw cells
if /usr/bin/python3 -c "import scipy" 2> /dev/null; then
  set -- $(sqlite3 -separator ' ' "$WS" "SELECT sum(i.num), sum(i.den) FROM indicator_data i
    JOIN partition_members p ON p.code = i.code AND p.partition = 'cpts'
    WHERE p.territory = '$TERR' AND i.indicator = 'conso' AND i.year = 2023")
  GOTM=$(sqlite3 -separator ' ' "$T/o.gpkg" "SELECT conso_test, conso_test_ic_bas, conso_test_ic_haut
    FROM territoires WHERE territoire = '$TERR'")
  /usr/bin/python3 - "$1" "$2" $GOTM <<'PY'
import sys
from scipy.stats import chi2
o, n, v, lo, hi = map(float, sys.argv[1:6])
want = (o / n, chi2.ppf(0.025, 2 * o) / 2 / n, chi2.ppf(0.975, 2 * o + 2) / 2 / n)
got = (v, lo, hi)
sys.exit(0 if o > 100 and all(abs(a - b) < 1e-6 for a, b in zip(got, want)) else 1)
PY
  check "GeoPackage mean and Garwood interval ($GOTM, from $1 / $2)" $?
else
  n=$((n+1)); echo "ok $n - GeoPackage mean and Garwood interval # SKIP no scipy in /usr/bin/python3"
fi
[ "$(sqlite3 "$T/o.gpkg" "SELECT name FROM gpkg_data_columns WHERE table_name = 'territoires'
  AND column_name = 'vaccin_test'")" = "Vaccination de test des 65 ans ou plus" ]
check "the field has its French alias" $?
[ "$(sqlite3 "$T/o.gpkg" "SELECT vaccin_test_num FROM territoires WHERE territoire = '$TERR'")" -eq "${X%.0}" ]
check "the numerator is published as a count" $?
MT=$(sqlite3 "$WS" "SELECT DISTINCT territory FROM partition_members WHERE partition = 'cpts' AND code = '99001'")
[ "$(sqlite3 "$T/o.gpkg" "SELECT depist_test_masque FROM territoires WHERE territoire = '$MT'")" = "1" ]
check "the territory with the masked cell is masked" $?
PAGE=$(grep -l "<h1>$TERR</h1>" "$T/html"/*.html | head -1)
grep -q "<h2>Prévention</h2>" "$PAGE"; check "the HTML page has the Prévention block" $?
V=$(echo "$EXP" | awk '{ v = sprintf("%.1f", $1); sub(/\./, ",", v); print v }')
grep -q "Vaccination de test des 65 ans ou plus.*$V" "$PAGE"
check "the HTML row shows the value $V in French format" $?
grep -q "Comparaison au département" "$PAGE" &&
  grep -Eq "Vaccination de test.*<td>(significativement (supérieur|inférieur)|non significatif)</td>" "$PAGE"
check "the HTML row compares with the département" $?

# a dsr standardised on the whole ingested area (standard `area`): the weight of a
# stratum is the area's denominator in it, so the area's own rate is its crude rate and
# a territory's is sum_s w_s x_ts / n_ts / sum_s w_s, computed here with awk
cat > "$T/cat_std.csv" <<'CSV'
key;label;block;type;unit;decimals;multiplier;sensitive;standard;source
std_test;Taux standardisé de test (population de la zone);État de santé;dsr;pour 100 000;1;100000;oui;area;stdz
CSV
awk -F';' 'NR > 1 { print $1 }' "$D/population.csv" | sort -u | awk '
  BEGIN { print "indicateur;code_commune;numerateur;denominateur;sexe;classe_age;annee" }
  { split("F;F;M;M", sx, ";"); split("00-44;45+;00-44;45+", ag, ";");
    for (k = 1; k <= 4; k++) { n = 1000 + ($1 % 50) * 20 + 300 * k; x = 11 + ($1 % 13) + 7 * k * (k % 3);
      print "stdz;" $1 ";" x ";" n ";" sx[k] ";" ag[k] ";2023" } }' > "$T/std.csv"
cp "$WS" "$T/std.sqlite"
"$CPTS" ingest indicators "$T/std.sqlite" "$T/std.csv" -q &&
  "$CPTS" profile -q "$T/std.sqlite" --partition cpts --catalogue "$T/cat_std.csv" --no-table
check "profile a dsr on the standard 'area'" $?
awk -F';' 'FNR == 1 { next } FILENAME == ARGV[1] { t[$1] = $2; next }
  { s = $5 "|" $6; w[s] += $4; X += $3; N += $4 }
  ($2 in t) { x[t[$2] "|" s] += $3; n[t[$2] "|" s] += $4; T[t[$2]] = 1 }
  END { for (tt in T) { a = b = 0; for (s in w) { a += w[s] * x[tt "|" s] / n[tt "|" s]; b += w[s] }
          printf "%s|%.6f\n", tt, 1e5 * a / b }
        printf "ALL|%.6f\n", 1e5 * X / N }' "$D/partition.csv" "$T/std.csv" | sort > "$T/want_std"
sqlite3 "$T/std.sqlite" "SELECT DISTINCT level_code, printf('%.6f', value) FROM profile_values
  WHERE partition = 'cpts' AND indicator = 'std_test' AND level IN ('territoire', 'ensemble')
  ORDER BY 1" > "$T/got_std"
[ "$(wc -l < "$T/want_std")" -ge 3 ] && diff "$T/want_std" "$T/got_std" > "$T/diff"
check "dsr on the area's standard: territories and the area (its crude rate) = awk ($(tr '\n' ' ' < "$T/diff"))" $?

# bad catalogue and bad cells: exit 3, file, line and field named
printf 'key;label;type\nvaccin_test;Vaccination;ratio\n' > "$T/bad.csv"
"$CPTS" profile -q "$WS" --partition cpts --catalogue "$T/bad.csv" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "bad.csv" "$T/err" && grep -q "line 2" "$T/err" && grep -q "field 'type'" "$T/err"
check "a bad catalogue row exits 3 naming file, line, field (rc $rc: $(cat "$T/err"))" $?
printf 'indicateur;code_commune;numerateur\nvacc;99001;douze\n' > "$T/badind.csv"
"$CPTS" ingest indicators "$WS" "$T/badind.csv" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "badind.csv, line 2, field 'numerateur'" "$T/err"
check "a bad indicator cell exits 3 naming file, line, field (rc $rc)" $?
printf 'indicateur;code_commune;numerateur\nvacc;12345;3\n' > "$T/badind.csv"
"$CPTS" ingest indicators "$WS" "$T/badind.csv" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "field 'code_commune'" "$T/err"
check "an unknown commune exits 3 (rc $rc)" $?
tap_done
