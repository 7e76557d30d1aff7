#!/bin/sh
# The README section "Your own data", run as written: the fenced block after the marker
# <!-- own-data --> is extracted from README.md (backslash continuations joined), and
# each command runs with `cpts` resolved to the binary under test (a PATH directory with
# a `cpts` symlink), from a scratch directory standing where the repository root stands
# (its sibling `shared` is CPTS_SHARED), so the README's `../shared/data/...` paths hold.
# Each must exit 0; the outputs the README describes are then checked against counts
# computed independently from the source files with awk.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
SHARED="${CPTS_SHARED:-$SRC/../shared}"
. "$(dirname "$0")/lib/tap.sh"
if [ ! -d "$SHARED/data" ]; then echo "1..0 # SKIP shared real data not found ($SHARED/data)"; exit 0; fi
if ! command -v sqlite3 > /dev/null; then echo "1..0 # SKIP sqlite3 not installed"; exit 0; fi
SHARED=$(cd "$SHARED" && pwd)
case "$CPTS" in /*) ;; *) CPTS="$PWD/$CPTS" ;; esac

mkdir -p "$T/bin" "$T/repo"
ln -s "$CPTS" "$T/bin/cpts"
ln -s "$SHARED" "$T/shared"
awk '/<!-- own-data -->/ { m = 1; next }
     m == 1 && /^```/ { m = 2; next }
     m == 2 && /^```/ { exit }
     m == 2 { if (sub(/\\$/, "")) { buf = buf $0; next } print buf $0; buf = "" }' \
  "$SRC/README.md" > "$T/commands"
nc=$(wc -l < "$T/commands")
[ "$nc" -ge 2 ]; check "README own-data block extracted ($nc commands)" $?
grep -q "^cpts diagnose " "$T/commands"; check "the block starts with cpts diagnose" $?

i=0
while IFS= read -r cmd; do
  i=$((i+1))
  (cd "$T/repo" && PATH="$T/bin:$PATH" sh -c "$cmd") > "$T/out$i" 2> "$T/err$i"; rc=$?
  [ $rc -eq 0 ]; check "README command $i exits 0 (got $rc): $(echo "$cmd" | cut -c1-60)" $?
  [ $rc -eq 0 ] || sed 's/^/# /' "$T/err$i"
done < "$T/commands"

O="$T/repo/out/pdl"
WS="$O/prive/cpts.sqlite"
q() { sqlite3 "$WS" "$1"; }
[ -s "$O/cpts.gpkg" ] && [ -s "$O/html/index.html" ]; check "workspace, GeoPackage and HTML written" $?
[ -s "$O/zonage_ars/index.html" ]; check "report of the ARS zoning written" $?
grep -q "out/pdl/html/index.html" "$T/out1"; check "diagnose prints the path of the report" $?

D="$SHARED/data"
# independent counts: the EPCI of the Pays de la Loire communes in the INSEE file
awk -F, 'NR > 1 && $6 == "52" && $3 == "commune-actuelle" && $8 != "" { e[$8] = 1; n++ }
         END { for (k in e) m++; print m, n }' "$D/population/communes_cog2024_pop2022.csv" > "$T/epci"
read -r n_epci n_cov < "$T/epci"
[ "$(q "SELECT count(DISTINCT territory) FROM partition_members WHERE partition='territoires'")" = "$n_epci" ]
check "$n_epci EPCI territories (awk on the INSEE file)" $?
[ "$(q "SELECT count(*) FROM partition_members WHERE partition='territoires'")" = "$n_cov" ]
check "$n_cov communes covered" $?
[ "$n_epci" = 71 ] && [ "$n_cov" = 1231 ]; check "the README's numbers: 71 territories, 1 231 communes" $?
[ "$(q "SELECT count(*) FROM partition_members WHERE partition='territoires' AND code='85113'")" = 0 ]
check "L'Île-d'Yeu (no EPCI) uncovered" $?
grep -q "85113 L'Île-d'Yeu" "$T/err1"; check "the uncovered commune is named in a warning" $?
[ "$(q "SELECT count(*) FROM territory_names WHERE partition='territoires'")" = "$n_epci" ]
check "every EPCI has its name" $?
[ "$(q "SELECT nom FROM territory_names WHERE partition='territoires' AND territory='244400404'")" = "Nantes Métropole" ]
check "244400404 is Nantes Métropole" $?
# GPs: NB_D201 summed over the region's communes
gp=$(awk -F, 'NR == FNR { if ($6 == "52") r[$1] = 1; next } FNR > 1 && ($1 in r) { s += $2 } END { print s }' \
  "$D/population/communes_cog2024_pop2022.csv" "$D/sante/bpe2021_sante_par_commune_cog2024.csv")
[ "$(q "SELECT CAST(sum(effectif) AS INTEGER) FROM supply WHERE profession='medecin_generaliste'")" = "$gp" ]
check "GPs from BPE NB_D201: $gp (awk)" $?
[ "$gp" = 3185 ]; check "the README's number: 3 185 GPs" $?
grep -q "the report will lack these sections" "$T/err1" && grep -q "no --mt" "$T/err1" &&
  grep -q "no --flows" "$T/err1" && grep -q "Pyramide des âges" "$T/err1"
check "missing sections announced (mt, flows, pyramid)" $?
[ "$(q "SELECT count(DISTINCT territory) FROM partition_members WHERE partition='zonage_ars'")" = 3 ]
check "ARS zoning: 3 classes (ZIP, ZAC, HZ)" $?
z=$(awk -F, 'NR == FNR { if ($6 == "52") r[$1] = 1; next } FNR > 1 && ($1 in r) { sub(/\r$/, "", $4); if ($4 == "1_ZIP") n++ } END { print n }' \
  "$D/population/communes_cog2024_pop2022.csv" "$D/sante/zonage_medecins_par_commune.csv")
[ "$(q "SELECT count(*) FROM partition_members WHERE partition='zonage_ars' AND territory='1_ZIP'")" = "$z" ]
check "ZIP communes: $z (awk)" $?
[ "$(q "SELECT count(*) FROM profile_values WHERE partition='territoires' AND level='territoire' AND indicator='gp_density' AND value IS NOT NULL")" = "$n_epci" ]
check "GP density computed for every EPCI (the map indicator)" $?
grep -q "population totals, no sex and age" "$T/out5"; check "cpts info: totals-only population said so" $?
tap_done
