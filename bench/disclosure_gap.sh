#!/bin/sh
# disclosure_gap.sh CPTS OUTDIR - issue 19, point 6: the gap to the département on an
# extract where every médecin-traitant count from 1 to 10 arrives pre-masked ("<11", as
# the SNDS extracts of an ORS do). Pays de la Loire communes and populations (real), 71
# EPCI (real), synthetic patients (85 % of the population) and patients without GP (3
# to 12 % of them, deterministic per commune), written "<11" from 1 to 10. Prints how
# many EPCI pages of the HTML report give the gap as "secret statistique", how many as
# bounds, how many as a value; and cpts audit of the GeoPackage and the report.
set -eu
CPTS="$1"; D="$2"
S="${CPTS_SHARED:-/work/shared}/data"
mkdir -p "$D"
rm -rf "$D/out"
awk -F, 'NR > 1 && $6 == "52" && $3 == "commune-actuelle" {
  c = $1; n = substr(c, 3) + 0; p = int(0.85 * $9); s = int(p * (3 + (n * 37) % 10) / 100)
  print c ";" p ";" ((s >= 1 && s <= 10) ? "<11" : s) }' "$S/population/communes_cog2024_pop2022.csv" |
  { echo "code_commune;patients;sans_mt"; cat; } > "$D/mt.csv"
echo "$(grep -c '<11' "$D/mt.csv") of $(($(wc -l < "$D/mt.csv") - 1)) communes with sans_mt pre-masked"
"$CPTS" diagnose -q \
  --communes "$S/geo/communes_r52_pays_de_la_loire_cog2024.geojson" \
  --population "$S/population/communes_cog2024_pop2022.csv" \
  --mt "$D/mt.csv" \
  --partition "$S/population/communes_cog2024_pop2022.csv" \
  --from-column epci_siren --names "$S/ref/epci_cog2024.csv" \
  --skip-unknown --vintage "COG 2024" --out "$D/out" 2> "$D/diagnose.err" || { cat "$D/diagnose.err"; exit 1; }
H="$D/out/html"
n=0; sec=0; bnd=0; val=0; sig=0
for f in "$H"/*.html; do
  grep -q "Écart au département" "$f" || continue
  n=$((n + 1))
  if grep -q "Écart au département : <span class=\"masked\">secret statistique" "$f"; then sec=$((sec + 1))
  elif grep -q "Écart au département : entre" "$f"; then bnd=$((bnd + 1))
  else val=$((val + 1)); fi
  grep -q "Écart au département :[^<]*(test[^)]*écart significatif)" "$f" && sig=$((sig + 1))
done
echo "$n pages with the gap: $sec secret statistique, $bnd as bounds, $val as a value; $sig with a significant test"
"$CPTS" audit "$D/out/cpts.gpkg" "$H" 2>&1 | tail -1
