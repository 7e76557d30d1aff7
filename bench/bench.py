#!/usr/bin/python3
"""
bench/bench.py - the cpts benchmark (issue 8), run by scripts/bench after it has installed the
dependencies and built build-release/. Never part of the tests: it measures, it does not judge.

What it does, per dataset (cpts synth at 1,000 / 5,000 / 35,000 communes, and the real
metropolitan communes of ../shared/data/geo with gravity flows made by bench/gen_inputs.py):
  1. times each stage of cpts as a separate process under /usr/bin/time -v (wall clock,
     user+sys CPU, peak RSS), R runs each, and keeps the median. Stages are chained on
     workspace copies: stage k starts each run from a copy of the workspace left by stage
     k-1, so every run does the same work (the copy is not timed);
  2. runs the peers on the same files (libpysal and spdep queen contiguity, igraph Louvain);
  3. checks determinism: the export and `cpts diagnose` are run at least twice with the same
     inputs and seed; the GeoPackage attribute tables (ogr2ogr -f CSV) and the HTML bytes of
     the runs are compared;
  4. writes bench/results.md (Markdown) and bench/tmp/results.json (raw numbers).
A stage whose command says "not implemented" is reported "n/a (not implemented)"; any other
failure is reported with its exit code and first error line; nothing aborts the bench.

Usage: bench.py [--quick] [--runs R] [--sizes 1000,5000,35000] [--no-france] [--no-peers]
                [--budget-min M] [--out bench/results.md]
Environment: CPTS_FIXED_TIME is set (as in the tests) so that dated outputs are comparable.
"""
import argparse
import datetime
import glob
import hashlib
import json
import math
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TMP = os.path.join(ROOT, "bench", "tmp")
CPTS = os.path.join(ROOT, "build-release", "cpts")
PY = "/usr/bin/python3"
SEED = 1
MOD_ARGS = ["--method", "modularity", "--min-pop", "20000", "--max-pop", "175000"]
FLOWS_FRANCE = 5_000_000
FLOWS_INGEST_BIG = 10_000_000
CMD_TIMEOUT = 900  # seconds; one command longer than this is killed and reported
REPEAT_CAP = 90    # seconds: repeats of one stage stop when they would cost more than this
DETERMINISM_CAP = 150  # seconds: longest run that is still repeated for the determinism check
SHORT_STAGE = 2.0  # seconds: stages shorter than this get SHORT_RUNS runs (they are the
SHORT_RUNS = 5     # noisiest: a shared machine's hiccup is a large share of them)

T_START = time.monotonic()


