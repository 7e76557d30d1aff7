#!/bin/sh
# run-fuzz.sh FUZZER SEEDS WORKDIR - one bounded libFuzzer run for meson test:
# new inputs go to WORKDIR/corpus (the seed corpus stays untouched), crash files to
# WORKDIR; each run lasts CPTS_FUZZ_SECONDS (default 30). Exits non-zero on any crash, leak, timeout or sanitizer report.
set -u
fuzzer="$1"; seeds="$2"; work="$3"; secs="${CPTS_FUZZ_SECONDS:-30}"
mkdir -p "$work/corpus"
exec "$fuzzer" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=8192 \
  -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$seeds"
