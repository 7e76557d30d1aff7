#!/bin/sh
# browser_export.sh CPTS - render the exported HTML report (index and a territory page
# of the demo workspace) in headless Chromium and check, as TAP:
#  - screenshots are produced (PNG, non-trivial size; kept in $CPTS_SCREENSHOT_DIR
#    when set, for a human to look at);
#  - no console message (console errors are logged as INFO:CONSOLE with
#    --enable-logging=stderr --v=0);
#  - no network request made by the page: Chromium's NetLog (--log-net-log) lists every
#    URL request; apart from the browser's own service hosts (google.com,
#    googleapis.com, gstatic.com) there must be none, and name resolution is disabled
#    (--host-resolver-rules) so nothing can leave the machine anyway. A control page
#    with a remote image must be caught by the same check;
#  - the rendered DOM (--dump-dom) holds one <path data-code> per commune of the
#    territory (counted in the partition CSV) and one per territory on the index;
#  - print (Chromium --print-to-pdf, pages counted with pdfinfo, text with pdftotext):
#    a territory takes at most 3 A4 pages, each with the running header (territory,
#    French date, sources) and "Page k / n"; the navigation is not printed;
#  - names, not codes, title every page; no visible cell reads "n.d." in a section
#    whose input was given, also in a report from public data only (communes,
#    population, partition), which lists the inputs not provided in one line;
#  - the premiers éléments de diagnostic: a Markdown file and an OpenDocument text
#    whose zip starts with an uncompressed "mimetype" and whose XML parts are
#    well-formed (python3 zipfile + xml.dom.minidom).
# Skips (TAP "1..0 # SKIP") when /usr/bin/chromium is absent.
set -u
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  echo "1..0 # SKIP $CHROMIUM not installed (scripts/test installs it: apt-get install chromium)"
  exit 0
fi
. "$(dirname "$0")/../cli/lib/tap.sh"
export CPTS_FIXED_TIME="2026-01-01T00:00:00Z"
chrome() { # out-prefix, url, extra args...: writes $1.dom, $1.err, $1.net
  out="$1"; url="$2"; shift 2
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d -p "$T")" --enable-logging=stderr --v=0 \
    --host-resolver-rules="MAP * ~NOTFOUND" --log-net-log="$out.net" "$@" "$url" \
    > "$out.dom" 2> "$out.err"
}
page_urls() { # NetLog file: requested http(s)/ws URLs not from the browser's own services
  grep -oE '"url":"(https?|wss?)://[^"]*' "$1" | sed 's/^"url":"//' |
    grep -vE '^[a-z]+://([a-z0-9.-]+\.)?(google\.com|googleapis\.com|gstatic\.com)(/|:|$)' |
    sort -u
}

if ! sh "$SRC/tests/browser/make_ws.sh" "$CPTS" "$T" > "$T/make.log" 2>&1; then
  echo "not ok 1 - build the demo workspace"; sed 's/^/# /' "$T/make.log"; echo "1..1"; exit 1
