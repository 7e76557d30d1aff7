#!/bin/sh
# What a newcomer meets after the demo (issue 18): options before the kind, partitions
# from any per-commune file with names, diagnose taking the step commands' options,
# every error hint naming only options of the command that failed (checked against that
# command's --help), --map-indicator keys, the missing-sections warning, --no-html
# --no-gpkg, and the wording of the messages (plurals, "N of M rows", totals-only
# population, a broken quote reported where it opened).
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
D="$SRC/tests/data/ingest"
DEMO="$SRC/data/demo"
. "$(dirname "$0")/lib/tap.sh"
if ! command -v sqlite3 > /dev/null; then echo "1..0 # SKIP sqlite3 not installed"; exit 0; fi
WS="$T/ws.sqlite"
q() { sqlite3 "$WS" "$1"; }

# every --option named in the error lines of $2 is an option of command $1 (its --help)
hints_ok() {
  "$CPTS" $1 --help > "$T/help" 2>&1
  opts=$(grep '^cpts: error:' "$2" | grep -o -- '--[a-z][a-z-]*' | sort -u)
  [ -n "$opts" ] || return 1
  for o in $opts; do
    grep -q -- "$o\b" "$T/help" || { echo "# '$o' is not an option of 'cpts $1'"; return 1; }
  done
  return 0
}

"$CPTS" init -q "$WS"
# options before the kind
"$CPTS" ingest -q communes "$WS" "$D/communes.geojson" 2> "$T/err"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$T/err" ]; check "ingest -q communes WS F: option before the kind (got $rc)" $?
"$CPTS" ingest --skip-unknown population "$WS" "$D/broken/unknown.csv" 2> "$T/err"; rc=$?
[ $rc -eq 0 ]; check "ingest --skip-unknown population WS F (got $rc)" $?
grep -q "ingested population: 1 row of 3 from" "$T/err"; check "after setting rows aside: '1 row of 3'" $?
"$CPTS" ingest communes "$WS" "$D/communes.geojson" --map a=b 2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "a table option for communes is refused (got $rc)" $?

# partition from any per-commune file, names from a names file
"$CPTS" ingest partition "$WS" "$D/communes_epci.csv" --from-column epci_siren \
  --names "$D/epci_names.csv" --name epci --skip-unknown 2> "$T/err"; rc=$?
[ $rc -eq 0 ]; check "ingest partition --from-column --names (got $rc)" $?
[ "$(q "SELECT count(DISTINCT territory) FROM partition_members WHERE partition='epci'")" = 4 ]
check "4 EPCI" $?
grep -q "partition 'epci': 1 commune of the workspace in no territory (2A004 Ajaccio)" "$T/err"
check "the uncovered commune is named" $?
[ "$(q "SELECT nom FROM territory_names WHERE partition='epci' AND territory='244900015'")" = "Angers Loire Métropole" ]
check "name from --names stored" $?
"$CPTS" ingest partition "$WS" "$D/partition_names_conflict.csv" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "partition_names_conflict.csv:4: territory 'T2' is named 'Sud Loire' here but 'Sud-Loire' at line 3" "$T/err"
check "conflicting names: exit 3, both lines named (got $rc)" $?
"$CPTS" ingest partition --help > "$T/help"
grep -q -- "--from-column COLUMN" "$T/help" && grep -q -- "--names FILE" "$T/help"
check "ingest partition --help documents --from-column and --names" $?

# hints of cpts ingest: its own options
"$CPTS" ingest population "$WS" "$D/broken/unknown.csv" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "use --skip-unknown .*ingest a passage table" "$T/err"; check "ingest: unknown codes hint" $?
hints_ok "ingest population" "$T/err"; check "ingest: the unknown-codes hint names ingest options only" $?
"$CPTS" ingest population "$WS" "$D/mapped.csv" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "use --map canonical=theirs" "$T/err"; check "ingest: missing column hint" $?
hints_ok "ingest population" "$T/err"; check "ingest: the missing-column hint names ingest options only" $?

