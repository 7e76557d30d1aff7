#!/bin/sh
# Issue 12, items 1-3 and 10-14 (each check fails on the code before the fix): outputs
# that name a directory, the workspace or an input are refused before any work (exit 3)
# and nothing is deleted; move --as refuses an existing partition without --replace;
# the HTML report is replaced as a whole (interrupted or disk-full runs keep the old
# one, old pages do not linger); page names are readable unique slugs; temporaries do
# not follow symlinks; suggest prints paste-able quoted commands with the workspace;
# control characters cannot forge lines in text output.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
. "$(dirname "$0")/lib/tap.sh"
export CPTS_FIXED_TIME="2026-01-01T00:00:00Z"
if ! sh "$SRC/tests/browser/make_ws.sh" "$CPTS" "$T" > "$T/make.log" 2>&1; then
  echo "not ok 1 - build the demo workspace"; sed 's/^/# /' "$T/make.log"; echo "1..1"; exit 1
fi
WS="$T/ws.sqlite"
sum0=$(sha256sum "$WS" | cut -d' ' -f1)
ws_intact() { [ "$(sha256sum "$WS" | cut -d' ' -f1)" = "$sum0" ]; }

# ---- 1. --gpkg DIR: refused, nothing in DIR deleted (before: every file deleted, exit 4)
mkdir "$T/dir"; echo keep > "$T/dir/keep.txt"; cp "$WS" "$T/dir/copy.sqlite"
"$CPTS" export "$WS" --partition partition --gpkg "$T/dir" 2> "$T/err"; rc=$?
[ $rc -eq 3 ]; check "1: --gpkg an existing directory exits 3 (got $rc)" $?
grep -q "is an existing directory" "$T/err"; check "1: the message says it is a directory" $?
[ -f "$T/dir/keep.txt" ] && [ -f "$T/dir/copy.sqlite" ]; check "1: nothing deleted in the directory" $?
"$CPTS" export "$WS" --partition partition --gpkg "$T/dir" --format FlatGeobuf 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && [ -f "$T/dir/keep.txt" ]; check "1: a one-file-per-layer driver refuses a directory of other files (got $rc)" $?
"$CPTS" export "$WS" --partition partition --html "$T/dir" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && [ -f "$T/dir/keep.txt" ]; check "1: --html a directory that is not a report exits 3, nothing deleted (got $rc)" $?
grep -q "not a cpts report" "$T/err"; check "1: the message says it is not a report" $?
cd "$T/dir" && "$CPTS" export "$WS" --partition partition --html . 2> "$T/err"; rc=$?; cd "$T" || exit 1
[ $rc -eq 3 ] && [ -f "$T/dir/keep.txt" ]; check "1: --html . refused (got $rc)" $?

