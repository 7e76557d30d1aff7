#!/usr/bin/env python3
"""bench/basins_window.py - exact re-partition of a window of basins of a stored
partition (issue 17: is the optimiser locally optimal around the big cities?).

  bench/basins_window.py WS PARTITION CODE [--ring R] [--max N] [--seconds S]
                         [--free D] [--floor F] [--ceiling C] [--write FILE]
  bench/basins_window.py --self-test           brute-force checks (TAP)

The window: the basin of commune CODE and the basins adjacent to it (R rings of
adjacency, default 1; R = 0: CODE's basin alone); a basin that is a single commune above
the ceiling (Nantes, Marseille, Nice, Toulon) stays as it is and is left out, everything
outside the window stays fixed. The m basins of the window are re-partitioned exactly
into m basins, each within [F, C] (default 10,000-175,000) and connected in graph_edges
restricted to the window, keeping the most flows inside basins. Only the flows between
two communes of the window depend on the re-partition (a flow from the window to a
fixed basin is lost before and after, flows elsewhere do not move), so the gain in
overall LI is (best internal window flows - stored internal window flows) / all flows.

MILP (scipy.optimize.milp, HiGHS): x_ib = commune i in basin b; each basin b keeps its
anchor, its most populous commune in the stored partition (this breaks the symmetry
between basins; the stored partition is always feasible, so the comparison is fair but
an optimum moving two poles into one basin is not searched); x_ib only for communes
within reach of the anchor (a path from the anchor whose populations sum to at most C);
u_ijb <= x_ib, x_jb per flow pair and basin, the objective sum of w_ij u_ijb;
connectivity by a single-commodity flow per basin (the anchor sends one unit to every
commune of its basin along arcs inside the basin, capacity n x_ub on each arc out of u
and into v). Prints the stored and best internal flows, the gain in overall LI, and
HiGHS's dual bound (the most any re-partition of the window with these anchors can add);
stopped by the time limit, the best found is still feasible (its gain is a real gain,
or negative), the dual bound still an upper bound. --write FILE writes the improved
partition (code;territory) for `cpts ingest partition`. Reads the workspace only."""
import collections
import os
import sqlite3
import sys
import time

import numpy as np
from scipy.optimize import milp, Bounds

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from basins_bound import Rows  # noqa: E402


def load(ws, part):
    db = sqlite3.connect(f"file:{ws}?mode=ro", uri=True)
    pop = collections.defaultdict(float)
    for code, p in db.execute("SELECT code, pop FROM population WHERE sex='T' AND age='ALL'"):
        pop[code] += p
    lab = {}
    for code, t in db.execute("SELECT code, territory FROM partition_members WHERE partition=?"
                              " ORDER BY weight DESC", (part,)):
        lab.setdefault(code, t)
    if not lab:
        raise SystemExit(f"no partition {part}")
    sym = collections.defaultdict(float)
    total = 0.0
    for o, d, v, outside in db.execute(
            "SELECT orig, dest, volume, outside FROM flows WHERE profession = ''"):
        if v is None:
            continue
        total += v
        if outside or d not in lab or o == d or o not in lab:
            continue
        sym[(o, d) if o < d else (d, o)] += v
    adj = collections.defaultdict(set)
    for a, b in db.execute("SELECT a, b FROM graph_edges"):
        adj[a].add(b)
        adj[b].add(a)
    return pop, lab, sym, total, adj


def window(lab, pop, adj, code, rings, cap):
    members = collections.defaultdict(list)
    for c, t in lab.items():
        members[t].append(c)
    ts = {lab[code]}
    for _ in range(rings):
        ts |= {lab[v] for t in list(ts) for u in members[t] for v in adj[u] if v in lab}
    ts = {t for t in ts if not (len(members[t]) == 1 and pop[members[t][0]] > cap)}
    return sorted(ts), members


def depth(U, basins, adj):
    """Hops from each commune of U to the nearest commune of U in another basin."""
    home = {c: b for b, g in enumerate(basins) for c in g}
    dist = {c: 1 for c in U if any(v in home and home[v] != home[c] for v in adj[c])}
    front = list(dist)
    while front:
        nxt = []
        for u in front:
            for v in adj[u]:
                if v in home and v not in dist and home[v] == home[u]:
                    dist[v] = dist[u] + 1
                    nxt.append(v)
        front = nxt
    return {c: dist.get(c, 10 ** 9) for c in U}


