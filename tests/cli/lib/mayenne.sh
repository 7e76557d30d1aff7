# tests/cli/lib/mayenne.sh - sourced by the basin tests of issue 17 that need a small
# real region: mayenne_ws WS builds in WS (scratch files beside it, in $T) the 240
# communes of Mayenne (dep 53 of CPTS_SHARED's Pays de la Loire geometry, 2022
# populations) with the benchmark's synthetic gravity flows (bench/gen_inputs.py, 144
# destinations per commune, seed 1) and the contiguity graph. Needs $CPTS, $SHARED,
# $GEO, $SRC and $T set by the caller; returns non-zero when a step fails.
mayenne_ws() {
  ogr2ogr -f GeoJSON "$T/may.geojson" "$GEO" -where "dep = '53'" 2> /dev/null
  /usr/bin/python3 "$SRC/bench/gen_inputs.py" --geo "$T/may.geojson" --shared "$SHARED/data" \
    --out "$T/may" --flows 34560 --seed 1 > /dev/null
  "$CPTS" init "$1" -q && "$CPTS" ingest communes "$1" "$T/may/communes.geojson" -q &&
    "$CPTS" ingest population "$1" "$T/may/population.csv" -q &&
    "$CPTS" ingest flows "$1" "$T/may/flows_34560.csv" -q && "$CPTS" graph "$1" -q > /dev/null
}
