#!/usr/bin/env python3
"""bench/basins_bound.py - upper bounds of the overall LI that any partition of a
workspace's communes into basins within a population band can reach (issue 17: is
"+0.05 over the older methods" attainable at all under the CPTS band?).

  bench/basins_bound.py WS CEILING                     star bound only (fast)
  bench/basins_bound.py WS CEILING --floor F --count K [--rounds R] [--check]
  bench/basins_bound.py WS CEILING --floor F --count K --sub CODE N [--rounds R]
      the same on the N communes around CODE (by flows), with the exact optimum
      without contiguity (HiGHS MILP, 120 s at most): how tight the bound is
  bench/basins_bound.py WS CEILING ... --where PART   also: where the bound keeps more
      than the stored partition PART (per basin of PART, in LI points)
  bench/basins_bound.py WS CEILING ... --star-cuts    add 2-partition cuts to the rounds
  bench/basins_bound.py --self-test                    brute force checks (TAP)

LI = flows kept inside the residents' own basin over all their flows (outside
destinations included), as src/basins/metrics.c computes it. A feasible partition has
every basin within CEILING inhabitants, except a commune above the ceiling, which can
only be a basin alone (the code never puts anything with it); every basin at least F
inhabitants; K basins. Contiguity is relaxed by every bound below, so each is above the
best LI of every method (each of them returns contiguous basins within the band).

Bounds, from the loosest:
- star: each commune i keeps the flows of the best set of destinations fitting with i
  under the ceiling (a knapsack by population, bounded by its linear relaxation), the
  sets of different communes not required to agree (the bound of session 8).
- pair LP: y_ij in [0, 1] for every pair of communes exchanging flows (1 = same basin),
  value f_ij + f_ji; for every commune i, sum_j pop_j y_ij <= CEILING - pop_i (i's basin
  holds at most that many other inhabitants: shared by all the communes that want i, the
  "consistency" the star bound ignores); y_ij = 0 when pop_i + pop_j > CEILING; the count
  as sum over basins of pop(B)^2 <= M_K (the largest value K basins within [F, CEILING]
  summing to the population can have: as many at the ceiling as fit, one in between,
  the rest at the floor; pairs left out of the model only add to the left side).
- pair LP + cuts: rounds of violated triangle inequalities (transitivity y_ij + y_ik -
  y_jk <= 1, adding y_jk with value 0 when j and k exchange no flows, and, when pop_i +
  pop_j + pop_k > CEILING, y_ij + y_ik + y_jk <= 1: three communes that cannot share a
  basin keep at most one of their pairs together). Each round is a valid relaxation, so
  every round's optimum is a bound; the last is the tightest.
- with --star-cuts, each round also adds 2-partition cuts: for a commune i and a set T
  of communes, sum over t in T of y_it - sum over pairs of T of y_tt' <= 1 (i's basin
  holds some k communes of T: k - k(k-1)/2 <= 1 for every k >= 0), T grown greedily
  from i's largest fractional y. They cut the "fuzzy basin" (i half with several
  communes that are not together) that triangles cannot; on the self-test grid 0.5455
  -> 0.5278 (optimum 0.5), on sub-instances of Mayenne 0.3886 -> 0.3885: little.
LPs solved by HiGHS (scipy.optimize.linprog), whose dual bound is used (its primal
optimum to 1e-7). --check also recomputes the LI of every partition stored in the
workspace that respects the band and asserts it is below the bound. Reads WS only."""
import collections
import itertools
import math
import random
import sqlite3
import sys
import time

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix


class Rows:
    """Sparse constraint rows for scipy's milp: add(terms, lb, ub) with terms a list of
    (column, coefficient); constraint(ncols) gives the LinearConstraint."""

    def __init__(self):
        self.rows, self.cols, self.data, self.lo, self.hi = [], [], [], [], []
        self.r = 0

    def add(self, terms, lb, ub):
        for k, v in terms:
            self.rows.append(self.r)
            self.cols.append(k)
            self.data.append(v)
        self.lo.append(lb)
        self.hi.append(ub)
        self.r += 1

    def constraint(self, ncols):
        from scipy.optimize import LinearConstraint
        a = csr_matrix((self.data, (self.rows, self.cols)), shape=(self.r, ncols))
        return LinearConstraint(a, self.lo, self.hi)