fi
"$CPTS" export -q "$T/ws.sqlite" --partition partition --html "$T/html"
check "HTML export" $?
terr=$(sed -n 2p "$T/demo/partition.csv" | cut -d';' -f2)
want=$(awk -F';' -v t="$terr" 'NR > 1 && $2 == t' "$T/demo/partition.csv" | wc -l)
page=$(grep -l "<h1>$terr</h1>" "$T/html"/*.html | head -n 1)
[ -n "$page" ]; check "page of territory '$terr' found, titled by its name" $?

for p in index "$page"; do
  case "$p" in index) f="$T/html/index.html"; name=index ;; *) f="$p"; name=territory ;; esac
  chrome "$T/$name" "file://$f" --dump-dom
  check "$name: chromium renders the page" $?
  ! grep -q "CONSOLE" "$T/$name.err"; check "$name: no console message" $?
  [ -z "$(page_urls "$T/$name.net")" ]; check "$name: no network request" $?
  chrome "$T/$name-shot" "file://$f" --screenshot="$T/$name.png" --window-size=1100,2400 \
    --hide-scrollbars
  head -c 8 "$T/$name.png" 2>/dev/null | od -An -c | grep -q "P   N   G"
  check "$name: screenshot is a PNG" $?
  sz=$(wc -c < "$T/$name.png" 2>/dev/null || echo 0)
  [ "$sz" -gt 20000 ]; check "$name: screenshot not blank ($sz bytes)" $?
  if [ -n "${CPTS_SCREENSHOT_DIR:-}" ]; then
    mkdir -p "$CPTS_SCREENSHOT_DIR" && cp "$T/$name.png" "$CPTS_SCREENSHOT_DIR/"
  fi
done
got=$(grep -o '<path class="c" data-code="[^"]*"' "$T/territory.dom" | sort -u | wc -l)
[ "$got" -eq "$want" ]; check "territory DOM: one path per commune ($want, got $got)" $?
got=$(grep -o 'data-territoire="[^"]*"' "$T/index.dom" | sort -u | wc -l)
nt=$(awk -F';' 'NR > 1 { print $2 }' "$T/demo/partition.csv" | sort -u | wc -l)
[ "$got" -eq "$nt" ]; check "index DOM: one path per territory ($nt, got $got)" $?

# ---- print: page count, running header and footer, no navigation ----
pdf() { # html, pdf
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --user-data-dir="$(mktemp -d -p "$T")" \
    --host-resolver-rules="MAP * ~NOTFOUND" --no-pdf-header-footer --print-to-pdf="$2" \
    "file://$1" > /dev/null 2>&1
}
pages() { pdfinfo "$1" 2>/dev/null | sed -n 's/^Pages: *//p'; }
print_checks() { # label, html page, territory name
  pdf "$2" "$T/$1.pdf"; np=$(pages "$T/$1.pdf")
  [ -n "$np" ] && [ "$np" -ge 1 ] && [ "$np" -le 3 ]; check "$1: at most 3 A4 pages in print (got $np)" $?
  okp=0; k=1
  while [ -n "$np" ] && [ $k -le "$np" ]; do
    pdftotext -f $k -l $k "$T/$1.pdf" "$T/$1.p$k.txt"
    tr '\n' ' ' < "$T/$1.p$k.txt" | grep -q "Page $k / $np" || okp=1
    grep -q "diagnostic territorial du 1er janvier 2026" "$T/$1.p$k.txt" || okp=1
    grep -qF "$3" "$T/$1.p$k.txt" || okp=1
    k=$((k + 1))
  done
  [ $okp -eq 0 ]; check "$1: every printed page has the header (name, date) and 'Page k / $np'" $?
  pdftotext "$T/$1.pdf" "$T/$1.txt"
  ! grep -q "Tous les territoires" "$T/$1.txt"; check "$1: navigation not printed" $?
}
if command -v pdfinfo > /dev/null && command -v pdftotext > /dev/null; then
  print_checks territory-print "$page" "$terr"
  pdf "$T/html/index.html" "$T/index.pdf"; ni=$(pages "$T/index.pdf")
  [ -n "$ni" ] && [ "$ni" -ge 1 ]; check "index prints ($ni pages)" $?
else
  echo "ok - # SKIP pdfinfo/pdftotext not installed (poppler-utils)"
fi

# ---- names, not codes; no "n.d." where the input was given ----
bad=0
for f in "$T/html"/*.html; do
  h1=$(sed -n 's:.*<h1>\([^<]*\)</h1>.*:\1:p' "$f" | head -n 1)
  ttl=$(sed -n 's:.*<title>\([^<]*\)</title>.*:\1:p' "$f" | head -n 1)
  case "$f" in
    */index.html) echo "$h1" | grep -q "^Diagnostic territorial — zone étudiée$" || bad=1 ;;
    *) grep -qF ";$h1;" "$T/demo/partition.csv" && [ "$ttl" = "$h1" ] || bad=1 ;;
  esac
  echo "$h1 $ttl" | grep -qE "(Territoire|Département|Région) [0-9AB]+([^0-9]|$)" && bad=1