def solve(U, basins, pop, sym, adj, floor, cap, seconds, free=None, lazy=False):
    """U: communes; basins: list of member lists (the stored re-partition of U).
    free: communes farther than that many hops from another basin stay in theirs.
    Returns (best internal flows, assignment list of basin index per commune of U,
    dual bound, status message)."""
    n, m = len(U), len(basins)
    idx = {c: i for i, c in enumerate(U)}
    home = {idx[c]: b for b, g in enumerate(basins) for c in g}
    dep = depth(U, basins, adj) if free else None
    anchors = [idx[max(b, key=lambda c: pop[c])] for b in basins]
    # reach: population-weighted shortest path from each anchor inside U
    import heapq
    reach = []
    for a in anchors:
        dist = {a: pop[U[a]]}
        h = [(dist[a], a)]
        while h:
            d, u = heapq.heappop(h)
            if d > dist.get(u, np.inf):
                continue
            for v in adj[U[u]]:
                if v not in idx:
                    continue
                k = idx[v]
                nd = d + pop[v]
                if nd <= cap + 1e-9 and nd < dist.get(k, np.inf):
                    dist[k] = nd
                    heapq.heappush(h, (nd, k))
        reach.append(set(dist))
    for b, a in enumerate(anchors):
        for k in anchors:
            if k != a:
                reach[b].discard(k)
    xv = {}
    for b in range(m):
        for i in sorted(reach[b]):
            if free and dep[U[i]] > free and home[i] != b:
                continue  # deep inside its stored basin: stays there
            xv[(i, b)] = len(xv)
    if free:  # the fixed communes of a basin reachable from its anchor through it
        for i in range(n):
            if dep[U[i]] > free and (i, home[i]) not in xv:
                xv[(i, home[i])] = len(xv)
    nv = len(xv)
    pairs = [(idx[p], idx[q], v) for (p, q), v in sym.items() if p in idx and q in idx]
    uv = {}
    cobj = []
    for k, (i, j, v) in enumerate(pairs):
        for b in range(m):
            if (i, b) in xv and (j, b) in xv:
                uv[(k, b)] = nv + len(uv)
                cobj.append(v)
    nu = len(uv)
    arcs = [(idx[a], idx[b]) for a in U for b in adj[a] if b in idx]
    fv = {}
    for b in range(m if not lazy else 0):
        for (i, j) in arcs:
            if (i, b) in xv and (j, b) in xv:
                fv[(i, j, b)] = nv + nu + len(fv)
    ntot = nv + nu + len(fv)
    rs = Rows()
    row = rs.add
    for i in range(n):  # each commune in one basin
        t = [(xv[(i, b)], 1.0) for b in range(m) if (i, b) in xv]
        if not t:
            return None, None, None, f"commune {U[i]} reachable from no anchor"
        row(t, 1, 1)
    for b in range(m):  # band
        row([(xv[(i, b)], pop[U[i]]) for i in range(n) if (i, b) in xv], floor, cap)
    for (k, b), col in uv.items():
        i, j, _ = pairs[k]
        row([(col, 1.0), (xv[(i, b)], -1.0)], -np.inf, 0)
        row([(col, 1.0), (xv[(j, b)], -1.0)], -np.inf, 0)
    outa = collections.defaultdict(list)
    ina = collections.defaultdict(list)
    for (i, j, b), col in fv.items():
        outa[(i, b)].append(col)
        ina[(j, b)].append(col)
        row([(col, 1.0), (xv[(i, b)], -float(n))], -np.inf, 0)
        row([(col, 1.0), (xv[(j, b)], -float(n))], -np.inf, 0)
    for b in range(m if not lazy else 0):
        a = anchors[b]
        for i in range(n):
            if (i, b) not in xv or i == a:
                continue
            # inflow - outflow = x_ib
            row([(c, 1.0) for c in ina[(i, b)]] + [(c, -1.0) for c in outa[(i, b)]]
                + [(xv[(i, b)], -1.0)], 0, 0)
    lb = np.zeros(ntot)
    ub = np.ones(ntot)
    ub[nv + nu:] = n
    for b, a in enumerate(anchors):
        lb[xv[(a, b)]] = 1
    integ = np.zeros(ntot)
    integ[:nv] = 1
    c = np.zeros(ntot)
    for (k, b), col in uv.items():
        c[col] = -pairs[k][2]
    t_end = time.time() + seconds
    while True:
        res = milp(c, constraints=rs.constraint(ntot), integrality=integ,
                   bounds=Bounds(lb, ub),
                   options={"time_limit": max(1.0, t_end - time.time())})
        dual = getattr(res, "mip_dual_bound", None)
        dual = None if dual is None or not np.isfinite(dual) else -dual
        if res.x is None:
            return None, None, dual, res.message
        asg = [None] * n
        for (i, b), col in xv.items():
            if res.x[col] > 0.5:
                asg[i] = b
        if not lazy:
            return -res.fun, asg, dual, res.message
        # lazy connectivity: a component C of basin b without its anchor needs one of
        # C's neighbours in b: x_cb <= sum over N(C) of x_vb for every c of C (a
        # valid cut: b is connected and holds its anchor, outside C)
        added = 0
        for b in range(m):
            g = {U[i] for i in range(n) if asg[i] == b}
            for comp in components(g, adj):
                if U[anchors[b]] in comp:
                    continue
                nbh = {idx[v] for u in comp for v in adj[u] if v in idx and v not in comp}
                for u in comp:
                    row([(xv[(idx[u], b)], 1.0)] + [(xv[(v, b)], -1.0) for v in nbh
                                                    if (v, b) in xv], -np.inf, 0)
                    added += 1
        if not added:
            return -res.fun, asg, dual, res.message
        if os.environ.get("WINDOW_LOG"):
            print(f"  round: {-res.fun:.1f} ({res.message.split('.')[0]}), {added} cuts",
                  flush=True)
        if time.time() > t_end:
            return None, None, dual, "time limit within the connectivity rounds"


