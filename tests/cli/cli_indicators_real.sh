#!/bin/sh
# The catalogue's structures and zoning indicators on real open data (../shared/data,
# SOURCES.md): the 1 232 communes of Pays de la Loire, the INSEE BPE 2021 (COG 2024)
# and the ARS zoning for GPs, both read in wide format by `cpts ingest indicators`
# (no conversion). Checked against independent computations of the files: the MSP
# (NB_D113) and centres de santé (NB_D108) of each département equal awk sums of the
# BPE; the share of population in ZIP and in ZAC of each EPCI equals a python join of
# the zoning file with the municipal populations.
CPTS="$1"
SH="${CPTS_SHARED:-$(dirname "$0")/../../../shared}"
. "$(dirname "$0")/lib/tap.sh"
DATA="$SH/data"
GEO="$DATA/geo/communes_r52_pays_de_la_loire_cog2024.geojson"
POP="$DATA/population/communes_cog2024_pop2022.csv"
BPE="$DATA/sante/bpe2021_sante_par_commune_cog2024.csv"
ZON="$DATA/sante/zonage_medecins_par_commune.csv"
for f in "$GEO" "$POP" "$BPE" "$ZON"; do
  if [ ! -f "$f" ]; then echo "1..0 # SKIP real open data not found ($f; set CPTS_SHARED)"; exit 0; fi
done
if ! command -v python3 > /dev/null || ! command -v sqlite3 > /dev/null; then
  echo "1..0 # SKIP python3 or sqlite3 not installed"; exit 0
fi
W="$T/ws.sqlite"
{ "$CPTS" init -q "$W" && "$CPTS" ingest -q communes "$W" "$GEO" &&
  "$CPTS" ingest -q population "$W" "$POP" --skip-unknown &&
  "$CPTS" ingest -q partition "$W" "$POP" --from-column dep --name dep --skip-unknown &&
  "$CPTS" ingest -q partition "$W" "$POP" --from-column epci_siren --name epci --skip-unknown
} 2> "$T/err"
check "ingest Pays de la Loire: communes, population, départements and EPCI" $?
"$CPTS" ingest indicators "$W" "$BPE" 2> "$T/err"; check "ingest the BPE as it is (wide format)" $?
grep -q "set aside 33703 rows of communes not in the workspace" "$T/err"
check "the rows of the other régions are set aside and counted (33703 = 34935 - 1232)" $?
"$CPTS" ingest -q indicators "$W" "$ZON" 2> "$T/err"; check "ingest the ARS zoning as it is" $?
"$CPTS" profile -q "$W" --partition dep --no-table 2> "$T/err" &&
"$CPTS" profile -q "$W" --partition epci --no-table 2>> "$T/err"
check "profile départements and EPCI" $?

# BPE: sums by département, awk over the file (column positions read from its header)
for key in msp_count:NB_D113 cds_count:NB_D108; do
  k=${key%%:*}; col=${key#*:}
  for dep in 44 49 53 72 85; do
    want=$(awk -F, -v c="$col" -v d="$dep" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
      substr($1, 1, 2) == d { s += $k } END { print s + 0 }' "$BPE")
    got=$(sqlite3 "$W" "SELECT CAST(value AS INTEGER) FROM profile_values WHERE partition = 'dep'
      AND level = 'territoire' AND territory = '$dep' AND indicator = '$k'")
    [ -n "$want" ] && [ "$got" = "$want" ]
    check "$k of département $dep = the BPE's $col summed by awk ($got, expected $want)" $?
  done
done
ne=$(sqlite3 "$W" "SELECT count(*) FROM profile_values WHERE indicator = 'ehpad_count'")
[ "$ne" -eq 0 ]; check "no ehpad_count: NB_D401 is not a column of this BPE extract (health section only)" $?

# zoning: population in ZIP (ZAC) / population with a zoning value, by EPCI
python3 - "$POP" "$ZON" "$W" > "$T/res" 2>&1 <<'EOF'
import csv, sqlite3, sys
pop_f, zon_f, ws = sys.argv[1:4]
pop, epci = {}, {}
with open(pop_f, encoding="utf-8") as f:
    for r in csv.DictReader(f):
        if r["reg"] == "52" and r["type"] == "commune-actuelle":
            pop[r["code_insee"]] = float(r["population_municipale"])
            epci[r["code_insee"]] = r["epci_siren"]
zone = {}
with open(zon_f, encoding="utf-8") as f:
    for r in csv.DictReader(f):
        if r["code_insee"] in pop and r["zonage_mg"].strip():
            zone[r["code_insee"]] = r["zonage_mg"].strip()
db = sqlite3.connect(ws)
for key, val in (("zip_share", "1_ZIP"), ("zac_share", "2_ZAC")):
    num, den = {}, {}
    for c, z in zone.items():
        e = epci[c]
        if not e:
            continue  # a commune in no EPCI (L'Île-d'Yeu): in no territory
        den[e] = den.get(e, 0) + pop[c]
        num[e] = num.get(e, 0) + (pop[c] if z == val else 0)
    got = dict(db.execute("SELECT territory, value FROM profile_values WHERE partition = 'epci'"
                          " AND level = 'territoire' AND indicator = ?", (key,)))
    worst = max(abs(got[e] - 100 * num[e] / den[e]) for e in den)
    laval = "200083392"  # Laval Agglomération
    print(key, len(den), len(got), f"{worst:.2e}", int(worst < 1e-9 and len(got) == len(den)),
          f"{got.get(laval, float('nan')):.4f}", f"{100 * num.get(laval, 0) / den.get(laval, 1):.4f}")
EOF
check "independent zoning computation ran" $?
sed 's/^/# /' "$T/res"
while read -r key ne ng worst ok lv lw; do
  [ "$ok" = 1 ]; check "$key of the $ne EPCI = python join of zoning and populations (max gap $worst; Laval Agglomération $lv, expected $lw)" $?
done < "$T/res"
[ "$(wc -l < "$T/res")" -eq 2 ]; check "ZIP and ZAC both checked" $?
tap_done
