#!/bin/sh
# Hostile names (issue 12): territory ids, a partition name and commune names holding
# HTML/JS, quotes, $(...), backticks, newlines, ESC, 300 characters, "..", "/", "\",
# CON, accents and emoji go through every command (ingest, graph, basins, profile,
# check, move, suggest, compare, info, export GPKG + HTML, diagnose) and every output
# format. Asserts: JSON parses and keeps the exact ids; text output has no forged line
# and no raw ESC; HTML has no live tag from a name and maps every id to one safely named
# page; the GeoPackage opens with the exact ids; the commands suggest prints, run in a
# sandbox with a fake cpts on PATH, create no file and pass exactly the intended argv.
CPTS="$1"
. "$(dirname "$0")/lib/tap.sh"
export CPTS_FIXED_TIME="2026-01-01T00:00:00Z"
PY=/usr/bin/python3
if ! $PY -c "from osgeo import ogr" 2>/dev/null; then echo "1..0 # SKIP /usr/bin/python3 without osgeo"; exit 0; fi
cd "$T" || exit 1
"$CPTS" synth -q -n 40 -s 7 -o "$T/d" || { echo "not ok 1 - synth"; echo "1..1"; exit 1; }

# the hostile values, written once as JSON for every later assertion
$PY - "$T" <<'PY'
import csv, json, sys
T = sys.argv[1]
ids = ['<script>alert("x")</script>', "O'Neil \"quoted\" & co", '$(touch PWNED1)',
       '`touch PWNED2`', 'ligne1\nligne2 verdict: ok', 'A' * 150 + '\u00e9' * 150,
       '../../etc/passwd', 'CON', 'CA Cholet Agglom\u00e9ration \U0001f3e5', '-rf',
       'a/b\\c', '..', 'esc\x1b[31mred', 'ca-cholet-agglomeration']
names = ['<img src=x onerror=alert(1)>', 'Saint-\u00c9tienne "l\'Ouest"', '$(touch PWNED4)',
         'nom\nFORGED line', '\U0001f600 \u0392\u03b5\u03c1', 'x' * 300, 'CON', 'tab\there']