def components(nodes, adj):
    seen = set()
    for s in nodes:
        if s in seen:
            continue
        comp = {s}
        seen.add(s)
        st = [s]
        while st:
            u = st.pop()
            for v in adj[u]:
                if v in nodes and v not in seen:
                    seen.add(v)
                    comp.add(v)
                    st.append(v)
        yield comp


def internal(U, asg, sym):
    idx = {c: i for i, c in enumerate(U)}
    return sum(v for (p, q), v in sym.items() if p in idx and q in idx
               and asg[idx[p]] == asg[idx[q]])


def connected(nodes, adj):
    """Is the set of nodes one connected piece (the empty set is)?"""
    return sum(1 for _ in components(set(nodes), adj)) <= 1


def self_test():
    """Brute force over every assignment of small grids: the MILP's optimum equals the
    enumerated best contiguous partition with the anchors in distinct basins."""
    import itertools
    import random
    rng = random.Random(5)
    n_t = fails = 0
    for t in range(12):
        w_, h_ = rng.choice([(3, 3), (4, 2), (3, 2), (4, 3)])
        U = [f"c{k}" for k in range(w_ * h_)]
        adj = collections.defaultdict(set)
        for y in range(h_):
            for x in range(w_):
                k = y * w_ + x
                if x + 1 < w_:
                    adj[U[k]].add(U[k + 1]); adj[U[k + 1]].add(U[k])
                if y + 1 < h_:
                    adj[U[k]].add(U[k + w_]); adj[U[k + w_]].add(U[k])
        pop = {c: float(rng.randint(1, 9)) for c in U}
        sym = {}
        for a, b in itertools.combinations(U, 2):
            if rng.random() < 0.7:
                sym[(a, b)] = rng.random() * 5
        m = rng.choice([2, 3])
        floor, cap = rng.choice([(0, 30), (5, 25), (8, 20)])
        # a stored partition: bands of columns, re-checked below
        best = None
        stored = None
        for asg in itertools.product(range(m), repeat=len(U)):
            if asg[0] != 0:
                continue
            groups = [[U[k] for k in range(len(U)) if asg[k] == b] for b in range(m)]
            if any(not g for g in groups):
                continue
            if any(not (floor <= sum(pop[c] for c in g) <= cap) or not connected(g, adj)
                   for g in groups):
                continue
            if stored is None:
                stored = groups
            anchors = [max(g, key=lambda c: pop[c]) for g in stored]
            val = internal(U, asg, sym)
            if len({asg[U.index(a)] for a in anchors}) == m:
                best = val if best is None or val > best else best
        if stored is None:
            continue
        got, asg, dual, msg = solve(U, stored, pop, sym, adj, floor, cap, 60,
                                    lazy=bool(t % 2))
        good = got is not None and abs(got - best) < 1e-6
        if good:
            groups = [[U[k] for k in range(len(U)) if asg[k] == b] for b in range(m)]
            good = all(floor <= sum(pop[c] for c in g) <= cap and connected(g, adj)
                       for g in groups) and abs(internal(U, asg, sym) - got) < 1e-6
        n_t += 1
        fails += not good
        print(f"{'ok' if good else 'not ok'} {n_t} - grid {w_}x{h_}, {m} basins,"
              f" band {floor}-{cap}, {'lazy cuts' if t % 2 else 'flows'}:"
              f" MILP {got} = brute force {best:.6f} {msg if got is None else ''}")
    print(f"1..{n_t}")
    return 1 if fails else 0


