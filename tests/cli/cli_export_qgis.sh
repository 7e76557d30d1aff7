#!/bin/sh
# GIS outputs in real clients (issue 16): the demo export and two thinner workspaces
# (no médecin traitant data; communes and partition only) opened in QGIS 3.22
# (tests/gis/qgis_check.py): default styles applied, every feature drawn by a rule
# (masked values hatched, missing ones grey), legends titled with the indicator and its
# unit, aliases and display precision, the map-indicator fallback and its warning; GDAL's
# validate_gpkg.py; integer types; the ICC interval checked against scipy's chi-square
# quantiles (Garwood); the public population of communes outside the partition checked
# against the population file.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/gis.sh"
export CPTS_FIXED_TIME="2026-01-01T00:00:00Z"
if ! sh "$SRC/tests/browser/make_ws.sh" "$CPTS" "$T" > "$T/make.log" 2>&1; then
  echo "not ok 1 - build the demo workspace"; sed 's/^/# /' "$T/make.log"; echo "1..1"; exit 1
fi
WS="$T/ws.sqlite"
G="$T/o/cpts.gpkg"
"$CPTS" export -q "$WS" --partition partition --gpkg "$G" --flows-threshold 50
check "demo export exits 0" $?
sqlv() { ogrinfo -ro "$1" -sql "$2" 2>/dev/null | sed -n 's/^ *n ([A-Za-z0-9]*) = //p'; }

# 1. QGIS selects the default style with f_table_catalog = '' and f_table_schema = ''
ns=$(sqlv "$G" "SELECT count(*) AS n FROM layer_styles WHERE f_table_catalog = '' AND f_table_schema = '' AND useAsDefault = 1")
[ "$ns" = 4 ]; check "4 default styles with '' catalog and schema (communes, territoires, flux, metadata; got $ns)" $?
gis_check "$G" "demo export"
Q="$T/qgis.out"
has() { grep -qF "$(printf '%s' "$1")" "$Q"; }
if gis_has_qgis; then
  has "$(printf 'legend\tcommunes\tPart des patients sans médecin traitant (%%)')"
  check "communes legend titled with the indicator and its unit" $?
  has "$(printf 'legend\tcommunes\t  Secret statistique (< 11)')" &&
    has "$(printf 'legend\tcommunes\t  Hors territoire / non renseigné')"
  check "communes legend: masked and missing entries" $?
  u=$(awk -F'\t' '$1 == "undrawn" && $2 == "communes" {print $3}' "$Q")
  [ "$u" = 0 ]; check "every commune drawn by a rule (undrawn: $u)" $?
  drawn() { awk -F'\t' -v l="$1" -v r="$2" '$1 == "drawn" && $2 == l && $3 == r {print $4}' "$Q"; }
  m=$(sqlv "$G" "SELECT count(*) AS n FROM communes WHERE mt_share_masque = 1")
  dm=$(drawn communes "Secret statistique (< 11)")
  [ "$m" -gt 0 ] && [ "$dm" = "$m" ]; check "masked communes drawn hatched ($m masked, $dm drawn)" $?
  na=$(sqlv "$G" "SELECT count(*) AS n FROM communes WHERE mt_share IS NULL AND mt_share_masque = 0")
  dn=$(drawn communes "Hors territoire / non renseigné")
  [ "$na" -gt 0 ] && [ "$dn" = "$na" ]; check "communes with no value drawn grey ($na, $dn drawn)" $?
  nt=$(sqlv "$G" "SELECT count(*) AS n FROM territoires")
  [ "$(drawn territoires "Limites des territoires")" = "$nt" ]; check "outline of every territory drawn ($nt)" $?
  has "$(printf 'legend\tflux\tVolume de recours (actes)')"; check "flux legend titled" $?
  nf=$(sqlv "$G" "SELECT count(*) AS n FROM flux")
  df=$(awk -F'\t' '$1 == "drawn" && $2 == "flux" {s += $4} END {print s}' "$Q")
  [ "$nf" -gt 0 ] && [ "$df" = "$nf" ]; check "every flow drawn as an arrow of its volume class ($nf, $df)" $?
  ogrinfo -ro "$G" -sql "SELECT styleQML FROM layer_styles WHERE f_table_name = 'flux'" | grep -q 'class="ArrowLine"'
  check "flux style: arrows" $?
  has "$(printf 'alias\tcommunes\tmt_share\tPart des patients sans médecin traitant')"
  check "alias of mt_share in QGIS" $?
  has "$(printf 'alias\tmetadata\tcle\tClé')"; check "alias of a metadata field in QGIS" $?
  has "$(printf 'precision\tcommunes\tmt_share\t1')" && has "$(printf 'precision\tterritoires\tapl\t2')"
  check "display precision of real fields (mt_share 1, apl 2 decimals)" $?