# ---- 2. --gpkg / --html naming the workspace or an input (also via symlink, hard link)
"$CPTS" export "$WS" --partition partition --gpkg "$WS" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && ws_intact; check "2: --gpkg WS exits 3, workspace unchanged (got $rc)" $?
grep -q "is the input" "$T/err"; check "2: the message names the input" $?
ln -s "$WS" "$T/sym.gpkg"; ln "$WS" "$T/hard.gpkg"
"$CPTS" export "$WS" --partition partition --gpkg "$T/sym.gpkg" 2>/dev/null; rc1=$?
"$CPTS" export "$WS" --partition partition --gpkg "$T/hard.gpkg" 2>/dev/null; rc2=$?
[ $rc1 -eq 3 ] && [ $rc2 -eq 3 ] && ws_intact; check "2: through a symlink and a hard link too ($rc1, $rc2)" $?
"$CPTS" export "$WS" --partition partition --html "$WS" 2>/dev/null; rc=$?
[ $rc -eq 3 ] && ws_intact; check "2: --html WS exits 3 (got $rc)" $?
"$CPTS" export "$WS" --partition partition --gpkg "$T/h0/x.gpkg" --html "$T/h0" 2>/dev/null; rc=$?
[ $rc -eq 3 ] && [ ! -e "$T/h0" ]; check "2: --gpkg inside --html refused before any work (got $rc)" $?
"$CPTS" diagnose --communes "$T/demo/communes.geojson" --out "$T/demo/communes.geojson" 2>"$T/err"; rc=$?
[ $rc -eq 3 ] && [ -s "$T/demo/communes.geojson" ]; check "2: diagnose --out an input file exits 3 (got $rc)" $?
mkdir "$T/dg"; cp "$T/demo/communes.geojson" "$T/dg/cpts.gpkg"
"$CPTS" diagnose -q --communes "$T/dg/cpts.gpkg" --out "$T/dg" 2>"$T/err"; rc=$?
[ $rc -eq 3 ] && cmp -s "$T/dg/cpts.gpkg" "$T/demo/communes.geojson" && [ ! -e "$T/dg/cpts.sqlite" ]
check "2: diagnose whose output cpts.gpkg is an input exits 3 before ingesting (got $rc)" $?
"$CPTS" synth -q -n 10 -s 1 -o "$WS" 2>/dev/null; rc=$?
[ $rc -eq 3 ] && ws_intact; check "2: synth --out a file exits 3 (got $rc)" $?
"$CPTS" ingest communes "$WS" "$WS" 2>/dev/null; rc=$?
[ $rc -eq 3 ] && ws_intact; check "2: ingest of the workspace into itself exits 3 (got $rc)" $?

# ---- 3. move --as an existing partition
"$CPTS" move -q "$WS" --partition partition --commune "$(sed -n 2p "$T/demo/partition.csv" | cut -d';' -f1)" --to nouveau --as basins > /dev/null 2> "$T/err"; rc=$?
[ $rc -eq 2 ]; check "3: move --as an existing partition exits 2 (got $rc)" $?
grep -q "exists already.*--replace" "$T/err"; check "3: the refusal names --replace" $?
"$CPTS" info "$WS" --json > "$T/info.json"
python3 -c "
import json,sys; p={x['name']:x for x in json.load(open('$T/info.json'))['partitions']}
assert p['basins']['kind']=='basins', p['basins']" ; check "3: the existing partition is untouched" $?
cp "$WS" "$T/ws3.sqlite"
c1=$(sed -n 2p "$T/demo/partition.csv" | cut -d';' -f1)
"$CPTS" move -q "$T/ws3.sqlite" --partition partition --commune "$c1" --to nouveau --as basins --replace > /dev/null; rc=$?
[ $rc -eq 0 ]; check "3: --replace replaces it (got $rc)" $?
n_old=$(sqlite3 "$T/ws3.sqlite" "SELECT (SELECT count(*) FROM profile_values WHERE partition='basins') + (SELECT count(*) FROM basin_metrics WHERE partition='basins') + (SELECT count(*) FROM basin_communes WHERE partition='basins')" 2>/dev/null)
[ "$n_old" = 0 ]; check "3: the old partition's profiles, metrics and classes are dropped (left $n_old)" $?
kind=$(sqlite3 "$T/ws3.sqlite" "SELECT kind FROM partitions WHERE name='basins'" 2>/dev/null)
t1=$(sqlite3 "$T/ws3.sqlite" "SELECT territory FROM partition_members WHERE partition='basins' AND code='$c1'" 2>/dev/null)
[ "$kind" = move ] && [ "$t1" = nouveau ]; check "3: the replacement is the moved partition ($kind, $t1)" $?

