#!/bin/sh
# disclosure_synth.sh CPTS OUTDIR [DATA] - disclosure control on a whole `cpts diagnose`
# of synthetic data with exact small counts and pre-masked ("<11") cells: by default
# the 1,000-commune set that scripts/bench generates (bench/tmp/data/synth_1000; any
# directory with the same files via DATA). Every GeoPackage of the output (the
# territories and basins exports, never the private workspace) is read by `cpts audit`
# (with the HTML report, as its reader sees both) and by the attacker written apart
# (tests/cli/attack.py). Prints the export's suppression counts, then each reader's
# verdict; exit 1 when either recovers anything. Why here and not in the tests: a run
# costs about 20 s of CPU for the diagnose and several CPU-minutes for the attacker.
set -eu
CPTS="$1"; O="$2"
D="${3:-$(dirname "$0")/tmp/data/synth_1000}"
SRC="$(cd "$(dirname "$0")/.." && pwd)"
for f in communes.geojson population.csv attributes.csv consumption.csv mt.csv supply.csv \
	 flows.csv; do
	[ -f "$D/$f" ] || { echo "disclosure_synth: $D/$f is missing (run scripts/bench first)" >&2; exit 2; }
done
[ ! -e "$O" ] || { echo "disclosure_synth: $O exists; give a new directory" >&2; exit 2; }
"$CPTS" diagnose --communes "$D/communes.geojson" --out "$O" --seed 1 \
	--method modularity --min-pop 20000 --max-pop 175000 \
	--population "$D/population.csv" --attributes "$D/attributes.csv" \
	--consumption "$D/consumption.csv" --mt "$D/mt.csv" --supply "$D/supply.csv" \
	--flows "$D/flows.csv" 2>&1 | grep -e "disclosure:" -e "error" || true
status=0
for g in $(find "$O" -name '*.gpkg' -not -path '*/prive/*' | sort); do
	h="$(dirname "$g")/html"
	[ -d "$h" ] || h=""
	echo "== $g ${h:+(with $h)}"
	"$CPTS" audit -q "$g" $h > "$O/audit.out" 2>&1 || status=1
	grep -e "finding" "$O/audit.out" | tail -1
	/usr/bin/python3 "$SRC/tests/cli/attack.py" "$g" > "$O/attack.out" 2>&1 || status=1
	grep -e "^attack:" -e "^misreading" "$O/attack.out" | tail -3
done
exit $status
