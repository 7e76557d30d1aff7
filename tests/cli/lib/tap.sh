# tests/cli/lib/tap.sh - sourced by the CLI test scripts: a scratch directory $T removed
# at exit, check NAME STATUS printing one TAP line, tap_done printing the plan and
# exiting non-zero when any check failed; before the plan, tap_done audits every cpts
# publication left in $T (lib/audit_exports.sh; TAP_NO_AUDIT=1 skips it).
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
fail=0
check() { # name, condition result (0 = pass)
  n=$((n+1))
  if [ "$2" -eq 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi
}
_tap_ae="${CPTS_SRC:-$(dirname "$0")/../..}/tests/cli/lib/audit_exports.sh"
[ -f "$_tap_ae" ] && . "$_tap_ae"
tap_done() {
  if [ -z "${TAP_NO_AUDIT:-}" ] && command -v audit_exports > /dev/null 2>&1; then
    audit_exports
  fi
  echo "1..$n"
  exit $fail
}
