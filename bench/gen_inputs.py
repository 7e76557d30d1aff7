#!/usr/bin/python3
"""
bench/gen_inputs.py - benchmark inputs on REAL commune geometry: the communes of
../shared/data/geo (optionally the N communes nearest to a centre), their real populations
(INSEE 2022), real GP counts (BPE 2021 NB_D201), the INSEE bassins de vie 2022 as a partition,
and SYNTHETIC patient flows from a gravity model (real flows are not open data).

Why: `cpts synth` makes fictional territories; the benchmark also needs France-scale flows
on the real metropolitan geometry (5 million pairs for `cpts diagnose`, 10 million rows for
the flows ingest), which no open source provides. The flows are a benchmark load, not data.

Gravity model (deterministic for a seed): each commune o sends flows to its k nearest
communes d (itself included, k = pairs / n), with weight (gp_d + 0.1) * exp(-dist/8 km)
(twice that for d = o) times a log-normal noise; volume = pop_o * 4.5 consultations per
inhabitant and year, shared by weight, rounded, at least 1. So every commune has exactly k
flow pairs and the total is the requested number of pairs.

Usage: gen_inputs.py --geo F [--n N] --out DIR [--flows K ...] [--seed S] [--shared DIR]
Outputs in DIR: communes.geojson, population.csv, supply.csv, attributes.csv,
partition.csv, flows_K.csv (one per K), inputs.json (counts). Needs numpy and scipy.
"""
import argparse
import csv
import gzip
import json
import math
import os
import sys

import numpy as np
from scipy.spatial import cKDTree

R_KM = 6371.0


def ring_centre(geom):
    """Mean vertex of the outer ring of the largest part (good enough for a gravity model)."""
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    best = max(polys, key=lambda p: len(p[0]))
    ring = np.asarray(best[0], dtype=float)
    return ring[:, 0].mean(), ring[:, 1].mean()


def read_csv(path, key, cols):
    out = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            out[row[key]] = tuple(row[c] for c in cols)
    return out


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return 0.0