# hints of cpts diagnose: its own options, and those options work
C="--communes $D/communes.geojson"
"$CPTS" diagnose $C --population "$D/broken/unknown.csv" --out "$T/d1" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "use --skip-unknown .*give a passage table with --passage" "$T/err"
check "diagnose: unknown codes hint (got $rc)" $?
hints_ok diagnose "$T/err"; check "diagnose: the unknown-codes hint names diagnose options only" $?
"$CPTS" diagnose $C --population "$D/broken/unknown.csv" --skip-unknown --vintage "COG 2024" --out "$T/d1" > "$T/out" 2> "$T/err"; rc=$?
[ $rc -eq 0 ]; check "diagnose --skip-unknown --vintage (got $rc)" $?
[ "$(sqlite3 "$T/d1/prive/cpts.sqlite" "SELECT vintage FROM sources WHERE tbl='population'")" = "COG 2024" ]
check "diagnose --vintage recorded" $?
grep -q "wrote $T/d1/cpts.gpkg (1 territory, 7 communes)" "$T/err"; check "'1 territory' (singular)" $?
grep -q "no APL (no supply)" "$T/err"; check "'no APL (no supply)'" $?
grep -q "the report will lack these sections for lack of inputs: « Médecin traitant » (no --mt)" "$T/err" &&
  grep -q "(no --consumption)" "$T/err" && grep -q "(no --supply)" "$T/err" && grep -q "(no --flows)" "$T/err"
check "missing sections and inputs named before the work" $?
[ "$(grep -n 'the report will lack' "$T/err" | head -n 1 | cut -d: -f1)" -lt "$(grep -n 'ingested 7 communes' "$T/err" | cut -d: -f1)" ]
check "the warning comes before the ingest" $?
grep -q "totals only (no sex and age)" "$T/err"; check "totals-only population: no pyramid, said" $?
"$CPTS" info "$T/d1/prive/cpts.sqlite" > "$T/info"
grep -q "population totals, no sex and age" "$T/info" && ! grep -q "population by sex and age" "$T/info"
check "info: a totals-only population is not 'by sex and age'" $?
"$CPTS" diagnose $C --population "$D/mapped.csv" --out "$T/d2" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "use --map population:canonical=theirs" "$T/err"; check "diagnose: missing column hint" $?
hints_ok diagnose "$T/err"; check "diagnose: the missing-column hint names diagnose options only" $?
"$CPTS" diagnose $C --population "$D/mapped.csv" --map population:population=effectif_total --out "$T/d2" -q > /dev/null; rc=$?
[ $rc -eq 0 ] && [ "$(sqlite3 "$T/d2/prive/cpts.sqlite" "SELECT pop FROM population WHERE code='44109'")" = 42.0 ]
check "diagnose --map population:population=effectif_total reads the column (got $rc)" $?
"$CPTS" diagnose $C --map pop=x --out "$T/d3" 2> "$T/err"; rc=$?
[ $rc -eq 2 ] && ! grep -q "ingested" "$T/err"; check "diagnose: a malformed --map refused before the work" $?
hints_ok diagnose "$T/err"; check "diagnose: the --map error names diagnose options only" $?
"$CPTS" diagnose --communes "$SRC/tests/data/ingest/broken/nocode.geojson" --out "$T/d4" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q -- "--skip-failures" "$T/err"; check "diagnose: bad feature hint (got $rc)" $?
hints_ok diagnose "$T/err"; check "diagnose: the bad-feature hint names diagnose options only" $?
"$CPTS" diagnose --communes "$SRC/tests/data/ingest/broken/nocode.geojson" --skip-failures --out "$T/d4" -q > /dev/null; rc=$?
[ $rc -eq 0 ]; check "diagnose --skip-failures (got $rc)" $?
"$CPTS" diagnose $C --from-column epci_siren --out "$T/d5" 2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "diagnose --from-column without --partition refused (got $rc)" $?
hints_ok diagnose "$T/err"; check "that error names diagnose options only" $?
"$CPTS" diagnose $C --partition "$D/communes_epci.csv" --from-column epci_siren --name-column epci_nom \
  --skip-unknown --out "$T/d6" -q > /dev/null; rc=$?
[ $rc -eq 0 ] && [ "$(sqlite3 "$T/d6/prive/cpts.sqlite" "SELECT nom FROM territory_names WHERE territory='244400404'")" = "Nantes Métropole" ]
check "diagnose --partition F --from-column --name-column (got $rc)" $?

