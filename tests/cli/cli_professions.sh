#!/bin/sh
# Every profession of the supply table (issue 14 point 4): headcount, FTE, density per
# 10,000, share aged 60+ and APL of nurses, physiotherapists, midwives, dentists and
# pharmacists, per territory, recomputed here with sqlite3 from the ingested table;
# the BPE's codes (NB_D232 ...) and the RPPS labels as written there (capitals, accents,
# hyphens: "Masseur-Kinésithérapeute") are recognised as the profession; the report's
# supply section shows them, and its method note says between which points the APL's
# distances are taken (issue 14 point 9); the age groups 0-14 ... 75+ and the ageing
# index.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
D="$SRC/data/demo"
. "$(dirname "$0")/lib/tap.sh"
if [ ! -f "$D/communes.geojson" ]; then echo "1..0 # SKIP no demo data in $D"; exit 0; fi
if ! command -v sqlite3 > /dev/null; then echo "1..0 # SKIP sqlite3 not installed"; exit 0; fi
export CPTS_FIXED_TIME=2026-01-01T00:00:00Z
WS="$T/ws.sqlite"
"$CPTS" init "$WS" -q
for k in communes population supply; do
  "$CPTS" ingest $k "$WS" "$D/$k.$( [ $k = communes ] && echo geojson || echo csv)" -q
  check "ingest demo $k" $?
