#!/bin/sh
# Counts in CSV tables (issue 12, item 6): thousands separators (',' '.' blank, U+00A0,
# U+202F) are read as such or refused, never as decimals of a count; a count that is
# not whole, a subgroup above its group, a breakdown above its whole, a column named
# twice in the header are errors naming file, line and field; columns no canonical
# column reads are listed in a warning (default level and -v).
CPTS="$1"
D="${CPTS_SRC:-$(dirname "$0")/../..}/tests/data/ingest"
. "$(dirname "$0")/lib/tap.sh"
q() { sqlite3 "$WS" "$1" 2>/dev/null; }
WS="$T/ws.sqlite"
"$CPTS" init "$WS" -q
"$CPTS" ingest communes "$WS" "$D/communes.geojson" -q; check "communes" $?

mt() { # name, then rows (the header is code_commune;patients;sans_mt)
  f="$T/$1.csv"; shift
  printf 'code_commune;patients;sans_mt\n' > "$f"
  for r in "$@"; do printf '%s\n' "$r" >> "$f"; done
}
ok_mt() { # name expected_patients_44109 expected_sans_mt_44109
  "$CPTS" ingest mt "$WS" "$T/$1.csv" -q 2> "$T/err"; rc=$?
  [ $rc -eq 0 ]; check "$1: accepted (got $rc)" $?
  got=$(q "SELECT patients || '/' || sans_mt FROM mt WHERE code = '44109'")
  [ "$got" = "$2/$3" ]; check "$1: patients/sans_mt = $2/$3 (got $got)" $?
}
bad_mt() { # name line field what
  "$CPTS" ingest mt "$WS" "$T/$1.csv" 2> "$T/err"; rc=$?
  [ $rc -eq 3 ]; check "$1: refused with exit 3 (got $rc)" $?
  grep -q "$1.csv:$2: .*'$3'.*$4" "$T/err"; check "$1: the error names line $2, '$3': $4" $?
  sed 's/^/# /' "$T/err"
}

# thousands separators of every kind
mt blank '44109;250 000;1 234' '44020;16000;300'
ok_mt blank 250000.0 1234.0
mt nbsp "$(printf '44109;250\302\240000;1\342\200\257234')" '44020;16000;300'
ok_mt nbsp 250000.0 1234.0
mt dots '44109;250.000;1.234' '44020;16000;300'
ok_mt dots 250000.0 1234.0
mt groups '44109;1.250.000;12.345' '44020;16000;300'
ok_mt groups 1250000.0 12345.0
mt commas '44109;"1,250,000";"1,234"' '44020;16000;300'
ok_mt commas 1250000.0 1234.0
mt mixed '44109;"250,000.0";1.234,0' '44020;16000;300'
ok_mt mixed 250000.0 1234.0
# a comma-delimited file: its decimal separator is '.', so "1,234" groups thousands
printf 'code_commune,patients,sans_mt\n44109,"250,000","1,234"\n44020,16000,300\n' > "$T/comma.csv"
ok_mt comma 250000.0 1234.0
# the file's decimal separator is ',' (seen in 12,0): "1,234" would be 1.234 patients
mt frdec '44020;16000;12,0' '44109;250000;1,234'
bad_mt frdec 3 sans_mt "is not a whole number (a count; the decimal separator of this file is ',')"
[ "$(q "SELECT patients FROM mt WHERE code = '44109'")" = 250000.0 ]
check "frdec: the workspace keeps the previous table" $?
# not whole, badly grouped
mt frac '44109;250000;12.7'
bad_mt frac 2 sans_mt "is not a whole number (a count)"
mt frac2 '44109;250000;12,7'
bad_mt frac2 2 sans_mt "is not a whole number"
mt groups2 '44109;25 00;100'
bad_mt groups2 2 patients "thousands separators group three digits"
mt groups3 '44109;1.23.456;100'
bad_mt groups3 2 patients "is not a number"
# subgroups and breakdowns
mt over '44020;16000;300' '44109;100;120'
bad_mt over 3 sans_mt "is more than 'patients' (100): a subgroup cannot exceed its group"
printf 'code_commune;patients;sans_mt;sans_mt_mt_parti;sans_mt_fictif\n44109;1000;100;60;50\n' \
  > "$T/parts.csv"
bad_mt parts 2 sans_mt_mt_parti "+ 'sans_mt_fictif' (50) is more than 'sans_mt' (100)"
printf 'code_commune;patients;sans_mt;ald;ald_sans_mt\n44109;1000;100;50;60\n' > "$T/ald.csv"
bad_mt ald 2 ald_sans_mt "is more than 'ald' (50)"
printf 'code_commune;profession;effectif;age_60p\n44109;medecin_generaliste;3;4\n' > "$T/sup.csv"
"$CPTS" ingest supply "$WS" "$T/sup.csv" 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "sup.csv:2: 'age_60p' (4) is more than 'effectif' (3)" "$T/err"
check "supply: age_60p above effectif refused, line and fields named (rc $rc)" $?
# masked cells are not compared
mt masked '44109;5;<11' '44020;16000;300'
"$CPTS" ingest mt "$WS" "$T/masked.csv" -q; check "masked: a masked subgroup is not compared" $?

# header: a column named twice; columns not read
printf 'code_commune;patients;sans_mt;Patients\n44109;1000;100;1000\n' > "$T/dup.csv"
"$CPTS" ingest mt "$WS" "$T/dup.csv" 2> "$T/err"; rc=$?
[ $rc -eq 3 ]; check "dup: a column named twice exits 3 (got $rc)" $?
grep -q "dup.csv': line 1: column 'Patients' appears twice in the header (fields 2 and 4)" "$T/err"
check "dup: the error names both fields" $?
printf 'code_commune;patients;sans_mt;NB_MT_PARTI;remarque\n44109;1000;100;20;x\n' > "$T/extra.csv"
"$CPTS" ingest mt "$WS" "$T/extra.csv" 2> "$T/err"; rc=$?
[ $rc -eq 0 ]; check "extra: accepted (got $rc)" $?
grep -q "warning: '.*extra.csv': 2 columns not read (not a column of mt; .*): 'NB_MT_PARTI', 'remarque'" \
  "$T/err"; check "extra: the unread columns are listed in a warning" $?
"$CPTS" ingest mt "$WS" "$T/extra.csv" -v 2> "$T/err"
grep -q "'NB_MT_PARTI', 'remarque'" "$T/err"; check "extra: listed at -v too" $?
"$CPTS" ingest mt "$WS" "$T/extra.csv" --map sans_mt_mt_parti=NB_MT_PARTI 2> "$T/err"
grep -q "1 column not read (.*): 'remarque'" "$T/err"; check "extra: --map reads one of them" $?
[ "$(q "SELECT sans_mt_mt_parti FROM mt WHERE code = '44109'")" = 20.0 ]
check "extra: the mapped column is stored (20)" $?
tap_done
