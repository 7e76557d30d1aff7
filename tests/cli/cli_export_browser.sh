#!/bin/sh
# Browser test of the HTML report (tests/browser/browser_export.sh): headless Chromium
# renders the index and a territory page; no console error, no network request, one
# SVG path per commune. Skips when /usr/bin/chromium is absent.
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
exec sh "$SRC/tests/browser/browser_export.sh" "$@"