class Inst:
    """n communes: pop[i], self flows s[i], pair flows w[(i, j)] (i < j, f_ij + f_ji),
    total = every resident's flow (outside included)."""

    def __init__(self, pop, s, w, total, codes=None):
        self.n = len(pop)
        self.pop = [float(p) for p in pop]
        self.s = [float(x) for x in s]
        self.w = dict(w)
        self.total = float(total)
        self.codes = codes or [str(i) for i in range(self.n)]


def load(ws):
    db = sqlite3.connect(f"file:{ws}?mode=ro", uri=True)
    codes = [r[0] for r in db.execute("SELECT code FROM communes ORDER BY code")]
    idx = {c: k for k, c in enumerate(codes)}
    pop = [0.0] * len(codes)
    for code, p in db.execute("SELECT code, pop FROM population WHERE sex = 'T' AND age = 'ALL'"):
        if code in idx:
            pop[idx[code]] += p
    s = [0.0] * len(codes)
    w = collections.defaultdict(float)
    total = 0.0
    for orig, dest, vol, outside in db.execute(
            "SELECT orig, dest, volume, outside FROM flows WHERE profession = ''"):
        if vol is None or orig not in idx:
            continue
        total += vol
        if outside or dest not in idx:
            continue
        i, j = idx[orig], idx[dest]
        if i == j:
            s[i] += vol
        else:
            w[(min(i, j), max(i, j))] += vol
    return Inst(pop, s, w, total, codes), db


def star_bound(inst, cap):
    """Each commune's best destinations under the ceiling, fractional knapsack."""
    out = collections.defaultdict(list)
    # kept flows = sum over communes i of half the pair flows f_ij + f_ji of the communes
    # j in i's basin: each commune's knapsack takes half of each pair's value
    for (i, j), v in inst.w.items():
        out[i].append((j, v))
        out[j].append((i, v))
    kept = sum(inst.s)
    for i in range(inst.n):
        room = cap - inst.pop[i]
        items = sorted(((v / max(inst.pop[j], 1.0), v, inst.pop[j]) for j, v in out[i]
                        if inst.pop[j] <= room), reverse=True)
        k = 0.0
        for _, v, wt in items:
            if room <= 0:
                break
            take = min(1.0, room / wt) if wt > 0 else 1.0
            k += v * take
            room -= wt * take
        kept += k / 2  # each pair counted from both ends: half its value each
    return kept / inst.total


def max_sum_squares(inst, cap, floor, count):
    """Largest sum over basins of pop(B)^2 for `count` basins within [floor, cap] (the
    communes above the ceiling alone), or None when no such band split exists."""
    big = [p for p in inst.pop if p > cap]
    rest = sum(inst.pop) - sum(big)
    k = count - len(big)
    if k <= 0 or rest < k * floor - 1e-9 or rest > k * cap + 1e-9:
        return None
    lo = floor
    m = min(k, int(math.floor((rest - k * lo) / (cap - lo) + 1e-12))) if cap > lo else k
    mid = rest - m * cap - (k - m - 1) * lo if m < k else 0.0
    val = m * cap * cap + (k - m - 1) * lo * lo + mid * mid if m < k else k * cap * cap
    return val + sum(p * p for p in big)


