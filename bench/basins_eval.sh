#!/bin/sh
# bench/basins_eval.sh [DIR] - the evaluation of issue 17: the basin methods on
# synthetic gravity flows over the real communes and 2022 populations of Pays de la
# Loire (r52), Bretagne (r53) and PACA (reg 93 of the metropolitan file). The flows
# come from the benchmark's generator bench/gen_inputs.py (each commune sends to its
# 144 nearest communes, weight (gp + 0.1) exp(-d / 8 km) with log-normal noise, as the
# France benchmark does with 5 M pairs); it also writes the INSEE bassins de vie 2022
# (BV2022) as a partition. The EPCI come from the epci_siren column of the population
# file. For each region: every method at the CPTS band (floor 10,000, ceiling 175,000)
# for counts 40, 55 and 70; then BV2022 and EPCI as given (all communes locked, which
# stores their metrics) against the optimiser at their own count, their smallest and
# largest territory as ceiling. Prints a markdown table on stdout.
# Needs /usr/bin/python3 with numpy and scipy, ogr2ogr, sqlite3; CPTS (default build/cpts).
set -eu
cd "$(dirname "$0")/.."
CPTS=${CPTS:-$PWD/build/cpts}
SHARED=${CPTS_SHARED:-/work/shared}
D=${1:-/tmp/cpts-basins-eval}
COUNTS=${COUNTS:-"40 55 70"}
METHODS=${METHODS-"plurality modularity leiden optimise"} # METHODS= : none
REGIONS=${REGIONS:-"pdl bre paca"}
PARTS=${PARTS-"BV2022 EPCI"}  # PARTS= (empty): the CPTS-band rows only
PART_METHODS=${PART_METHODS-"plurality modularity optimise"} # methods at the parts' counts
OPT_ARGS=${OPT_ARGS:-}   # e.g. "--kicks 300000" for a lighter optimiser
mkdir -p "$D"
[ -f "$D/paca.geojson" ] || ogr2ogr -f GeoJSON "$D/paca.geojson" \
  "/vsigzip/$SHARED/data/geo/communes_metro_cog2024.geojson.gz" -where "reg = '93'"

# one table row from the output of cpts basins: region partition constraints seconds
row() {
  awk -v r="$1" -v p="$2" -v c="$3" -v t="$4" -F': ' '
    /^basins:/ { n = $2 } /^overall LI:/ { li = $2 } /^median basin LI:/ { med = $2 }
    /^minimum basin LI:/ { mn = $2 } /^basins below LI/ { low = $2 }
    /^median PAC:/ { pac = $2 } /^basins under the floor:/ { uf = $2 }
    END { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
          r, p, n, c, li, med, mn, low, pac, uf, t }'
}
run() { # region ws label constraints args...
  r=$1; ws=$2; label=$3; cons=$4; shift 4
  t0=$(date +%s.%N)
  "$CPTS" basins "$ws" -q "$@" > "$D/out.txt"
  t1=$(date +%s.%N)
  row "$r" "$label" "$cons" "$(echo "$t1 - $t0" | bc | xargs printf '%.2f')" < "$D/out.txt"
}

echo "| region | method | count | constraints | LI overall | LI median | min basin LI | basins LI<0.4 | PAC median | under floor | time (s) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for r in pdl:$SHARED/data/geo/communes_r52_pays_de_la_loire_cog2024.geojson \
         bre:$SHARED/data/geo/communes_r53_bretagne_cog2024.geojson paca:$D/paca.geojson; do
  name=${r%%:*}; geo=${r#*:}; ws=$D/$name.sqlite
  case " $REGIONS " in *" $name "*) ;; *) continue ;; esac
  if [ ! -f "$ws" ]; then
    n=$(grep -o '"type": *"Feature"' "$geo" | wc -l)
    /usr/bin/python3 bench/gen_inputs.py --geo "$geo" --shared "$SHARED/data" \
      --out "$D/$name" --flows $((n * 144)) --seed 1 > /dev/null
    awk -F, 'NR > 1 && $3 == "commune-actuelle" { print $1 ";EPCI" $8 }' \
      "$SHARED/data/population/communes_cog2024_pop2022.csv" |
      sed '1i code_commune;territoire' > "$D/$name/epci.csv"
    "$CPTS" init "$ws" -q
    "$CPTS" ingest communes "$ws" "$D/$name/communes.geojson" -q
    "$CPTS" ingest population "$ws" "$D/$name/population.csv" -q
    "$CPTS" ingest flows "$ws" "$D/$name"/flows_*.csv -q
    "$CPTS" ingest partition "$ws" "$D/$name/partition.csv" --name BV2022 -q
    "$CPTS" ingest partition "$ws" "$D/$name/epci.csv" --name EPCI --skip-unknown -q
    "$CPTS" graph "$ws" -q > /dev/null
  fi
  for k in $COUNTS; do
    for m in $METHODS; do
      extra=""; [ "$m" = optimise ] && extra=$OPT_ARGS
      # shellcheck disable=SC2086
      run "$name" "$ws" "$m" "10k-175k" --method "$m" --target-count "$k" --name "e_$m" $extra
    done
  done
  for part in $PARTS; do # own count, own smallest and largest territory as bounds
    run "$name" "$ws" "$part (as given)" "-" --method plurality --lock "$part" --name "g_$part"
    cnt=$(sqlite3 "$ws" "SELECT COUNT(*) FROM basin_metrics WHERE partition = 'g_$part'")
    max=$(sqlite3 "$ws" "SELECT CAST(MAX(pop) AS INTEGER) FROM basin_metrics WHERE partition = 'g_$part'")
    min=$(sqlite3 "$ws" "SELECT CAST(MIN(pop) AS INTEGER) FROM basin_metrics WHERE partition = 'g_$part'")
    for m in $PART_METHODS; do
      extra=""; [ "$m" = optimise ] && extra=$OPT_ARGS
      # shellcheck disable=SC2086
      run "$name" "$ws" "$m" "$min-$max" --method "$m" --target-count "$cnt" --min-pop "$min" \
        --max-pop "$max" --name "e_$m" $extra
    done
  done
done