done
"$CPTS" ingest partition "$WS" "$D/partition.csv" --name cpts -q; check "ingest demo partition" $?
"$CPTS" profile -q "$WS" --partition cpts --no-table; check "profile" $?
TERR=$(sqlite3 "$WS" "SELECT territory FROM partition_members WHERE partition = 'cpts' ORDER BY territory LIMIT 1")
val() { sqlite3 "$WS" "SELECT printf('%.6f', value) FROM profile_values WHERE partition = 'cpts'
  AND level = 'territoire' AND territory = '$TERR' AND indicator = '$1'"; }
sq() { sqlite3 "$WS" "SELECT printf('%.6f', $1) FROM supply s JOIN partition_members m
  ON m.code = s.code AND m.partition = 'cpts' AND m.territory = '$TERR' WHERE s.profession = '$2'"; }
POP=$(sqlite3 "$WS" "SELECT sum(p.pop) FROM population p JOIN partition_members m ON m.code = p.code
  AND m.partition = 'cpts' AND m.territory = '$TERR'")
for pair in inf:infirmier mk:masseur_kinesitherapeute sf:sage_femme cd:chirurgien_dentiste ph:pharmacien; do
  k=${pair%%:*}; p=${pair#*:}
  [ "$(val ${k}_count)" = "$(sq 'sum(effectif)' $p)" ]
  check "$k headcount = sum of the $p rows ($(val ${k}_count))" $?
  [ "$(val ${k}_etp)" = "$(sq 'sum(etp)' $p)" ]
  check "$k FTE = sum of the $p rows ($(val ${k}_etp))" $?
  D10=$(sqlite3 "$WS" "SELECT printf('%.6f', $(sq 'sum(effectif)' $p) * 10000.0 / $POP)")
  [ "$(val ${k}_density)" = "$D10" ]; check "$k density per 10,000 ($D10)" $?
  [ "$(val ${k}_share_60p)" = "$(sq '100.0 * sum(age_60p) / sum(effectif)' $p)" ]
  check "$k share aged 60+" $?
done
# age groups of an ORS profile and the ageing index, recomputed in SQL
sp() { sqlite3 "$WS" "SELECT printf('%.6f', $1) FROM population p JOIN partition_members m
  ON m.code = p.code AND m.partition = 'cpts' AND m.territory = '$TERR'"; }
[ "$(val share_0_14)" = "$(sp "100.0 * sum(CASE WHEN p.age IN ('00-04','05-09','10-14') THEN p.pop END) / sum(p.pop)")" ]
check "share aged 0-14 ($(val share_0_14))" $?
[ "$(val share_60_74)" = "$(sp "100.0 * sum(CASE WHEN p.age IN ('60-64','65-69','70-74') THEN p.pop END) / sum(p.pop)")" ]
check "share aged 60-74" $?
[ "$(val share_15_29)" = "$(sp "100.0 * sum(CASE WHEN p.age IN ('15-19','20-24','25-29') THEN p.pop END) / sum(p.pop)")" ] &&
  [ "$(val share_30_44)" = "$(sp "100.0 * sum(CASE WHEN p.age IN ('30-34','35-39','40-44') THEN p.pop END) / sum(p.pop)")" ] &&
  [ "$(val share_45_59)" = "$(sp "100.0 * sum(CASE WHEN p.age IN ('45-49','50-54','55-59') THEN p.pop END) / sum(p.pop)")" ] &&
  [ "$(val share_75p)" = "$(sp "100.0 * sum(CASE WHEN p.age >= '75' THEN p.pop END) / sum(p.pop)")" ]
check "shares aged 15-29, 30-44, 45-59 and 75+ ($(val share_15_29) $(val share_30_44) $(val share_45_59) $(val share_75p))" $?
[ "$(val aging_index)" = "$(sp "100.0 * sum(CASE WHEN p.age >= '65' THEN p.pop END) / sum(CASE WHEN p.age < '20' THEN p.pop END)")" ]
check "ageing index 65+ per 100 under 20 ($(val aging_index))" $?
"$CPTS" export -q "$WS" --partition cpts --html "$T/html"; check "export" $?
PAGE=$(grep -l "<h1>$TERR</h1>" "$T/html"/*.html | head -1)
N=$(val inf_count | cut -d. -f1)
grep -q "Autres professions" "$PAGE" && grep -q "Infirmiers $N (" "$PAGE" &&
  grep -q "Masseurs-kinésithérapeutes" "$PAGE" && grep -q "indice de vieillissement" "$PAGE"
check "the report's supply section shows every profession" $?
grep -q "APL.*points représentatifs des communes" "$T/html/index.html"
check "the method note says the APL's distances are between the communes' representative points" $?
# RPPS labels as written in the RPPS extracts
MK=$(val mk_count); SF=$(val sf_count); CD=$(val cd_count)
sed 's/;masseur_kinesitherapeute;/;Masseur-Kinésithérapeute;/; s/;sage_femme;/;Sage-Femme;/;
  s/;chirurgien_dentiste;/;Chirurgien-Dentiste;/' "$D/supply.csv" > "$T/rpps.csv"
grep -q ";Masseur-Kinésithérapeute;" "$T/rpps.csv" && grep -q ";Sage-Femme;" "$T/rpps.csv"
check "supply file with RPPS labels made" $?
"$CPTS" ingest supply "$WS" "$T/rpps.csv" -q
"$CPTS" profile -q "$WS" --partition cpts --no-table
[ -n "$MK" ] && [ "$(val mk_count)" = "$MK" ] && [ "$(val sf_count)" = "$SF" ] &&
  [ "$(val cd_count)" = "$CD" ]
check "RPPS labels Masseur-Kinésithérapeute, Sage-Femme, Chirurgien-Dentiste count as their professions ($(val mk_count) $(val sf_count) $(val cd_count))" $?
# BPE codes
sed 's/;infirmier;/;NB_D232;/' "$D/supply.csv" > "$T/bpe.csv"
"$CPTS" ingest supply "$WS" "$T/bpe.csv" -q
INF=$(val inf_count)
"$CPTS" profile -q "$WS" --partition cpts --no-table
[ "$(val inf_count)" = "$INF" ] && [ -n "$INF" ]; check "the BPE code NB_D232 counts as infirmier ($(val inf_count))" $?
# APL per profession: with nurses placed exactly as the GPs (same FTE), the nurses' APL
# (FTE per 100,000) is the GPs' APL (consultations per inhabitant, supply = FTE x A)
# x 100,000 / A, A = 4973
awk -F';' 'NR == 1 { print; next } $2 == "medecin_generaliste" { print; $2 = "infirmier";
  print $1 ";" $2 ";" $3 ";" $4 ";" $5 }' OFS=';' "$D/supply.csv" > "$T/same.csv"
"$CPTS" ingest supply "$WS" "$T/same.csv" -q
"$CPTS" profile -q "$WS" --partition cpts --no-table
A=$(val apl); I=$(val inf_apl)
awk -v a="$A" -v i="$I" 'BEGIN { w = a * 100000 / 4973; d = i - w; if (d < 0) d = -d;
  exit !(a > 0 && d <= 1e-6 * w) }'
check "nurses placed as the GPs: APL x 100,000 / A = $I (GP APL $A)" $?
tap_done