def pair_lp_bound(inst, cap, floor=0.0, count=0, rounds=0, max_cuts=20000,
                  log=None, time_limit=None, star_cuts=False, sol=None):
    """The pair LP, then `rounds` rounds of triangle cuts. Returns the list of bounds
    (LI) after each solve: [without cuts, round 1, ...]."""
    pop = inst.pop
    pairs = [e for e in inst.w if pop[e[0]] + pop[e[1]] <= cap + 1e-9]
    val = [inst.w[e] for e in pairs]
    index = {e: k for k, e in enumerate(pairs)}
    cuts = []  # (list of (var, coef), rhs)
    const = sum(inst.s)
    out = []
    mk = max_sum_squares(inst, cap, floor, count) if count > 0 else None
    sumsq = sum(p * p for p in pop)
    t0 = time.time()

    def add_var(e):
        index[e] = len(pairs)
        pairs.append(e)
        val.append(0.0)
        return index[e]

    for rnd in range(rounds + 1):
        nv = len(pairs)
        rows, cols, data, rhs = [], [], [], []
        r = 0
        # knapsack rows: one per commune within the ceiling
        star = collections.defaultdict(list)
        for k, (i, j) in enumerate(pairs):
            star[i].append((k, pop[j]))
            star[j].append((k, pop[i]))
        for i in range(inst.n):
            if not star[i]:
                continue
            for k, c in star[i]:
                rows.append(r)
                cols.append(k)
                data.append(c)
            rhs.append(cap - pop[i])
            r += 1
        if mk is not None:
            for k, (i, j) in enumerate(pairs):
                rows.append(r)
                cols.append(k)
                data.append(2.0 * pop[i] * pop[j])
            rhs.append(mk - sumsq)
            r += 1
        for terms, b in cuts:
            for k, c in terms:
                rows.append(r)
                cols.append(k)
                data.append(c)
            rhs.append(b)
            r += 1
        a = csr_matrix((data, (rows, cols)), shape=(r, nv))
        res = linprog(-np.array(val), A_ub=a, b_ub=np.array(rhs), bounds=(0, 1),
                      method="highs")
        if res.status != 0:
            raise RuntimeError(f"LP failed: {res.message}")
        # HiGHS's optimum is primal and dual feasible to 1e-7: add that slack per
        # variable (at most) so the figure stays an upper bound
        bound = (const - res.fun + 1e-7 * sum(val)) / inst.total
        out.append(bound)
        if sol is not None:
            sol["pairs"], sol["y"] = list(pairs[:nv]), res.x.copy()
        if log:
            log(f"round {rnd}: {nv} pairs, {len(cuts)} cuts, LI <= {bound:.4f}"
                f" ({time.time() - t0:.1f} s)")
        if rnd == rounds or (time_limit and time.time() - t0 > time_limit):
            break
        y = res.x
        nb = collections.defaultdict(list)
        for k, (i, j) in enumerate(pairs):
            if y[k] > 1e-6:
                nb[i].append((j, y[k]))
                nb[j].append((i, y[k]))
        found = []
        for i, lst in nb.items():
            lst.sort(key=lambda t: -t[1])
            for a_ in range(len(lst)):
                j, yj = lst[a_]
                for b_ in range(a_ + 1, len(lst)):
                    k, yk = lst[b_]
                    if yj + yk <= 0.3:  # neither cut can be violated by much: stop
                        break
                    e = (min(j, k), max(j, k))
                    yjk = y[index[e]] if e in index and index[e] < nv else 0.0
                    if pop[i] + pop[j] + pop[k] > cap + 1e-9:
                        v = yj + yk + yjk - 1
                        if v > 1e-5:
                            found.append((v, 1, i, j, k))
                    else:
                        v = yj + yk - yjk - 1
                        if v > 1e-5:
                            found.append((v, 0, i, j, k))
        stars = []
        if star_cuts:
            # 2-partition (star) cuts: i and a set T of communes around it, y_iT -
            # sum of y inside T <= 1 (i's basin holds some k of T: k - k(k-1)/2 <= 1);
            # T grown greedily by the largest marginal violation
            for i, lst in nb.items():
                if len(lst) < 2:
                    continue
                T = []
                tot = 0.0
                for j, yj in lst:
                    if yj <= 1e-6:
                        break
                    if pop[i] + pop[j] > cap + 1e-9:
                        continue
                    gain = yj
                    for t in T:
                        e = (min(j, t), max(j, t))
                        if e in index and index[e] < nv:
                            gain -= y[index[e]]
                    if gain > 1e-6:
                        T.append(j)
                        tot += gain
                if len(T) >= 3 and tot > 1 + 1e-5:
                    stars.append((tot - 1, i, tuple(T)))
        if not found and not stars:
            break
        stars.sort(reverse=True)
        for v, i, T in stars[:max_cuts]:
            terms = [(index[(min(i, t), max(i, t))], 1.0) for t in T]
            for a_, b_ in itertools.combinations(T, 2):
                e = (min(a_, b_), max(a_, b_))
                if pop[a_] + pop[b_] > cap + 1e-9 and e not in index:
                    continue  # the pair cannot share a basin: y = 0, no term
                terms.append((index[e] if e in index else add_var(e), -1.0))
            cuts.append((terms, 1.0))
        found.sort(reverse=True)
        seen = set()
        for v, kind, i, j, k in found:
            key = (kind, i, min(j, k), max(j, k))
            if key in seen:
                continue
            seen.add(key)
            eij = index[(min(i, j), max(i, j))]
            eik = index[(min(i, k), max(i, k))]
            ejk = (min(j, k), max(j, k))
            if kind == 1:
                terms = [(eij, 1.0), (eik, 1.0)]
                if ejk in index:
                    terms.append((index[ejk], 1.0))
                cuts.append((terms, 1.0))
            else:
                kk = index[ejk] if ejk in index else add_var(ejk)
                cuts.append(([(eij, 1.0), (eik, 1.0), (kk, -1.0)], 1.0))
            if len(seen) >= max_cuts:
                break
    return out


