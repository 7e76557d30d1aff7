#!/bin/sh
# Age bands as intervals (issue 14, point 9): the epitools ageadjust.indirect
# documentation example (Selvin 2004: US deaths 1940 with the 1960 rates, bands <1,
# 1-4, 5-14, 15-24 ... 85+) put on one demo commune gives E = 85,556.89 (the value the
# documentation gives; before, "00-00" and "01-04" shared a 5-year slot: 85,604.08),
# O = 71,058 and SIR 83.05; bands of the population or the reference that do not fit
# the consumption's bands stop the profile with exit 3 naming them.
CPTS="$1"
SRC="${CPTS_SRC:-$(dirname "$0")/../..}"
D="$SRC/data/demo"
. "$(dirname "$0")/lib/tap.sh"
if [ ! -f "$D/communes.geojson" ]; then echo "1..0 # SKIP no demo data in $D"; exit 0; fi
if ! command -v sqlite3 > /dev/null; then echo "1..0 # SKIP sqlite3 not installed"; exit 0; fi
WS="$T/ws.sqlite"
"$CPTS" init "$WS" -q
"$CPTS" ingest communes "$WS" "$D/communes.geojson" -q; check "ingest demo communes" $?
BANDS="00-00 01-04 05-14 15-24 25-34 35-44 45-54 55-64 65-74 75-84 85+"
DTH60="141 926 1253 1080 1869 4891 14956 30888 41725 26501 5928"
POP60="1784033 7065148 15658730 10482916 9939972 10563872 9114202 6850263 4702482 1874619 330915"
DTH40="45 201 320 670 1126 3160 9723 17935 22179 13461 2238"
POP40="906897 3794573 10003544 10629526 9465330 8249558 7294330 5022499 2920220 1019504 142532"
awk -v b="$BANDS" -v p="$POP40" 'BEGIN { split(b, B, " "); split(p, P, " ");
  print "code_commune;sexe;classe_age;population";
  for (i = 1; i <= 11; i++) print "99001;F;" B[i] ";" P[i] }' > "$T/pop.csv"
awk -v b="$BANDS" -v d="$DTH40" 'BEGIN { split(b, B, " "); split(d, X, " ");
  print "code_commune;sexe;classe_age;actes";
  for (i = 1; i <= 11; i++) print "99001;F;" B[i] ";" X[i] }' > "$T/cons.csv"
awk -v b="$BANDS" -v d="$DTH60" -v p="$POP60" 'BEGIN { split(b, B, " "); split(d, X, " ");
  split(p, P, " "); print "sexe;classe_age;taux";
  for (i = 1; i <= 11; i++) printf "F;%s;%.17g\n", B[i], X[i] / P[i] }' > "$T/rates.csv"
"$CPTS" ingest population "$WS" "$T/pop.csv" -q; check "ingest the 1940 population" $?
"$CPTS" ingest consumption "$WS" "$T/cons.csv" -q; check "ingest the 1940 deaths" $?
"$CPTS" profile -q "$WS" --communes 99001 --reference "$T/rates.csv" --no-table
check "profile with the 1960 rates" $?
q() { sqlite3 "$WS" "SELECT printf('%.2f', value) FROM profile_values WHERE partition = '_adhoc'
  AND level = 'territoire' AND indicator = '$1'"; }
[ "$(q icc_expected)" = "85556.89" ]; check "E = 85,556.89 as documented (got $(q icc_expected))" $?
[ "$(q icc_observed)" = "71058.00" ]; check "O = 71,058" $?
[ "$(q icc)" = "83.05" ]; check "SIR x 100 = 83.05 (got $(q icc))" $?

# the rates file is read by the one CSV reader of src/ingest/csv.c (issue 13): quoted
# fields, CRLF, a BOM and a comma delimiter give the same E; a bad rate names the
# file, line and field
printf '\357\273\277' > "$T/rates_q.csv"
awk -F';' 'NR == 1 { print "\"sexe\",\"classe_age\",\"taux\"\r"; next }
  { printf "\"%s\",\"%s\",%s\r\n", $1, $2, $3 }' "$T/rates.csv" >> "$T/rates_q.csv"
"$CPTS" profile -q "$WS" --communes 99001 --reference "$T/rates_q.csv" --no-table
[ "$(q icc_expected)" = "85556.89" ]; check "quoted CRLF BOM comma rates: E = 85,556.89 (got $(q icc_expected))" $?
sed '3s/;[^;]*$/;abc/' "$T/rates.csv" > "$T/rates_nan.csv"
"$CPTS" profile -q "$WS" --communes 99001 --reference "$T/rates_nan.csv" --no-table 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "rates_nan.csv', line 3, field 'taux'" "$T/err"
check "a bad rate exits 3 naming file, line 3 and field taux (rc $rc: $(cat "$T/err"))" $?

# a reference band that is not one of the consumption's
sed 's/^F;00-00;/F;00-02;/' "$T/rates.csv" > "$T/rates_bad.csv"
"$CPTS" profile -q "$WS" --communes 99001 --reference "$T/rates_bad.csv" --no-table 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "rates_bad.csv', line 2" "$T/err" && grep -q "'00-02'" "$T/err"
check "mismatched reference band: exit 3 naming the file, line and band (rc $rc)" $?
# a population band across two consumption bands
sed 's/;01-04;/;01-09;/' "$T/pop.csv" > "$T/pop_bad.csv"
"$CPTS" ingest population "$WS" "$T/pop_bad.csv" -q
"$CPTS" profile -q "$WS" --communes 99001 --reference "$T/rates.csv" --no-table 2> "$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q "population" "$T/err" && grep -q "'01-09'" "$T/err"
check "population band across two strata: exit 3 naming it (rc $rc: $(cat "$T/err"))" $?
tap_done
