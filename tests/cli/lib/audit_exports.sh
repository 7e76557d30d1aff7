# tests/cli/lib/audit_exports.sh - sourced by tap_done (tap.sh): `cpts audit` on every
# publication a CLI test left in its scratch directory $T (issue 19: the suite audits
# every export it makes): each GeoPackage written by cpts export (a metadata layer
# with cpts_version) and each HTML report directory (an index.html made by cpts), one
# TAP check each, exit 0 required. Hand-made files (no cpts metadata) are left to the
# tests that made them. Needs $CPTS (the binary) and ogrinfo; skipped without them.
audit_exports() {
  [ -n "${CPTS:-}" ] && [ -x "$CPTS" ] || return 0
  command -v ogrinfo > /dev/null 2>&1 || return 0
  find "$T" \( -name '*.gpkg' -o -name index.html \) -type f 2>/dev/null | sort > "$T/.audit_list"
  while IFS= read -r f; do
    case "$f" in
      *.gpkg)
        ogrinfo -ro -q "$f" -sql "SELECT valeur FROM metadata WHERE cle = 'cpts_version'" \
          2>/dev/null | grep -q "valeur" || continue
        p="$f" ;;
      *)
        grep -q "cpts" "$f" && grep -q "Seuil du secret statistique" "$f" || continue
        p=$(dirname "$f") ;;
    esac
    "$CPTS" audit -q "$p" > "$T/.audit_out" 2>&1; arc=$?
    [ $arc -eq 0 ]; check "audit of the export ${p#"$T"/}: nothing deduced (exit $arc)" $?
    [ $arc -eq 0 ] || sed -n '1,12s/^/# /p' "$T/.audit_out"
  done < "$T/.audit_list"
}