def exact_milp(inst, cap, floor, count, time_limit=120):
    """The exact optimum without contiguity, for small instances (n up to ~40): y_ij
    binary for every pair, transitivity on every triple, each commune's basin within
    the band (over all pairs), the count as the number of communes that are the
    smallest of their basin. Returns (LI of the best partition, LI at most) from HiGHS's MILP (when it
    stops at the time limit: the best partition found and HiGHS's dual bound, None
    when not reported)."""
    from scipy.optimize import milp, Bounds
    n, pop = inst.n, inst.pop
    pr = [(i, j) for i in range(n) for j in range(i + 1, n)]
    ix = {e: k for k, e in enumerate(pr)}
    m = len(pr)
    nv = m + n  # y then z (z_i: i is its basin's smallest commune)
    c = np.zeros(nv)
    for e, v in inst.w.items():
        c[ix[e]] = -v
    rs = Rows()
    row = rs.add
    for i, j, k in itertools.combinations(range(n), 3):
        a, b, d = ix[(i, j)], ix[(i, k)], ix[(j, k)]
        row([(a, 1), (b, 1), (d, -1)], -np.inf, 1)
        row([(a, 1), (b, -1), (d, 1)], -np.inf, 1)
        row([(a, -1), (b, 1), (d, 1)], -np.inf, 1)
    ub = np.ones(nv)
    for i in range(n):
        terms = [(ix[(min(i, j), max(i, j))], pop[j]) for j in range(n) if j != i]
        if pop[i] > cap:
            for k, _ in terms:
                ub[k] = 0
        else:
            row(terms, floor - pop[i], cap - pop[i])
        for j in range(i):
            row([(m + i, 1), (ix[(j, i)], 1)], -np.inf, 1)
        row([(m + i, 1)] + [(ix[(j, i)], 1) for j in range(i)], 1, np.inf)
    if count:
        row([(m + i, 1) for i in range(n)], count, count)
    res = milp(c, constraints=rs.constraint(nv), integrality=np.ones(nv),
               bounds=Bounds(np.zeros(nv), ub), options={"time_limit": time_limit})
    if res.x is None:
        return None, res.message
    dual = getattr(res, "mip_dual_bound", None)
    dual = None if dual is None or not np.isfinite(dual) else (sum(inst.s) - dual) / inst.total
    return (sum(inst.s) - res.fun) / inst.total, dual


