#!/usr/bin/python3
"""
bench/peers/louvain_igraph.py - peer of `cpts basins --method modularity`: igraph's
(unconstrained) Louvain, community_multilevel, on the same flow file as cpts, weights
symmetrised (w_ab + w_ba for each unordered pair; a commune's flows to itself kept as a
self-loop). It ignores contiguity and population bounds: it is the speed reference only.
Run by scripts/bench with /usr/bin/python3 (Debian python3-igraph).

Usage: louvain_igraph.py FLOWS.csv   (commune_residence;commune_exercice;volume)
Prints one JSON line: tool, version, n (vertices), m (undirected edges), read_s (reading the
CSV and building the graph), build_s (community_multilevel alone), communities, modularity.
"""
import json
import sys
import time


def main():
    import igraph

    t0 = time.perf_counter()
    ids = {}
    sym = {}
    with open(sys.argv[1], encoding="utf-8") as f:
        header = f.readline().strip().split(";")
        io, idd, iv = (header.index("commune_residence"), header.index("commune_exercice"),
                       header.index("volume"))
        for line in f:
            p = line.rstrip("\n").split(";")
            a = ids.setdefault(p[io], len(ids))
            b = ids.setdefault(p[idd], len(ids))
            key = (a, b) if a <= b else (b, a)
            sym[key] = sym.get(key, 0.0) + float(p[iv])
    g = igraph.Graph(n=len(ids), edges=list(sym.keys()))
    g.es["weight"] = list(sym.values())
    t1 = time.perf_counter()
    cl = g.community_multilevel(weights="weight")
    t2 = time.perf_counter()
    print(json.dumps({"tool": "igraph", "version": igraph.__version__, "n": g.vcount(),
                      "m": g.ecount(), "read_s": t1 - t0, "build_s": t2 - t1,
                      "communities": len(cl), "modularity": cl.modularity}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
