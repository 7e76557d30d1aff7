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
#    territory (counted in the partition CSV) and one per territory on the index.
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
page=$(grep -l "<h1>Territoire $terr</h1>" "$T/html"/*.html | head -n 1)
[ -n "$page" ]; check "page of territory '$terr' found" $?

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

# control: the detector must see a page that loads a remote image
printf '<!DOCTYPE html><html><body><img src="http://example.invalid/x.png"></body></html>\n' \
  > "$T/bad.html"
chrome "$T/bad" "file://$T/bad.html" --dump-dom
page_urls "$T/bad.net" | grep -q "example.invalid"; check "control: a remote image is detected" $?
tap_done
