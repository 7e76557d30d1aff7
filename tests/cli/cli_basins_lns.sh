#!/bin/sh
# The optimiser's large-neighbourhood search (issue 17) on a small real region: the
# 240 communes of Mayenne (dep 53; COG 2024 geometry and 2022 populations of
# CPTS_SHARED) with the benchmark's synthetic gravity flows (bench/gen_inputs.py, 144
# destinations per commune, seed 1), 8 basins, floor 10,000 (the CPTS band's), ceiling
# 60,000. Everything is checked by a python script reading the workspace, independently
# of the optimiser: the overall LI recomputed from the flows and the stored basins
# (equal to the printed one), every basin contiguous in the stored contiguity graph,
# within floor and ceiling; the re-cuts (default --lns) end above the same search
# without them (--lns 0: descent, annealing, basin rounds and iterated local search);
# the same basins for the same seed on 1 and 2 threads.
CPTS="$1"
. "$(dirname "$0")/lib/tap.sh"
SHARED="${CPTS_SHARED:-/work/shared}"
GEO="$SHARED/data/geo/communes_r52_pays_de_la_loire_cog2024.geojson"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
if [ ! -f "$GEO" ]; then echo "1..0 # SKIP real communes not available (set CPTS_SHARED; $GEO missing)"; exit 0; fi
if ! command -v ogr2ogr > /dev/null 2>&1 || ! command -v python3 > /dev/null 2>&1; then
  echo "1..0 # SKIP ogr2ogr or python3 not installed"; exit 0
fi
if ! /usr/bin/python3 -c 'import numpy, scipy' 2> /dev/null; then
  echo "1..0 # SKIP numpy and scipy needed by bench/gen_inputs.py (/usr/bin/python3)"; exit 0
fi
WS="$T/may.sqlite"
. "$(dirname "$0")/lib/mayenne.sh"
mayenne_ws "$WS"
check "Mayenne workspace built" $?
B="--target-count 8 --max-pop 60000 --starts 2"
# shellcheck disable=SC2086
"$CPTS" basins "$WS" $B --lns 0 --name ils > "$T/ils.out" 2> "$T/err"; rc=$?
check "optimise without re-cuts exits 0 (got $rc)" $rc
# shellcheck disable=SC2086
"$CPTS" basins "$WS" $B --name lns -v > "$T/lns.out" 2> "$T/lns.err"; rc=$?
check "optimise with re-cuts exits 0 (got $rc)" $rc
grep -q "re-cuts, [0-9]* kept" "$T/lns.err"; check "re-cuts reported per start (-v)" $?
grep -q "^optimiser: objective [0-9.]*, [0-9]* moves, 2 starts, [0-9.]* s$" "$T/lns.out"
check "objective, moves, starts and time reported" $?
# shellcheck disable=SC2086
"$CPTS" basins "$WS" $B --name lns1 --threads 1 > "$T/lns1.out" 2> "$T/err"; rc=$?
check "again on 1 thread exits 0 (got $rc)" $rc
cat > "$T/check.py" <<'PY'
import collections, sqlite3, sys
ws, floor, ceil = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
db = sqlite3.connect(ws)
pop = dict(db.execute("SELECT code, pop FROM population_total"))
adj = collections.defaultdict(set)
for a, b in db.execute("SELECT a, b FROM graph_edges"):
    adj[a].add(b); adj[b].add(a)
flows = list(db.execute("SELECT orig, dest, volume FROM flows WHERE profession = ''"))
total = sum(v for _, _, v in flows)
for name in sys.argv[4:]:
    lab = dict(db.execute("SELECT code, territory FROM partition_members WHERE partition = ?", (name,)))
    kept = sum(v for o, d, v in flows if o in lab and lab.get(d) == lab[o])
    basins = collections.defaultdict(list)
    for c, t in lab.items():
        basins[t].append(c)
    bad_conn = bad_band = 0
    for t, cs in basins.items():
        seen, stack = {cs[0]}, [cs[0]]
        while stack:
            u = stack.pop()
            for v in adj[u]:
                if v not in seen and lab.get(v) == t:
                    seen.add(v); stack.append(v)
        bad_conn += len(seen) != len(cs)
        p = sum(pop[c] for c in cs)
        bad_band += p < floor or (p > ceil and len(cs) > 1)
    # the basins as sets of communes (ids differ between runs)
    print(name, len(lab), len(basins), "%.6f" % (kept / total), bad_conn, bad_band,
          "|".join(sorted(",".join(sorted(cs)) for cs in basins.values())))
PY
python3 "$T/check.py" "$WS" 10000 60000 ils lns lns1 > "$T/py.txt"
check "python check ran" $?
for name in ils lns; do
  set -- $(grep "^$name " "$T/py.txt")
  [ "$2" = 240 ] && [ "$3" = 8 ]; check "$name: 240 communes in 8 basins (got $2, $3)" $?
  [ "$5" = 0 ]; check "$name: every basin contiguous ($5 not)" $?
  [ "$6" = 0 ]; check "$name: every basin within 10,000-60,000 ($6 not)" $?
  li=$(printf '%.4f' "$4")
  grep -qx "overall LI: $li" "$T/$name.out"; check "$name: printed overall LI is the recomputed $li" $?
  grep -q "^optimiser: objective $li," "$T/$name.out"; check "$name: objective is the recomputed $li" $?
done
ils=$(awk '$1 == "ils" { print $4 }' "$T/py.txt"); lns=$(awk '$1 == "lns" { print $4 }' "$T/py.txt")
awk -v a="$lns" -v b="$ils" 'BEGIN { exit !(a > b + 0.0005) }'
check "re-cuts raise the overall LI above the search without them ($lns > $ils + 0.0005)" $?
a=$(awk '$1 == "lns" { print $7 }' "$T/py.txt"); b=$(awk '$1 == "lns1" { print $7 }' "$T/py.txt")
[ -n "$a" ] && [ "$a" = "$b" ]; check "the same basins for the same seed on 1 and 2 threads" $?
"$CPTS" basins --help > "$T/out" 2>&1
grep -q -- "--lns K" "$T/out"; check "--lns in basins --help" $?
"$CPTS" basins "$WS" --lns -3 --name bad > "$T/out" 2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "--lns -3 refused as a usage error (got $rc)" $?
grep -q -- "--lns" "$T/err"; check "the error names --lns" $?
tap_done
