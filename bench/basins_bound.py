#!/usr/bin/env python3
"""bench/basins_bound.py WS CEILING - an upper bound of the overall LI that any partition
of workspace WS into basins of at most CEILING inhabitants can reach (issue 17, to judge
how far the optimiser is from the best possible).

Relaxation: each residence commune i keeps at most the flows of the best set of
destinations that fits, with i itself, under the ceiling (a 0/1 knapsack: value the
flows from i, weight the destination's population), the sets of different communes not
required to agree, and neither the count, the floor nor contiguity imposed. The
knapsack is bounded by its linear relaxation (greedy by flows per inhabitant, a fraction
of the last destination) after removing the destinations that cannot fit at all. The
sum over communes, over all the residents' flows (outside destinations included), is
above the overall LI of every feasible partition. Reads the workspace only."""
import collections
import sqlite3
import sys


def main():
    ws, cap = sys.argv[1], float(sys.argv[2])
    db = sqlite3.connect(f"file:{ws}?mode=ro", uri=True)
    pop = collections.defaultdict(float)
    for code, p in db.execute("SELECT code, pop FROM population WHERE sex = 'T' AND age = 'ALL'"):
        pop[code] += p
    codes = {r[0] for r in db.execute("SELECT code FROM communes")}
    flows = collections.defaultdict(list)
    total = 0.0
    for orig, dest, vol, outside in db.execute(
            "SELECT orig, dest, volume, outside FROM flows WHERE profession = ''"):
        if vol is None:
            continue
        total += vol
        if not outside and dest in codes:
            flows[orig].append((dest, vol))
    kept = 0.0
    for i, lst in flows.items():
        room = cap - pop[i]
        k = sum(v for d, v in lst if d == i)
        items = sorted(((v / max(pop[d], 1.0), v, pop[d]) for d, v in lst
                        if d != i and pop[d] <= room), reverse=True)
        for _, v, w in items:
            if room <= 0:
                break
            take = min(1.0, room / w) if w > 0 else 1.0
            k += v * take
            room -= w * take
        kept += k
    print(f"ceiling {cap:.0f}: overall LI at most {kept / total:.4f}")


if __name__ == "__main__":
    main()