def sub_instance(inst, seed_code, size):
    """The `size` communes nearest (by flows exchanged, breadth-first) to seed_code;
    flows to the others count as leaving (in the total, never kept)."""
    nb = collections.defaultdict(list)
    for (i, j), v in inst.w.items():
        nb[i].append((v, j))
        nb[j].append((v, i))
    start = inst.codes.index(seed_code)
    chosen, frontier = [start], {}
    while len(chosen) < size:
        for v, j in nb[chosen[-1]]:
            if j not in chosen:
                frontier[j] = frontier.get(j, 0) + v
        if not frontier:
            break
        j = max(frontier, key=frontier.get)
        del frontier[j]
        chosen.append(j)
    sel = {c: k for k, c in enumerate(chosen)}
    w = {}
    for (i, j), v in inst.w.items():
        if i in sel and j in sel:
            w[(min(sel[i], sel[j]), max(sel[i], sel[j]))] = v
    total = sum(inst.s[i] for i in chosen) + sum(
        v for (i, j), v in inst.w.items() if i in sel or j in sel)
    return Inst([inst.pop[i] for i in chosen], [inst.s[i] for i in chosen], w, total,
                [inst.codes[i] for i in chosen])


def li_of(inst, lab):
    kept = sum(inst.s)
    for (i, j), v in inst.w.items():
        if lab[i] == lab[j]:
            kept += v
    return kept / inst.total


def feasible(inst, lab, cap, floor, count):
    groups = collections.defaultdict(float)
    size = collections.Counter(lab)
    for i, b in enumerate(lab):
        groups[b] += inst.pop[i]
    if count and len(groups) != count:
        return False
    for b, p in groups.items():
        if p > cap + 1e-9 and size[b] > 1:
            return False
        if p < floor - 1e-9:
            return False
    return True


def partitions(n):
    """Every set partition of range(n) as a label list (restricted growth strings)."""
    lab = [0] * n

    def rec(i, m):
        if i == n:
            yield list(lab)
            return
        for b in range(m + 1):
            lab[i] = b
            yield from rec(i + 1, max(m, b + 1) if b == m else m)
    yield from rec(0, 0)


def brute(inst, cap, floor, count):
    best = None
    for lab in partitions(inst.n):
        if feasible(inst, lab, cap, floor, count):
            li = li_of(inst, lab)
            best = li if best is None or li > best else best
    return best


