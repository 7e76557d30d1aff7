#!/bin/sh
# Known zeros and masked cells of catalogue indicators (generic.c), on the demo
# communes and partition (fictional) with a hand-made indicators file:
#  - a territory whose cells are all 0 gets 0 (count), 0 with its Wilson interval
#    (share 0/n: upper bound z^2 / (n + z^2)) and 0 with its Garwood interval (rate
#    with 0 events: upper bound -ln(0.025) / den) in the workspace, the sensitive ones
#    masked in the export (zeros are masked like 1 to 10), while a territory without
#    cells gets no value (regression: all-zero units had no value);
#  - a share, a dsr and an isr over a masked cell (1 to 10) are published without a
#    point, as the range the masked cell allows (regression: the workspace held a point
#    outside that range, and the dsr had no range at all). The bounds are computed by
#    hand in the comments below and by awk here, not with our code.
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
key;label;block;type;unit;decimals;multiplier;sensitive;standard;interval;source
zc;Structures de test;Bloc de test;count;structures;0;1;non;;non;zdat_c
zs;Part de test;Bloc de test;share;%;1;100;oui;;oui;zdat_s
zr;Taux de test;Bloc de test;crude_rate;pour 1 000;2;1000;oui;;oui;zdat_r
zd;Taux standardisé de test;Bloc de test;dsr;pour 100 000;1;100000;oui;esp2013;oui;zdat_d
zi;Indice standardisé de test;Bloc de test;isr;;1;100;oui;;oui;zdat_d
CSV
T1=$(sqlite3 "$WS" "SELECT DISTINCT territory FROM partition_members WHERE partition = 'cpts'
  ORDER BY territory LIMIT 1")
T2=$(sqlite3 "$WS" "SELECT DISTINCT territory FROM partition_members WHERE partition = 'cpts'
  ORDER BY territory LIMIT 1 OFFSET 1")
set -- $(sqlite3 "$WS" "SELECT code FROM partition_members WHERE partition = 'cpts'
  AND territory = '$T1' ORDER BY code LIMIT 2")
A=$1; B=$2
sqlite3 "$WS" "SELECT code FROM partition_members WHERE partition = 'cpts'
  AND territory = '$T2' ORDER BY code" > "$T/t2"
K=$(wc -l < "$T/t2")
# T2: every commune 0 structures, 0 of 100 (share), 0 events over 1000 (rate).
# T1, communes A and B only:
#   share: A 50 / 200, B masked / 100: (50 + m) / 300, m in 1..10 -> [17 %, 20 %]
#   dsr, esp2013 weights 00-44: 54,000, 45+: 46,000 (of 100,000):
#     00-44: A 20 / 10,000, B masked / 2,000 -> (20 + m) / 12,000
#     45+:   A 80 / 5,000,  B 30 / 3,000     -> 110 / 8,000
#     1e5 x (0.54 (20 + m) / 12,000 + 0.46 x 110 / 8,000) = 4.5 (20 + m) + 632.5
#     -> [727.0, 767.5]
#   isr over the same cells, rates of the whole area (known cells: A and B only):
#     00-44 20 / 10,000 = 0.002, 45+ 110 / 8,000 = 0.01375; E = 12,000 x 0.002 +
#     8,000 x 0.01375 = 134, O = 130 + m -> [100 x 131 / 134, 100 x 140 / 134]
{
  echo "indicateur;code_commune;sexe;classe_age;annee;numerateur;denominateur"
  while read -r c; do
    echo "zdat_c;$c;T;ALL;2023;0;"
    echo "zdat_s;$c;T;ALL;2023;0;100"
    echo "zdat_r;$c;T;ALL;2023;0;1000"
  done < "$T/t2"
  echo "zdat_s;$A;T;ALL;2023;50;200"
  echo "zdat_s;$B;T;ALL;2023;<11;100"
  echo "zdat_d;$A;T;00-44;2023;20;10000"
  echo "zdat_d;$A;T;45+;2023;80;5000"
  echo "zdat_d;$B;T;00-44;2023;<11;2000"
  echo "zdat_d;$B;T;45+;2023;30;3000"
} > "$T/ind.csv"
"$CPTS" ingest indicators "$WS" "$T/ind.csv" -q; check "ingest indicators" $?
"$CPTS" profile -q "$WS" --partition cpts --catalogue "$T/cat.csv" --no-table
check "profile with the test catalogue" $?
"$CPTS" export -q "$WS" --partition cpts --catalogue "$T/cat.csv" --gpkg "$T/o.gpkg" \
  --html "$T/html"; check "export" $?
q() { sqlite3 "$T/o.gpkg" "SELECT $1 FROM territoires WHERE territoire = '$2'"; }

# 1. zeros
[ "$(q "typeof(zc) || ' ' || zc" "$T2")" = "integer 0" ]
check "a territory whose count cells are all 0 gets 0 (got '$(q zc "$T2")')" $?
[ "$(q "zc IS NULL" "$T1")" = 1 ]; check "a territory without cells gets no value" $?
N=$((100 * K)); DR=$((1000 * K))
# the workspace keeps the exact 0 and its interval; the export masks the sensitive
# share and rate with their 0 numerator ('< 11' covers 0 to 10: zeros are masked too)
w() { sqlite3 "$WS" "SELECT printf('%.6f %.6f %.6f', value, lo, hi) FROM profile_values
  WHERE level = 'territoire' AND level_code = territory AND territory = '$2' AND indicator = '$1'"; }
EXP=$(awk -v n="$N" 'BEGIN { z = 1.959963984540054; printf "0.000000 0.000000 %.6f", 100 * z * z / (n + z * z) }')
GOT=$(w zs "$T2")
[ "$GOT" = "$EXP" ]; check "share 0/$N: 0 with its Wilson interval in the workspace (got '$GOT', want '$EXP')" $?
EXP=$(awk -v d="$DR" 'BEGIN { printf "0.000000 0.000000 %.6f", 1000 * -log(0.025) / d }')
GOT=$(w zr "$T2")
[ "$GOT" = "$EXP" ]; check "rate 0 events / $DR: 0 with its Garwood interval in the workspace (got '$GOT', want '$EXP')" $?
[ "$(q "zs_num_masque || zs_masque || zr_masque || ifnull(zs_num, 'n') || ifnull(zs, 'n') || ifnull(zr, 'n')" "$T2")" = 111nnn ]
check "the share, its numerator 0 and the rate are masked in the export (zeros are masked like 1-10)" $?
NC=$(sqlite3 "$T/o.gpkg" "SELECT count(*) FROM communes WHERE zc = 0")
[ "$NC" -eq "$K" ]; check "the $K communes of the territory carry 0 (got $NC)" $?
PAGE2=$(grep -l "<h1>$T2</h1>" "$T/html"/*.html | head -1)
grep -q "<th>Structures de test</th><td class=\"n\">0</td>" "$PAGE2"
check "the HTML row of the count shows 0" $?

# 2, 3. masked cells: range only, no point, in the workspace and every output
rng() { # key, want "lo hi"
  got=$(q "printf('%d %.6f %.6f', $1_masque, $1_min, $1_max) || ' ' || ifnull($1, 'null')" "$T1")
  [ "$got" = "1 $2 null" ]; check "$1 over the masked cell: masked, range only (got '$got', want '1 $2 null')" $?
  got=$(sqlite3 "$WS" "SELECT ifnull(value, 'null') || printf(' %.6f %.6f', lo, hi) FROM profile_values
    WHERE level = 'territoire' AND level_code = '$T1' AND indicator = '$1'")
  [ "$got" = "null $2" ]; check "$1: the workspace holds no point, the same range (got '$got')" $?
}
rng zs "17.000000 20.000000"
rng zd "727.000000 767.500000"
rng zi "$(awk 'BEGIN { printf "%.6f %.6f", 100 * 131 / 134, 100 * 140 / 134 }')"
PAGE1=$(grep -l "<h1>$T1</h1>" "$T/html"/*.html | head -1)
grep -q "<th>Part de test</th><td class=\"n\"><span class=\"masked\"[^>]*>entre 17,0[^<]* et 20,0[^<]*<" "$PAGE1"
check "the HTML row of the share shows only the range" $?
grep -q "<th>Taux standardisé de test[^/]*</span></th><td class=\"n\"><span class=\"masked\"[^>]*>entre 727,0 et 767,5<" "$PAGE1"
check "the HTML row of the dsr shows only the range" $?
# a catalogue too large for one table: exit 3 naming the layer (was an assertion at 512)
{ head -n 1 "$T/cat.csv"; i=0; while [ $i -lt 150 ]; do
    echo "big$i;Grand $i;Bloc de test;share;%;1;100;oui;;oui;zdat_s"; i=$((i + 1)); done
} > "$T/big.csv"
"$CPTS" export -q "$WS" --partition cpts --catalogue "$T/big.csv" --gpkg "$T/big.gpkg" 2> "$T/err"
rc=$?
[ $rc -eq 3 ] && grep -q "layer '[a-z]*' would have [0-9]* fields, more than the 1990" "$T/err" &&
  [ ! -e "$T/big.gpkg" ]
check "a catalogue of 150 more ratio rows: exit 3 naming the layer, no file (rc $rc: $(cat "$T/err"))" $?
tap_done
