#!/bin/sh
# cpts export --dsn PG:... (issue 16, point 8): a throwaway PostgreSQL 15 + PostGIS
# cluster (tests/cli/lib/pg.sh: initdb in a temporary directory, Unix socket only,
# stopped by the exit trap) receives the demo export in schema "diag"; every attribute
# of every layer read back through GDAL equals the GeoPackage export's (field names,
# types, values, by fid), the French titles are COMMENT ON TABLE / COLUMN, QGIS's
# layer_styles holds the four default styles and QGIS opens the layers styled from it;
# a second export replaces the tables and styles; a database without PostGIS is a clear
# error (exit 5) and --format PostgreSQL without --dsn a usage error.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/gis.sh"
. "$(dirname "$0")/lib/pg.sh"
if ! why=$(pg_available); then
  echo "1..0 # SKIP $why"; exit 0
fi
if ! /usr/bin/python3 -c 'from osgeo import ogr' 2>/dev/null; then
  echo "1..0 # SKIP GDAL python bindings not installed (python3-gdal)"; exit 0
fi
trap 'pg_stop; rm -rf "$T"' EXIT
export CPTS_FIXED_TIME="2026-01-01T00:00:00Z"
if ! sh "$SRC/tests/browser/make_ws.sh" "$CPTS" "$T" > "$T/make.log" 2>&1; then
  echo "not ok 1 - build the demo workspace"; sed 's/^/# /' "$T/make.log"; echo "1..1"; exit 1
fi
WS="$T/ws.sqlite"
pg_start > "$T/pg.log" 2>&1; st=$?
[ $st -ne 0 ] && sed 's/^/# /' "$T/pg.log"
check "throwaway PostgreSQL started on a Unix socket" $st
pg_psql postgres -c "CREATE DATABASE cpts" -c "CREATE DATABASE nogis" &&
  pg_psql cpts -c "CREATE EXTENSION postgis"
check "databases cpts (PostGIS) and nogis (none)" $?
DSN=$(pg_dsn cpts)
"$CPTS" export -q "$WS" --partition partition --gpkg "$T/o.gpkg" --flows-threshold 50 2> /dev/null
check "GeoPackage export" $?
"$CPTS" export -q "$WS" --partition partition --dsn "$DSN" --schema diag --flows-threshold 50 2> "$T/err"
st=$?; [ $st -ne 0 ] && sed 's/^/# /' "$T/err"
check "export --dsn PG:... --schema diag exits 0" $st
cat > "$T/cmp.py" <<'PY'
import sys
from osgeo import ogr
a = ogr.Open(sys.argv[1])
b = ogr.Open(sys.argv[2] + " active_schema=diag")
for name in ("communes", "territoires", "flux", "metadata"):
    la, lb = a.GetLayerByName(name), b.GetLayerByName(name)
    if lb is None:
        print(name, "missing")
        continue
    da, db = la.GetLayerDefn(), lb.GetLayerDefn()
    fa = [(da.GetFieldDefn(i).GetName(), da.GetFieldDefn(i).GetType()) for i in range(da.GetFieldCount())]
    fb = [(db.GetFieldDefn(i).GetName(), db.GetFieldDefn(i).GetType()) for i in range(db.GetFieldCount())]
    ra = {f.GetFID(): [f.GetField(i) for i in range(da.GetFieldCount())] for f in la}
    rb = {f.GetFID(): [f.GetField(i) for i in range(db.GetFieldCount())] for f in lb}
    # the metadata row of the format option names the format itself
    diff = [k for k in ra if ra[k] != rb.get(k) and ra[k][:2] != ["option", "format"]]
    ga = sum(1 for f in la if f.GetGeometryRef() is not None)
    print(name, "fields" if fa == fb else "FIELDS-DIFFER", len(ra), len(rb), len(diff), ga)
PY
/usr/bin/python3 "$T/cmp.py" "$T/o.gpkg" "$DSN" > "$T/cmp" 2> "$T/cmp.err"
sed 's/^/# /' "$T/cmp"
for l in communes territoires flux metadata; do
  awk -v l=$l '$1 == l && $2 == "fields" && $3 == $4 && $3 > 0 && $5 == 0' "$T/cmp" | grep -q .
  check "PostGIS $l: same fields, types and attribute values as the GeoPackage" $?