def load_geo(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def write_lines(path, header, lines):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(header + "\n")
        for chunk in lines:
            f.write(chunk)
    os.replace(tmp, path)


def gen_flows(path, codes, xy, pop, gp, n_pairs, seed):
    n = len(codes)
    k = min(n, max(1, math.ceil(n_pairs / n)))
    excess = n * k - n_pairs if n * k > n_pairs else 0
    tree = cKDTree(xy)
    rng = np.random.default_rng(seed)
    step = 2000
    total_pairs = 0
    total_vol = 0

    def chunks():
        nonlocal total_pairs, total_vol
        for s in range(0, n, step):
            e = min(n, s + step)
            dist, idx = tree.query(xy[s:e], k=k)
            if k == 1:
                dist = dist[:, None]
                idx = idx[:, None]
            w = (gp[idx] + 0.1) * np.exp(-dist / 8.0)
            w *= rng.lognormal(0.0, 0.5, size=w.shape)
            own = idx == np.arange(s, e)[:, None]
            w[own] *= 2.0
            share = w / w.sum(axis=1, keepdims=True)
            vol = np.maximum(1, np.rint(pop[s:e, None] * 4.5 * share)).astype(np.int64)
            buf = []
            for r in range(e - s):
                o = s + r
                kk = k - 1 if o < excess else k  # drop the farthest pair of the first origins
                oc = codes[o]
                ir = idx[r]
                vr = vol[r]
                buf.extend(f"{oc};{codes[ir[j]]};{vr[j]}\n" for j in range(kk))
                total_pairs += kk
                total_vol += int(vr[:kk].sum())
            yield "".join(buf)

    write_lines(path, "commune_residence;commune_exercice;volume", chunks())
    return total_pairs, total_vol


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--geo", required=True)
    ap.add_argument("--shared", default=None, help="shared data dir (default: from --geo)")
    ap.add_argument("--n", type=int, default=0, help="keep the N communes nearest to Lyon")
    ap.add_argument("--out", required=True)
    ap.add_argument("--flows", type=int, nargs="*", default=[])
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    shared = a.shared or os.path.dirname(os.path.dirname(os.path.abspath(a.geo)))
    os.makedirs(a.out, exist_ok=True)

    fc = load_geo(a.geo)
    feats = fc["features"]
    lonlat = np.array([ring_centre(f["geometry"]) for f in feats])
    lat0 = math.radians(46.5)
    xy = np.column_stack((np.radians(lonlat[:, 0]) * R_KM * math.cos(lat0),
                          np.radians(lonlat[:, 1]) * R_KM))
    codes_all = [f["properties"]["code"] for f in feats]
    if a.n and a.n < len(feats):
        centre = xy[codes_all.index("69123")] if "69123" in codes_all else xy.mean(axis=0)
        keep = np.sort(np.argsort(((xy - centre) ** 2).sum(axis=1), kind="stable")[:a.n])
        feats = [feats[i] for i in keep]
        xy = xy[keep]
    codes = [f["properties"]["code"] for f in feats]
    n = len(codes)

    geo_out = os.path.join(a.out, "communes.geojson")
    if not os.path.exists(geo_out):
        with open(geo_out + ".tmp", "w", encoding="utf-8") as f:
            json.dump({"type": "FeatureCollection", "features": feats}, f,
                      ensure_ascii=False, separators=(",", ":"))
        os.replace(geo_out + ".tmp", geo_out)

    popd = read_csv(os.path.join(shared, "population/communes_cog2024_pop2022.csv"),
                    "code_insee", ("population_municipale", "type"))
    pop_raw = np.array([num(popd.get(c, ("0", ""))[0]) for c in codes])
    pop = np.maximum(1.0, pop_raw)  # a commune without residents still gets one flow
    bpe = read_csv(os.path.join(shared, "sante/bpe2021_sante_par_commune_cog2024.csv"),
                   "code_insee", ("NB_D201",))
    gp = np.array([num(bpe.get(c, ("0",))[0]) for c in codes])
    zon = read_csv(os.path.join(shared, "zonages/communes_zonages_cog2024.csv"),
                   "CODGEO", ("BV2022",))
    dens_path = os.path.join(shared, "zonages/grille_densite_7_niveaux_cog2024.csv")
    dens = read_csv(dens_path, "CODGEO", ("DENS",)) if os.path.exists(dens_path) else {}

    write_lines(os.path.join(a.out, "population.csv"), "code_commune;population",
                [f"{c};{int(p)}\n" for c, p in zip(codes, pop_raw)])
    write_lines(os.path.join(a.out, "supply.csv"), "code_commune;profession;effectif",
                [f"{c};medecin_generaliste;{int(g)}\n" for c, g in zip(codes, gp) if g > 0])
    write_lines(os.path.join(a.out, "partition.csv"), "code_commune;territoire",
                [f"{c};BV{zon.get(c, ('none',))[0]}\n" for c in codes])
    write_lines(os.path.join(a.out, "attributes.csv"), "code_commune;DENS",
                [f"{c};{dens[c][0]}\n" for c in codes if c in dens])
    info = {"communes": n, "population": int(pop_raw.sum()), "gp": int(gp.sum()),
            "territories": len({zon.get(c, ("none",))[0] for c in codes}), "flows": {}}
    info_path = os.path.join(a.out, "inputs.json")
    if os.path.exists(info_path):
        with open(info_path, encoding="utf-8") as f:
            info["flows"] = json.load(f).get("flows", {})
    for k in a.flows:
        path = os.path.join(a.out, f"flows_{k}.csv")
        if str(k) in info["flows"] and os.path.exists(path):
            continue
        pairs, vol = gen_flows(path, codes, xy, pop, gp, k, a.seed)
        info["flows"][str(k)] = {"pairs": pairs, "volume": vol}
    with open(info_path, "w", encoding="utf-8") as f:
        json.dump(info, f, indent=1)
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