else
  skip "QGIS legend, rules, aliases" "QGIS python bindings not installed (python3-qgis)"
fi

# 4. types
ogrinfo -ro -so "$G" territoires > "$T/ter.so"
ok=0
for f in pop_total n_communes aci_tier typology gp_count icc_signif mt_sans_mt mt_sans_mt_min; do
  grep -q "^$f: Integer " "$T/ter.so" || { echo "# $f: $(grep "^$f:" "$T/ter.so")"; ok=1; }
done
check "counts and codes are integers" $ok
grep -q "^icc: Real " "$T/ter.so" && grep -q "^mt_share: Real " "$T/ter.so"; check "ratios stay real" $?

# 6. ICC interval (Garwood: 100 chi2inv(a/2, 2O) / 2E, 100 chi2inv(1-a/2, 2O+2) / 2E)
ogrinfo -ro "$G" -sql "SELECT icc_observed AS o, icc_expected AS e, icc AS i, icc_ic_bas AS lo, icc_ic_haut AS hi FROM communes WHERE icc IS NOT NULL" |
  sed -n 's/^ *\(o\|e\|i\|lo\|hi\) ([A-Za-z0-9]*) = /\1 /p' > "$T/icc"
if /usr/bin/python3 -c 'import scipy' 2>/dev/null; then
  /usr/bin/python3 - "$T/icc" > "$T/icc.out" <<'PY'
import sys
from scipy.stats import chi2
rows, cur = [], {}
for line in open(sys.argv[1]):
    k, v = line.split()
    cur[k] = float(v)
    if k == "hi":
        rows.append(cur); cur = {}
bad = 0
for r in rows:
    lo = 100 * chi2.ppf(0.025, 2 * r["o"]) / (2 * r["e"])
    hi = 100 * chi2.ppf(0.975, 2 * r["o"] + 2) / (2 * r["e"])
    if abs(lo - r["lo"]) > 1e-6 * hi or abs(hi - r["hi"]) > 1e-6 * hi or not lo < r["i"] < hi:
        bad += 1
print(len(rows), bad)
PY
  read nr nb < "$T/icc.out"
  [ "$nr" -gt 0 ] && [ "$nb" = 0 ]; check "icc_ic_bas/icc_ic_haut = Garwood interval from icc_observed and icc_expected ($nr communes, $nb off)" $?
else
  skip "ICC interval against scipy" "scipy not installed for /usr/bin/python3"
fi
lo=$(sqlv "$G" "SELECT (SELECT count(*) FROM territoires WHERE icc_ic_bas IS NOT NULL AND icc_masque = 1) + (SELECT count(*) FROM communes WHERE icc_ic_bas IS NOT NULL AND icc_masque = 1) AS n")
[ "$lo" = 0 ]; check "no confidence interval for a masked ICC" $?

# 6. public population outside the partition = sum of the population file
ogrinfo -ro "$G" -sql "SELECT code AS c, pop_total AS p FROM communes WHERE territoire IS NULL" |
  sed -n 's/^ *\(c\|p\) ([A-Za-z0-9]*) = //p' | paste - - > "$T/out_pop"