def self_test():
    """TAP: each bound >= the brute-force optimum on random instances; equal to the
    known optimum where the LP is integral (a path, ceiling two communes); cuts only
    tighten; the grid's optimum."""
    n_t = 0
    fails = 0

    def ok(cond, msg):
        nonlocal n_t, fails
        n_t += 1
        fails += not cond
        print(f"{'ok' if cond else 'not ok'} {n_t} - {msg}")

    # path of 8 communes of 1 inhabitant, 1 flow each way between neighbours, self 2:
    # ceiling 2, 4 basins: best = 4 internal pairs (value 2 each) + self 16, of 16 + 14
    n = 8
    inst = Inst([1] * n, [2] * n, {(i, i + 1): 2.0 for i in range(n - 1)}, 2 * n + 2 * (n - 1))
    opt = brute(inst, 2, 0, 4)
    lp = pair_lp_bound(inst, 2, 0, 4, rounds=3)
    ok(abs(opt - (16 + 8) / 30) < 1e-12, f"path: brute-force optimum {opt:.6f} = 24/30")
    ok(abs(lp[-1] - opt) < 1e-6, f"path: pair LP {lp[-1]:.6f} equals the optimum")
    ok(star_bound(inst, 2) >= opt - 1e-9, "path: star bound above the optimum")
    # 3 x 3 grid, 1 inhabitant each, neighbour flows 1 each way, no self flows:
    # 3 basins of 3: the best keeps 6 of the 12 edges (three lines)
    g = {}
    for r_ in range(3):
        for c_ in range(3):
            v = 3 * r_ + c_
            if c_ < 2:
                g[(v, v + 1)] = 2.0
            if r_ < 2:
                g[(v, v + 3)] = 2.0
    inst = Inst([1] * 9, [0] * 9, g, 24.0)
    opt = brute(inst, 3, 0, 3)
    lp = pair_lp_bound(inst, 3, 0, 3, rounds=10)
    ok(abs(opt - 12 / 24) < 1e-12, f"grid: brute-force optimum {opt:.4f} = 0.5")
    ok(lp[-1] >= opt - 1e-9 and lp[-1] <= lp[0] + 1e-9,
       f"grid: bound {lp[0]:.4f} without cuts, {lp[-1]:.4f} with, above {opt:.4f}")
    ok(lp[-1] < lp[0] - 0.05, "grid: the triangle cuts tighten it (the missing pairs)")
    sc = pair_lp_bound(inst, 3, 0, 3, rounds=10, star_cuts=True)
    ok(opt - 1e-9 <= sc[-1] <= lp[-1] + 1e-7,
       f"grid: with star cuts {sc[-1]:.4f}, between {opt:.4f} and {lp[-1]:.4f}")
    # random instances: pops 1-9, ceiling 12-20, floor 0-4, counts 2-4
    rng = random.Random(17)
    worst = 1.0
    for t in range(40):
        n = rng.randint(5, 8)
        pop = [rng.randint(1, 9) for _ in range(n)]
        if t % 5 == 0:
            pop[0] = 25  # above the ceiling: alone
        cap = rng.randint(12, 20)
        floor = rng.choice([0, 2, 4])
        count = rng.randint(2, 4)
        s = [rng.random() * 3 for _ in range(n)]
        w = {(i, j): rng.random() * 4 for i in range(n) for j in range(i + 1, n)
             if rng.random() < 0.6}
        total = sum(s) + sum(w.values()) + rng.random() * 5  # some flows leave
        inst = Inst(pop, s, w, total)
        opt = brute(inst, cap, floor, count)
        if opt is None:
            continue
        lp = pair_lp_bound(inst, cap, floor, count, rounds=5)
        sc = pair_lp_bound(inst, cap, floor, count, rounds=5, star_cuts=True)
        st = star_bound(inst, cap)
        good = all(b >= opt - 1e-9 for b in lp + sc) and st >= opt - 1e-9
        good = good and sc[-1] <= lp[-1] + 1e-7
        worst = min(worst, opt / lp[-1])
        ok(good, f"random {t}: n {n} cap {cap} floor {floor} K {count}: optimum"
           f" {opt:.4f} <= LP+cuts {lp[-1]:.4f} <= LP {lp[0]:.4f}; star {st:.4f};"
           f" with star cuts {sc[-1]:.4f}")
    print(f"# tightest ratio optimum / bound: {worst:.4f}")
    print(f"1..{n_t}")
    return 1 if fails else 0


def check_stored(inst, db, cap, floor, count, bound):
    """LI of every stored partition within the band (and of the count, when one is
    given: the bound with a count holds for that count only) against the bound."""
    idx = {c: k for k, c in enumerate(inst.codes)}
    for (name,) in db.execute("SELECT DISTINCT partition FROM partition_members"):
        lab = [None] * inst.n
        terr = {}
        for code, t in db.execute("SELECT code, territory FROM partition_members"
                                  " WHERE partition = ? ORDER BY weight DESC", (name,)):
            if code in idx and lab[idx[code]] is None:
                lab[idx[code]] = terr.setdefault(t, len(terr))
        if any(x is None for x in lab):
            continue
        band = feasible(inst, lab, cap, floor, count)
        li = li_of(inst, lab)
        flag = "" if not band else (" ok" if li <= bound + 1e-9 else " ABOVE THE BOUND")
        print(f"  {name}: {len(terr)} basins, LI {li:.4f}, "
              f"{'within' if band else 'outside'} the band{' and count' if count else ''}{flag}")
        if band and li > bound + 1e-9:
            return 1
    return 0