# ---- 10. the report is replaced as a whole
"$CPTS" export -q "$WS" --partition partition --html "$T/rep"; rc=$?
[ $rc -eq 0 ] && [ -f "$T/rep/index.html" ]; check "10: first report written" $?
echo stale > "$T/rep/ancienne-page.html"
cp -r "$T/rep" "$T/rep.before"
# full disk: a file-size limit makes the page writes fail (EFBIG) mid-report
(ulimit -f 40; trap '' XFSZ; exec "$CPTS" export -q "$WS" --partition partition --html "$T/rep") 2> "$T/err"; rc=$?
[ $rc -eq 4 ]; check "10: disk full exits 4 (got $rc)" $?
diff -r "$T/rep" "$T/rep.before" > /dev/null; check "10: after a full disk the previous report is intact" $?
ls -a "$T" | grep -q '^\.rep\.tmp'; [ $? -ne 0 ]; check "10: no temporary directory left after the failure" $?
"$CPTS" export -q "$WS" --partition partition --html "$T/rep"; rc=$?
[ $rc -eq 0 ] && [ ! -e "$T/rep/ancienne-page.html" ]; check "10: a new report replaces the old one; its stale pages are gone" $?
np=$(ls "$T/rep" | grep '\.html$' | grep -vc '^index.html$')
[ "$np" = 2 ]; check "10: exactly one page per territory (got $np)" $?
# a temporary directory left by a killed run is removed by the next export
mkdir "$T/.rep.tmp999999-0-report"; echo x > "$T/.rep.tmp999999-0-report/index.html"
"$CPTS" export -q "$WS" --partition partition --html "$T/rep"
[ ! -e "$T/.rep.tmp999999-0-report" ]; check "10: a dead run's temporary report is swept" $?

