#!/bin/sh
# CLI contract: --help, --version, usage errors (exit 2), init/info, and a failed
# command leaving the workspace byte for byte unchanged.
CPTS="$1"
. "$(dirname "$0")/lib/tap.sh"
"$CPTS" --help > "$T/out" 2> "$T/err"; check "--help exits 0" $?
grep -q "^usage: cpts" "$T/out"; check "--help prints usage on stdout" $?
[ ! -s "$T/err" ]; check "--help prints nothing on stderr" $?
"$CPTS" --version > "$T/out"; check "--version exits 0" $?
grep -Eq "^cpts [0-9]+\.[0-9]+\.[0-9]+$" "$T/out"; check "--version prints cpts X.Y.Z" $?
"$CPTS" frobnicate 2> "$T/err"; rc=$?; [ $rc -eq 2 ]; check "unknown command exits 2 (got $rc)" $?
grep -q "cpts: error: 'frobnicate' is not a cpts command" "$T/err"; check "unknown command message" $?
"$CPTS" info --bogus 2> "$T/err"; rc=$?; [ $rc -eq 2 ]; check "unknown option exits 2 (got $rc)" $?
grep -q "unknown option '--bogus'" "$T/err"; check "unknown option is named" $?
grep -q "cpts: try 'cpts info --help'" "$T/err"; check "usage hint names the command" $?
for c in init info ingest synth graph basins compare profile export diagnose check move suggest; do
  "$CPTS" $c --help > "$T/out" 2>&1; rc=$?
  [ $rc -eq 0 ] && grep -q "^usage: cpts $c" "$T/out"; check "cpts $c --help" $?
done
"$CPTS" init "$T/ws.sqlite" 2> "$T/err"; check "init creates a workspace" $?
"$CPTS" init "$T/ws.sqlite" 2> "$T/err"; rc=$?; [ $rc -eq 2 ]; check "init refuses an existing file (got $rc)" $?
"$CPTS" info "$T/ws.sqlite" > "$T/out"; check "info exits 0" $?
grep -q "schema version 1" "$T/out"; check "info shows the schema version" $?
"$CPTS" info --json "$T/ws.sqlite" > "$T/out"; check "info --json exits 0" $?
grep -q '"schema_version":1' "$T/out"; check "info --json has the schema version" $?
"$CPTS" info "$T/missing.sqlite" 2> "$T/err"; rc=$?; [ $rc -eq 4 ]; check "info on a missing file exits 4 (got $rc)" $?
grep -q "missing.sqlite" "$T/err"; check "the missing workspace is named" $?
printf 'not a database at all, just text\n%.0s' $(seq 1 200) > "$T/junk.sqlite"
"$CPTS" info "$T/junk.sqlite" 2> "$T/err"; rc=$?; [ $rc -eq 3 ]; check "info on a non-database exits 3 (got $rc)" $?
grep -q "not a cpts workspace" "$T/err"; check "a non-database is named as such" $?
tap_done
