#!/bin/sh
# disclosure_pdl.sh CPTS OUTDIR [GEO] - information loss of disclosure control on real
# communes with synthetic health counts (exact small counts, as in
# tests/cli/cli_profile_region.sh): the Pays de la Loire communes by default (any
# commune layer via GEO, e.g. all of France), two partitions (départements; 37
# synthetic territories), each exported to a GeoPackage, audited (cpts audit) and
# measured: share of the health-count cells of the GeoPackage that are not published.
set -eu
CPTS="$1"; D="$2"
GEO="${3:-${CPTS_SHARED:-/work/shared}/data/geo/communes_r52_pays_de_la_loire_cog2024.geojson}"
mkdir -p "$D"
WS="$D/ws.sqlite"
rm -f "$WS"
"$CPTS" init "$WS" -q
"$CPTS" ingest communes "$WS" "$GEO" -q
sqlite3 "$WS" "
 INSERT INTO population SELECT code, 'T', 'ALL', 50 + (CAST(substr(code, 3) AS INT) * 37) % 4000 FROM communes;
 INSERT INTO consumption(code, sex, age, actes, masked) SELECT code, 'T', 'ALL',
   3 * (50 + (CAST(substr(code, 3) AS INT) * 37) % 4000) + CAST(substr(code, 3) AS INT) % 17, 0 FROM communes;
 INSERT INTO mt(code, patients, sans_mt, sans_mt_mt_parti, sans_mt_fictif, mask)
   SELECT code, 40 + (CAST(substr(code, 3) AS INT) * 37) % 3000,
     3 + CAST(substr(code, 3) AS INT) % 90,
     1 + CAST(substr(code, 3) AS INT) % 30, CAST(substr(code, 3) AS INT) % 5, 0 FROM communes;
 INSERT INTO partitions VALUES('dep','input','test',NULL,NULL), ('mod','input','test',NULL,NULL);
 INSERT INTO partition_members SELECT 'dep', code, 'D' || dep, NULL, 1 FROM communes;
 INSERT INTO partition_members SELECT 'mod', code, 'M' || dep || '-' || (CAST(substr(code, 3) AS INT) % 37), NULL, 1 FROM communes;"
for P in dep mod; do
  "$CPTS" profile -q "$WS" --partition $P
  /usr/bin/time -f "export $P: %e s, %M KiB" "$CPTS" export "$WS" --partition $P --gpkg "$D/$P.gpkg" 2>&1 | grep -v "^cpts: wrote"
  /usr/bin/time -f "audit $P: %e s, %M KiB" "$CPTS" audit "$D/$P.gpkg" 2>&1 | grep -v "^ \|^leak" | tail -3
  /usr/bin/python3 - "$D/$P.gpkg" <<'PY'
import sys
from osgeo import ogr
ds = ogr.Open(sys.argv[1])
tot = hid = 0
for ln in ("communes", "territoires"):
    lyr = ds.GetLayerByName(ln)
    d = lyr.GetLayerDefn()
    names = [d.GetFieldDefn(i).GetName() for i in range(d.GetFieldCount())]
    cols = [n for n in names if n + "_masque" in names and not (n.endswith("_share") or "gap" in n
            or "pvalue" in n or n in ("icc", "icc_signif", "missing_gps"))]
    for f in lyr:
        for c in cols:
            tot += 1
            hid += f.GetField(c) is None
print("%s: %d of %d health-count cells not published (%.2f %%)" % (sys.argv[1], hid, tot, 100.0 * hid / tot))
PY
done
