#!/bin/sh
# cpts export --format "ESRI Shapefile" (issue 16, point 8): a demo workspace in which
# one commune is renamed "Paimbœuf" ("œ" has no Latin-1 code); every layer gets a
# UTF-8 .cpg and keeps the name intact; field names hold 10 bytes, unique, and a value
# and its _masque/_min/_max (and ICC interval) companions share one prefix with the
# suffixes _m _n _x _b _h, as the champs.csv mapping written beside the layers says;
# each layer opens in QGIS styled from its .qml (aliases, rules, a map not blank).
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/gis.sh"
export CPTS_FIXED_TIME="2026-01-01T00:00:00Z"
D="$T/demo"; WS="$T/ws.sqlite"
"$CPTS" synth -q -n 120 -s 2026 -o "$D" && "$CPTS" init -q "$WS"; check "demo data" $?
first=$(grep -o '"nom":"[^"]*"' "$D/communes.geojson" | head -n 1 | cut -d'"' -f4)
sed "s/\"nom\":\"$first\"/\"nom\":\"Paimbœuf\"/" "$D/communes.geojson" > "$D/c.geojson"
"$CPTS" ingest communes -q "$WS" "$D/c.geojson" &&
  for k in population consumption mt supply flows partition; do
    "$CPTS" ingest $k -q "$WS" "$D/$k.csv" || exit 1
  done && "$CPTS" profile -q "$WS" --partition partition > /dev/null
check "workspace with a commune named Paimbœuf (was $first)" $?
S="$T/shp"
"$CPTS" export -q "$WS" --partition partition --gpkg "$S" --format "ESRI Shapefile" --flows-threshold 50 2> "$T/err"
check "Shapefile export exits 0" $?
ok=0
for l in communes territoires flux metadata; do
  [ "$(cat "$S/$l.cpg" 2>/dev/null)" = "UTF-8" ] || { echo "# $l.cpg: $(cat "$S/$l.cpg" 2>&1)"; ok=1; }
done
check "a UTF-8 .cpg for every layer" $ok
grep -q "Paimbœuf" "$S/communes.dbf"; check "the .dbf holds Paimbœuf in UTF-8 bytes" $?
ogrinfo -ro "$S/communes.shp" -sql "SELECT nom FROM communes WHERE nom = 'Paimbœuf'" | grep -q "nom (String) = Paimbœuf"
check "GDAL reads Paimbœuf back intact" $?
M="$S/champs.csv"
[ "$(head -n 1 "$M")" = "couche;champ;champ_court;alias" ]; check "champs.csv written beside the layers" $?
for l in communes territoires flux metadata; do
  ogrinfo -ro -so "$S/$l.dbf" "$l" 2>/dev/null | sed -n 's/^\([A-Za-z0-9_]*\): [A-Za-z0-9]* (.*$/\1/p' > "$T/dbf_$l"
  awk -F';' -v l=$l 'NR > 1 && $1 == l {print $3}' "$M" > "$T/map_$l"
  cmp -s "$T/dbf_$l" "$T/map_$l"; check "$l: the mapping lists the .dbf fields in order ($(wc -l < "$T/dbf_$l") fields)" $?
  [ -z "$(awk 'length($0) > 10' "$T/dbf_$l")" ] && [ -z "$(sort "$T/dbf_$l" | uniq -d)" ]
  check "$l: names of at most 10 bytes, unique" $?
done
# every companion = the short name of its value (cut to 8) + _ + its letter
bad=$(awk -F';' 'NR > 1 { short[$1 ";" $2] = $3; row[NR] = $0 }
  END { for (r in row) { split(row[r], f, ";"); n = f[2]; s = f[3]; suf = ""
      if (n ~ /_masque$/) { v = substr(n, 1, length(n) - 7); suf = "m" }
      else if (n ~ /_min$/) { v = substr(n, 1, length(n) - 4); suf = "n" }
      else if (n ~ /_max$/) { v = substr(n, 1, length(n) - 4); suf = "x" }
      else if (n ~ /_ic_bas$/) { v = substr(n, 1, length(n) - 7); suf = "b" }
      else if (n ~ /_ic_haut$/) { v = substr(n, 1, length(n) - 8); suf = "h" }
      if (suf == "") continue
      if (!((f[1] ";" v) in short) || s != short[f[1] ";" v] "_" suf) print n } }' "$M")
[ -z "$bad" ]; check "a value and its companions share a prefix (_m _n _x _b _h)${bad:+ (not: $bad)}" $?
grep -q "^communes;mt_ald_sans_mt_masque;mtaldsan_m;" "$M" && grep -q "^communes;icc_ic_haut;icc_h;" "$M"
check "mapping examples: mt_ald_sans_mt_masque -> mtaldsan_m, icc_ic_haut -> icc_h" $?
n_mask=$(awk -F';' '$2 ~ /_masque$/' "$M" | wc -l)
[ "$n_mask" -gt 20 ]; check "companions mapped ($n_mask flags)" $?
v=$(ogrinfo -ro "$S/communes.shp" -sql "SELECT count(*) AS c FROM communes WHERE mtsansmt_m = 1" | sed -n 's/^ *c (Integer) = //p')
g=$("$CPTS" export -q "$WS" --partition partition --gpkg "$T/o.gpkg" 2>/dev/null &&
  ogrinfo -ro "$T/o.gpkg" -sql "SELECT count(*) AS c FROM communes WHERE mt_sans_mt_masque = 1" | sed -n 's/^ *c (Integer) = //p')
[ -n "$v" ] && [ "$v" = "$g" ]; check "the Shapefile's masked flags are the GeoPackage's ($v, $g)" $?
if gis_has_qgis; then
  mkdir -p -m 700 "$T/xdg"
  for l in communes territoires flux; do
    XDG_RUNTIME_DIR="$T/xdg" QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$SRC/tests/gis/qgis_check.py" \
      "$S/$l.shp" > "$T/q_$l" 2>/dev/null
    awk -F'\t' '$1 == "layer" && $3 == "valid=1" && $5 == "renderer=RuleRenderer" && $6 == "style=1" {
      split($7, a, "="); split($10, f, "="); split($8, p, "=")
      if (a[2] == f[2] && p[2] > 400) ok = 1 } END { exit !ok }' "$T/q_$l"
    check "QGIS opens $l.shp styled from $l.qml (aliases on every field, map not blank)" $?
  done
  grep -q "$(printf 'alias\tcommunes\tmtaldsan_m\tPatients en ALD sans médecin traitant (masqué)')" "$T/q_communes"
  check "QGIS shows the French alias of a short name" $?
else
  skip "QGIS opens the shapefiles styled" "QGIS python bindings not installed (python3-qgis)"
fi
tap_done