part = "p $(touch PWNED3) 'q' `id`"
gj = json.load(open(f'{T}/d/communes.geojson'))
codes = sorted(f['properties']['code'] for f in gj['features'])
for k, f in enumerate(sorted(gj['features'], key=lambda f: f['properties']['code'])):
    if k % 3 == 0:
        f['properties']['nom'] = names[(k // 3) % len(names)] + f' {k}'
json.dump(gj, open(f'{T}/d/communes.geojson', 'w'), ensure_ascii=False)
# territories: consecutive blocks of codes, one hostile id each
per = -(-len(codes) // len(ids))
assign = {c: ids[i // per] for i, c in enumerate(codes)}
with open(f'{T}/d/partition.csv', 'w', newline='') as fh:
    w = csv.writer(fh, delimiter=';', quoting=csv.QUOTE_ALL, lineterminator='\n')
    w.writerow(['code_commune', 'territoire', 'statut'])
    for c in codes:
        w.writerow([c, assign[c], 'ACI sign\u00e9e'])
used = sorted(set(assign.values()))
json.dump({'ids': used, 'part': part, 'names': names}, open(f'{T}/hostile.json', 'w'))
open(f'{T}/part_name', 'w').write(part)
PY
check "hostile fixture written" $?
P=$(cat "$T/part_name")
WS="$T/ws.sqlite"
run() { # name, command...: run, keep stdout in $T/out.<name>, stderr in $T/err.<name>
  nm="$1"; shift
  "$@" > "$T/out.$nm" 2> "$T/err.$nm"; r=$?
  check "$nm exits 0 (got $r)" $r
  [ $r -eq 0 ] || sed 's/^/# /' "$T/err.$nm" | head -5
}
run init "$CPTS" init "$WS"
run ingest_communes "$CPTS" ingest communes "$WS" "$T/d/communes.geojson"
for k in population consumption mt supply flows attributes; do
  "$CPTS" ingest $k "$WS" "$T/d/$k.csv" -q || echo "ingest $k failed" >> "$T/ingest_fail"
done
[ ! -e "$T/ingest_fail" ]; check "tables ingested" $?
run ingest_partition "$CPTS" ingest partition "$WS" "$T/d/partition.csv" --name "$P"
run graph "$CPTS" graph "$WS"
run basins "$CPTS" basins "$WS" --method plurality
run profile "$CPTS" profile "$WS" --partition "$P"
run check "$CPTS" check "$WS" --partition "$P"
run check_json "$CPTS" check "$WS" --partition "$P" --json
TO=$($PY -c "import json; print(json.load(open('$T/hostile.json'))['ids'][0], end='')")
C1=$(sed -n 2p "$T/d/partition.csv" | cut -d';' -f1 | tr -d '"')
run move "$CPTS" move "$WS" --partition "$P" --commune "$C1" --to "$TO" --as "$P 2"
run move_json "$CPTS" move "$WS" --partition "$P" --commune "$C1" --to "$TO" --as "$P 3" --json
run suggest "$CPTS" suggest "$WS" --partition "$P"
run suggest_json "$CPTS" suggest "$WS" --partition "$P" --json
run compare "$CPTS" compare "$WS" "$P" basins
run info "$CPTS" info "$WS"
run info_json "$CPTS" info "$WS" --json
run export "$CPTS" export "$WS" --partition "$P" --gpkg "$T/o/h.gpkg" --html "$T/o/html" --flows-threshold 20
run diagnose "$CPTS" diagnose --communes "$T/d/communes.geojson" --population "$T/d/population.csv" \
  --mt "$T/d/mt.csv" --flows "$T/d/flows.csv" --partition "$T/d/partition.csv" --out "$T/diag"

# JSON: parses, keeps the exact ids
$PY - "$T" <<'PY'
import json, sys
T = sys.argv[1]
h = json.load(open(f'{T}/hostile.json'))
for n in ['check_json', 'move_json', 'suggest_json', 'info_json']:
    json.load(open(f'{T}/out.{n}'))
c = json.load(open(f'{T}/out.check_json'))
assert sorted(t['id'] for t in c['territories']) == h['ids'], sorted(t['id'] for t in c['territories'])
m = json.load(open(f'{T}/out.move_json'))
assert m['from'] == h['part'] and m['as'] == h['part'] + ' 3' and m['to'] == h['ids'][0], m
i = json.load(open(f'{T}/out.info_json'))
assert h['part'] in [p['name'] for p in i['partitions']]
PY
check "JSON of check, move, suggest, info parses and keeps the exact ids and names" $?

# text: one record per line whatever a name holds
for f in check move suggest compare info profile; do
  if grep -q '^ligne2\|^FORGED' "$T/out.$f" "$T/err.$f" || grep -q "$(printf '\033')" "$T/out.$f" "$T/err.$f"; then
    echo "$f"
  fi
done > "$T/forged"
[ ! -s "$T/forged" ]; check "no forged line nor raw ESC in text output ($(tr '\n' ' ' < "$T/forged"))" $?
grep -q "territory 'ligne1\\\\nligne2 verdict: ok'" "$T/out.check"; check "check shows the newline escaped" $?

# HTML: no live tag from a name, every id on one safely named page
$PY - "$T" "$T/o/html" "$T/diag/html" <<'PY'
import html.parser, json, os, re, sys
T = sys.argv[1]
ids = json.load(open(f'{T}/hostile.json'))['ids']
for d in sys.argv[2:]:
    every = sorted(f for f in os.listdir(d) if not f.startswith('.'))
    for f in every:  # pages and their .md / .odt companions: safe names
        assert re.fullmatch(r'[a-z0-9]([a-z0-9-]*[a-z0-9])?\.(html|md|odt)', f) and len(f) <= 80, f
    files = [f for f in every if f.endswith('.html')]
    for f in files:
        assert f.split('.')[0] not in ('con', 'prn', 'aux', 'nul', 'com1', 'lpt1'), f
    class P(html.parser.HTMLParser):
        def __init__(self):
            super().__init__(); self.bad = []; self.href = []; self.terr = set()
            self.in_script = False
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            # the report's own table-sorting script (inline, no src) is the only script
            if tag == 'script' and not a:
                self.in_script = True
            elif tag in ('script', 'img', 'iframe', 'object') or any(k.startswith('on') for k in a):
                self.bad.append(tag)
            if tag == 'a' and 'href' in a: self.href.append(a['href'])
            if 'data-territoire' in a: self.terr.add(a['data-territoire'])
        def handle_data(self, data):
            if self.in_script and not data.startswith("document.querySelectorAll('table.sortable')"):
                self.bad.append('script: ' + data[:40])
        def handle_endtag(self, tag):
            if tag == 'script': self.in_script = False
    for f in files:
        p = P(); p.feed(open(os.path.join(d, f), encoding='utf-8').read()); p.close()
        assert not p.bad, (f, p.bad)
        if f == 'index.html':
            idx = p
    if d.endswith('o/html'):
        assert sorted(idx.terr) == ids, sorted(idx.terr)
        pages = sorted(h for h in idx.href if h.endswith('.html'))
        assert len(set(pages)) == len(ids), pages
        assert sorted(set(pages)) == [f for f in files if f != 'index.html'], (pages, files)
PY
check "HTML: names escaped (no script, img or on* attribute), one slug page per id, the index maps them" $?
[ -f "$T/o/html/ca-cholet-agglomeration.html" ]; r1=$?
ls "$T/o/html" | grep -Eq '^ca-cholet-agglomeration-[0-9a-f]{8}\.html$'; r2=$?
[ $r1 -ne 0 ] && [ $r2 -eq 0 ]; check "two ids with one slug both get a hash suffix" $?
ls "$T/o/html" | grep -q '^con-1\.html$'; check "CON -> con-1.html" $?

# GeoPackage opens and keeps the exact ids
$PY - "$T" <<'PY'
import json, sys
from osgeo import ogr
T = sys.argv[1]
ids = json.load(open(f'{T}/hostile.json'))['ids']
for path, part in [(f'{T}/o/h.gpkg', True), (f'{T}/diag/cpts.gpkg', True)]:
    ds = ogr.Open(path)
    assert ds is not None, path
    lyr = ds.GetLayerByName('territoires')
    got = sorted(f.GetField('territoire') for f in lyr)
    assert got == ids, (path, got)
PY
check "GeoPackages open with the exact territory ids" $?

# suggest: the printed commands are inert and pass the intended argv
mkdir -p "$T/sb/bin"
cat > "$T/sb/bin/cpts" <<'EOF'
#!/bin/sh
for a in "$@"; do printf '%s\0' "$a"; done >> "$SB_LOG"
printf '\n' >> "$SB_LOG"
EOF
chmod +x "$T/sb/bin/cpts"
grep "^     cpts move " "$T/out.suggest" | sed 's/^     //' > "$T/cmds"
$PY -c "
import json; r=json.load(open('$T/out.suggest_json'))
open('$T/cmds_json','w').write(''.join(s['command']+'\n' for s in r['suggestions']))"
for f in cmds cmds_json; do
  : > "$T/sb/log.$f"
  while IFS= read -r line; do
    (cd "$T/sb" && SB_LOG="$T/sb/log.$f" PATH="$T/sb/bin:$PATH" bash -c "$line")
  done < "$T/$f"
done
[ -s "$T/cmds" ]; check "suggest printed commands ($(wc -l < "$T/cmds"))" $?
find "$T" -name 'PWNED*' > "$T/pwned"; ls "$T/sb" | grep -v '^bin$\|^log' >> "$T/pwned"
[ ! -s "$T/pwned" ]; check "running them created no file ($(tr '\n' ' ' < "$T/pwned"))" $?
$PY - "$T" "$WS" <<'PY'
import json, sys
T, ws = sys.argv[1], sys.argv[2]
h = json.load(open(f'{T}/hostile.json'))
sg = json.load(open(f'{T}/out.suggest_json'))['suggestions']
want = [['move', ws, '--partition', h['part'], '--commune', ','.join(s['communes']), '--to', s['to']]
        for s in sg]
assert any(s['to'] not in ('', None) and not s['to'].isalnum() for s in sg), 'no hostile target'
for f in ['log.cmds', 'log.cmds_json']:
    got = [[a.decode() for a in (r + b'\0').split(b'\0')[:-1]]
           for r in open(f'{T}/sb/{f}', 'rb').read().split(b'\0\n') if r]
    assert got == want, (f, got, want)
PY
check "the fake cpts received exactly the intended argv (text and JSON commands)" $?
tap_done
