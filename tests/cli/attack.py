#!/usr/bin/python3
"""attack.py FILE.gpkg... - an attacker written apart from cpts's suppression code.

Reads ONLY the published GeoPackages (GDAL's Python bindings), writes its own linear
relations between the published numbers, and for every masked count asks glpsol
(glpk-utils, CPLEX LP files) for the smallest and largest value it can take. The
relations are the attacker's own reading of the published schema:
  - a territory's count is the sum of the counts of the communes whose `territoire`
    field names it (territories holding a commune shared with another are skipped);
  - subgroups: patients >= without GP >= left + fictitious; X >= X without GP;
    without GP >= X without GP (X = ALD, C2S, 70+);
  - shares: 100 * numerator = share * denominator (to 1e-9, or half a unit of the
    last decimal when the share looks rounded);
  - several files: a commune's count is the same number in each.
A masked count is at least 1 (zeros are published) and within its published
`_min`/`_max`. Prints every masked count whose interval does not span [1, T-1]
(a masked count proved >= T with no published upper bound is no small count), and every
count masked in one file and published in another. Exit 1 when anything is recovered.
"""
import os
import subprocess
import sys
import tempfile

from osgeo import ogr

ogr.UseExceptions()
T = 11.0
SUBSETS = [("mt_patients", ["mt_sans_mt"]), ("mt_sans_mt", ["mt_mt_parti", "mt_fictif"]),
           ("mt_patients", ["mt_ald"]), ("mt_patients", ["mt_c2s"]), ("mt_patients", ["mt_p70"]),
           ("mt_ald", ["mt_ald_sans_mt"]), ("mt_c2s", ["mt_c2s_sans_mt"]),
           ("mt_p70", ["mt_p70_sans_mt"]), ("mt_sans_mt", ["mt_ald_sans_mt"]),
           ("mt_sans_mt", ["mt_c2s_sans_mt"]), ("mt_sans_mt", ["mt_p70_sans_mt"])]
SHARES = [("mt_share", "mt_sans_mt", "mt_patients"), ("mt_ald_share", "mt_ald_sans_mt", "mt_ald"),
          ("mt_c2s_share", "mt_c2s_sans_mt", "mt_c2s"),
          ("mt_p70_share", "mt_p70_sans_mt", "mt_p70")]
RATIOS = ("icc", "icc_signif", "missing_gps")


def is_ratio(n):
    return n.endswith("_share") or n.endswith("_part") or "gap" in n or "pvalue" in n or n in RATIOS


class Cells:
    def __init__(self):
        self.known = {}      # name -> value
        self.unknown = {}    # name -> (lo, hi, masked)
        self.masked_somewhere = set()
        self.rels = []       # (terms [(coef, name)], lo, hi)

    def put(self, name, value, masked, lo, hi):
        if masked:
            self.masked_somewhere.add(name)
            if name not in self.known:
                self.unknown[name] = (max(1.0, lo if lo is not None else 1.0),
                                      hi if hi is not None else float("inf"), True)
        elif value is not None:
            self.known[name] = value
            self.unknown.pop(name, None)
        elif name not in self.known and name not in self.unknown:
            self.unknown[name] = (0.0, float("inf"), False)


def count_columns(layer):
    defn = layer.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    return [n for n in names if n + "_masque" in names and not is_ratio(n)]


def read(path, cells):
    global T
    ds = ogr.Open(path)
    meta = ds.GetLayerByName("metadata")
    part = path
    if meta:
        for f in meta:
            if f.GetField("cle") == "seuil_masquage":
                T = float(f.GetField("valeur"))
            if f.GetField("categorie") == "partition" and f.GetField("cle") == "nom":
                part = f.GetField("valeur")
    members = {}
    for lname in ("communes", "territoires"):
        lyr = ds.GetLayerByName(lname)
        if lyr is None:
            continue
        cols = count_columns(lyr)
        shares = [s for s in SHARES if lyr.GetLayerDefn().GetFieldIndex(s[0]) >= 0]
        for f in lyr:
            if lname == "communes":
                fid = "c|" + f.GetFieldAsString("code")
                terr = f.GetField("territoire")
                if terr:
                    members.setdefault(terr, []).append(fid)
            else:
                fid = "t|%s|%s" % (part, f.GetFieldAsString("territoire"))
            for c in cols:
                m = f.GetField(c + "_masque") == 1
                cells.put(fid + "|" + c, f.GetField(c), m, f.GetField(c + "_min"),
                          f.GetField(c + "_max"))
            for tot, parts in SUBSETS:
                if tot in cols and all(p in cols for p in parts):
                    cells.rels.append(([(1, fid + "|" + tot)] + [(-1, fid + "|" + p) for p in parts],
                                       0, None))
            for sh, num, den in shares:
                r = f.GetField(sh)
                if r is None or f.GetField(sh + "_masque") == 1:
                    continue
                h = 1e-9 * max(1, abs(r))
                if abs(r * 10 - round(r * 10)) < 1e-9:
                    h += 0.05
                cells.rels.append(([(100, fid + "|" + num), (-(r + h), fid + "|" + den)], None, 0))
                cells.rels.append(([(100, fid + "|" + num), (-(r - h), fid + "|" + den)], 0, None))
    lyr = ds.GetLayerByName("territoires")
    shared = {t for k in members if "," in k for t in k.split(",")}
    if lyr is not None:
        cols = count_columns(lyr)
        for f in lyr:
            t = f.GetField("territoire")
            if t in shared:
                continue
            for c in cols:
                cells.rels.append(([(1, "t|%s|%s|%s" % (part, t, c))] +
                                   [(-1, m + "|" + c) for m in members.get(t, [])], 0, 0))