def where(inst, db, part, sol, groups):
    """Where the relaxation keeps more than the stored partition PART: per commune, the
    LP's kept flows (own flows + half of y_ij (f_ij + f_ji) over its pairs) minus the
    partition's (own + half of the pairs inside its basin), summed per basin of PART
    (sum over basins = bound - LI of PART); the `groups` basins with the largest gap."""
    idx = {c: k for k, c in enumerate(inst.codes)}
    lab = [None] * inst.n
    for code, t in db.execute("SELECT code, territory FROM partition_members WHERE"
                              " partition = ? ORDER BY weight ASC", (part,)):
        if code in idx:
            lab[idx[code]] = t
    gap = [0.0] * inst.n
    for (i, j), yv in zip(sol["pairs"], sol["y"]):
        v = inst.w.get((i, j), 0.0)
        gap[i] += v * yv / 2
        gap[j] += v * yv / 2
    for (i, j), v in inst.w.items():
        if lab[i] is not None and lab[i] == lab[j]:
            gap[i] -= v / 2
            gap[j] -= v / 2
    per = collections.defaultdict(float)
    popb = collections.defaultdict(float)
    big = {}
    for i in range(inst.n):
        per[lab[i]] += gap[i]
        popb[lab[i]] += inst.pop[i]
        if lab[i] not in big or inst.pop[i] > inst.pop[big[lab[i]]]:
            big[lab[i]] = i
    tot = sum(per.values())
    print(f"gap bound - {part}: {tot / inst.total:.4f} of LI, by basin of {part}"
          " (largest commune, population, gap in LI points):")
    for t in sorted(per, key=lambda t: -per[t])[:groups]:
        print(f"  {inst.codes[big[t]]} {popb[t]:.0f} {per[t] / inst.total:+.4f}")


def main(argv):
    if argv[1:2] == ["--self-test"]:
        return self_test()
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    ws, cap = argv[1], float(argv[2])
    opts = {"--floor": 0.0, "--count": 0, "--rounds": 0}
    check = False
    star_cuts = False
    where_part = None
    sub = None
    a = argv[3:]
    while a:
        if a[0] == "--check":
            check = True
            a = a[1:]
        elif a[0] == "--where" and len(a) > 1:
            where_part = a[1]
            a = a[2:]
        elif a[0] == "--star-cuts":
            star_cuts = True
            a = a[1:]
        elif a[0] == "--sub" and len(a) > 2:
            sub = (a[1], int(a[2]))
            a = a[3:]
        elif a[0] in opts and len(a) > 1:
            opts[a[0]] = type(opts[a[0]])(float(a[1]))
            a = a[2:]
        else:
            print(f"unknown option {a[0]}", file=sys.stderr)
            return 2
    inst, db = load(ws)
    if sub:
        inst = sub_instance(inst, *sub)
        print(f"sub-instance: the {inst.n} communes around {sub[0]}, {sum(inst.pop):.0f}"
              " inhabitants")
    print(f"{ws}: {inst.n} communes, {len(inst.w)} pairs, ceiling {cap:.0f}")
    print(f"star bound: LI at most {star_bound(inst, cap):.4f}")
    if opts["--count"] or opts["--rounds"] or check or where_part:
        sol = {}
        t0 = time.process_time()
        b = pair_lp_bound(inst, cap, opts["--floor"], opts["--count"], opts["--rounds"],
                          log=lambda m: print("  " + m, flush=True), star_cuts=star_cuts,
                          sol=sol)
        print(f"pair LP bound (floor {opts['--floor']:.0f}, count {opts['--count']}):"
              f" LI at most {b[0]:.4f}; with cuts {b[-1]:.4f}"
              f" ({time.process_time() - t0:.1f} s CPU)")
        if sub:
            t0 = time.process_time()
            best, dual = exact_milp(inst, cap, opts["--floor"], opts["--count"])
            print(f"exact MILP (no contiguity): best partition LI {best:.4f}, optimum at most"
                  f" {dual if dual is None else round(dual, 4)}"
                  f" ({time.process_time() - t0:.1f} s CPU)")
        if where_part:
            where(inst, db, where_part, sol, 15)
        if check:
            return check_stored(inst, db, cap, opts["--floor"], opts["--count"], b[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
