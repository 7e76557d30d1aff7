#!/bin/sh
# Encodings and codes (issue 12, item 9): a UTF-8 file with a bad byte is never re-read
# whole as Windows-1252: the line is named with the byte offset in a warning, a line
# with no UTF-8 sequence is read as Windows-1252, one mixing both gets U+FFFD for the
# bad bytes, the other lines keep their UTF-8; a pure Latin-1 file still converts
# without a warning. A numeric commune code (1001 in a GeoJSON) is repaired to 01001
# with a warning, and its département (01) and région (84) are derived from it.
CPTS="$1"
. "$(dirname "$0")/lib/tap.sh"
q() { sqlite3 "$WS" "$1" 2>/dev/null; }
WS="$T/ws.sqlite"
cat > "$T/num.geojson" <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":1001,"nom":"L'Abergement-Clémenciat"},"geometry":{"type":"Polygon","coordinates":[[[4.9,46.15],[4.95,46.15],[4.95,46.2],[4.9,46.2],[4.9,46.15]]]}},
{"type":"Feature","properties":{"code":1002,"nom":"L'Abergement-de-Varey"},"geometry":{"type":"Polygon","coordinates":[[[4.95,46.15],[5.0,46.15],[5.0,46.2],[4.95,46.2],[4.95,46.15]]]}}
]}
JSON
"$CPTS" init "$WS" -q
"$CPTS" ingest communes "$WS" "$T/num.geojson" 2> "$T/err"; check "numeric codes: ingested" $?
grep -q "warning: .*num.geojson: 2 commune codes had lost their leading zero and were repaired (fid=0: '1001' -> '01001')" "$T/err"
check "numeric codes: the repair is said in a warning" $?
[ "$(q "SELECT group_concat(code || ' ' || dep || ' ' || reg, ',') FROM communes")" = "01001 01 84,01002 01 84" ]
check "numeric codes: 01001/01002, département 01, région 84" $?

printf 'code_commune;territoire\n01001;Caf\351 du Nord\n01002;Caf\303\251 du Sud\n' > "$T/mixed.csv"
"$CPTS" ingest partition "$WS" "$T/mixed.csv" 2> "$T/err"; check "mixed: ingested" $?
grep -q "mixed.csv:2: byte 0xE9 at offset 33 is not valid UTF-8 (the file is read as UTF-8): this line read as Windows-1252" "$T/err"
check "mixed: the warning names line 2 and byte offset 33" $?
[ "$(q "SELECT territory FROM partition_members WHERE partition = 'mixed' AND code = '01002'")" = "Café du Sud" ]
check "mixed: the UTF-8 line keeps its UTF-8 (Café du Sud)" $?
[ "$(q "SELECT territory FROM partition_members WHERE partition = 'mixed' AND code = '01001'")" = "Café du Nord" ]
check "mixed: the Latin-1 line is converted (Café du Nord)" $?

printf 'code_commune;territoire\n01001;Caf\303\251 \377 du Nord\n01002;Caf\303\251 du Sud\n' > "$T/mixed2.csv"
"$CPTS" ingest partition "$WS" "$T/mixed2.csv" 2> "$T/err"; check "mixed2: ingested" $?
grep -q "mixed2.csv:2: byte 0xFF at offset 36 .*invalid bytes replaced by U+FFFD" "$T/err"
check "mixed2: the warning names line 2, offset 36, U+FFFD" $?
[ "$(q "SELECT territory FROM partition_members WHERE partition = 'mixed2' AND code = '01001'")" = "Café � du Nord" ]
check "mixed2: the bad byte is U+FFFD, the rest UTF-8" $?

printf 'code_commune;territoire\n01001;Caf\351 du Nord\n01002;R\351gion \200\n' > "$T/latin.csv"
"$CPTS" ingest partition "$WS" "$T/latin.csv" 2> "$T/err"; check "latin: ingested" $?
grep -q "warning" "$T/err"; [ $? -ne 0 ]; check "latin: no warning" $?
grep -q "(Windows-1252, ';' delimited)" "$T/err"; check "latin: read as Windows-1252" $?
[ "$(q "SELECT group_concat(territory, '|') FROM partition_members WHERE partition = 'latin'")" = "Café du Nord|Région €" ]
check "latin: converted (Café du Nord, Région €)" $?
tap_done
