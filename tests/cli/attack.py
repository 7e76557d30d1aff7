#!/usr/bin/python3
"""attack.py PUBLICATION... - an attacker written apart from cpts's suppression code.

PUBLICATION: a GeoPackage, an HTML report directory, a --json output of move or
profile, or the text stdout of `cpts move` (a file). What it reads beyond the
GeoPackages (issue 19's eight attacks): HTML comparison tables (the territory beside
its départements: a département is the sum of its communes when the report lists as
many of them as its "Nombre de communes"), HTML commune tables, HTML flow tables (Total
= the rows; a row "< 11" is masked; the Total is also the sum of the page's communes'
flows, related across reports), move's before/after flows (JSON and text: a change
from 1 to 10 is a masked count; one withheld but given back by LI = flows_in /
flows_res), p-values that are not classes, attraction shares that are not whole
percents, the gap to the département ("Écart au département : entre a et b points", or
"x points": 100 x_T / n_T - 100 x_D / n_D within it, to half a unit of the decimal,
when the page shows one département and both patient counts; the test's class printed
with it is not linear and is not read).

Reads ONLY the published GeoPackages (GDAL's Python bindings), writes its own linear
relations between the published numbers, and for every masked count asks glpsol
(glpk-utils, CPLEX LP files) for the smallest and largest value it can take. The
relations are the attacker's own reading of the published schema:
  - every numeric field is read (Integer, Real, a text field holding a number, French
    format included); one with `_masque` and `_min` companions is a count when it holds
    whole numbers only and every territory whose communes are all published equals
    their sum (the attacker tests the relation on the data; with no such territory, an
    Integer field is taken as a count); otherwise it is a published derived value (an
    index, a rate, missing practitioners) with no sum;
  - a territory's count is the sum of the counts of the communes whose `territoire`
    field names it (territories holding a commune shared with another are skipped);
  - subgroups: patients >= without GP >= left + fictitious; X >= X without GP;
    without GP >= X without GP (X = ALD, C2S, 70+);
  - shares: 100 * numerator = share * denominator (to 1e-9, or half a unit of the
    last decimal when the share looks rounded);
  - a masked share published as a range (`_min`, `_max`; `_lo`, `_hi` in JSON) bounds
    100 * numerator / denominator;
  - a --json of profile: every number of a territory is the same cell as in the
    GeoPackage (its shares relate its counts);
  - several files: a commune's count is the same number in each.
A linear program glpsol finds infeasible (or of undefined status) means the published
numbers contradict the relations assumed: a misreading, reported and failing (exit 1),
never taken as "nothing found".
A masked count is at least 0 (zeros are masked like 1 to T-1) and within its
published `_min`/`_max`. Prints every masked count whose interval does not span [1, T-1]
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
                self.unknown[name] = (max(0.0, lo if lo is not None else 0.0),
                                      hi if hi is not None else float("inf"), True)
        elif value is not None:
            self.known[name] = value
            self.unknown.pop(name, None)
        elif name not in self.known and name not in self.unknown:
            self.unknown[name] = (0.0, float("inf"), False)


NUMERIC = (ogr.OFTInteger, ogr.OFTInteger64, ogr.OFTReal, ogr.OFTString)


def field_num(f, n):
    """A field's value as a number: Integer, Real, or a text holding a number (French
    format too); None when empty or not a number."""
    v = f.GetField(n)
    if v is None or isinstance(v, (int, float)):
        return v
    return num_fr(str(v))


def candidate_columns(layer):
    """Every numeric field (Integer, Real, or text holding numbers) with the mask and
    bound companions of a published count, and not a ratio by its name."""
    defn = layer.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    types = {defn.GetFieldDefn(i).GetName(): defn.GetFieldDefn(i).GetType()
             for i in range(defn.GetFieldCount())}
    return [n for n in names
            if n + "_masque" in names and n + "_min" in names and not is_ratio(n)
            and types[n] in NUMERIC], types


def summable(cands, types, coms, terrs, members):
    """The attacker's test of the additive relation: a candidate is read as a count (a
    territory is the sum of its communes) when it holds whole numbers only and every
    territory whose communes are all published equals their sum (at least one such
    territory); without any such territory, when it is an Integer field. A derived
    value (an index, a rate, missing practitioners) fails the test and is read as a
    published number with no sum."""
    out = []
    for c in cands:
        vals = [r[c] for r in list(coms.values()) + list(terrs.values()) if r.get(c) is not None]
        if any(abs(v - round(v)) > 1e-9 for v in vals):
            continue
        tested, ok = 0, True
        for t, row in terrs.items():
            mem = members.get(t, [])
            if row.get(c) is None or not mem or any(coms.get(m, {}).get(c) is None for m in mem):
                continue
            tested += 1
            ok = ok and abs(row[c] - sum(coms[m][c] for m in mem)) < 1e-6
        if (tested and ok) or (not tested and types[c] in (ogr.OFTInteger, ogr.OFTInteger64)):
            out.append(c)
    return out


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
    rows = {"communes": {}, "territoires": {}}   # fid -> {candidate: value or None}
    feats = {"communes": [], "territoires": []}
    cands = {}
    for lname in ("communes", "territoires"):
        lyr = ds.GetLayerByName(lname)
        if lyr is None:
            continue
        cands[lname], types = candidate_columns(lyr)
        cands[lname + "_types"] = types
        defn = lyr.GetLayerDefn()
        shares = [s for s in SHARES if defn.GetFieldIndex(s[0]) >= 0]
        for f in lyr:
            if lname == "communes":
                fid = "c|" + f.GetFieldAsString("code")
                terr = f.GetField("territoire")
                if terr:
                    members.setdefault(terr, []).append(fid)
            else:
                fid = "t|%s|%s" % (part, f.GetFieldAsString("territoire"))
            row = {}
            for c in cands[lname]:
                m = field_num(f, c + "_masque") == 1
                # no `_min`/`_max` column: no bounds published for that indicator
                bnd = [field_num(f, c + x) if defn.GetFieldIndex(c + x) >= 0 else None
                       for x in ("_min", "_max")]
                row[c] = None if m else field_num(f, c)
                feats[lname].append((fid, c, row[c], m, bnd))
            rows[lname][fid] = row
            for sh, num, den in shares:
                r = field_num(f, sh)
                lo, hi = (field_num(f, sh + x) if defn.GetFieldIndex(sh + x) >= 0 else None
                          for x in ("_min", "_max"))
                hidden = r is None or field_num(f, sh + "_masque") == 1
                if hidden and lo is not None and hi is not None:
                    # a masked share published as a range: 100 num / den within it
                    cells.rels.append(([(100, fid + "|" + num), (-hi - 1e-9, fid + "|" + den)], None, 0))
                    cells.rels.append(([(100, fid + "|" + num), (-lo + 1e-9, fid + "|" + den)], 0, None))
                elif not hidden:
                    share_rel(cells, fid, num, den, r)
    lyr = ds.GetLayerByName("communes")
    if lyr is not None and lyr.GetLayerDefn().GetFieldIndex("nom") >= 0:
        for f in lyr:
            COMNAME.setdefault(f.GetFieldAsString("nom"), set()).add(f.GetFieldAsString("code"))
            GP_TERR.setdefault(part, {})[f.GetFieldAsString("code")] = f.GetField("territoire")
    lyr = ds.GetLayerByName("flux")
    if lyr is not None:
        for f in lyr:
            FLUX.setdefault(part, {})[(f.GetField("origine"), f.GetField("destination"))] = (
                f.GetField("territoire_origine"), f.GetField("territoire_destination"),
                field_num(f, "volume"))
    terr_by_name = {k.split("|", 2)[2]: v for k, v in rows["territoires"].items()}
    counts = {}
    for lname in ("communes", "territoires"):
        if lname not in cands:
            continue
        counts[lname] = set(summable(cands[lname], cands[lname + "_types"], rows["communes"],
                                     terr_by_name, members))
        for fid, c, v, m, bnd in feats[lname]:
            # a count, or a published derived value (known, never summed)
            cells.put(fid + "|" + c, v, m, bnd[0], bnd[1])
        for fid in rows[lname]:
            for tot, parts in SUBSETS:
                if tot in counts[lname] and all(p in counts[lname] for p in parts):
                    cells.rels.append(([(1, fid + "|" + tot)] + [(-1, fid + "|" + p) for p in parts],
                                       0, None))
    shared = {t for k in members if "," in k for t in k.split(",")}
    for t in terr_by_name:
        if t in shared:
            continue
        for c in counts.get("territoires", set()) & counts.get("communes", set()):
            cells.rels.append(([(1, "t|%s|%s|%s" % (part, t, c))] +
                               [(-1, m + "|" + c) for m in members.get(t, [])], 0, 0))
            known_part(cells, "t|%s|%s|%s" % (part, t, c), [m + "|" + c for m in members.get(t, [])])


def bounded(cells, name):
    """(lo, hi) of a masked count published with both bounds, else None."""
    u = cells.unknown.get(name)
    if u and u[2] and u[1] != float("inf"):
        return u[0], u[1]
    return None


def known_part(cells, total, parts):
    """A count over pre-masked input cells ("<11", each 1 to M = 10) is published as
    [K + m, K + M m]: K = lo - m and m = (hi - lo) / (M - 1) are published numbers (K
    the sum of its cells that are not pre-masked, m their number). K of the total is
    the sum of the parts' K: a published part is its own K, a part published with
    bounds has its K (and its m), a masked part without bounds an unknown K between 0
    and itself (it may hold pre-masked cells), or itself when the parts with bounds
    already hold all m pre-masked cells of the total."""
    M = 10.0
    b = bounded(cells, total)
    if b is None or b[1] - b[0] < M - 1 - 1e-9:
        return
    m_tot = (b[1] - b[0]) / (M - 1)
    k_tot = b[0] - m_tot
    terms, const, m_known = [], 0.0, 0.0
    for p in parts:
        pb = bounded(cells, p) if p not in cells.known else None
        if pb is not None:
            const += pb[0] - (pb[1] - pb[0]) / (M - 1)
            m_known += (pb[1] - pb[0]) / (M - 1)
    for p in parts:
        if p in cells.known:
            terms.append((-1, p))
            continue
        if bounded(cells, p) is not None:
            continue
        if abs(m_tot - m_known) < 1e-6:
            terms.append((-1, p))  # no pre-masked cell left for it: all known
            continue
        k = "k|" + p
        if k not in cells.unknown:
            cells.unknown[k] = (0.0, float("inf"), False)
            cells.rels.append(([(1, p), (-1, k)], 0, None))
        terms.append((-1, k))
    cells.rels.append((terms, const - k_tot, const - k_tot))


def share_rel(cells, fid, num, den, r):
    """100 * numerator = share * denominator, to 1e-9 or half a unit of the last
    decimal when the share looks rounded."""
    h = 1e-9 * max(1, abs(r))
    if abs(r * 10 - round(r * 10)) < 1e-9:
        h += 0.05
    cells.rels.append(([(100, fid + "|" + num), (-(r + h), fid + "|" + den)], None, 0))
    cells.rels.append(([(100, fid + "|" + num), (-(r - h), fid + "|" + den)], 0, None))


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
        status = ""
        for line in text.splitlines():
            if line.startswith("Status:"):
                status = line.split(":", 1)[1].strip()
        if "UNBOUNDED" in text or "unbounded" in text:
            val = float("inf") if sense == "Maximize" else float("-inf")
        elif status.startswith("OPTIMAL"):
            for line in text.splitlines():
                if line.startswith("Objective:"):
                    val = float(line.split("=")[1].split()[0])
        # any other status (INFEASIBLE, UNDEFINED): the published numbers contradict the
        # relations assumed, a misreading: None, reported and failing, never "nothing"
        if val is None:
            return None
        out.append(val)
    return out


LABELS = {"Patients consommants": "mt_patients", "Patients sans médecin traitant": "mt_sans_mt",
          "dont médecin traitant parti": "mt_mt_parti", "dont médecin traitant fictif": "mt_fictif",
          "Nombre de communes": "n_communes"}
DIRECT = []   # findings that need no linear program
DEPS = {"Loire-Atlantique": "44", "Maine-et-Loire": "49", "Mayenne": "53", "Sarthe": "72",
        "Vendée": "85"}  # the attacker's own list (the report names départements)


def num_fr(t):
    t = t.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    t = t.rstrip("%").rstrip("€")
    try:
        return float(t)
    except ValueError:
        return None


class Tables(__import__("html.parser").parser.HTMLParser):
    """Every table of a page as rows of cell texts, and the first h1."""
    def __init__(self):
        super().__init__()
        self.tables, self.h1, self.cur, self.row, self.cell, self.in_h1 = [], None, None, None, None, False

    def handle_starttag(self, tag, a):
        if tag == "table":
            self.cur = []
        elif tag == "tr" and self.cur is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""
        elif tag == "h1" and self.h1 is None:
            self.in_h1, self.h1 = True, ""

    def handle_endtag(self, tag):
        if tag == "table" and self.cur is not None:
            self.tables.append(self.cur)
            self.cur = None
        elif tag == "tr" and self.row is not None:
            self.cur.append(self.row)
            self.row = None
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "h1":
            self.in_h1 = False

    def handle_data(self, d):
        if self.cell is not None:
            self.cell += d
        if self.in_h1:
            self.h1 += d


def label_key(t):
    t = t.split(" (")[0]
    return LABELS.get(t)


def put_shown(cells, name, text):
    t = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
    if t.startswith("< "):
        cells.put(name, None, True, 0.0, num_fr(t[2:]) - 1)
    elif t.startswith("au moins "):
        cells.put(name, None, False, None, None)
        lo, hi, m = cells.unknown.get(name, (0.0, float("inf"), False))
        if name in cells.unknown:
            cells.unknown[name] = (max(lo, num_fr(t[9:])), hi, m)
    elif num_fr(t) is not None:
        cells.put(name, num_fr(t), False, None, None)
    else:
        cells.put(name, None, False, None, None)


def read_html(d, cells):
    part = d
    pages = sorted(f for f in os.listdir(d) if f.endswith(".html"))
    if "index.html" in pages:
        p = Tables()
        p.feed(open(os.path.join(d, "index.html"), encoding="utf-8").read())
        for tb in p.tables:
            for r in tb:
                if len(r) == 2 and r[0] == "Partition":
                    part = r[1]
    coms = {}     # code -> territory
    cols = set()  # (département name, territory)
    gaps = []     # (territory, lo, hi) of the gap paragraphs
    for f in pages:
        if f == "index.html":
            continue
        p = Tables()
        raw = open(os.path.join(d, f), encoding="utf-8").read()
        p.feed(raw)
        terr = " ".join((p.h1 or f).split())
        g = gap_shown(raw)
        if g:
            gaps.append((terr, g[0], g[1]))
        tid = "t|%s|%s" % (part, terr)
        top_destinations(part, terr, open(os.path.join(d, f), encoding="utf-8").read())
        for tb in p.tables:
            if not tb:
                continue
            hd = tb[0]
            if len(hd) >= 2 and hd[0] == "Indicateur" and hd[1] == "Territoire":
                for r in tb[1:]:
                    k = label_key(r[0]) if r else None
                    for j in range(1, min(len(r), len(hd))):
                        if k:
                            col = tid if j == 1 else "d|" + hd[j]
                            if j > 1:
                                cols.add((hd[j], terr))
                            put_shown(cells, col + "|" + k, r[j])
            elif len(hd) >= 2 and hd[0] == "Commune" and hd[1] == "Code":
                for r in tb[1:]:
                    if len(r) >= 2:
                        coms[r[1]] = terr
                        COMNAME.setdefault(r[0], set()).add(r[1])
                        for j in range(2, min(len(r), len(hd))):
                            k = label_key(hd[j])
                            if k:
                                put_shown(cells, "c|%s|%s" % (r[1], k), r[j])
            elif len(hd) == 3 and hd[0] in ("Destination", "Origine"):
                FLOWPAGES.append((part, terr, hd[0], [r[:2] for r in tb[1:] if len(r) >= 2]))
                names, tot = [], None
                for r in tb[1:]:
                    if len(r) < 2:
                        continue
                    nm = "f|%s|%s|%s|%s" % (part, terr, hd[0], r[0])
                    put_shown(cells, nm, r[1])
                    if r[0] == "Total":
                        tot = nm
                    else:
                        names.append(nm)
                if tot:
                    cells.rels.append(([(1, tot)] + [(-1, n) for n in names], 0, 0))
    # a territory is the sum of its listed communes; a département the sum of its
    # communes when all are listed (its "Nombre de communes"), else at least that
    for terr in set(coms.values()):
        mine = [c for c, t in coms.items() if t == terr]
        tid = "t|%s|%s" % (part, terr)
        n = cells.known.get(tid + "|n_communes")
        for k in ("mt_patients", "mt_sans_mt", "mt_mt_parti", "mt_fictif"):
            if tid + "|" + k in cells.known or tid + "|" + k in cells.unknown:
                for c in mine:
                    cells.put("c|%s|%s" % (c, k), None, False, None, None)
                cells.rels.append(([(1, tid + "|" + k)] + [(-1, "c|%s|%s" % (c, k)) for c in mine],
                                   0, 0 if n == len(mine) else None))
    for c, t in coms.items():
        TERR_OF.setdefault(part, {})[c] = t
    # flow totals over commune sets (three or more publications): a page's flow table
    # Total is the sum of its communes' flows (their residents' for "Destination", the
    # flows they receive for "Origine") when the page lists all its communes; the
    # communes' flows are the same numbers in every report, so A and B of one partition
    # and A + B + {c} of another give c's flows
    for p_, terr, kind, rows in FLOWPAGES:
        if p_ != part:
            continue
        mine = [c for c, t in coms.items() if t == terr]
        tot = "f|%s|%s|%s|Total" % (part, terr, kind)
        if (not mine or cells.known.get("t|%s|%s|n_communes" % (part, terr)) != len(mine)
                or (tot not in cells.known and tot not in cells.unknown)):
            continue
        key = "res" if kind == "Destination" else "recv"
        for c in mine:
            nm = "cf|%s|%s" % (c, key)
            if nm not in cells.unknown:
                cells.put(nm, None, True, 0.0, None)
                FLOWRES.add(nm)   # proved 0: no flow, nothing learnt
        cells.rels.append(([(1, tot)] + [(-1, "cf|%s|%s" % (c, key)) for c in mine], 0, 0))
    for dep, _ in cols:
        code = DEPS.get(dep, dep.split()[-1])
        mine = [c for c in coms if c.startswith(code) and len(code) == (3 if c.startswith("97") else 2)]
        n = cells.known.get("d|%s|n_communes" % dep)
        if not mine:
            continue
        for k in ("mt_patients", "mt_sans_mt", "mt_mt_parti", "mt_fictif"):
            nm = "d|%s|%s" % (dep, k)
            if nm in cells.known or nm in cells.unknown:
                for c in mine:
                    cells.put("c|%s|%s" % (c, k), None, False, None, None)
                cells.rels.append(([(1, nm)] + [(-1, "c|%s|%s" % (c, k)) for c in mine],
                                   0, 0 if n == len(mine) else None))
    gap_rels(cells, part, cols, gaps)


def gap_shown(raw):
    """The bounds of "Écart au département : ..." in points, None when secret."""
    import re
    m = re.search(r"Écart au département : ([^<(]*?) points?[ .(]", raw)
    if not m:
        return None
    t = " ".join(m.group(1).split())
    if t.startswith("entre ") and " et " in t:
        lo, hi = (num_fr(x) for x in t[6:].split(" et ", 1))
    else:
        lo = hi = num_fr(t)
    return None if lo is None or hi is None else (lo, hi)


def gap_rels(cells, part, cols, gaps):
    """lo - 0.05 <= 100 x_T / n_T - 100 x_D / n_D <= hi + 0.05, n_T and n_D published."""
    for terr, lo, hi in gaps:
        deps = {dep for dep, t in cols if t == terr}
        if len(deps) != 1:
            continue
        dep = deps.pop()
        tid = "t|%s|%s" % (part, terr)
        nt, nd = cells.known.get(tid + "|mt_patients"), cells.known.get("d|%s|mt_patients" % dep)
        xt, xd = tid + "|mt_sans_mt", "d|%s|mt_sans_mt" % dep
        if not nt or not nd or not all(x in cells.known or x in cells.unknown for x in (xt, xd)):
            continue
        cells.rels.append(([(100.0 / nt, xt), (-100.0 / nd, xd)], lo - 0.05 - 1e-9, hi + 0.05 + 1e-9))


def move_pairs(cells, frm, to, terr, rows):
    """rows: key -> (before, after) with None for withheld; flows and LI."""
    n0, n1 = rows.get("communes", (None, None))
    sgn = 1 if (n0 or 0) <= (n1 or 0) else -1
    for k in ("flows_in", "flows_res"):
        b, a = rows.get(k, (None, None))
        x0, x1 = "t|%s|%s|%s" % (frm, terr, k), "t|%s|%s|%s" % (to, terr, k)
        cells.put(x0, b, False, None, None)
        cells.put(x1, a, False, None, None)
        if b is not None and a is not None and 0 < abs(a - b) < T:
            DIRECT.append("recovered: %s of %s changes by %g in a move (%s -> %s)" % (k, terr, abs(a - b), frm, to))
        elif b is not None and a is None:
            dn = "moved|%s|%s|%s" % (frm, terr, k)
            cells.put(dn, None, True, 1.0, T - 1)
            cells.rels.append(([(1, x1), (-1, x0), (-sgn, dn)], 0, 0))
    for w, (frm_to) in enumerate((frm, to)):
        li = rows.get("LI", (None, None))[w]
        if li is None:
            continue
        txt = rows.get("LI_text", ("", ""))[w]
        dec = len(txt.split(".")[1]) if "." in txt else 3
        h = 0.5 * 10 ** -dec + 1e-12
        fi, fr = "t|%s|%s|flows_in" % (frm_to, terr), "t|%s|%s|flows_res" % (frm_to, terr)
        cells.put(fi, None, False, None, None)
        cells.put(fr, None, False, None, None)
        cells.rels.append(([(1, fi), (-(li + h), fr)], None, 0))
        cells.rels.append(([(1, fi), (-(li - h), fr)], 0, None))


def read_json_numbers(r, cells):
    """A --json of profile (or check): every number of a territory is a published cell
    of that territory (the same cell as the GeoPackage's: a count given here and masked
    there is recovered); a share relates the counts it is made of, its _lo/_hi range
    when it is masked."""
    part = r.get("partition") or "_adhoc"
    for t in r.get("territories", []):
        if not isinstance(t, dict) or "id" not in t:
            continue
        fid = "t|%s|%s" % (part, t["id"])
        masked = set(t.get("masked", []))
        for k, v in t.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)) or k.endswith(("_lo", "_hi")):
                continue
            if k.startswith("mt_") and not is_ratio(k):
                cells.put(fid + "|" + k, float(v), False, None, None)
        for sh, num, den in SHARES:
            v = t.get(sh)
            lo, hi = t.get(sh + "_lo"), t.get(sh + "_hi")
            if isinstance(v, (int, float)) and not isinstance(v, bool) and sh not in masked:
                share_rel(cells, fid, num, den, float(v))
            elif isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
                cells.rels.append(([(100, fid + "|" + num), (-hi - 1e-9, fid + "|" + den)], None, 0))
                cells.rels.append(([(100, fid + "|" + num), (-lo + 1e-9, fid + "|" + den)], 0, None))
            else:
                continue
            for n in (num, den):
                cells.put(fid + "|" + n, None, False, None, None)


def read_move_json(path, cells):
    import json, re
    text = open(path).read()
    r = json.loads(text)
    if "from" not in r:
        read_json_numbers(r, cells)
        return
    for t in r.get("territories", []):
        rows = {k: tuple(v) for k, v in t.items() if isinstance(v, list) and len(v) == 2}
        # the printed decimals of LI (json.loads drops them)
        m = re.search(r'"id":%s,[^}]*"LI":\[([^,\]]*),([^\]]*)\]' % re.escape(json.dumps(t["id"])), text)
        if m:
            rows["LI_text"] = (m.group(1), m.group(2))
        move_pairs(cells, r["from"], r["as"], t["id"], rows)


def read_move_text(path, cells):
    import re
    frm = to = None
    terr, rows = None, {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"new partition '(.*)' \(from '(.*)'\)", line)
        if m:
            to, frm = m.group(1), m.group(2)
        m = re.match(r"territory '(.*)'", line)
        if m or line.startswith("overall"):
            if terr is not None:
                move_pairs(cells, frm, to, terr, rows)
            terr, rows = (m.group(1) if m else None), {}
            continue
        # a value is a number, "n/a", or hidden: "< 11" (a masked count) or "masked"
        f = line.split(None, 1)
        g = re.findall(r"<\s*\d+|masked|n/a|[-+]?\d+(?:\.\d+)?", f[1]) if len(f) == 2 else []
        if terr is not None and len(g) >= 2 and f[0] in ("communes", "LI", "flows_in", "flows_res"):
            v = [None if x in ("n/a", "masked") or x.startswith("<") else float(x) for x in g[0:2]]
            rows[f[0]] = tuple(v)
            if f[0] == "LI":
                rows["LI_text"] = tuple(g[0:2])
    if terr is not None:
        move_pairs(cells, frm, to, terr, rows)


def gpkg_classes(path):
    """p-values published as classes only; attraction shares in whole percents."""
    ds = ogr.Open(path)
    for ln in ("communes", "territoires"):
        lyr = ds.GetLayerByName(ln)
        if lyr is None:
            continue
        d = lyr.GetLayerDefn()
        names = [d.GetFieldDefn(i).GetName() for i in range(d.GetFieldCount())]
        for f in lyr:
            for n in names:
                v = f.GetField(n)
                if v is None:
                    continue
                if n.endswith("pvalue") and v not in (0.001, 0.01, 0.05, 1.0):
                    DIRECT.append("recovered: %s %s = %r is no p-value class" % (ln, n, v))
                if n.endswith("_part") and abs(v * 100 - round(v * 100)) > 1e-9 and abs(v - round(v)) > 1e-9:
                    DIRECT.append("recovered: %s %s = %r is no whole percent" % (ln, n, v))


FLOWPAGES = []   # (partition, territory name, "Destination"/"Origine", rows [label, text])
TOPS = []        # (partition, territory name, commune name, share in percent, decimals)
COMNAME = {}     # commune name -> codes (GeoPackage communes layer, HTML commune tables)
TERR_OF = {}     # partition -> commune code -> territory name (HTML commune tables)
GP_TERR = {}     # partition -> commune code -> territory id (GeoPackage communes layer)
FLUX = {}        # partition -> (origin, destination) -> (territory ids, volume): flux layer
FLOWRES = set()  # residual cells: proved 0 is no finding (no unpublished flow there)


def top_destinations(part, terr, text):
    """The page's "Principales communes de recours hors du territoire : X (1,7 %), ...":
    each a share of the territory's residents' flows (the table's Total)."""
    import html as h
    import re
    m = re.search(r"Principales communes de recours hors du territoire : (.*?)</p>", text, re.S)
    if not m:
        return
    body = h.unescape(re.sub(r"<[^>]+>", "", m.group(1))).rstrip(".")
    for nm, v in re.findall(r"\s*(.*?) \((\d+(?:,\d+)?)\xa0?\s*%\)(?:,|$)", body):
        dec = len(v.split(",")[1]) if "," in v else 0
        TOPS.append((part, terr, nm.strip(), num_fr(v), dec))


def flow_relations(cells):
    """Issue 19 attack 6: the flux layer's commune pairs against the report's flow
    tables. A table row is a block of pairs (residents of the page's territory going to
    another territory, to communes outside the territories, outside the area; or coming
    from them): the row = the published pairs of the block + the unpublished rest, a
    residual >= 0 made of small flows. "Autres" holds every block no row shows; the
    top destinations are sub-blocks (a commune), known to their share of the Total.
    Every residual is a target (one proved 0 is no finding)."""
    parts = {p for p, _, _, _ in FLOWPAGES}
    for part in parts:
        # a pair is one number in every file: the pairs of every flux layer read,
        # placed in this partition's blocks by the report's commune tables
        own = FLUX.get(part, {})
        if not own and len(FLUX) == 1:
            own = next(iter(FLUX.values()))    # one GeoPackage, one report
        pairs = {}
        for fl in FLUX.values():
            for k, (zo, zd, v) in fl.items():
                pairs[k] = (own[k][0], own[k][1], v) if k in own else (None, None, v)
        terr_of = TERR_OF.get(part, {})
        names = {t for p, t, _, _ in FLOWPAGES if p == part}
        # the flux layer names territories by id: the report by name; a commune's
        # page (its commune table) joins them
        id2name = {}
        for (o, d), (zo, zd, v) in pairs.items():
            for c, z in ((o, zo), (d, zd)):
                if z and c in terr_of:
                    id2name[z] = terr_of[c]
        for z in list(id2name.values()):
            id2name.setdefault(z, z)

        def zone(code, zid):
            if zid:
                return id2name.get(zid, zid)
            if code in terr_of:
                return terr_of[code]
            return "hors"
        K = {}
        Kd = {}
        for (o, d), (zo, zd, v) in pairs.items():
            a, b = zone(o, zo), zone(d, zd)
            K[(a, b)] = K.get((a, b), 0.0) + v
            Kd[(a, d)] = Kd.get((a, d), 0.0) + v
        zones_out = sorted(names) + ["hors", "ext"]
        zones_in = sorted(names) + ["hors"]

        def res(a, b):
            n = "fr|%s|%s|%s" % (part, a, b)
            if n not in cells.unknown:
                cells.put(n, None, True, 0.0, None)
                FLOWRES.add(n)
            return n
        totals = {}
        for p, terr, kind, rows in FLOWPAGES:
            if p != part:
                continue
            out = kind == "Destination"
            shown, autres = set(), None
            for label, text in rows:
                nm = "f|%s|%s|%s|%s" % (part, terr, kind, label)
                if label == "Total":
                    if out:
                        totals[terr] = nm
                    continue
                if label.startswith("Autres "):
                    autres = nm
                    continue
                z = (terr if label.endswith(" (le territoire)") else
                     "hors" if label == "communes hors des territoires" else
                     "ext" if label == "communes hors de la zone étudiée" else label)
                shown.add(z)
                blk = (terr, z) if out else (z, terr)
                cells.rels.append(([(1, nm), (-1, res(*blk))], K.get(blk, 0.0), K.get(blk, 0.0)))
            rest = [z for z in (zones_out if out else zones_in) if z not in shown]
            blks = [((terr, z) if out else (z, terr)) for z in rest]
            k = sum(K.get(b, 0.0) for b in blks)
            if autres:
                cells.rels.append(([(1, autres)] + [(-1, res(*b)) for b in blks], k, k))
            elif rows:
                # no "Autres" row: the blocks no row shows hold no flow
                for b in blks:
                    cells.rels.append(([(1, res(*b))], -K.get(b, 0.0), -K.get(b, 0.0)))
        by_zone = {}
        for p, terr, nm, share, dec in TOPS:
            if p != part or terr not in totals:
                continue
            codes = COMNAME.get(nm, set())
            import re
            m = re.match(r"commune (\w+) \(", nm)
            if m:
                codes = {m.group(1)}
            if len(codes) != 1:
                continue
            code = next(iter(codes))
            z = terr_of.get(code) or ("hors" if code in GP_TERR.get(part, {}) else "ext")
            s = "frc|%s|%s|%s" % (part, terr, code)
            cells.put(s, None, True, 0.0, None)
            FLOWRES.add(s)
            kd = Kd.get((terr, code), 0.0)
            h = 0.5 * 10 ** -dec + 1e-9
            tot = totals[terr]
            cells.rels.append(([(100, s), (-(share + h), tot)], None, -100 * kd))
            cells.rels.append(([(100, s), (-(share - h), tot)], -100 * kd, None))
            cells.rels.append(([(1, s)], T - kd, None))   # named: at least T flows
            by_zone.setdefault((terr, z), []).append(s)
        for blk, subs in by_zone.items():
            cells.rels.append(([(1, res(*blk))] + [(-1, x) for x in subs], 0, None))


def main(paths):
    cells = Cells()
    for p in paths:
        if os.path.isdir(p):
            read_html(p, cells)
        elif p.endswith(".json"):
            read_move_json(p, cells)
        elif p.endswith(".txt"):
            read_move_text(p, cells)
        else:
            read(p, cells)
            gpkg_classes(p)
    flow_relations(cells)
    for x in DIRECT:
        print(x)
    found = len(DIRECT)
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
            print("misreading: the program of %s is infeasible (the published numbers"
                  " contradict the relations assumed)" % v)
            found += 1
            continue
        flo, fhi = b[0] - 1e-6, b[1] + 1e-6
        import math
        ilo, ihi = math.ceil(flo), math.floor(fhi) if fhi != float("inf") else fhi
        need_lo = max(lo, 1.0)  # known >= 0; must still reach 1 and T - 1
        need_hi = hi if hi != float("inf") else max(need_lo, T - 1)
        if ilo <= need_lo and ihi >= need_hi:
            continue
        if v in FLOWRES and ihi < 0.5:
            continue  # proved 0: no unpublished flow in that block
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