# ---- 11. page names
for f in "$T/rep"/*.html; do
  b=$(basename "$f")
  echo "$b" | grep -Eq '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(-[0-9a-f]{8})?\.html$' || echo "bad $b"
done > "$T/bad"
[ ! -s "$T/bad" ]; check "11: page names are lower-case ASCII slugs ($(cat "$T/bad"))" $?
[ -f "$T/rep/cpts-fictionville-et-environs.html" ]; check "11: 'CPTS Fictionville et environs' -> cpts-fictionville-et-environs.html" $?
grep -q 'href="cpts-fictionville-et-environs.html">CPTS Fictionville et environs</a>' "$T/rep/index.html"
check "11: the index maps the name to its file" $?

# ---- 12. temporaries never follow a symlink (before: fopen("index.html.tmp", "wb")
# followed one planted in the report directory); syncs before the renames
mkdir "$T/r12"; echo secret > "$T/victim"
"$CPTS" export -q "$WS" --partition partition --html "$T/r12/html"
ln -s "$T/victim" "$T/r12/html/index.html.tmp"
"$CPTS" export -q "$WS" --partition partition --html "$T/r12/html" 2>/dev/null
[ "$(cat "$T/victim")" = secret ]; check "12: a symlink planted in the report is not followed" $?
sh -c 'for k in 0 1 2; do ln -s "$1" "$2/.out.tmp$$-$k.gpkg"; done; exec "$3" export -q "$4" --partition partition --gpkg "$2/out.gpkg"' \
  sh "$T/victim" "$T/r12" "$CPTS" "$WS"; rc=$?
[ "$(cat "$T/victim")" = secret ]; check "12: symlinks at the GeoPackage temporary names are not followed" $?
[ $rc -eq 0 ] && ogrinfo -ro -so "$T/r12/out.gpkg" > /dev/null 2>&1; check "12: the GeoPackage is still written (got $rc)" $?
if command -v strace > /dev/null 2>&1; then
  strace -f -o "$T/trace" -e trace=fsync,syncfs,rename,renameat,renameat2,openat "$CPTS" export -q "$WS" --partition partition --gpkg "$T/r12/s.gpkg" --html "$T/r12/sh" > /dev/null 2>&1
  python3 - "$T/trace" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
fd_path, synced, ok = {}, set(), {"gpkg": False, "html": False}
for l in lines:
    m = re.search(r'openat\(AT_FDCWD, "([^"]+)".* = (\d+)$', l)
    if m: fd_path[m.group(2)] = m.group(1)
    m = re.search(r'(fsync|syncfs)\((\d+)', l)
    if m and m.group(2) in fd_path: synced.add(fd_path[m.group(2)])
    m = re.search(r'rename(?:at2?)?\((?:AT_FDCWD, )?"([^"]+)", (?:AT_FDCWD, )?"([^"]+)"', l)
    if m:
        src, dst = m.groups()
        if dst.endswith("s.gpkg"): ok["gpkg"] = src in synced
        if dst.endswith("/sh"): ok["html"] = src in synced
assert ok["gpkg"] and ok["html"], (ok, synced)
PY
  check "12: the GeoPackage and the report directory are synced before their rename" $?
  O_EXCL_OK=$(grep -c 'O_EXCL|O_NOFOLLOW' "$T/trace")
  [ "$O_EXCL_OK" -gt 0 ]; check "12: page files are created O_EXCL|O_NOFOLLOW ($O_EXCL_OK)" $?
else
  check "12: sync order not checked (strace not installed)" 0
fi

# ---- 13. suggest: the workspace path and shell quoting
P="p \$(touch $T/PWNED) 'q'"
"$CPTS" ingest partition -q "$T/ws3.sqlite" "$T/demo/partition.csv" --name "$P"; rc=$?
check "13: a partition named with \$(...) and quotes is ingested (got $rc)" $rc
"$CPTS" suggest "$T/ws3.sqlite" --partition "$P" > "$T/sg" 2> "$T/err"; rc=$?
check "13: suggest exits 0 (got $rc)" $rc
grep -q "cpts move WS " "$T/sg"; [ $? -ne 0 ]; check "13: no placeholder WS" $?
grep "^     cpts move " "$T/sg" > "$T/cmds"
[ -s "$T/cmds" ]; check "13: suggestions printed ($(wc -l < "$T/cmds"))" $?
mkdir -p "$T/sb/bin"
cat > "$T/sb/bin/cpts" <<'EOF'
#!/bin/sh
for a in "$@"; do printf '%s\0' "$a"; done >> "$SB_LOG"
printf '\n' >> "$SB_LOG"
EOF
chmod +x "$T/sb/bin/cpts"
: > "$T/sb/log"
while IFS= read -r line; do
  (cd "$T/sb" && SB_LOG="$T/sb/log" PATH="$T/sb/bin:$PATH" bash -c "$line")
done < "$T/cmds"
[ ! -e "$T/PWNED" ] && [ -z "$(ls "$T/sb" | grep -v '^bin$\|^log$')" ]; check "13: pasting the commands runs no \$(touch)" $?
python3 - "$T/sb/log" "$T/ws3.sqlite" "$P" <<'PY'
import sys
recs = open(sys.argv[1], 'rb').read().split(b'\n')
recs = [r for r in recs if r]
assert recs, "no command ran"
for r in recs:
    argv = r.split(b'\0')[:-1]
    assert argv[0:4] == [b'move', sys.argv[2].encode(), b'--partition', sys.argv[3].encode()], argv
    assert argv[4] == b'--commune' and argv[6] == b'--to', argv
PY
check "13: the fake cpts received the workspace and the partition name exactly" $?

# ---- 14. control characters in ids: no forged line
sqlite3 "$T/ws3.sqlite" "UPDATE partition_members SET territory = 'T' || char(10) || 'verdict: ok FORGED' || char(27) || '[31m' WHERE partition = 'partition' AND territory = (SELECT min(territory) FROM partition_members WHERE partition = 'partition')" 2>/dev/null
"$CPTS" check "$T/ws3.sqlite" --partition partition > "$T/c14" 2>&1
"$CPTS" move "$T/ws3.sqlite" --partition partition --commune "$c1" --to "x$(printf '\nFORGED')" --as m14 > "$T/m14" 2>&1
"$CPTS" suggest "$T/ws3.sqlite" --partition partition > "$T/s14" 2>&1
"$CPTS" compare "$T/ws3.sqlite" partition "$(printf 'no\nFORGED')" > "$T/p14" 2>&1
"$CPTS" info "$T/ws3.sqlite" > "$T/i14" 2>&1
for f in c14 m14 s14 p14 i14; do
  if grep -q '^verdict: ok FORGED\|^FORGED' "$T/$f" || grep -q "$(printf '\033')" "$T/$f"; then echo "$f"; fi
done > "$T/forged"
[ ! -s "$T/forged" ]; check "14: no forged line nor ESC in check, move, suggest, compare, info ($(cat "$T/forged" | tr '\n' ' '))" $?
grep -q 'T\\nverdict: ok FORGED\\x1b\[31m' "$T/c14"; check "14: the id is shown escaped in check" $?
"$CPTS" check "$T/ws3.sqlite" --partition partition --json | python3 -c "
import json,sys; r=json.load(sys.stdin)
assert any(t['id']=='T\nverdict: ok FORGED\x1b[31m' for t in r['territories'])"
check "14: JSON keeps the exact id" $?
# ---- 15. a huge commune: maps draw a decimated copy, the GeoPackage keeps every vertex
mkdir "$T/big"
python3 - "$T/big" <<'PY'
import math, sys
d = sys.argv[1]; n = 300000; cx, cy, r = 700000, 6600000, 5000
pts = ['[%.2f,%.2f]' % (cx + r * (1 + 0.02 * math.sin(3000 * 2 * math.pi * i / n)) * math.cos(2 * math.pi * i / n),
                        cy + r * (1 + 0.02 * math.sin(3000 * 2 * math.pi * i / n)) * math.sin(2 * math.pi * i / n)) for i in range(n)]
pts.append(pts[0]); x0 = cx + r * 1.03
with open(f'{d}/communes.geojson', 'w') as f:
    f.write('{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},"features":[')
    f.write('{"type":"Feature","properties":{"code":"44001","nom":"Grande"},"geometry":{"type":"Polygon","coordinates":[[' + ','.join(pts) + ']]}},')
    f.write('{"type":"Feature","properties":{"code":"44002","nom":"Petite"},"geometry":{"type":"Polygon","coordinates":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}}]}' % (x0, cy - 2000, x0 + 4000, cy - 2000, x0 + 4000, cy + 2000, x0, cy + 2000, x0, cy - 2000))
open(f'{d}/partition.csv', 'w').write('code_commune;territoire\n44001;T1\n44002;T2\n')
PY
B="$T/big/ws.sqlite"
"$CPTS" init -q "$B" && "$CPTS" ingest communes "$B" "$T/big/communes.geojson" -q &&
  "$CPTS" ingest partition "$B" "$T/big/partition.csv" -q &&
  "$CPTS" export -q "$B" --partition partition --gpkg "$T/big/x.gpkg" --html "$T/big/html"
check "15: export of a 300,000-vertex commune exits 0" $?
nv=$(ogrinfo -ro "$T/big/x.gpkg" -sql "SELECT ST_NPoints(geom) AS n FROM territoires WHERE territoire = 'T1'" 2>/dev/null | sed -n 's/^ *n (Integer) = //p')
[ "$nv" = 300001 ]; check "15: the GeoPackage territory keeps all 300,001 vertices (got $nv)" $?
sz=$(wc -c < "$T/big/html/t1.html")
[ "$sz" -lt 300000 ]; check "15: its page draws a simplified copy ($sz bytes)" $?
# the same commune dissolved with a neighbour: above 200,000 vertices the overlay union
# (GEOS's coverage union made a graph node per vertex: 60 s and 2.4 GB at 2,000,000)
printf 'code_commune;territoire\n44001;T1\n44002;T1\n' > "$T/big/one.csv"
"$CPTS" ingest partition "$B" "$T/big/one.csv" --name one -q &&
  "$CPTS" export -q "$B" --partition one --gpkg "$T/big/one.gpkg" --html "$T/big/one_html"
check "15: a 300,000-vertex commune dissolved with its neighbour exits 0" $?
nv=$(ogrinfo -ro "$T/big/one.gpkg" -sql "SELECT ST_NPoints(geom) AS n FROM territoires" 2>/dev/null | sed -n 's/^ *n (Integer) = //p')
[ "$nv" = 300006 ]; check "15: the dissolved territory keeps every vertex of both (got $nv)" $?
tap_done
