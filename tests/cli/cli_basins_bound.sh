#!/bin/sh
# bench/basins_bound.py, the upper bounds of the overall LI under a population band and
# a basin count (issue 17): its own brute-force checks (every set partition of 5-8
# communes enumerated: each bound above the optimum; equal to it on a path whose LP is
# integral; the triangle cuts tighten a 3 x 3 grid), then, on the 240 communes of
# Mayenne with the benchmark's synthetic gravity flows (as cli_basins_lns.sh), the
# bound at 8 basins within 10,000-60,000 must lie above the optimiser's overall LI and
# above every stored partition within the band (--check recomputes their LI from the
# flows), the cuts never loosen it and the pair LP is below the star bound. Also
# bench/basins_window.py (exact MILP re-partition of the basins around a city): its own
# brute-force checks (every assignment of small grids enumerated, flow and lazy
# connectivity), then on Mayenne the window around Laval of the optimiser's 8 basins,
# border depth 1: the MILP's partition is rechecked within the band and connected, and
# when HiGHS proves it optimal it keeps at least the stored flows (gain >= 0).
CPTS="$1"
. "$(dirname "$0")/lib/tap.sh"
SHARED="${CPTS_SHARED:-/work/shared}"
GEO="$SHARED/data/geo/communes_r52_pays_de_la_loire_cog2024.geojson"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
if ! /usr/bin/python3 -c 'import numpy, scipy.optimize' 2> /dev/null; then
  echo "1..0 # SKIP numpy and scipy needed by bench/basins_bound.py (/usr/bin/python3)"; exit 0
fi
/usr/bin/python3 "$SRC/bench/basins_bound.py" --self-test > "$T/self.txt"; rc=$?
check "brute-force self-test exits 0 (got $rc)" $rc
k=$(grep -c '^ok ' "$T/self.txt"); bad=$(grep -c '^not ok ' "$T/self.txt")
[ "$bad" = 0 ] && [ "$k" -ge 30 ]; check "self-test: $k checks pass, $bad fail" $?
grep -q "^ok 2 - path: pair LP 0.800000 equals the optimum" "$T/self.txt"
check "path, ceiling of two communes: the bound is the optimum 24/30" $?
grep -q "^ok 7 - grid: with star cuts 0.5278, between 0.5000 and 0.5455" "$T/self.txt"
check "grid: the 2-partition cuts bring 0.5455 to 0.5278 (optimum 0.5)" $?
/usr/bin/python3 "$SRC/bench/basins_window.py" --self-test > "$T/wself.txt"; rc=$?
check "window MILP brute-force self-test exits 0 (got $rc)" $rc
k=$(grep -c '^ok ' "$T/wself.txt"); bad=$(grep -c '^not ok ' "$T/wself.txt")
[ "$bad" = 0 ] && [ "$k" -ge 8 ]; check "window self-test: $k grids equal to brute force, $bad differ" $?
if [ ! -f "$GEO" ] || ! command -v ogr2ogr > /dev/null 2>&1; then
  echo "# SKIP the Mayenne checks: real communes or ogr2ogr not available (set CPTS_SHARED)"
  tap_done
fi
WS="$T/may.sqlite"
. "$(dirname "$0")/lib/mayenne.sh"
mayenne_ws "$WS"
check "Mayenne workspace built" $?
for m in optimise plurality; do
  "$CPTS" basins "$WS" --method $m --target-count 8 --max-pop 60000 --starts 2 --name $m -q \
    > "$T/$m.out" 2> "$T/err"; rc=$?
  check "$m at 8 basins exits 0 (got $rc)" $rc
done
li=$(sed -n 's/^overall LI: //p' "$T/optimise.out")
/usr/bin/python3 "$SRC/bench/basins_bound.py" "$WS" 60000 --floor 10000 --count 8 --rounds 1 \
  --check > "$T/bound.txt"; rc=$?
check "bound with --check exits 0: no stored partition in the band above it (got $rc)" $rc
star=$(sed -n 's/^star bound: LI at most //p' "$T/bound.txt")
lp=$(sed -n 's/^pair LP bound.*at most \([0-9.]*\);.*/\1/p' "$T/bound.txt")
cut=$(sed -n 's/^pair LP bound.*with cuts \([0-9.]*\) .*/\1/p' "$T/bound.txt")
awk -v b="$cut" -v l="$li" 'BEGIN { exit !(l != "" && b != "" && b + 0 >= l + 0) }'
check "bound with cuts $cut above the optimiser's overall LI $li" $?
awk -v c="$cut" -v l="$lp" -v s="$star" \
  'BEGIN { exit !(c != "" && l != "" && s != "" && c <= l + 1e-9 && l <= s + 1e-9) }'
check "cuts $cut <= pair LP $lp <= star $star" $?
grep -q "^  optimise: 8 basins, LI [0-9.]*, within the band and count ok$" "$T/bound.txt"
check "the stored optimiser partition recomputed within the band, below the bound" $?
grep -q "^  plurality: 8 basins, LI [0-9.]*, within the band and count ok$" "$T/bound.txt"
check "the stored plurality partition below the bound too" $?
/usr/bin/python3 "$SRC/bench/basins_window.py" "$WS" optimise 53130 --ceiling 60000 \
  --free 1 --seconds 60 > "$T/win.txt"; rc=$?
check "window around Laval exits 0 (got $rc)" $rc
grep -q "^recheck: every basin within the band and connected: yes$" "$T/win.txt"
check "window: the MILP's basins within 10,000-60,000 and connected" $?
if grep -q "Optimization terminated successfully" "$T/win.txt"; then
  grep -q "gain in overall LI +0.0" "$T/win.txt"
  check "window solved to optimality: gain >= 0 over the stored basins" $?
fi
tap_done