def lp_bounds(cells, target, comp_rels, comp_vars):
    """min and max of target with glpsol; None when infeasible."""
    names = {v: "x%d" % i for i, v in enumerate(sorted(comp_vars))}
    out = []
    for sense in ("Minimize", "Maximize"):
        lines = [sense, " obj: " + names[target], "Subject To"]
        for k, (terms, lo, hi) in enumerate(comp_rels):
            const = sum(c * cells.known[n] for c, n in terms if n in cells.known)
            expr = " ".join("%+.12g %s" % (c, names[n]) for c, n in terms if n in names)
            if lo is not None and hi is not None and lo == hi:
                lines.append(" r%d: %s = %.12g" % (k, expr, lo - const))
            else:
                if lo is not None:
                    lines.append(" a%d: %s >= %.12g" % (k, expr, lo - const))
                if hi is not None:
                    lines.append(" b%d: %s <= %.12g" % (k, expr, hi - const))
        lines.append("Bounds")
        for v, n in names.items():
            lo, hi, _ = cells.unknown[v]
            lines.append(" %.12g <= %s" % (lo, n) + ("" if hi == float("inf") else " <= %.12g" % hi))
        lines.append("End")
        with tempfile.NamedTemporaryFile("w", suffix=".lp", delete=False) as fh:
            fh.write("\n".join(lines) + "\n")
            lp = fh.name
        res = lp + ".out"
        subprocess.run(["glpsol", "--lp", lp, "-o", res], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        val = None
        with open(res) as fh:
            text = fh.read()
        os.unlink(lp)
        os.unlink(res)
        if "UNBOUNDED" in text or "unbounded" in text:
            val = float("inf") if sense == "Maximize" else float("-inf")
        else:
            for line in text.splitlines():
                if line.startswith("Objective:"):
                    val = float(line.split("=")[1].split()[0])
        if val is None:
            return None
        out.append(val)
    return out


def main(paths):
    cells = Cells()
    for p in paths:
        read(p, cells)
    found = 0
    for n in sorted(cells.masked_somewhere):
        if n in cells.known:
            print("recovered: %s masked in one file, published as %g in another" % (n, cells.known[n]))
            found += 1
    # components over unknowns
    parent = {v: v for v in cells.unknown}

    def find(v):
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v
    rels = [r for r in cells.rels if all(n in cells.known or n in cells.unknown for _, n in r[0])]
    for terms, _, _ in rels:
        us = [n for _, n in terms if n in cells.unknown]
        for u in us[1:]:
            a, b = find(us[0]), find(u)
            if a != b:
                parent[a] = b
    comp_rels, comp_vars = {}, {}
    for v in cells.unknown:
        comp_vars.setdefault(find(v), set()).add(v)
    for r in rels:
        us = [n for _, n in r[0] if n in cells.unknown]
        if us:
            comp_rels.setdefault(find(us[0]), []).append(r)
    n_lp = 0
    for v, (lo, hi, masked) in sorted(cells.unknown.items()):
        if not masked:
            continue
        root = find(v)
        if root not in comp_rels:
            continue
        b = lp_bounds(cells, v, comp_rels[root], comp_vars[root])
        n_lp += 2
        if b is None:
            print("inconsistent: %s" % v)
            found += 1
            continue
        flo, fhi = b[0] - 1e-6, b[1] + 1e-6
        import math
        ilo, ihi = math.ceil(flo), math.floor(fhi) if fhi != float("inf") else fhi
        need_lo = lo
        need_hi = hi if hi != float("inf") else max(lo, T - 1)
        if ilo <= need_lo and ihi >= need_hi:
            continue
        if hi == float("inf") and ilo > need_hi:
            continue
        if need_hi - need_lo > T - 2 and ihi - ilo >= T - 2:
            continue
        print("recovered: %s in [%g, %g] (published [%g, %g])" % (v, ilo, ihi, lo, hi))
        found += 1
    print("attack: %d masked counts, %d programs, %d recovered" %
          (sum(1 for x in cells.unknown.values() if x[2]), n_lp, found))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
