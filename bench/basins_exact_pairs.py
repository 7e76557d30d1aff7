#!/usr/bin/env python3
"""bench/basins_exact_pairs.py WS PARTITION [MAX_UNION] [SECONDS] - how far a stored
partition is from the best re-partition of each pair of adjacent basins (issue 17: is an
exact re-cut of small unions worth adding to the optimiser?).

For every pair of adjacent basins of PARTITION whose union has at most MAX_UNION
communes (default 90), the union is re-partitioned exactly into two basins within the
CPTS band (floor 10,000, ceiling 175,000), each contiguous in graph_edges, keeping most
symmetrised flows inside: a MILP (scipy's HiGHS; x_i the side of commune i, z_e >= |x_i -
x_j| for each flow pair of the union, minimise the flows cut) with lazy separator cuts
for contiguity (two communes on one side in different components: one commune of the
boundary of the first component is on that side too), re-solved until both sides are
connected. Prints, per pair, the union size and the overall-LI gain of the exact split
over the stored one (0: the stored pair is already optimal), and a pair the solver did not
finish within SECONDS (default 8, wall-clock) per solve; a solve stopped by that limit is
marked "not proven optimal" (its gain can be negative). A basin above the ceiling (a single large
commune) pairs with nothing. Reads the workspace only; needs /usr/bin/python3 with scipy."""
import collections, sqlite3, sys, time
import numpy as np
from scipy.optimize import milp, LinearConstraint, Bounds
from scipy.sparse import lil_matrix
ws, part = sys.argv[1], sys.argv[2]
FLOOR, CEIL = 10000, 175000
maxu = int(sys.argv[3]) if len(sys.argv) > 3 else 90
limit = float(sys.argv[4]) if len(sys.argv) > 4 else 8.0
db = sqlite3.connect(f"file:{ws}?mode=ro", uri=True)
pop = collections.defaultdict(float)
for code, p in db.execute("SELECT code, pop FROM population WHERE sex='T' AND age='ALL'"):
    pop[code] += p
lab = dict(db.execute("SELECT code, territory FROM partition_members WHERE partition=?", (part,)))
sym = collections.defaultdict(float); total = 0
for o, d, v, outside in db.execute("SELECT orig, dest, volume, outside FROM flows"):
    if v is None: continue
    total += v
    if outside or d not in lab or o == d: continue
    a, b = (o, d) if o < d else (d, o)
    sym[(a, b)] += v
adj = collections.defaultdict(set)
for a, b in db.execute("SELECT a, b FROM graph_edges"):
    adj[a].add(b); adj[b].add(a)
members = collections.defaultdict(list)
for c, t in lab.items(): members[t].append(c)
nbrs = collections.defaultdict(set)
for a in adj:
    for b in adj[a]:
        if a in lab and b in lab and lab[a] != lab[b]: nbrs[lab[a]].add(lab[b])
symadj = collections.defaultdict(list)
for (a, b), v in sym.items(): symadj[a].append((b, v)); symadj[b].append((a, v))

def comps(nodes, allowed):
    seen = set(); out = []
    for s in nodes:
        if s in seen: continue
        comp = [s]; seen.add(s); st = [s]
        while st:
            u = st.pop()
            for v in adj[u]:
                if v in allowed and v not in seen:
                    seen.add(v); comp.append(v); st.append(v)
        out.append(comp)
    return out

def solve(U):
    idx = {c: i for i, c in enumerate(U)}; n = len(U)
    edges = [(idx[a], idx[b], v) for (a, b), v in sym.items() if a in idx and b in idx]
    m = len(edges); nv = n + m
    c = np.zeros(nv); c[n:] = [e[2] for e in edges]
    lo = []; hi = []
    A = lil_matrix((2 * m + 2, nv))
    for k, (i, j, v) in enumerate(edges):
        A[2*k, n+k] = 1; A[2*k, i] = -1; A[2*k, j] = 1
        A[2*k+1, n+k] = 1; A[2*k+1, i] = 1; A[2*k+1, j] = -1
    P = sum(pop[u] for u in U)
    for i, u in enumerate(U): A[2*m, i] = pop[u]
    lo = [0] * (2*m) + [max(FLOOR, P - CEIL)]
    hi = [np.inf] * (2*m) + [min(CEIL, P - FLOOR)]
    cuts = []
    lb = np.zeros(nv); ub = np.ones(nv); lb[0] = 1  # symmetry: first commune on side 1
    integ = np.zeros(nv); integ[:n] = 1
    for it in range(60):
        cons = [LinearConstraint(A[:2*m+1].tocsr(), lo, hi)]
        if cuts:
            C = lil_matrix((len(cuts), nv)); clo = []
            for r, (coef, rhs) in enumerate(cuts):
                for i, a in coef.items(): C[r, i] = a
                clo.append(rhs)
            cons.append(LinearConstraint(C.tocsr(), clo, np.inf))
        res = milp(c, constraints=cons, integrality=integ, bounds=Bounds(lb, ub), options={"time_limit": limit})
        if res.x is None: return None
        x = np.round(res.x[:n]).astype(int)
        ok = True
        for side in (0, 1):
            S = [U[i] for i in range(n) if x[i] == side]
            cs = comps(S, set(S))
            if len(cs) <= 1: continue
            ok = False
            cs.sort(key=len, reverse=True)
            j = idx[cs[0][0]]
            for C in cs[1:]:
                Cs = set(C)
                N = {v for u in C for v in adj[u] if v in idx and v not in Cs}
                i = idx[C[0]]
                # side 1: x_i + x_j - 1 <= sum x_N  ->  sum x_N - x_i - x_j >= -1
                # side 0: (1-x_i)+(1-x_j)-1 <= sum (1-x_N) -> x_i + x_j - sum x_N >= 1 - |N|
                coef = collections.defaultdict(float)
                if side == 1:
                    for v in N: coef[idx[v]] += 1
                    coef[i] -= 1; coef[j] -= 1; rhs = -1
                else:
                    for v in N: coef[idx[v]] -= 1
                    coef[i] += 1; coef[j] += 1; rhs = 1 - len(N)
                cuts.append((coef, rhs))
        if ok:
            return res.fun, x, res.status == 0  # 0: optimal; 1: the time limit
    return None

seen = set(); gains = []
t0 = time.time()
for a in sorted(members):
    for b in sorted(nbrs[a]):
        if (b, a) in seen or len(members[a]) < 2 and len(members[b]) < 2: continue
        seen.add((a, b))
        U = members[a] + members[b]
        if len(U) > maxu or max(sum(pop[c] for c in members[t]) for t in (a, b)) > CEIL:
            continue
        Us = set(U)
        curcut = sum(v for (p, q), v in sym.items() if p in Us and q in Us and lab[p] != lab[q])
        r = solve(U)
        if r is None:
            print(f"{a} {b} n={len(U)} not solved within {limit:.0f} s", flush=True); continue
        g = curcut - r[0]
        gains.append(g)
        print(f"{a} {b} n={len(U)} cut {curcut:.0f} -> {r[0]:.0f} gain in overall LI"
              f" {g / total:.5f} ({time.time() - t0:.0f} s)"
              f"{'' if r[2] else ' (time limit: not proven optimal)'}", flush=True)
print(f"pairs solved: {len(gains)}, sum of the gains (pairs overlap): {sum(gains) / total:.5f}")