def log(msg):
    print(f"[bench {time.monotonic() - T_START:7.1f}s] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# Running and timing one command

def parse_time_v(path):
    """Wall (s), CPU user+sys (s) and max RSS (KiB) from a /usr/bin/time -v report."""
    wall = cpu = rss = None
    user = sys_ = 0.0
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if line.startswith("User time (seconds):"):
                    user = float(line.split(":")[-1])
                elif line.startswith("System time (seconds):"):
                    sys_ = float(line.split(":")[-1])
                elif line.startswith("Maximum resident set size (kbytes):"):
                    rss = int(line.split(":")[-1])
                elif line.startswith("Elapsed (wall clock) time"):
                    val = line.rsplit(": ", 1)[-1]
                    parts = [float(p) for p in val.split(":")]
                    wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
        cpu = user + sys_
    except OSError:
        pass
    return wall, cpu, rss


def run_timed(cmd, tag, env=None, cwd=None):
    """Run cmd under /usr/bin/time -v. Returns dict(rc, wall, cpu, rss_kib, out, err)."""
    os.makedirs(os.path.join(TMP, "logs"), exist_ok=True)
    base = os.path.join(TMP, "logs", re.sub(r"[^A-Za-z0-9_.-]", "_", tag))
    tfile, ofile, efile = base + ".time", base + ".out", base + ".err"
    t0 = time.perf_counter()
    with open(ofile, "wb") as o, open(efile, "wb") as e:
        p = subprocess.Popen(["/usr/bin/time", "-v", "-o", tfile] + cmd, stdout=o, stderr=e,
                             env=env, cwd=cwd, start_new_session=True)
        try:
            rc = p.wait(timeout=CMD_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            rc = "timeout"
    elapsed = time.perf_counter() - t0
    wall, cpu, rss = parse_time_v(tfile)
    with open(ofile, encoding="utf-8", errors="replace") as f:
        out = f.read()
    with open(efile, encoding="utf-8", errors="replace") as f:
        err = f.read()
    # time -v appends "Command exited with non-zero status N" to its own file, not to err.
    return {"rc": rc, "wall": wall if wall is not None else elapsed, "cpu": cpu,
            "rss_kib": rss, "out": out, "err": err}


def first_error(err):
    for line in err.splitlines():
        if "error" in line.lower():
            return line.strip()[:200]
    lines = [ln.strip() for ln in err.splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""


def is_not_implemented(r):
    return r["rc"] != 0 and "not implemented" in r["err"]


def run_quiet(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


# ---------------------------------------------------------------------------------------
# Bench state

class Bench:
    def __init__(self, args):
        self.args = args
        self.results = []       # one dict per (dataset, stage)
        self.peers = []         # one dict per (dataset, peer)
        self.counts = {}        # dataset -> cpts graph counts
        self.determinism = []   # one dict per check
        self.datasets = []      # dataset descriptions
        self.notes = []
        self.env = dict(os.environ, CPTS_FIXED_TIME="2026-01-01T00:00:00Z")
        self.deadline = T_START + args.budget_min * 60
        self.ds_deadline = self.deadline  # the share of the budget of the current dataset
        self.probed = {}

    def runs_for(self, first_wall, min_runs=1):
        """How many runs a stage gets: R, but repeats stop when they would cost more than
        REPEAT_CAP seconds or eat into the rest of the time budget. min_runs (the
        determinism checks) is honoured only when a second run is affordable."""
        left = min(self.deadline, self.ds_deadline) - time.monotonic()
        if first_wall is None or first_wall <= 0:
            return max(1, self.args.runs)
        if left < 2 * first_wall:
            affordable = 1
        else:
            affordable = 1 + int(min(REPEAT_CAP, left / 4) // first_wall)
        runs = self.args.runs
        if first_wall < SHORT_STAGE and not self.args.runs_given and not self.args.quick:
            runs = max(runs, SHORT_RUNS)
        n = max(1, min(runs, affordable))
        if min_runs > n and first_wall < DETERMINISM_CAP and left > first_wall + 5:
            n = min_runs
        return n

    def implemented(self, command):
        """False when `cpts COMMAND --help` answers that the command is not implemented."""
        if command not in self.probed:
            r = run_quiet([CPTS, command, "--help"], env=self.env)
            self.probed[command] = not (r.returncode != 0 and "not implemented" in r.stderr)
        return self.probed[command]

    def stage(self, ds, name, make_cmd, ws_mode, pre_ws=None, keep_outputs=None, min_runs=1):
        """Time one stage. make_cmd(run_index, ws) -> argv. ws_mode: 'copy' (each run works
        on a copy of pre_ws), 'fresh' (each run on a new empty workspace) or 'none'.
        Returns (status, workspace left by the last run)."""
        rec = {"dataset": ds["name"], "n": ds["n"], "stage": name, "runs": [], "status": "ok"}
        self.results.append(rec)
        command = make_cmd(0, "WS")[1]
        if not self.implemented(command):
            rec["status"] = "not implemented"
            rec["error"] = f"`cpts {command}` is not implemented yet"
            log(f"{ds['name']}: {name}: n/a (cpts {command} not implemented)")
            return "not implemented", None
        if ws_mode == "copy" and pre_ws is None:
            rec["status"] = "not run"
            rec["error"] = "no workspace: an earlier stage did not run"
            log(f"{ds['name']}: {name}: not run (no workspace)")
            return "not run", None
        ws_after = None
        i = 0
        target = self.args.runs
        while i < target:
            ws = None
            if ws_mode == "copy":
                ws = os.path.join(ds["dir_run"], f"ws_{slug(name)}_{i}.sqlite")
                shutil.copyfile(pre_ws, ws)
                # the copy's dirty pages are written back now, not during the timed run
                os.sync()
            elif ws_mode == "fresh":
                ws = os.path.join(ds["dir_run"], f"ws_{slug(name)}_{i}.sqlite")
                if os.path.exists(ws):
                    os.remove(ws)
                init = run_quiet([CPTS, "init", ws], env=self.env)
                if init.returncode != 0:
                    rec["status"] = "error"
                    rec["error"] = "cpts init: " + first_error(init.stderr)
                    return "error", None
            cmd = make_cmd(i, ws)
            log(f"{ds['name']}: {name} run {i + 1}: {' '.join(cmd)}")
            r = run_timed(cmd, f"{ds['name']}_{slug(name)}_{i}", env=self.env)
            if is_not_implemented(r):
                rec["status"] = "not implemented"
                rec["error"] = first_error(r["err"])
                if ws and os.path.exists(ws):
                    os.remove(ws)
                return "not implemented", None
            if r["rc"] not in (0, 1):
                rec["status"] = "error"
                rec["error"] = f"exit {r['rc']}: {first_error(r['err'])}"
                log(f"  -> {rec['error']}")
                if ws and os.path.exists(ws):
                    os.remove(ws)
                return "error", None
            rec["runs"].append({k: r[k] for k in ("rc", "wall", "cpu", "rss_kib")})
            rec.setdefault("stdout", r["out"][-2000:])
            log(f"  -> {r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU, "
                f"{(r['rss_kib'] or 0) / 1024:.0f} MiB")
            if keep_outputs is not None:
                keep_outputs(i, ws, r)
            if ws_after and ws_after != ws and os.path.exists(ws_after):
                os.remove(ws_after)
            ws_after = ws
            if i == 0:
                target = self.runs_for(r["wall"], min_runs)
                if target < min_runs:
                    rec["skipped_repeat"] = (f"second run skipped: {r['wall']:.0f} s per run "
                                             "does not fit the time budget")
            i += 1
        walls = [x["wall"] for x in rec["runs"]]
        rec["wall"] = statistics.median(walls)
        rec["cpu"] = statistics.median([x["cpu"] for x in rec["runs"]])
        rec["rss_kib"] = statistics.median([x["rss_kib"] or 0 for x in rec["runs"]])
        return "ok", ws_after

    def peer(self, ds, name, cmd, against):
        """Run a peer R times (fewer if long); median of its own read/build timings."""
        runs = []
        target = self.args.runs
        i = 0
        while i < target:
            log(f"{ds['name']}: peer {name} run {i + 1}")
            r = run_timed(cmd, f"{ds['name']}_peer_{name}_{i}")
            if r["rc"] != 0:
                self.peers.append({"dataset": ds["name"], "peer": name, "status": "error",
                                   "error": first_error(r["err"])})
                log(f"  -> error {first_error(r['err'])}")
                return
            try:
                js = json.loads(r["out"].strip().splitlines()[-1])
            except (ValueError, IndexError):
                self.peers.append({"dataset": ds["name"], "peer": name, "status": "error",
                                   "error": "unreadable output: " + r["out"][-200:]})
                return
            js["wall"] = r["wall"]
            js["rss_kib"] = r["rss_kib"]
            runs.append(js)
            log(f"  -> read {js['read_s']:.2f} s, build {js['build_s']:.2f} s")
            if i == 0:
                target = self.runs_for(r["wall"])
            i += 1
        rec = dict(runs[-1])
        for k in ("read_s", "build_s", "wall", "rss_kib"):
            rec[k] = statistics.median([x[k] for x in runs])
        rec.update({"dataset": ds["name"], "n_ds": ds["n"], "peer": name, "status": "ok",
                    "nruns": len(runs), "against": against})
        self.peers.append(rec)

    def result(self, ds, stage):
        for r in self.results:
            if r["dataset"] == ds and r["stage"] == stage:
                return r
        return None


def slug(s):
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------
# Datasets

def have_synth():
    r = run_quiet([CPTS, "synth", "--help"])
    return r.returncode == 0


def find_inputs(d):
    """Map input kinds to files in a directory written by cpts synth or gen_inputs.py."""
    got = {}
    for pat in ("communes.geojson", "communes.gpkg", "communes.shp", "communes.json",
                "communes*.geojson", "*.gpkg", "*.geojson"):
        m = sorted(glob.glob(os.path.join(d, pat)))
        if m:
            got["communes"] = m[0]
            break
    for kind in ("population", "attributes", "consumption", "reference", "mt", "supply",
                 "traveltime", "partition", "flows"):
        for ext in (".csv", ".csv.gz"):
            p = os.path.join(d, kind + ext)
            if os.path.exists(p):
                got[kind] = p
                break
    if "flows" not in got:
        m = sorted(glob.glob(os.path.join(d, "flows_*.csv")))
        if m:
            got["flows"] = m[0]
    return got


def count_lines(path):
    n = 0
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 22), b""):
            n += b.count(b"\n")
    return max(0, n - 1)


def make_synth(bench, n):
    d = os.path.join(TMP, "data", f"synth_{n}")
    stamp = os.path.join(d, ".done")
    rec = {"dataset": f"synth-{n}", "n": n, "stage": "synth (generation, once)", "runs": []}
    if not os.path.exists(stamp) or os.path.getmtime(stamp) < os.path.getmtime(CPTS):
        shutil.rmtree(d, ignore_errors=True)
        log(f"cpts synth --communes {n}")
        r = run_timed([CPTS, "synth", "--communes", str(n), "--seed", str(SEED), "--out", d],
                      f"synth_{n}", env=bench.env)
        if r["rc"] not in (0, 1):
            bench.notes.append(f"`cpts synth --communes {n}` failed: exit {r['rc']}: "
                               f"{first_error(r['err'])}")
            return None
        rec["runs"].append({k: r[k] for k in ("rc", "wall", "cpu", "rss_kib")})
        with open(stamp, "w", encoding="utf-8") as f:
            json.dump(rec["runs"][0], f)
    else:
        with open(stamp, encoding="utf-8") as f:
            rec["runs"].append(json.load(f))
        rec["cached"] = True
    rec.update(status="ok", wall=rec["runs"][0]["wall"], cpu=rec["runs"][0]["cpu"],
               rss_kib=rec["runs"][0]["rss_kib"])
    bench.results.append(rec)
    inputs = find_inputs(d)
    if "communes" not in inputs:
        bench.notes.append(f"`cpts synth` wrote no commune layer in {d}")
        return None
    return {"name": f"synth-{n}", "n": n, "kind": "synth", "inputs": inputs, "dir": d}


def make_real(bench, shared, n, flows_pairs, extra_flows=()):
    """Real geometry (all metropolitan communes, or the n nearest to Lyon) + gravity flows."""
    name = "france" if not n else f"real-{n}"
    d = os.path.join(TMP, "data", name)
    geo = os.path.join(shared, "data", "geo", "communes_metro_cog2024.geojson.gz")
    cmd = [PY, os.path.join(ROOT, "bench", "gen_inputs.py"), "--geo", geo, "--out", d,
           "--seed", str(SEED), "--flows", str(flows_pairs)] + [str(k) for k in extra_flows]
    if n:
        cmd += ["--n", str(n)]
    log("generating " + name + " inputs: " + " ".join(cmd[1:]))
    r = run_quiet(cmd)
    if r.returncode != 0:
        bench.notes.append(f"bench/gen_inputs.py failed for {name}: {r.stderr.strip()[-300:]}")
        return None
    info = json.loads(r.stdout.strip().splitlines()[-1])
    inputs = find_inputs(d)
    inputs["flows"] = os.path.join(d, f"flows_{flows_pairs}.csv")
    ds = {"name": name, "n": info["communes"], "kind": "real", "inputs": inputs, "dir": d,
          "info": info}
    for k in extra_flows:
        ds.setdefault("extra_flows", {})[k] = os.path.join(d, f"flows_{k}.csv")
    return ds


# ---------------------------------------------------------------------------------------
# The pipeline of one dataset

def graph_counts(ws):
    """Queen pairs (kinds 0 and 1), bridges (kind 2) and islands read from the workspace."""
    try:
        con = sqlite3.connect(f"file:{ws}?mode=ro", uri=True)
        edges = con.execute("SELECT a, b, kind FROM graph_edges").fetchall()
        n = con.execute("SELECT count(*) FROM communes").fetchone()[0]
        con.close()
    except sqlite3.Error as e:
        return {"error": str(e)}
    touched = set()
    pairs = bridges = 0
    for a, b, kind in edges:
        if kind == 2:
            bridges += 1
        else:
            pairs += 1
            touched.add(a)
            touched.add(b)
    return {"n": n, "pairs": pairs, "bridges": bridges, "islands": n - len(touched)}


def partition_size(ws, name):
    try:
        con = sqlite3.connect(f"file:{ws}?mode=ro", uri=True)
        k = con.execute("SELECT count(DISTINCT territory) FROM partition_members WHERE "
                        "partition = ?", (name,)).fetchone()[0]
        con.close()
        return k
    except sqlite3.Error:
        return None


def dump_outputs(gpkg, html_dir, dest):
    """Attribute tables of every GeoPackage layer as CSV + hashes of the HTML files."""
    sums = {}
    if gpkg and os.path.exists(gpkg):
        csvdir = dest + "_csv"
        shutil.rmtree(csvdir, ignore_errors=True)
        r = run_quiet(["ogr2ogr", "-f", "CSV", csvdir, gpkg])
        if r.returncode != 0:
            sums["gpkg:error"] = r.stderr.strip()[:200]
        for p in sorted(glob.glob(os.path.join(csvdir, "*.csv"))):
            sums["gpkg:" + os.path.basename(p)] = sha256_file(p)
        r = run_quiet(["ogrinfo", "-ro", "-al", "-so", gpkg])
        summary = re.sub(r"^INFO: Open of .*$", "", r.stdout, flags=re.M)
        sums["gpkg:ogrinfo -so"] = hashlib.sha256(summary.encode()).hexdigest()
    if html_dir and os.path.isdir(html_dir):
        for p in sorted(glob.glob(os.path.join(html_dir, "**", "*"), recursive=True)):
            if os.path.isfile(p):
                sums["html:" + os.path.relpath(p, html_dir)] = sha256_file(p)
    return sums


def compare_dumps(bench, ds, what, dumps, rec):
    if rec is None or rec["status"] != "ok":
        return
    if len(dumps) < 2:
        bench.determinism.append({"dataset": ds["name"], "what": what,
                                  "result": "not checked: " + rec.get("skipped_repeat",
                                                                     "one run only")})
        return
    a, b = dumps[0], dumps[1]
    if not a and not b:
        bench.determinism.append({"dataset": ds["name"], "what": what,
                                  "result": "nothing to compare (no output written)"})
        return
    diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    n_gpkg = sum(1 for k in a if k.startswith("gpkg:") and k != "gpkg:ogrinfo -so")
    n_html = sum(1 for k in a if k.startswith("html:"))
    res = "identical" if not diff else "DIFFERENT: " + ", ".join(diff[:8])
    bench.determinism.append({"dataset": ds["name"], "what": what, "result": res,
                              "tables": n_gpkg, "html_files": n_html})


def run_dataset(bench, ds, peers_ok):
    inp = ds["inputs"]
    ds["dir_run"] = os.path.join(TMP, "run", ds["name"])
    shutil.rmtree(ds["dir_run"], ignore_errors=True)
    os.makedirs(ds["dir_run"])
    ds["n_flows"] = count_lines(inp["flows"]) if "flows" in inp else 0
    bench.datasets.append({k: ds[k] for k in ("name", "n", "kind", "n_flows")} |
                          {"inputs": {k: os.path.relpath(v, ROOT) for k, v in inp.items()}})
    com = inp["communes"]

    # 1. ingest communes
    st, ws = bench.stage(ds, "ingest communes",
                        lambda i, w: [CPTS, "ingest", "communes", w, com], "fresh")
    if st != "ok":
        ws = None

    # Baseline: the cost of starting cpts and opening the workspace (SpatiaLite), which
    # every stage pays; the growth section subtracts it.
    bench.stage(ds, "start-up (cpts info)", lambda i, w: [CPTS, "info", w], "copy", ws)

    # Untimed preparation: the other per-commune tables and the partition.
    part_name = None
    if ws:
        for kind in ("population", "attributes", "supply", "consumption", "reference", "mt",
                     "traveltime", "partition"):
            if kind not in inp:
                continue
            extra = ["--name", "bench_terr"] if kind == "partition" else []
            r = run_quiet([CPTS, "ingest", kind, ws, inp[kind]] + extra, env=bench.env)
            if r.returncode not in (0, 1):
                bench.notes.append(f"{ds['name']}: untimed `cpts ingest {kind}` failed: "
                                   f"exit {r.returncode}: {first_error(r.stderr)}")
            elif kind == "partition":
                part_name = "bench_terr"

    # 2. ingest flows (the flows used by every later stage)
    if "flows" in inp:
        st, ws2 = bench.stage(ds, "ingest flows", lambda i, w: [CPTS, "ingest", "flows", w,
                                                               inp["flows"]], "copy", ws)
        ws = ws2 or ws
    # 2b. the 10-million-row flows file (ingest only, result discarded)
    for k, path in sorted(ds.get("extra_flows", {}).items()):
        st, w10 = bench.stage(ds, f"ingest flows {k // 1_000_000} M rows",
                              lambda i, w, p=path: [CPTS, "ingest", "flows", w, p], "copy", ws)
        if w10 and os.path.exists(w10):
            os.remove(w10)

    # 3. contiguity graph (default options: queen, snap 5 m, bridges)
    pre_graph = ws
    st, ws3 = bench.stage(ds, "graph (queen contiguity)", lambda i, w: [CPTS, "graph", w],
                          "copy", ws)
    if ws3:
        ws = ws3
        bench.counts[ds["name"]] = graph_counts(ws)
    # 3b. the same without snapping: exact shared vertices, like the peers (result discarded)
    st, w0 = bench.stage(ds, "graph --snap 0 (exact, as the peers)",
                         lambda i, w: [CPTS, "graph", w, "--snap", "0"], "copy", pre_graph)
    if w0:
        bench.counts[ds["name"] + " snap0"] = graph_counts(w0)
        os.remove(w0)

    # 4-5. basins
    st, ws4 = bench.stage(ds, "basins plurality",
                          lambda i, w: [CPTS, "basins", w, "--method", "plurality",
                                        "--name", "bench_plurality"], "copy", ws)
    ws = ws4 or ws
    st, ws5 = bench.stage(ds, "basins modularity (20k-175k)",
                          lambda i, w: [CPTS, "basins", w] + MOD_ARGS +
                          ["--name", "bench_modularity", "--seed", str(SEED)], "copy", ws)
    ws = ws5 or ws
    if ws5:
        k = partition_size(ws5, "bench_modularity")
        if k is not None:
            bench.result(ds["name"], "basins modularity (20k-175k)")["territories"] = k
    if ws4:
        k = partition_size(ws4, "bench_plurality")
        if k is not None:
            bench.result(ds["name"], "basins plurality")["territories"] = k

    # 5b. info: the fixed cost of opening a workspace and reading what it holds (issue 13:
    # the counts are kept in table_stats, no scan of the flows); read-only, no copy
    if ws:
        bench.stage(ds, "info (open and counts)", lambda i, w, ws=ws: [CPTS, "info", ws], "none")

    # 6. profiles (the given partition, else the modularity basins)
    part = part_name or ("bench_modularity" if ws5 else "bench_plurality")
    st, ws6 = bench.stage(ds, "profile (with APL)",
                          lambda i, w: [CPTS, "profile", w, "--partition", part], "copy", ws)
    ws = ws6 or ws
    rec = bench.result(ds["name"], "profile (with APL)")
    rec["partition"] = part
    k = partition_size(ws, part) if ws else None
    if k is not None:
        rec["territories"] = k
    if ds["name"] == "france" and ws:
        catalogue_stages(bench, ds, ws, part)  # issue 14

    # 7. export, run at least twice: the runs are the determinism check
    dumps = []

    def keep_export(i, w, r):
        if i < 2:
            dumps.append(dump_outputs(os.path.join(ds["dir_run"], f"export_{i}.gpkg"),
                                      os.path.join(ds["dir_run"], f"export_{i}_html"),
                                      os.path.join(ds["dir_run"], f"dump_export_{i}")))

    def export_cmd(i, w):
        g = os.path.join(ds["dir_run"], f"export_{i}.gpkg")
        h = os.path.join(ds["dir_run"], f"export_{i}_html")
        for p in (g,):
            if os.path.exists(p):
                os.remove(p)
        shutil.rmtree(h, ignore_errors=True)
        return [CPTS, "export", w, "--partition", part, "--gpkg", g, "--html", h]

    st, _ = bench.stage(ds, "export (GeoPackage + HTML)", export_cmd, "copy", ws,
                        keep_outputs=keep_export, min_runs=2)
    compare_dumps(bench, ds, "cpts export, 2 runs", dumps,
                  bench.result(ds["name"], "export (GeoPackage + HTML)"))

    # 8. diagnose end to end (modularity basins, floor and ceiling), at least twice
    ddumps = []

    def diag_cmd(i, w):
        out = os.path.join(ds["dir_run"], f"diagnose_{i}")
        shutil.rmtree(out, ignore_errors=True)
        cmd = [CPTS, "diagnose", "--communes", com, "--out", out, "--seed", str(SEED)] + MOD_ARGS
        for kind in ("population", "attributes", "consumption", "reference", "mt", "supply",
                     "flows", "traveltime"):
            if kind in inp:
                cmd += [f"--{kind}", inp[kind]]
        return cmd

    def keep_diag(i, w, r):
        out = os.path.join(ds["dir_run"], f"diagnose_{i}")
        if i < 2:
            ddumps.append(dump_outputs(os.path.join(out, "cpts.gpkg"), os.path.join(out, "html"),
                                       os.path.join(ds["dir_run"], f"dump_diagnose_{i}")))
        if i > 0:  # keep the first output for inspection, drop the workspaces of the others
            shutil.rmtree(out, ignore_errors=True)

    st, _ = bench.stage(ds, "diagnose (end to end)", diag_cmd, "none", keep_outputs=keep_diag,
                        min_runs=2)
    compare_dumps(bench, ds, "cpts diagnose, 2 runs", ddumps,
                  bench.result(ds["name"], "diagnose (end to end)"))

    # Peers on the same files.
    if peers_ok.get("libpysal"):
        bench.peer(ds, "libpysal Queen", [PY, os.path.join(ROOT, "bench/peers/queen_libpysal.py"),
                                          com], "graph --snap 0 (exact, as the peers)")
    if peers_ok.get("spdep"):
        bench.peer(ds, "spdep poly2nb", ["Rscript", os.path.join(ROOT, "bench/peers/queen_spdep.R"),
                                         com], "graph --snap 0 (exact, as the peers)")
    if peers_ok.get("igraph") and "flows" in inp:
        bench.peer(ds, "igraph Louvain", [PY, os.path.join(ROOT, "bench/peers/louvain_igraph.py"),
                                          inp["flows"]], "basins modularity (20k-175k)")
    # Free disk space: keep only the final workspace of the dataset.
    for p in glob.glob(os.path.join(ds["dir_run"], "ws_*.sqlite")):
        if p != ws:
            os.remove(p)


def catalogue_stages(bench, ds, ws, part):
    """Issue 14: the profile of the whole default catalogue plus the 20 indicators of
    bench/gen_indicators.py (every computation type, two years, 5 million cells), on the
    partition of the dataset (France: the 1,681 bassins de vie BV2022). Untimed: the
    generation and `cpts ingest indicators` on a copy of the profiled workspace (its
    previous values are cleared by the timed run, as a user's rerun does). Timed: `cpts
    profile --no-table` (compute and store), then `cpts profile` printing its table
    (disclosure control over every stored value, then the ledger)."""
    d = os.path.join(ds["dir"], "indicators")
    os.makedirs(d, exist_ok=True)
    codes = os.path.join(d, "codes.txt")
    con = sqlite3.connect(f"file:{ws}?mode=ro", uri=True)
    with open(codes, "w", encoding="utf-8") as f:
        for (c,) in con.execute("SELECT code FROM communes ORDER BY code"):
            f.write(c + "\n")
    con.close()
    ind, cat = os.path.join(d, "indicators.csv"), os.path.join(d, "catalogue.csv")
    r = run_quiet([PY, os.path.join(ROOT, "bench", "gen_indicators.py"), codes, d])
    wsi = os.path.join(ds["dir_run"], "ws_indicators.sqlite")
    shutil.copyfile(ws, wsi)
    if r.returncode == 0:
        r = run_quiet([CPTS, "ingest", "indicators", wsi, ind, "--catalogue", cat, "-q"],
                      env=bench.env)
    if r.returncode not in (0, 1):
        bench.notes.append(f"{ds['name']}: untimed gen_indicators / `cpts ingest indicators` "
                           f"failed: exit {r.returncode}: {first_error(r.stderr)}")
        return
    for stage, extra in (("profile (default catalogue)", ["--no-table"]),
                         ("profile (default catalogue) + printed table", [])):
        st, w = bench.stage(ds, stage, lambda i, w, x=extra: [
            CPTS, "profile", w, "--partition", part, "--catalogue", cat] + x, "copy", wsi)
        rec = bench.result(ds["name"], stage)
        rec["partition"] = part
        k = partition_size(w, part) if w else None
        if k is not None:
            rec["territories"] = k
        if w and os.path.exists(w):
            os.remove(w)
    os.remove(wsi)


# ---------------------------------------------------------------------------------------
# Report

def fmt_s(x):
    if x is None:
        return "-"
    return f"{x:.2f}" if x < 100 else f"{x:.0f}"


def fmt_mib(kib):
    return "-" if kib is None else f"{kib / 1024:.0f}"


def cell(rec):
    if rec is None:
        return "-"
    if rec["status"] == "not implemented":
        return "n/a (not implemented)"
    if rec["status"] == "not run":
        return "not run"
    if rec["status"] != "ok":
        return "error"
    return fmt_s(rec["wall"])


def growth(bench, stage, names, net=False):
    pts = []
    for nm in names:
        r = bench.result(nm, stage)
        b = bench.result(nm, "start-up (cpts info)") if net else None
        base = b["wall"] if b and b["status"] == "ok" else 0.0
        if r and r["status"] == "ok" and r["wall"] - base > 0:
            pts.append((r["n"], r["wall"] - base))
    if len(pts) < 2:
        return None
    xs = [math.log(n) for n, _ in pts]
    ys = [math.log(w) for _, w in pts]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx, pts


def machine_facts():
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as f:
            mem = int(f.readline().split()[1]) / 1024 / 1024
    except OSError:
        mem = 0
    osr = ""
    try:
        with open("/etc/debian_version", encoding="utf-8") as f:
            osr = "Debian " + f.read().strip()
    except OSError:
        pass
    cc = run_quiet(["cc", "--version"]).stdout.splitlines()[:1]
    ver = run_quiet([CPTS, "--version"]).stdout.strip()
    git = run_quiet(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).stdout.strip()
    dirty = run_quiet(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"]).stdout
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_gib": mem, "os": osr,
            "load_start": os.getloadavg(),
            "kernel": platform.release(), "cc": cc[0] if cc else "?", "cpts": ver,
            "git": git + (" + uncommitted changes" if dirty.strip() else "")}


TARGETS = [
    # (label, dataset, stage, wall limit s, rss limit KiB)
    ("contiguity graph, full France (default, snap 5 m)", "france", "graph (queen contiguity)",
     0.7, None),
    ("contiguity graph, full France (--snap 0, same pairs as the peers)", "france",
     "graph --snap 0 (exact, as the peers)", 0.7, None),
    ("plurality basins, full France", "france", "basins plurality", 1.0, None),
    ("constrained modularity, full France", "france", "basins modularity (20k-175k)", 10.0, None),
    ("`cpts info`, full France, 5 M flow pairs", "france", "info (open and counts)", 0.5, None),
    ("`cpts diagnose`, full France, 5 M flow pairs", "france", "diagnose (end to end)", 180.0,
     4 * 1024 * 1024),
    ("profiles (APL included), synthetic 35,000 communes", "synth-35000", "profile (with APL)",
     10.0, None),
    ("profiles (APL included), France, BV2022 as the partition", "france", "profile (with APL)",
     10.0, None),
    ("profiles of the whole default catalogue + 20 generated indicators (issue 14), France, "
     "BV2022", "france", "profile (default catalogue)", 10.0, None),
]


def write_report(bench, path, facts, total_s):
    names = [d["name"] for d in bench.datasets]
    stages = []
    for r in bench.results:
        if r["stage"] not in stages:
            stages.append(r["stage"])
    L = []
    a = L.append
    a("# cpts benchmark results")
    a("")
    a("Written by `scripts/bench` (issue 8); see docs/bench.md for the method. Numbers are "
      "medians of the runs")
    a("of each stage, each stage a separate `build-release/cpts` process timed with "
      "`/usr/bin/time -v`.")
    a("")
    short = ("" if bench.args.quick or bench.args.runs_given
             else f" and {SHORT_RUNS} for stages under {SHORT_STAGE:g} s")
    a(f"- Date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} "
      f"(mode: {'quick' if bench.args.quick else 'full'}, up to {bench.args.runs} runs per "
      f"stage{short}, bench wall time {total_s / 60:.1f} min)")
    a(f"- Machine: {facts['nproc']} CPUs ({facts['cpu']}), {facts['mem_gib']:.1f} GiB RAM, "
      f"{facts['os']}, Linux {facts['kernel']}")
    ls, le = facts["load_start"], os.getloadavg()
    a(f"- Load average (1, 5, 15 min) at start {ls[0]:.1f} / {ls[1]:.1f} / {ls[2]:.1f}, at end "
      f"{le[0]:.1f} / {le[1]:.1f} / {le[2]:.1f}: the machine is shared with other builds and "
      "tests, so wall times above the CPU times mostly mean waiting for a core (or the disk)")
    a(f"- Build: `meson setup build-release -Dbuildtype=release`, {facts['cc']}; "
      f"{facts['cpts'] or 'cpts'} at {facts['git']}")
    a("")
    a("## Datasets")
    a("")
    a("| dataset | communes | flow pairs | source |")
    a("|---|---:|---:|---|")
    for d in bench.datasets:
        src = ("`cpts synth --communes N --seed 1`" if d["kind"] == "synth" else
               "real metropolitan communes (COG 2024), real populations and GP counts, "
               "gravity flows from `bench/gen_inputs.py`"
               if d["name"] == "france" else
               f"the {d['n']:,} real communes nearest to Lyon, gravity flows "
               "(`bench/gen_inputs.py`; stand-in while `cpts synth` is not implemented)")
        a(f"| {d['name']} | {d['n']:,} | {d['n_flows']:,} | {src} |")
    a("")
    a("## Median wall time (seconds) per stage and dataset")
    a("")
    a("| stage | " + " | ".join(names) + " |")
    a("|---|" + "---:|" * len(names))
    for s in stages:
        if s.startswith("synth"):
            continue
        a(f"| {s} | " + " | ".join(cell(bench.result(n, s)) for n in names) + " |")
    a("")
    a("## Detail: wall, CPU (user+sys) and peak memory")
    a("")
    a("| dataset | stage | runs | wall s (median) | CPU s | peak RSS MiB | note |")
    a("|---|---|---:|---:|---:|---:|---|")
    for r in bench.results:
        if r["status"] == "ok":
            note = []
            if "territories" in r:
                note.append(f"{r['territories']:,} territories")
            if "partition" in r:
                note.append(f"partition {r['partition']}")
            if r.get("cached"):
                note.append("generated by an earlier bench run (cached)")
            if r["stage"].startswith("diagnose"):
                note.append("includes ingest of every input")
            if r.get("skipped_repeat"):
                note.append(r["skipped_repeat"])
            a(f"| {r['dataset']} | {r['stage']} | {len(r['runs'])} | {fmt_s(r['wall'])} | "
              f"{fmt_s(r['cpu'])} | {fmt_mib(r['rss_kib'])} | {'; '.join(note)} |")
        else:
            st = cell(r)
            a(f"| {r['dataset']} | {r['stage']} | 0 | {st} | | | "
              f"{r.get('error', '').replace('|', '/')} |")
    a("")
    a("## Peers on the same files")
    a("")
    a("Peers time themselves inside the process (`read` = reading the file, `build` = the "
      "computation alone); the ratio is peer build time / cpts median wall time of the "
      "matching stage (the whole cpts process, reading the workspace included).")
    a("")
    a("| dataset | peer | runs | read s | build s | peak RSS MiB | result | cpts stage | cpts s | "
      "ratio peer / cpts |")
    a("|---|---|---:|---:|---:|---:|---|---|---:|---:|")
    for p in bench.peers:
        if p["status"] != "ok":
            a(f"| {p['dataset']} | {p['peer']} | 0 | error | | | {p.get('error', '')} | | | |")
            continue
        if "pairs" in p:
            res = f"{p['pairs']:,} queen pairs, {p['islands']} islands"
        else:
            res = (f"{p['communities']} communities (unconstrained), Q = {p['modularity']:.3f}, "
                   f"{p['m']:,} edges")
        c = bench.result(p["dataset"], p["against"])
        cw = c["wall"] if c and c["status"] == "ok" else None
        ratio = f"{p['build_s'] / cw:.1f}" if cw else "n/a"
        cs = fmt_s(cw) if cw else cell(c)
        ver = f"{p['peer']} {p.get('version', '')}"
        a(f"| {p['dataset']} | {ver} | {p['nruns']} | {fmt_s(p['read_s'])} | "
          f"{fmt_s(p['build_s'])} | {fmt_mib(p['rss_kib'])} | {res} | {p['against']} | {cs} | "
          f"{ratio} |")
    a("")
    a("### Contiguity counts: cpts against the peers")
    a("")
    a("| dataset | tool | queen pairs | islands | bridges |")
    a("|---|---|---:|---:|---:|")
    for n in names:
        for key, label, st in ((n, "cpts graph (default: snap 5 m)", "graph (queen contiguity)"),
                               (n + " snap0", "cpts graph --snap 0",
                                "graph --snap 0 (exact, as the peers)")):
            c = bench.counts.get(key)
            if c and "pairs" in c:
                a(f"| {n} | {label} | {c['pairs']:,} | {c['islands']} | {c['bridges']} |")
            elif c:
                a(f"| {n} | {label} | unreadable: {c.get('error', '')} | | |")
            else:
                r = bench.result(n, st)
                a(f"| {n} | {label} | {cell(r) if r else '-'} | | |")
        for p in bench.peers:
            if p["dataset"] == n and p["status"] == "ok" and "pairs" in p:
                a(f"| {n} | {p['peer']} | {p['pairs']:,} | {p['islands']} | |")
    a("")
    a("Expected on the real metropolitan file (SOURCES.md): 102,952 queen pairs, 12 islands. "
      "Queen pairs are the `graph_edges` rows of kind 0 (shared point) and 1 (shared "
      "segment); bridges (kind 2) link islands and components and are counted apart; "
      "islands are communes without a queen pair.")
    a("")
    a("## Determinism")
    a("")
    a("Same inputs and seed, two runs; compared: every GeoPackage layer dumped with "
      "`ogr2ogr -f CSV` (attribute tables), the `ogrinfo -al -so` summary, and the bytes "
      "of every HTML file.")
    a("")
    a("| dataset | what | result |")
    a("|---|---|---|")
    for d in bench.determinism:
        extra = ""
        if "tables" in d:
            extra = f" ({d['tables']} tables, {d['html_files']} HTML files)"
        a(f"| {d['dataset']} | {d['what']} | {d['result']}{extra} |")
    if not bench.determinism:
        a("| - | - | not run (export and diagnose not implemented) |")
    a("")
    a("## Targets (issue 8)")
    a("")
    a("| target | limit | measured | holds |")
    a("|---|---|---|---|")
    for label, dsn, stage, lim, rss_lim in TARGETS:
        r = bench.result(dsn, stage)
        lim_s = f"< {lim:g} s" + (f", < {rss_lim / 1024 / 1024:g} GiB" if rss_lim else "")
        if r is None:
            a(f"| {label} | {lim_s} | not run | - |")
            continue
        if r["status"] != "ok":
            a(f"| {label} | {lim_s} | {cell(r)} | - |")
            continue
        ok = r["wall"] < lim and (rss_lim is None or (r["rss_kib"] or 0) < rss_lim)
        meas = f"{fmt_s(r['wall'])} s"
        if rss_lim:
            meas += f", {(r['rss_kib'] or 0) / 1024 / 1024:.2f} GiB"
        if "territories" in r:
            meas += f" ({r['territories']:,} territories)"
        cnt = bench.counts.get(dsn + (" snap0" if "snap 0" in stage else ""))
        if stage.startswith("graph") and cnt and "pairs" in cnt:
            meas += f", {cnt['pairs']:,} queen pairs, {cnt['islands']} islands"
        a(f"| {label} | {lim_s} | {meas} | {'yes' if ok else 'NO'} |")
    a("")
    a("## Growth with the number of communes")
    a("")
    a("Exponent b of wall ≈ c·n^b, least-squares slope of log(wall) against log(n) over the "
      "datasets listed (1.0 = linear, 1.0-1.15 over this range ≈ n log n, 2 = quadratic). "
      "Flow pairs grow with n too (20 per commune in `cpts synth` data, about 144 in "
      "the sets of `bench/gen_inputs.py`), so flow stages grow with pairs as well. Stages "
      "under ~0.05 s are dominated by process start-up, so their exponent understates the "
      "algorithm's.")
    a("")
    a("The last column fits the same slope on wall minus the start-up time of the same "
      "dataset (`cpts info` on its workspace: process start, SpatiaLite, opening the file), "
      "which every stage pays and which flattens the raw exponent of short stages.")
    a("")
    a("| stage | datasets (n: wall s) | exponent b | b net of start-up |")
    a("|---|---|---:|---:|")
    any_g = False
    for s in stages:
        if s.startswith("synth") or "M rows" in s:
            continue
        for family in (["synth-1000", "synth-5000", "synth-35000"],
                       [n for n in names if n.startswith("real-")] + ["france"]):
            fam = [n for n in family if n in names]
            g = growth(bench, s, fam)
            if g:
                any_g = True
                b, pts = g
                gn = growth(bench, s, fam, net=True) if not s.startswith("start-up") else None
                pl = ", ".join(f"{n:,}: {fmt_s(w)}" for n, w in pts)
                a(f"| {s} | {pl} | {b:.2f} | {f'{gn[0]:.2f}' if gn else '-'} |")
    fams = [[n for n in names if n.startswith("synth-")],
            [n for n in names if n.startswith("real-")] + ["france"]]
    for p, fam in ((p, f) for p in sorted({p["peer"] for p in bench.peers
                                            if p["status"] == "ok"}) for f in fams):
        pts = [(q["n_ds"], q["build_s"]) for q in bench.peers
               if q["peer"] == p and q["status"] == "ok" and q["build_s"] > 0
               and q["dataset"] in fam]
        if len(pts) >= 2:
            xs = [math.log(n) for n, _ in pts]
            ys = [math.log(w) for _, w in pts]
            mx, my = statistics.fmean(xs), statistics.fmean(ys)
            sxx = sum((x - mx) ** 2 for x in xs)
            if sxx:
                any_g = True
                b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
                pl = ", ".join(f"{n:,}: {fmt_s(w)}" for n, w in sorted(pts))
                a(f"| peer: {p} (build) | {pl} | {b:.2f} | (timed in-process) |")
    if not any_g:
        a("| - | fewer than two sizes measured for every stage | - | - |")
    a("")
    if bench.notes:
        a("## Notes")
        a("")
        for n in bench.notes:
            a(f"- {n}")
        a("")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(L))
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------

def detect_peers(no_peers):
    if no_peers:
        return {}
    ok = {}
    ok["libpysal"] = run_quiet([PY, "-c", "import libpysal, geopandas"]).returncode == 0 or \
        run_quiet([PY, "-c", "import libpysal, shapely"]).returncode == 0
    ok["igraph"] = run_quiet([PY, "-c", "import igraph"]).returncode == 0
    ok["spdep"] = shutil.which("Rscript") is not None and run_quiet(
        ["Rscript", "-e", "suppressPackageStartupMessages({library(sf); library(spdep)})"]
    ).returncode == 0
    return ok


def main():
    ap = argparse.ArgumentParser(description="cpts benchmark (issue 8)")
    ap.add_argument("--quick", action="store_true",
                    help="1 run per stage (2 for export/diagnose), sizes 1,000 and 5,000 + "
                         "France, no 10 M-row ingest")
    ap.add_argument("--runs", type=int, default=None,
                    help=f"runs per stage (default 3, and {SHORT_RUNS} for stages under "
                         f"{SHORT_STAGE:g} s; 1 with --quick)")
    ap.add_argument("--sizes", default=None, help="synthetic sizes (default 1000,5000,35000)")
    ap.add_argument("--no-france", action="store_true", help="skip the real France dataset")
    ap.add_argument("--no-peers", action="store_true", help="do not run libpysal/spdep/igraph")
    ap.add_argument("--budget-min", type=float, default=18.0,
                    help="time budget: fewer runs per stage when it runs short (default 18)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results.md"))
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(ROOT), "shared"),
                    help="shared data directory (default ../shared)")
    args = ap.parse_args()
    args.runs_given = args.runs is not None
    if args.runs is None:
        args.runs = 1 if args.quick else 3
    if args.sizes is None:
        args.sizes = "1000,5000" if args.quick else "1000,5000,35000"
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if not os.access(CPTS, os.X_OK):
        print(f"bench: {CPTS} missing: run scripts/bench (it builds build-release)",
              file=sys.stderr)
        return 2
    os.makedirs(TMP, exist_ok=True)
    bench = Bench(args)
    facts = machine_facts()
    peers_ok = detect_peers(args.no_peers)
    for k, v in peers_ok.items():
        if not v:
            bench.notes.append(f"peer {k} not installed: skipped")
    geo = os.path.join(args.shared, "data", "geo", "communes_metro_cog2024.geojson.gz")
    has_france = os.path.exists(geo)

    datasets = []
    if have_synth():
        for n in sizes:
            ds = make_synth(bench, n)
            if ds:
                datasets.append(ds)
    else:
        bench.notes.append("`cpts synth` is not implemented yet: the synthetic sizes are "
                           "replaced by the N real communes nearest to Lyon with gravity flows "
                           "(bench/gen_inputs.py), about 144 flow pairs per commune.")
        if has_france:
            for n in sizes:
                if n < 30000:
                    ds = make_real(bench, args.shared, n, n * 144)
                    if ds:
                        datasets.append(ds)
    if has_france and not args.no_france:
        extra = () if args.quick else (FLOWS_INGEST_BIG,)
        ds = make_real(bench, args.shared, 0, FLOWS_FRANCE, extra)
        if ds:
            datasets.append(ds)
    elif not has_france:
        bench.notes.append(f"{geo} absent: the real France dataset was skipped.")
    # Each dataset gets a share of the time left, by weight (France, with 144 flow pairs
    # per commune and 1,681 territories, weighs three times its commune count), so that the
    # repeats of early datasets cannot starve the single runs of the later ones.
    weights = [ds["n"] * (3 if ds["name"] == "france" else 1) for ds in datasets]
    for i, ds in enumerate(datasets):
        left = bench.deadline - time.monotonic()
        share = weights[i] / sum(weights[i:])
        bench.ds_deadline = time.monotonic() + max(120.0, share * left)
        run_dataset(bench, ds, peers_ok)
    total = time.monotonic() - T_START
    write_report(bench, args.out, facts, total)
    with open(os.path.join(TMP, "results.json"), "w", encoding="utf-8") as f:
        json.dump({"facts": facts, "results": bench.results, "peers": bench.peers,
                   "counts": bench.counts, "determinism": bench.determinism,
                   "notes": bench.notes, "total_s": total}, f, indent=1, default=str)
    log(f"done in {total / 60:.1f} min: {os.path.relpath(args.out, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
