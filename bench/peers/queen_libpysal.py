#!/usr/bin/python3
"""
bench/peers/queen_libpysal.py - peer of `cpts graph`: queen contiguity with PySAL's libpysal
on a commune file, the way a Python statistician would build it. Run by scripts/bench with
the Debian interpreter /usr/bin/python3 (python3-libpysal, python3-geopandas).

Usage: queen_libpysal.py FILE.geojson
Prints one JSON line: tool, version, reader, n, read_s (reading the file), build_s (building
the weights), pairs (unordered queen neighbour pairs), islands (communes without neighbour).
Read and build are timed apart with time.perf_counter().
"""
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")


def main():
    path = sys.argv[1]
    import libpysal
    from libpysal.weights import Queen

    t0 = time.perf_counter()
    try:
        import geopandas as gpd
        reader = "geopandas %s" % gpd.__version__
        df = gpd.read_file(path)
        t1 = time.perf_counter()
        w = Queen.from_dataframe(df, silence_warnings=True)
    except ImportError:
        from shapely.geometry import shape
        reader = "json + shapely"
        with open(path, encoding="utf-8") as f:
            geoms = [shape(ft["geometry"]) for ft in json.load(f)["features"]]
        t1 = time.perf_counter()
        w = Queen.from_iterable(geoms)
    t2 = time.perf_counter()
    pairs = sum(len(v) for v in w.neighbors.values()) // 2
    print(json.dumps({"tool": "libpysal", "version": libpysal.__version__, "reader": reader,
                      "n": w.n, "read_s": t1 - t0, "build_s": t2 - t1, "pairs": pairs,
                      "islands": len(w.islands)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
