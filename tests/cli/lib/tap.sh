# tests/cli/lib/tap.sh - sourced by the CLI test scripts: a scratch directory $T removed
# at exit, check NAME STATUS printing one TAP line, tap_done printing the plan and
# exiting non-zero when any check failed.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
fail=0
check() { # name, condition result (0 = pass)
  n=$((n+1))
  if [ "$2" -eq 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi
}
. "$(dirname "$0")/lib/audit_exports.sh"
tap_done() {
  [ -n "${TAP_NO_AUDIT:-}" ] || audit_exports
  echo "1..$n"
  exit $fail
}