def main(argv):
    if argv[1:2] == ["--self-test"]:
        return self_test()
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    ws, part, code = argv[1:4]
    opt = {"--ring": 1, "--max": 400, "--free": 0, "--seconds": 120.0, "--floor": 10000.0,
           "--ceiling": 175000.0, "--write": ""}
    a = argv[4:]
    lazy = False
    while a:
        if a[0] == "--lazy":
            lazy = True
            a = a[1:]
        elif a[0] in opt and len(a) > 1:
            opt[a[0]] = type(opt[a[0]])(a[1])
            a = a[2:]
        else:
            print(f"unknown option {a[0]}", file=sys.stderr)
            return 2
    pop, lab, sym, total, adj = load(ws, part)
    cap, floor = opt["--ceiling"], opt["--floor"]
    ts, members = window(lab, pop, adj, code, opt["--ring"], cap)
    U = [c for t in ts for c in sorted(members[t])]
    if len(U) > opt["--max"]:
        print(f"window of {len(U)} communes above --max {opt['--max']}")
        return 1
    basins = [sorted(members[t]) for t in ts]
    st = [ts.index(lab[c]) for c in U]
    cur = internal(U, st, sym)
    t0 = time.process_time()
    best, asg, dual, msg = solve(U, basins, pop, sym, adj, floor, cap, opt["--seconds"],
                                 opt["--free"] or None, lazy)
    cpu = time.process_time() - t0
    print(f"window around {code}: {len(ts)} basins, {len(U)} communes,"
          f" {sum(pop[c] for c in U):.0f} inhabitants")
    print(f"stored internal flows {cur:.1f} (LI share {cur / total:.5f})")
    if best is None:
        print(f"no solution: {msg}")
        return 1
    # the MILP's partition rechecked independently; its flows recomputed (at the time
    # limit HiGHS's incumbent may leave some u_ijb below their x)
    groups = [[U[k] for k in range(len(U)) if asg[k] == b] for b in range(len(ts))]
    okb = all(floor - 1e-6 <= sum(pop[c] for c in g) <= cap + 1e-6 and connected(g, adj)
              for g in groups)
    best = max(best, internal(U, asg, sym))
    gain = (best - cur) / total
    ub = None if dual is None else (dual - cur) / total
    ubs = "?" if ub is None else f"{ub:.5f}"
    print(f"MILP best {best:.1f}: gain in overall LI {gain:+.5f}; at most {ubs}"
          f" ({msg.split('.')[0]}; {cpu:.0f} s CPU)")
    print(f"recheck: every basin within the band and connected: {'yes' if okb else 'NO'}")
    if opt["--write"] and gain > 0:
        new = dict(lab)
        for k, c in enumerate(U):
            new[c] = f"{ts[asg[k]]}"
        with open(opt["--write"], "w") as f:
            f.write("code_commune;territoire\n")
            for c in sorted(new):
                f.write(f"{c};{new[c]}\n")
    return 0 if okb else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
