# tests/cli/lib/mt_ws.sh - sourced by the disclosure tests over a pre-masked médecin-
# traitant extract (cli_known_part, cli_gap_bounds): mt_ws MT builds WS=$T/ws.sqlite from
# the demo's communes and population (in $T/demo), the extract MT and 16 territories
# (communes by code modulo 16: partition 'part', written to $T/part.csv), then profiles
# it. Needs $CPTS and $T; sets WS; returns non-zero when a step fails (stderr in $T/err).
mt_ws() {
  awk -F';' 'NR == 1 { print "code_commune;territoire"; next }
    { print $1 ";T" (substr($1, 3) % 16) }' "$T/demo/mt.csv" > "$T/part.csv"
  WS="$T/ws.sqlite"
  { "$CPTS" init "$WS" -q && "$CPTS" ingest communes "$WS" "$T/demo/communes.geojson" -q &&
    "$CPTS" ingest population "$WS" "$T/demo/population.csv" -q &&
    "$CPTS" ingest mt "$WS" "$1" -q &&
    "$CPTS" ingest partition "$WS" "$T/part.csv" -q &&
    "$CPTS" profile -q --no-table "$WS" --partition part; } 2> "$T/err"
}