# a layer without a code field: --code-field, an option of both commands
printf '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"foo":"44109"},"geometry":{"type":"Polygon","coordinates":[[[-1.6,47.2],[-1.5,47.2],[-1.5,47.26],[-1.6,47.2]]]}}]}' > "$T/nofield.geojson"
"$CPTS" ingest communes "$WS" "$T/nofield.geojson" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q -- "--code-field" "$T/err"; check "ingest communes: no code field hint (got $rc)" $?
hints_ok "ingest communes" "$T/err"; check "that hint names ingest options only" $?
"$CPTS" diagnose --communes "$T/nofield.geojson" --out "$T/d10" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q -- "--code-field" "$T/err"; check "diagnose: no code field hint (got $rc)" $?
hints_ok diagnose "$T/err"; check "that hint names diagnose options only" $?
"$CPTS" diagnose --communes "$T/nofield.geojson" --code-field foo --out "$T/d10" -q > /dev/null; rc=$?
[ $rc -eq 0 ]; check "diagnose --code-field foo (got $rc)" $?
"$CPTS" diagnose $C --mask-threshold 0 --out "$T/d11" 2> "$T/err"; rc=$?
[ $rc -eq 2 ] && ! grep -q "ingested" "$T/err"; check "diagnose --mask-threshold 0 refused before the work (got $rc)" $?
hints_ok diagnose "$T/err"; check "that error names diagnose options only" $?

# --map-indicator: keys in the help and in the errors, checked before the work
for c in export diagnose; do
  "$CPTS" $c --help > "$T/help"
  grep -q -- "--map-indicator keys:" "$T/help" && grep -q "gp_density" "$T/help" && grep -q "mt_share" "$T/help"
  check "$c --help lists the --map-indicator keys" $?
done
"$CPTS" diagnose $C --map-indicator nope --out "$T/d7" 2> "$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "unknown indicator 'nope' for --map-indicator (one of: .*mt_share.*gp_density" "$T/err" &&
  ! grep -q "ingested" "$T/err"
check "diagnose --map-indicator nope: exit 2 before the work, keys listed (got $rc)" $?
"$CPTS" export "$T/d1/prive/cpts.sqlite" --partition territoire --html "$T/h" --map-indicator nope 2> "$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "(one of: pop_total .*pac[ )]" "$T/err"; check "export --map-indicator nope lists the keys (got $rc)" $?
"$CPTS" diagnose $C --population "$D/broken/unknown.csv" --skip-unknown --map-indicator pop_total --out "$T/d8" -q > /dev/null; rc=$?
[ $rc -eq 0 ] && [ "$(sqlite3 "$T/d8/cpts.gpkg" "SELECT valeur FROM metadata WHERE cle='indicateur_carte'")" = pop_total ]
check "diagnose --map-indicator pop_total passed to the export" $?
[ "$(sqlite3 "$T/d1/cpts.gpkg" "SELECT valeur FROM metadata WHERE cle='indicateur_carte'")" = density ]
check "without --mt nor --supply the maps show the population density" $?

# --no-html --no-gpkg: the workspace only, at once
"$CPTS" diagnose $C --no-html --no-gpkg --out "$T/d9" > "$T/out" 2> "$T/err"; rc=$?
[ $rc -eq 0 ] && [ -s "$T/d9/prive/cpts.sqlite" ] && [ ! -e "$T/d9/cpts.gpkg" ] && [ ! -e "$T/d9/html" ]
check "--no-html --no-gpkg: exit 0, the workspace only (got $rc)" $?
[ "$(cat "$T/out")" = "workspace  $T/d9/prive/cpts.sqlite (unmasked, not for publication)" ]; check "--no-html --no-gpkg prints the workspace only" $?
! grep -q "report will lack" "$T/err"; check "no report, no missing-sections warning" $?

# a quote opened and never closed on its line: the error is where it opened
"$CPTS" ingest population "$WS" "$D/broken/quote_runs_on.csv" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "quote_runs_on.csv:3: malformed quoted field: the quoted field opened on line 3 runs to line 5" "$T/err"
check "broken quote reported at line 3 where it opened (got $rc)" $?
tap_done