awk -F';' 'NR > 1 {s[$1] += $4} END {for (c in s) print c "\t" s[c]}' "$T/demo/population.csv" | sort > "$T/file_pop"
no=$(wc -l < "$T/out_pop")
nbad=$(sort "$T/out_pop" | join -t "$(printf '\t')" - "$T/file_pop" | awk -F'\t' '$2 != $3' | wc -l)
nj=$(sort "$T/out_pop" | join -t "$(printf '\t')" - "$T/file_pop" | wc -l)
[ "$no" -gt 0 ] && [ "$nj" = "$no" ] && [ "$nbad" = 0 ]
check "population of the $no communes outside the partition = population file ($nbad differ)" $?

# 5. fallback: a workspace without médecin traitant data
W2="$T/nomt"; mkdir -p "$W2"
"$CPTS" init -q "$W2/ws.sqlite" && "$CPTS" ingest communes -q "$W2/ws.sqlite" "$T/demo/communes.geojson" &&
  "$CPTS" ingest population -q "$W2/ws.sqlite" "$T/demo/population.csv" &&
  "$CPTS" ingest partition -q "$W2/ws.sqlite" "$T/demo/partition.csv" &&
  "$CPTS" profile -q "$W2/ws.sqlite" --partition partition > /dev/null
check "workspace without MT data" $?
"$CPTS" export "$W2/ws.sqlite" --partition partition --gpkg "$W2/o.gpkg" --map-indicator mt_share 2> "$T/err"
check "export without MT data exits 0" $?
grep -q "cpts: warning: map indicator 'mt_share' has fewer than two distinct values on layer communes: its default style draws 'density' instead" "$T/err"
check "fallback to density said on stderr" $?
gis_check "$W2/o.gpkg" "export without MT data"
if gis_has_qgis; then
  has "$(printf 'legend\tcommunes\tDensité de population (hab./km²)')"; check "fallback legend: density with its unit" $?
fi
# no indicator with two values: outlines
W3="$T/bare"; mkdir -p "$W3"
"$CPTS" init -q "$W3/ws.sqlite" && "$CPTS" ingest communes -q "$W3/ws.sqlite" "$T/demo/communes.geojson" &&
  "$CPTS" ingest partition -q "$W3/ws.sqlite" "$T/demo/partition.csv" &&
  "$CPTS" profile -q "$W3/ws.sqlite" --partition partition > /dev/null &&
  "$CPTS" export "$W3/ws.sqlite" --partition partition --gpkg "$W3/o.gpkg" 2> "$T/err"
check "export of communes and partition only exits 0" $?
grep -q "its default style draws outlines only" "$T/err"; check "outline style said on stderr" $?
gis_check "$W3/o.gpkg" "export without indicators"
if gis_has_qgis; then
  has "$(printf 'legend\tterritoires\tLimites des territoires')" && has "$(printf 'legend\tcommunes\tLimites des communes')"
  check "outline styles" $?
fi
"$CPTS" export -q "$WS" --partition partition --gpkg "$T/h.gpkg" --max-hole-ha -1 2> "$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "max-hole-ha must be 0 or more" "$T/err" && [ ! -e "$T/h.gpkg" ]
check "--max-hole-ha -1: usage error, nothing written (got $rc)" $?
"$CPTS" export --help | tr '\n' ' ' | grep -q -- "--map-indicator keys: *pop_total .*mt_share.*pac"
check "export --help lists the keys of --map-indicator" $?
"$CPTS" export -q "$WS" --partition partition --gpkg "$T/z.gpkg" --map-indicator zz 2> "$T/err"
grep -q "unknown indicator 'zz' for --map-indicator (one of: pop_total " "$T/err"
check "unknown --map-indicator: the valid keys are listed" $?
tap_done
