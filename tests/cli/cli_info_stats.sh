#!/bin/sh
# `cpts info` counts (issue 13): the rows, communes covered and masked rows of each input
# table are kept in table_stats by the transaction that writes the table, so that info
# reads them instead of scanning 5 M flows. Checked here against counts made
# independently by the sqlite3 command-line tool: after the first ingests, after
# re-ingests with other files, after a refused ingest, on a workspace without table_stats
# (made before it), and after writes info could not see (another program replacing a
# table, or writing rows behind cpts' back).
CPTS="$1"
D="${CPTS_SRC:-$(dirname "$0")/../..}/tests/data/ingest"
. "$(dirname "$0")/lib/tap.sh"
WS="$T/ws.sqlite"
q() { sqlite3 "$WS" "$1"; }

# "table rows communes masked" per table of `cpts info --json` (communes -1: none)
info_counts() {
  "$CPTS" info "$WS" --json | python3 -c '
import json, sys
for t in json.load(sys.stdin)["tables"]:
    print(t["table"], t["rows"], t.get("communes", -1), t["masked"])'
}
# the same, counted by sqlite3 (the code column and masked condition of each table)
sql_counts() {
  for spec in communes:code: population:code: consumption:code:masked reference:: \
              mt:code:"mask <> 0" supply:code: flows:orig:masked traveltime:orig: \
              attributes:code: passage:: graph_edges::; do
    t=${spec%%:*}; rest=${spec#*:}; c=${rest%%:*}; m=${rest#*:}
    rows=$(q "SELECT count(*) FROM $t")
    if [ -n "$c" ]; then com=$(q "SELECT count(DISTINCT $c) FROM $t"); else com=-1; fi
    if [ -n "$m" ]; then msk=$(q "SELECT count(*) FROM $t WHERE $m"); else msk=0; fi
    echo "$t $rows $com $msk"
  done
}
same_counts() { # label
  info_counts > "$T/info.txt" 2> "$T/info.err"; sql_counts > "$T/sql.txt"
  cmp -s "$T/info.txt" "$T/sql.txt"; r=$?
  check "$1: info's rows, communes and masked rows equal sqlite3's counts" $r
  [ $r -eq 0 ] || diff "$T/sql.txt" "$T/info.txt" | sed 's/^/# /'
}

"$CPTS" init "$WS" -q
"$CPTS" ingest communes "$WS" "$D/communes.geojson" -q; check "ingest communes" $?
for k in mt supply flows attributes; do
  opt=; [ $k = flows ] && opt=--skip-unknown
  "$CPTS" ingest $k "$WS" "$D/$k.csv" $opt -q; check "ingest $k" $?
done
"$CPTS" ingest consumption "$WS" "$D/consumption_masked.csv" -q; check "ingest consumption" $?
"$CPTS" ingest traveltime "$WS" "$D/traveltime.tsv" -q; check "ingest traveltime" $?
"$CPTS" graph "$WS" -q > /dev/null; check "graph" $?
same_counts "first ingests"
[ "$(q "SELECT n_masked FROM table_stats WHERE tbl = 'flows'")" = \
  "$(q "SELECT count(*) FROM flows WHERE masked")" ] &&
  [ "$(q "SELECT count(*) FROM flows WHERE masked")" -gt 0 ]
check "the kept masked flows are the masked rows (some)" $?
[ "$(q "SELECT count(*) FROM table_stats WHERE tbl IN ('communes', 'mt', 'supply', 'flows',
       'attributes', 'consumption', 'traveltime')")" = 7 ]
check "every ingested table has its counts kept" $?

# info reads the kept counts (a changed kept value shows), until a write recounts
q "UPDATE table_stats SET n_communes = 999 WHERE tbl = 'flows'"
[ "$("$CPTS" info "$WS" --json | python3 -c '
import json, sys
print([t["communes"] for t in json.load(sys.stdin)["tables"] if t["table"] == "flows"][0])')" = 999 ]
check "info reads the kept counts, not a scan" $?

# re-ingest flows and mt with other files: fewer rows, other masked rows
printf 'commune_residence;commune_exercice;volume;profession\n44109;44109;50000;mg\n44020;44109;<11;mg\n44190;44109;<11;mg\n' > "$T/flows2.csv"
"$CPTS" ingest flows "$WS" "$T/flows2.csv" -q; check "re-ingest flows (3 rows, 2 masked)" $?
printf 'code_commune;patients;sans_mt\n44109;250000;<11\n' > "$T/mt2.csv"
"$CPTS" ingest mt "$WS" "$T/mt2.csv" -q; check "re-ingest mt (1 row, masked)" $?
same_counts "after re-ingests"
[ "$(q "SELECT count(*) || '/' || sum(masked) FROM flows")" = 3/2 ]
check "the flows re-ingested are the 3 rows of the file, 2 masked" $?

# a refused ingest changes nothing, the counts included
printf 'commune_residence;commune_exercice;volume;profession\n44109;44109;abc;mg\n' > "$T/bad.csv"
"$CPTS" ingest flows "$WS" "$T/bad.csv" -q 2> /dev/null; rc=$?
[ $rc -eq 3 ]; check "a bad flows file is refused (exit $rc)" $?
same_counts "after a refused ingest"

# another program (or an older cpts) replaced the flows: version bumped, rows changed
q "INSERT INTO flows(orig, dest, profession, volume, masked) VALUES('44020', '44020', 'mg', NULL, 1);
   UPDATE versions SET version = version + 1 WHERE name = 'flows'"
same_counts "after a replacement info did not record"
# rows written behind cpts' back (no version bump): the row count disagrees
q "DELETE FROM flows WHERE orig = '44109'"
same_counts "after rows written by another program"

# a workspace made before table_stats: opens read-only and reports, live
q "DROP TABLE table_stats"
same_counts "workspace without table_stats"
"$CPTS" info "$WS" > /dev/null; check "info of it exits 0" $?
[ "$(q "SELECT count(*) FROM sqlite_master WHERE name = 'table_stats'")" = 0 ]
check "info (read-only) leaves it unchanged" $?
# the next write creates the table and keeps the counts of what it writes
"$CPTS" ingest supply "$WS" "$D/supply.csv" -q; check "ingest supply into it" $?
[ "$(q "SELECT n_rows FROM table_stats WHERE tbl = 'supply'")" = "$(q "SELECT count(*) FROM supply")" ]
check "table_stats created again, with the counts of supply" $?
same_counts "after the upgrade"
tap_done
