#!/bin/sh
# `cpts profile` on real geometry with synthetic counts: the 1,232 communes of Pays de
# la Loire (../shared/data, COG 2024) get invented population totals, consumption
# totals (one masked cell in ten), médecin traitant counts (some masked) and GPs,
# written with sqlite3. Two partitions (by département; by code modulo 37 with one
# split commune) must both add up: territories to the region for every count,
# communes to their territory. This also exercises the crude-rate ICC (totals only),
# centroid-distance APL and density typology. Skips without the shared data.
CPTS="$1"
GEO="${CPTS_SHARED:-$(dirname "$0")/../../../shared}/data/geo/communes_r52_pays_de_la_loire_cog2024.geojson"
. "$(dirname "$0")/lib/tap.sh"
if [ ! -f "$GEO" ]; then echo "1..0 # SKIP shared real data not found ($GEO)"; exit 0; fi
if ! command -v sqlite3 > /dev/null; then echo "1..0 # SKIP sqlite3 not installed"; exit 0; fi
WS="$T/ws.sqlite"
q() { sqlite3 "$WS" "$1" 2>/dev/null; }
same() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; m = (b < 0 ? -b : b);
  if (m < 1) m = 1; exit !(a != "" && b != "" && d <= 1e-6 * m) }'; }

"$CPTS" init "$WS" -q
"$CPTS" ingest communes "$WS" "$GEO" -q; check "ingest the 1232 communes of region 52" $?
[ "$(q "SELECT count(*) FROM communes")" = "1232" ]; check "1232 communes" $?
q "INSERT INTO population SELECT code, 'T', 'ALL', 50 + (CAST(substr(code, 3) AS INT) * 37) % 4000 FROM communes;
   INSERT INTO consumption(code, sex, age, actes, masked) SELECT code, 'T', 'ALL',
     CASE WHEN CAST(substr(code, 3) AS INT) % 10 = 3 THEN NULL
          ELSE 3 * (50 + (CAST(substr(code, 3) AS INT) * 37) % 4000) + CAST(substr(code, 3) AS INT) % 17 END,
     CAST(substr(code, 3) AS INT) % 10 = 3 FROM communes;
   INSERT INTO mt(code, patients, sans_mt, sans_mt_mt_parti, sans_mt_fictif, mask)
     SELECT code, 40 + (CAST(substr(code, 3) AS INT) * 37) % 3000,
       CASE WHEN CAST(substr(code, 3) AS INT) % 7 = 1 THEN NULL ELSE 3 + CAST(substr(code, 3) AS INT) % 90 END,
       1 + CAST(substr(code, 3) AS INT) % 30, CAST(substr(code, 3) AS INT) % 5,
       CASE WHEN CAST(substr(code, 3) AS INT) % 7 = 1 THEN 2 ELSE 0 END FROM communes;
   INSERT INTO supply SELECT code, 'medecin_generaliste', 1 + CAST(substr(code, 3) AS INT) % 4, NULL, 0
     FROM communes WHERE CAST(substr(code, 3) AS INT) % 3 = 0;
   INSERT INTO partitions VALUES('dep','input','test',NULL,NULL), ('mod','input','test',NULL,NULL);
   INSERT INTO partition_members SELECT 'dep', code, 'D' || dep, NULL, 1 FROM communes;
   INSERT INTO partition_members SELECT 'mod', code, 'M' || (CAST(substr(code, 3) AS INT) % 37), NULL, 1
     FROM communes WHERE code <> '44109';
   INSERT INTO partition_members VALUES('mod','44109','M1',NULL,0.3),('mod','44109','M2',NULL,0.7);"
check "synthetic counts written" $?
for P in dep mod; do
  "$CPTS" profile "$WS" --partition $P -q > /dev/null; check "profile partition '$P'" $?
  for K in pop_total mt_patients mt_sans_mt mt_mt_parti mt_fictif icc_observed icc_expected gp_count area_km2; do
    w=$(q "SELECT value FROM profile_values WHERE partition='$P' AND level='ensemble' AND indicator='$K' LIMIT 1")
    s=$(q "SELECT sum(value) FROM profile_values WHERE partition='$P' AND level='territoire' AND indicator='$K'")
    same "$s" "$w"; check "$P: territories sum to the region for $K ($s vs $w)" $?
    bad=$(q "SELECT count(*) FROM profile_values t LEFT JOIN (SELECT territory, sum(value) AS s
      FROM profile_values WHERE partition='$P' AND level='commune' AND indicator='$K' GROUP BY territory) c
      ON c.territory = t.territory WHERE t.partition='$P' AND t.level='territoire' AND t.indicator='$K'
      AND abs(t.value - coalesce(c.s, 0)) > 1e-6 * max(1, abs(t.value))")
    [ "$bad" = "0" ]; check "$P: communes sum to their territory for $K" $?
  done
done
# independent values
w=$(q "SELECT value FROM profile_values WHERE partition='dep' AND level='ensemble' AND indicator='pop_total' LIMIT 1")
same "$w" "$(q "SELECT sum(pop) FROM population")"; check "region population = sum of the table" $?
# Loire-Atlantique as a territory equals the département level of the same profile
a=$(q "SELECT value FROM profile_values WHERE partition='dep' AND territory='D44' AND level='territoire' AND indicator='icc'")
b=$(q "SELECT value FROM profile_values WHERE partition='dep' AND territory='D44' AND level='departement' AND level_code='44' AND indicator='icc'")
same "$a" "$b"; check "territory = its département when they coincide (ICC $a)" $?
# crude ICC recomputed in SQL: rate over non-masked communes
want=$(q "WITH r AS (SELECT sum(c.actes) / sum(p.pop) AS rate FROM consumption c JOIN population p USING(code) WHERE c.masked = 0)
  SELECT 100.0 * (SELECT sum(actes) FROM consumption c JOIN communes m USING(code) WHERE m.dep='49' AND c.masked = 0)
   / ((SELECT sum(pop) FROM population p JOIN communes m USING(code) WHERE m.dep='49' AND p.code IN (SELECT code FROM consumption WHERE masked = 0)) * r.rate) FROM r")
got=$(q "SELECT value FROM profile_values WHERE partition='dep' AND territory='D49' AND level='territoire' AND indicator='icc'")
same "$got" "$want"; check "crude ICC of Maine-et-Loire from SQL ($got)" $?
# typology from density (no DENS): thresholds 1000 and 150 hab./km2, checked in SQL
bad=$(q "SELECT count(*) FROM profile_values v JOIN communes c ON c.code = v.level_code
  JOIN population p ON p.code = c.code WHERE v.partition='dep' AND v.level='commune'
  AND v.indicator='typology' AND v.value <> CASE WHEN p.pop / c.area_km2 >= 1000 THEN 1
  WHEN p.pop / c.area_km2 >= 150 THEN 2 ELSE 3 END")
[ "$bad" = "0" ]; check "density typology of every commune" $?
ap=$(q "SELECT count(*) FROM profile_values WHERE partition='dep' AND level='commune' AND indicator='apl' AND value > 0")
[ "${ap:-0}" -gt 300 ]; check "APL positive in $ap communes (centroid distances)" $?
tap_done
