#!/bin/sh
# Implausible coordinates (issue 12, item 7): a longitude of 1e300 in a geographic layer,
# an x of 1e12 m in a Lambert-93 layer are refused with exit 3, naming the file, the
# feature (fid and commune) and the range; --skip-failures skips them (exit 1) and the
# areas stored are finite; every page of an export is valid UTF-8.
CPTS="$1"
. "$(dirname "$0")/lib/tap.sh"
q() { sqlite3 "$WS" "$1" 2>/dev/null; }
WS="$T/ws.sqlite"
cat > "$T/geo.geojson" <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"01001","nom":"A"},"geometry":{"type":"Polygon","coordinates":[[[4.9,46.15],[4.95,46.15],[4.95,46.2],[4.9,46.2],[4.9,46.15]]]}},
{"type":"Feature","properties":{"code":"01002","nom":"B"},"geometry":{"type":"Polygon","coordinates":[[[4.95,46.15],[1e300,46.15],[5.0,46.2],[4.95,46.2],[4.95,46.15]]]}}
]}
JSON
cat > "$T/l93.geojson" <<'JSON'
{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},"features":[
{"type":"Feature","properties":{"code":"01001","nom":"A"},"geometry":{"type":"Polygon","coordinates":[[[850000,6560000],[851000,6560000],[851000,6561000],[850000,6561000],[850000,6560000]]]}},
{"type":"Feature","properties":{"code":"01002","nom":"B"},"geometry":{"type":"Polygon","coordinates":[[[851000,6560000],[1e12,6560000],[852000,6561000],[851000,6561000],[851000,6560000]]]}}
]}
JSON
"$CPTS" init "$WS" -q
"$CPTS" ingest communes "$WS" "$T/geo.geojson" 2> "$T/err"; rc=$?
[ $rc -eq 3 ]; check "lon 1e300: exit 3 (got $rc)" $?
grep -q "geo.geojson|geo|fid=1 (commune 01002): coordinates out of the range of the source CRS (x 4.95 to 1e+300.*longitude -180 to 180" "$T/err"
check "lon 1e300: file, fid, commune and range named" $?
[ "$(q "SELECT count(*) FROM communes")" = 0 ]; check "lon 1e300: nothing stored" $?
"$CPTS" ingest communes "$WS" "$T/l93.geojson" 2> "$T/err"; rc=$?
[ $rc -eq 3 ]; check "x 1e12 m: exit 3 (got $rc)" $?
grep -q "l93.geojson|l93|fid=1 (commune 01002): coordinates out of the range of the source CRS (x 851000 to 1e+12.*at most 1e7 m" "$T/err"
check "x 1e12 m: file, fid, commune and range named" $?
"$CPTS" ingest communes "$WS" "$T/l93.geojson" --skip-failures 2> "$T/err"; rc=$?
[ $rc -eq 1 ]; check "--skip-failures: exit 1 (got $rc)" $?
[ "$(q "SELECT group_concat(code || ' ' || area_km2) FROM communes")" = "01001 1.0" ]
check "--skip-failures: the good commune kept, 1 km2" $?
printf 'code_commune;population\n01001;100\n' > "$T/pop.csv"
printf 'code_commune;territoire\n01001;Un\n' > "$T/part.csv"
"$CPTS" ingest population "$WS" "$T/pop.csv" -q && "$CPTS" ingest partition "$WS" "$T/part.csv" -q &&
  "$CPTS" export "$WS" --partition part --html "$T/html" -q; check "export" $?
bad=0
for f in "$T"/html/*.html; do iconv -f UTF-8 -t UTF-8 "$f" > /dev/null 2>&1 || bad=1; done
[ $bad -eq 0 ]; check "every page is valid UTF-8" $?
grep -q 'Densité de population <span class="note">(hab./km²)</span></th><td class="n">100,0</td>' "$T"/html/*.html
check "density 100 inhabitants per km2 (100 over 1 km2) in the page" $?
tap_done
