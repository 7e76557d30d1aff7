# tests/cli/lib/gis.sh - sourced after tap.sh by the CLI tests that write GeoPackages:
# gis_check FILE LABEL runs GDAL's GeoPackage validator (validate_gpkg.py) and opens
# every layer in real QGIS (tests/gis/qgis_check.py, Debian python3-qgis, offscreen):
# each layer valid, its stored default style applied (not the single-symbol fallback),
# every field with an alias, and a rendered 400x400 PNG not blank (more than 400 of the
# 40,000 sampled pixels differ from the white background). Skips, with the reason, when
# the Debian python has no GDAL or QGIS bindings. Leaves the QGIS report in $T/qgis.out.
GIS_PY=/usr/bin/python3
GIS_VALIDATE=/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py
GIS_SRC="${SRC:-$(dirname "$0")/../..}"
skip() { # name, reason
  n=$((n+1)); echo "ok $n - $1 # SKIP $2"
}
gis_has_qgis() {
  [ -x "$GIS_PY" ] && QT_QPA_PLATFORM=offscreen "$GIS_PY" -c 'import qgis.core' 2>/dev/null
}
gis_check() { # file, label
  f="$1"; label="$2"
  if [ -x "$GIS_PY" ] && [ -f "$GIS_VALIDATE" ]; then
    "$GIS_PY" "$GIS_VALIDATE" "$f" > "$T/validate.out" 2>&1
    st=$?; [ $st -ne 0 ] && sed 's/^/# /' "$T/validate.out" | tail -3
    check "$label: validate_gpkg.py passes" $st
  else
    skip "$label: validate_gpkg.py passes" "GDAL python bindings not installed (python3-gdal)"
  fi
  if ! gis_has_qgis; then
    skip "$label: every layer opens styled in QGIS" "QGIS python bindings not installed (python3-qgis)"
    return
  fi
  mkdir -p -m 700 "$T/xdg"
  XDG_RUNTIME_DIR="$T/xdg" QT_QPA_PLATFORM=offscreen "$GIS_PY" \
    "$GIS_SRC/tests/gis/qgis_check.py" "$f" > "$T/qgis.out" 2> "$T/qgis.err"
  check "$label: QGIS opens the file" $?
  nl=$(grep -c '^layer' "$T/qgis.out")
  [ "$nl" -ge 3 ]; check "$label: QGIS lists the layers ($nl)" $?
  bad=$(awk -F'\t' '$1 == "layer" {
      ok = ($3 == "valid=1" && $6 == "style=1")
      split($7, a, "="); split($10, fl, "="); if (a[2] != fl[2] || a[2] == 0) ok = 0
      if ($5 != "renderer=none") {
        split($8, p, "="); if ($5 == "renderer=singleSymbol" || p[2] <= 400) ok = 0
      }
      if (!ok) print $2 }' "$T/qgis.out" | tr '\n' ' ')
  [ -z "$bad" ] && [ "$nl" -gt 0 ]
  check "$label: every layer valid, default style applied, all fields aliased, map not blank${bad:+ (failed: $bad)}" $?
  [ -n "$bad" ] && grep '^layer' "$T/qgis.out" | sed 's/^/# /'
  return 0
}