done
[ $bad -eq 0 ]; check "names title every page (h1 and title), never codes" $?
! grep -q '<t[dh][^>]*>n\.d\.</t[dh]>' "$T/territory.dom"; check "territory DOM: no n.d. cell (every input given)" $?
! grep -q '<t[dh][^>]*>n\.d\.</t[dh]>' "$T/index.dom"; check "index DOM: no n.d. cell" $?
grep -q '<ul class="kp">' "$T/territory.dom"; check "territory: points clés first" $?
grep -q 'class="forest"' "$T/territory.dom" && grep -q 'class="forest"' "$T/index.dom"
check "forest plots on the territory page and the index" $?
grep -q 'class="ref"' "$T/index.dom" && grep -q 'table class="sortable' "$T/index.dom"
check "index: sortable table with a reference row" $?

# ---- premiers éléments de diagnostic: Markdown and ODT ----
base="${page%.html}"
grep -q "^# Premiers éléments de diagnostic — $terr$" "$base.md"; check "Markdown: title with the territory name" $?
if command -v python3 > /dev/null; then
  python3 - "$base.odt" > "$T/odt.log" 2>&1 <<'PY'
import sys, zipfile, xml.dom.minidom
z = zipfile.ZipFile(sys.argv[1])
first = z.infolist()[0]
assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED, first
assert z.read("mimetype") == b"application/vnd.oasis.opendocument.text"
for n in ("content.xml", "styles.xml", "META-INF/manifest.xml"):
    xml.dom.minidom.parseString(z.read(n))
text = z.read("content.xml").decode()
assert "Premiers éléments de diagnostic" in text and "Points clés" in text, "content"
PY
  check "ODT: mimetype first and stored, manifest, well-formed XML parts" $?
  sed 's/^/# /' "$T/odt.log"
fi

# ---- a report from public data only: sections hidden, one line lists what is missing ----
P="$T/pub"; mkdir -p "$P"
{ "$CPTS" init "$P/ws.sqlite" -q &&
  "$CPTS" ingest communes "$P/ws.sqlite" "$T/demo/communes.geojson" -q &&
  "$CPTS" ingest population "$P/ws.sqlite" "$T/demo/population.csv" -q &&
  "$CPTS" ingest partition "$P/ws.sqlite" "$T/demo/partition.csv" -q &&
  "$CPTS" profile -q --no-table "$P/ws.sqlite" --partition partition &&
  "$CPTS" export -q "$P/ws.sqlite" --partition partition --html "$P/html"; } > "$P/log" 2>&1
check "public-data-only report exported" $?
ppage=$(grep -l "<h1>$terr</h1>" "$P/html"/*.html | head -n 1)
chrome "$P/territory" "file://$ppage" --dump-dom
grep -q "Données non fournies, sections omises : patients sans médecin traitant, consommation de soins (ICC), offre de médecins généralistes, flux de patients" "$P/territory.dom"
check "public data only: one line lists the inputs not provided" $?
! grep -q "<h2>Médecin traitant</h2>" "$P/territory.dom" && ! grep -q "<h2>Flux et attraction" "$P/territory.dom"
check "public data only: sections of missing inputs hidden" $?
! grep -q '<t[dh][^>]*>n\.d\.</t[dh]>' "$P/territory.dom"; check "public data only: no n.d. cell" $?
grep -q 'data-code="[^"]*" fill="#' "$P/territory.dom" && ! grep -q 'Part des patients sans médecin traitant par commune' "$P/territory.dom"
check "public data only: the map shows a public indicator, not an all-grey one" $?
if command -v pdfinfo > /dev/null; then
  print_checks public-print "$ppage" "$terr"
fi

# control: the detector must see a page that loads a remote image
printf '<!DOCTYPE html><html><body><img src="http://example.invalid/x.png"></body></html>\n' \
  > "$T/bad.html"
chrome "$T/bad" "file://$T/bad.html" --dump-dom
page_urls "$T/bad.net" | grep -q "example.invalid"; check "control: a remote image is detected" $?
tap_done