done
c=$(pg_psql cpts -At -c "SELECT col_description('diag.territoires'::regclass, attnum) FROM pg_attribute WHERE attrelid = 'diag.territoires'::regclass AND attname = 'mt_share'")
[ "$c" = "Part des patients sans médecin traitant : Part des patients sans médecin traitant (%), en pourcentage de 0 à 100" ]
check "COMMENT ON COLUMN with the French title and description" $?
c=$(pg_psql cpts -At -c "SELECT obj_description('diag.communes'::regclass, 'pg_class')")
case "$c" in "Communes : Communes avec leur territoire"*) st=0 ;; *) st=1 ;; esac
check "COMMENT ON TABLE with the French title" $st
ty=$(pg_psql cpts -At -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'diag.territoires'::regclass AND attname IN ('pop_total', 'mt_share', 'geom') ORDER BY attname")
[ "$(echo $ty)" = "geometry(MultiPolygon,2154) double precision integer" ]; check "PostGIS types: geometry(MultiPolygon,2154), integer counts, double ratios ($(echo $ty))" $?
ns=$(pg_psql cpts -At -c "SELECT count(*) FROM public.layer_styles WHERE f_table_catalog = 'cpts' AND f_table_schema = 'diag' AND useasdefault")
[ "$ns" = 4 ]; check "layer_styles: 4 default styles for schema diag (got $ns)" $?
"$CPTS" export -q "$WS" --partition partition --dsn "$DSN" --schema diag --flows-threshold 50 2> /dev/null
ns=$(pg_psql cpts -At -c "SELECT count(*) FROM public.layer_styles")
nc=$(pg_psql cpts -At -c "SELECT count(*) FROM diag.communes")
[ "$ns" = 4 ] && [ "$nc" = "$(awk '$1 == "communes" {print $3}' "$T/cmp")" ]
check "a second export replaces tables and styles (styles $ns, communes $nc)" $?
if gis_has_qgis; then
  mkdir -p -m 700 "$T/xdg"
  XDG_RUNTIME_DIR="$T/xdg" QT_QPA_PLATFORM=offscreen QGIS_CHECK_SCHEMA=diag /usr/bin/python3 \
    "$SRC/tests/gis/qgis_check.py" "$DSN" communes territoires flux metadata > "$T/q" 2> "$T/q.err"
  grep '^layer' "$T/q" | sed 's/^/# /'
  bad=$(awk -F'\t' '$1 == "layer" && ($3 != "valid=1" || $6 != "style=1" || $5 == "renderer=singleSymbol") {print $2}' "$T/q")
  [ "$(grep -c '^layer' "$T/q")" = 4 ] && [ -z "$bad" ]
  check "QGIS opens the PostGIS layers with their default styles from layer_styles" $?
  grep -q "$(printf 'undrawn\tcommunes\t0')" "$T/q"; check "QGIS (PostGIS): every commune drawn" $?
else
  skip "QGIS opens the PostGIS layers" "QGIS python bindings not installed (python3-qgis)"
fi
"$CPTS" export -q "$WS" --partition partition --dsn "$(pg_dsn nogis)" 2> "$T/err"; rc=$?
[ $rc -eq 5 ] && grep -q "has no PostGIS extension: run 'CREATE EXTENSION postgis;'" "$T/err"
check "database without PostGIS: exit 5 and how to add it (got $rc)" $?
ntab=$(pg_psql nogis -At -c "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
[ "$ntab" = 0 ]; check "nothing written to the database without PostGIS ($ntab tables)" $?
"$CPTS" export -q "$WS" --partition partition --gpkg "$T/x" --format PostgreSQL 2> "$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "give --dsn" "$T/err"; check "--format PostgreSQL without --dsn: usage error (got $rc)" $?
"$CPTS" export -q "$WS" --partition partition --dsn "PG:host=$PGHOSTDIR dbname=nope user=cpts" 2> "$T/err"; rc=$?
[ $rc -eq 4 ] && grep -q "cannot connect to 'PG:host=" "$T/err"; check "unknown database: exit 4, named (got $rc)" $?
tap_done
