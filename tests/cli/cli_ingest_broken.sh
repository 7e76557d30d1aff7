#!/bin/sh
# The broken-file corpus of tests/data/ingest/broken: each file must be refused with the
# documented exit code (3 bad data, 4 I/O), a message naming the file and the line or
# feature, and a workspace left byte for byte unchanged (sha256sum before/after).
CPTS="$1"
D="${CPTS_SRC:-$(dirname "$0")/../..}/tests/data/ingest"
B="$D/broken"
. "$(dirname "$0")/lib/tap.sh"
WS="$T/ws.sqlite"
"$CPTS" init "$WS" -q && "$CPTS" ingest communes "$WS" "$D/communes.geojson" -q &&
  "$CPTS" ingest population "$WS" "$D/population_bom.csv" -q --skip-unknown
check "reference workspace built" $?
before=$(sha256sum < "$WS")

# case: kind file expected-exit pattern (grep -E on stderr)
while IFS='|' read -r kind file want pattern; do
  [ -z "$kind" ] && continue
  "$CPTS" ingest "$kind" "$WS" "$B/$file" --no-progress 2> "$T/err"; rc=$?
  [ "$rc" -eq "$want" ]; check "$kind $file exits $want (got $rc)" $?
  grep -Eq "$pattern" "$T/err"; check "$kind $file: message matches '$pattern'" $?
  [ "$(sha256sum < "$WS")" = "$before" ]; check "$kind $file: workspace unchanged" $?
done <<'CASES'
population|empty.csv|3|empty.csv' is empty
population|binary.csv|3|binary.csv' is a binary file
population|header_only.csv|3|header_only.csv' has a header but no data row
population|missing_column.csv|3|missing_column.csv': missing column 'population' .*found: code_commune, habitants
population|nonnumeric.csv|3|nonnumeric.csv:3: column 'population': 'douze' is not a number
population|negative.csv|3|negative.csv:2: column 'population': '-5' is negative
population|absurd.csv|3|absurd.csv:2: column 'population': '80000000' is absurd
population|duplicate.csv|3|duplicate.csv:4: duplicate row for code_commune '44109'
population|unknown.csv|3|unknown.csv:3: 2 commune codes are not in the workspace .*35238, 35047
population|unbalanced.csv|3|unbalanced.csv:2: unbalanced quote
population|short_row.csv|3|short_row.csv:3: 1 field, the header has 2
population|badcode.csv|3|badcode.csv:3: column 'code_commune': 'NANTES' is not a commune code
population|badsex.csv|3|badsex.csv:2: column 'sexe': 'X' is not a sex
population|masked_population.csv|3|masked_population.csv:2: column 'population': '<11' is masked
population|truncated.csv.gz|3|truncated.csv.gz' is a truncated gzip file
passage|passage_weights.csv|3|passage_weights.csv:2: the weights of old code 44998 add up to 1.2
population|does_not_exist.csv|4|cannot open '.*does_not_exist.csv': No such file
communes|truncated.geojson|3|cannot read '.*truncated.geojson' as a vector dataset
communes|points.geojson|3|points.geojson\|communes\|fid=0 \(commune 44109\): not a polygon: POINT
communes|dupcodes.geojson|3|dupcodes.geojson\|communes\|fid=1 \(commune 44109\): duplicate commune code, also at fid=0
communes|nocode.geojson|3|nocode.geojson\|communes\|fid=1: no commune code
communes|emptylayer.geojson|3|emptylayer.geojson: layer 'communes' has no feature
communes|does_not_exist.geojson|4|cannot open '.*does_not_exist.geojson'
CASES

# a self-intersecting polygon is repaired (warning naming the commune), not refused
cp "$WS" "$T/ws2.sqlite"
"$CPTS" ingest communes "$T/ws2.sqlite" "$B/selfintersect.geojson" 2> "$T/err"; rc=$?
[ "$rc" -eq 0 ]; check "self-intersecting polygon repaired: exit 0 (got $rc)" $?
grep -q "commune 44109 (Nantes) has an invalid polygon (Self-intersection" "$T/err"; check "repair warning names the commune" $?
# with --skip-failures a bad feature is skipped with exit code 1
"$CPTS" ingest communes "$T/ws2.sqlite" "$B/nocode.geojson" --skip-failures 2> "$T/err"; rc=$?
[ "$rc" -eq 1 ]; check "--skip-failures: exit 1 (got $rc)" $?
grep -q "fid=1: no commune code; skipped" "$T/err"; check "--skip-failures names the skipped feature" $?
tap_done
